package dev.offload.spring;

import dev.offload.Offload;
import dev.offload.server.OffloadMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Offload in a Spring Boot application: an {@link Offload} bean on the application's DataSource
 * (see {@link StoreSelection}), with every {@link OffloadJob} handler bean registered, enqueue
 * joining {@code @Transactional} methods, the workers tied to the application's lifecycle, and,
 * where the application has them, the {@code offload} health contributor, metrics in its {@code
 * MeterRegistry}, the {@code offload} actuator endpoint and the API and dashboard at {@code
 * offload.web.path}. {@code docs/spring.md} tells the whole story.
 */
@AutoConfiguration(
    afterName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration"
    })
@EnableConfigurationProperties(OffloadProperties.class)
public class OffloadAutoConfiguration {
  private static final Logger log = LoggerFactory.getLogger(OffloadAutoConfiguration.class);

  /** Created by Spring Boot's auto-configuration. */
  public OffloadAutoConfiguration() {}

  /** Offload's metrics, in the application's registry when it has one. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
  OffloadMetrics offloadMetrics(ObjectProvider<MeterRegistry> registry) {
    MeterRegistry r = registry.getIfUnique();
    return r == null ? OffloadMetrics.create() : OffloadMetrics.create(r);
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  Offload offload(
      OffloadProperties props,
      ObjectProvider<DataSource> dataSources,
      ObjectProvider<OffloadMetrics> metrics,
      ListableBeanFactory beans,
      Environment env) {
    DataSource dataSource =
        props.getDatasource() != null && !props.getDatasource().isBlank()
            ? beans.getBean(props.getDatasource().trim(), DataSource.class)
            : dataSources.getIfUnique();
    StoreSelection selection = StoreSelection.of(props, dataSource);
    Offload.Builder b =
        Offload.builder()
            .store(selection.store())
            .migrate(props.isMigrate())
            .shutdownGrace(props.getShutdownGrace())
            .retention(props.getRetention())
            .deadRetention(props.getDeadRetention())
            .pollInterval(props.getWorker().getPollInterval())
            .webPath(webPath(props));
    if (selection.joinable() != null) {
      b.transactions(new SpringTransactions(selection.joinable()));
    }
    if (props.getNode() != null && !props.getNode().isBlank()) {
      b.node(props.getNode());
    }
    if (props.getProgressKey() != null && !props.getProgressKey().isEmpty()) {
      b.progressKey(props.getProgressKey().getBytes(StandardCharsets.UTF_8));
    }
    props.getQueues().forEach(b::queue);
    metrics.ifAvailable(b::listener);
    Map<String, String> kinds = HandlerBeans.register(beans, env, b);
    warnWhenGraceOutlastsPhase(props, env);
    Offload offload;
    try {
      offload = b.build();
    } catch (RuntimeException e) {
      selection.store().close();
      throw e;
    }
    log.info(
        "Offload on {}: {} kind(s) {}, workers {}",
        selection.description(),
        kinds.size(),
        kinds.keySet(),
        props.getWorker().isEnabled() ? "on" : "off (offload.worker.enabled=false)");
    return offload;
  }

  @Bean
  @ConditionalOnMissingBean
  OffloadLifecycle offloadLifecycle(Offload offload, OffloadProperties props) {
    return new OffloadLifecycle(offload, props.getWorker().isEnabled(), props.getShutdownGrace());
  }

  static String webPath(OffloadProperties props) {
    String path = props.getWeb().getPath() == null ? "" : props.getWeb().getPath().trim();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (path.isEmpty() || !path.startsWith("/") || path.contains("*")) {
      throw new IllegalStateException(
          "offload.web.path must be a path such as /offload (not the root, no wildcard), got '"
              + props.getWeb().getPath()
              + "'");
    }
    return path;
  }

  private static void warnWhenGraceOutlastsPhase(OffloadProperties props, Environment env) {
    String phase = env.getProperty("spring.lifecycle.timeout-per-shutdown-phase", "30s");
    try {
      Duration timeout = DurationStyle.detectAndParse(phase);
      if (props.getShutdownGrace().compareTo(timeout) >= 0) {
        log.warn(
            "offload.shutdown-grace ({}) is not shorter than"
                + " spring.lifecycle.timeout-per-shutdown-phase ({}): Spring may move on before"
                + " running jobs are handed back",
            props.getShutdownGrace(),
            timeout);
      }
    } catch (IllegalArgumentException e) {
      // Spring reports a malformed value itself.
    }
  }

  /** The {@code offload} health contributor. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "offloadHealthIndicator")
    OffloadHealthIndicator offloadHealthIndicator(Offload offload, OffloadLifecycle lifecycle) {
      return new OffloadHealthIndicator(offload, lifecycle);
    }
  }

  /** The {@code offload} actuator endpoint. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
  static class EndpointConfiguration {
    @Bean
    @ConditionalOnMissingBean
    OffloadEndpoint offloadEndpoint(Offload offload) {
      return new OffloadEndpoint(offload);
    }
  }

  /** Keeps the queue gauges fresh in a registry that is scraped by the application. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
  static class MetricsConfiguration {
    @Bean
    QueueGauges offloadQueueGauges(Offload offload, OffloadMetrics metrics) {
      return new QueueGauges(offload, metrics);
    }
  }

  /** The API, event streams and dashboard in the application's servlet container. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "jakarta.servlet.Servlet",
        "org.springframework.boot.web.servlet.ServletRegistrationBean"
      })
  @ConditionalOnBooleanProperty(name = "offload.web.enabled", matchIfMissing = true)
  @org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication(
      type =
          org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type.SERVLET)
  static class WebConfiguration {
    @Bean
    OffloadWeb offloadWeb(Offload offload, OffloadMetrics metrics, OffloadProperties props) {
      return new OffloadWeb(offload, metrics, webPath(props));
    }

    @Bean
    org.springframework.boot.web.servlet.ServletRegistrationBean<jakarta.servlet.Servlet>
        offloadServlet(OffloadWeb web) {
      return web.registration();
    }
  }
}
