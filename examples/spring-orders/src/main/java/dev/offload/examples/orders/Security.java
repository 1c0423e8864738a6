package dev.offload.examples.orders;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who gets in: two in-memory users (alice, a user, and admin, an admin; the passwords are the
 * names, for trying the example only), a form login, the dashboard and API under {@code /offload}
 * for admins, one job's progress for whoever holds its signed URL, and health for everyone.
 */
@Configuration
class Security {
  @Bean
  InMemoryUserDetailsManager users() {
    return new InMemoryUserDetailsManager(
        User.withUsername("alice").password("{noop}alice").roles("USER").build(),
        User.withUsername("bob").password("{noop}bob").roles("USER").build(),
        User.withUsername("admin").password("{noop}admin").roles("USER", "ADMIN").build());
  }

  @Bean
  SecurityFilterChain chain(HttpSecurity http) throws Exception {
    http.authorizeHttpRequests(a ->
            a.requestMatchers("/actuator/health", "/actuator/health/**", "/login", "/error")
                .permitAll()
                // A job's read token opens that one job, for its holder; Offload checks it (403 for
                // a bad, expired or other job's token) and it opens no other route.
                .requestMatchers(r ->
                    r.getParameter("token") != null
                        && r.getRequestURI().startsWith("/offload/api/jobs/"))
                .permitAll()
                .requestMatchers("/offload/offload-progress.js")
                .permitAll()
                .requestMatchers("/offload", "/offload/**")
                .hasRole("ADMIN")
                .anyRequest()
                .authenticated())
        .formLogin(f -> f.defaultSuccessUrl("/", false))
        .logout(Customizer.withDefaults())
        // The dashboard does not send Spring's CSRF token; Offload itself refuses changes from
        // pages of other origins (docs/spring.md).
        .csrf(c -> c.ignoringRequestMatchers("/offload/api/**"));
    return http.build();
  }
}
