package dev.offload.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.offload.testsupport.FreshDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code offload} health contributor is {@code DOWN} when the store stops answering (here: the
 * application's PostgreSQL pool is closed under it), and says so without a URL or an error message.
 */
class HealthDownTest {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  @Test
  void healthIsDownWhenTheStoreDoesNotAnswer() {
    try (var app =
        new SpringApplicationBuilder(PlainApp.class)
            .web(WebApplicationType.NONE)
            .properties("offload.worker.enabled=false", "offload.schema=" + db.schema())
            .initializers(ctx -> {
              HikariDataSource pool = new HikariDataSource();
              pool.setJdbcUrl(db.url());
              pool.setMaximumPoolSize(4);
              pool.setConnectionTimeout(1_000);
              ctx.getBeanFactory().registerSingleton("dataSource", pool);
            })
            .run()) {
      OffloadHealthIndicator indicator = app.getBean(OffloadHealthIndicator.class);
      assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

      app.getBean(HikariDataSource.class).close();

      Health health = indicator.health();
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails()).containsEntry("store", "not answering");
      assertThat(health.getDetails().toString()).doesNotContain("jdbc:", "postgres");
    }
  }
}
