package dev.offload.spring;

import dev.offload.Job.JobId;
import dev.offload.JobContext;
import dev.offload.JobHandler;
import dev.offload.Offload;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.stereotype.Component;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The application the starter's tests run: a handler bean, a recurring one, one that waits for the
 * test, a {@code @Transactional} service that enqueues, and Spring Security guarding {@code
 * /offload} for admins (end users reach one job with its read token).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({
  OrdersApp.OrderSync.class,
  OrdersApp.MonthlyReport.class,
  OrdersApp.Gate.class,
  OrdersApp.OrderService.class,
  OrdersApp.Security.class
})
class OrdersApp {
  record SyncArgs(String tenant, int orders) {}

  @Component
  @OffloadJob(kind = "orders.sync", queue = "sync", maxAttempts = 8, timeout = "30m")
  static class OrderSync implements JobHandler<SyncArgs> {
    @Override
    public Object run(SyncArgs args, JobContext ctx) {
      ctx.total(args.orders());
      ctx.advance(args.orders());
      return Map.of("tenant", args.tenant(), "imported", args.orders());
    }
  }

  @Component
  @OffloadJob(kind = "reports.monthly", queue = "reports")
  @Recurring(cron = "${reports.cron:-}", zone = "Europe/Copenhagen")
  static class MonthlyReport implements JobHandler<Map<String, Object>> {
    @Override
    public Object run(Map<String, Object> args, JobContext ctx) {
      return "report";
    }
  }

  /** Runs until the test opens the gate: a job that is running while the application stops. */
  @Component
  @OffloadJob(kind = "test.gate", queue = "gate")
  static class Gate implements JobHandler<Map<String, Object>> {
    static volatile CountDownLatch open = new CountDownLatch(1);
    static volatile CountDownLatch started = new CountDownLatch(1);

    @Override
    public Object run(Map<String, Object> args, JobContext ctx) throws InterruptedException {
      started.countDown();
      open.await();
      return "passed";
    }
  }

  @Service
  static class OrderService {
    final JdbcTemplate jdbc;
    final Offload offload;
    private final AtomicReference<JobId> lastJob = new AtomicReference<>();
    private volatile boolean visibleBeforeCommit;

    OrderService(JdbcTemplate jdbc, Offload offload) {
      this.jdbc = jdbc;
      this.offload = offload;
    }

    /** Inserts an order and enqueues its sync in one transaction; fails after both when asked. */
    @Transactional
    public JobId placeOrder(String tenant, boolean fail) {
      jdbc.update("INSERT INTO orders (tenant) VALUES (?)", tenant);
      JobId id = offload.enqueue("orders.sync", new SyncArgs(tenant, 3));
      lastJob.set(id);
      // Read through the store's own connection: outside this transaction.
      visibleBeforeCommit = offload.job(id).isPresent();
      if (fail) {
        throw new IllegalStateException("rolled back on purpose");
      }
      return id;
    }

    /** The job the last call enqueued (also when its transaction rolled back). */
    public JobId lastJob() {
      return lastJob.get();
    }

    /** Whether the last call's job could be read from outside its transaction before it ended. */
    public boolean visibleBeforeCommit() {
      return visibleBeforeCommit;
    }
  }

  @Component
  static class Security {
    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("admin").password("{noop}admin-pass").roles("ADMIN").build(),
          User.withUsername("user").password("{noop}user-pass").roles("USER").build());
    }

    @Bean
    SecurityFilterChain chain(HttpSecurity http) throws Exception {
      http.authorizeHttpRequests(a ->
              a
                  // A job's read token opens that one job, for anyone (docs/spring.md).
                  .requestMatchers(r ->
                          r.getParameter("token") != null
                              && r.getRequestURI().startsWith("/offload/api/jobs/"))
                  .permitAll()
                  .requestMatchers("/offload/offload-progress.js")
                  .permitAll()
                  .requestMatchers("/offload/**")
                  .hasRole("ADMIN")
                  .anyRequest()
                  .permitAll())
          .httpBasic(Customizer.withDefaults())
          .formLogin(Customizer.withDefaults())
          // Offload refuses state changes from other origins itself.
          .csrf(c -> c.ignoringRequestMatchers("/offload/api/**"));
      return http.build();
    }
  }
}
