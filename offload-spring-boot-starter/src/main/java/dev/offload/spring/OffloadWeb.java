package dev.offload.spring;

import dev.offload.Offload;
import dev.offload.server.OffloadMetrics;
import dev.offload.server.OffloadServer;
import jakarta.servlet.Servlet;
import org.springframework.boot.web.servlet.ServletRegistrationBean;

/**
 * Offload's HTTP API, event streams and dashboard (offload-server's Javalin routes) as a servlet of
 * the application's own container under {@code offload.web.path}, so the application's filters
 * (Spring Security) guard it and no second port is opened. The standalone server's Host guard and
 * token do not apply here: the application's security decides who gets in.
 *
 * <p>It stops before Spring Boot's graceful web shutdown (phase {@value #PHASE}): open event
 * streams are ended first, as the graceful shutdown would otherwise wait for them until its
 * timeout.
 */
final class OffloadWeb extends PhasedLifecycle {
  static final int PHASE = Integer.MAX_VALUE - 512;

  private final OffloadServer server;
  private final String path;

  OffloadWeb(Offload offload, OffloadMetrics metrics, String path) {
    super(PHASE);
    this.server = OffloadServer.builder(offload).mounted(true).metrics(metrics).build();
    this.path = path;
  }

  ServletRegistrationBean<Servlet> registration() {
    ServletRegistrationBean<Servlet> bean =
        new ServletRegistrationBean<>(server.servlet(), path + "/*");
    bean.setName("offload");
    // Event streams and Javalin's async handlers need it; Spring's filters are async-capable.
    bean.setAsyncSupported(true);
    bean.setLoadOnStartup(1);
    return bean;
  }

  @Override
  void onStart() {
    server.start();
  }

  @Override
  void onStop() {
    server.stop();
  }
}
