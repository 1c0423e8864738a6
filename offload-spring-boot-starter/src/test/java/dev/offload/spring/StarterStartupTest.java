package dev.offload.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Job.JobId;
import dev.offload.Offload;
import dev.offload.Offload.NodeHealth;
import dev.offload.Schedule.ScheduleInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starting applications with the starter: store selection, handler discovery and its failures,
 * schedules from {@code @Recurring}, and the switches ({@code offload.worker.enabled}, {@code
 * offload.web.enabled}, {@code offload.migrate}). Each test starts its own application on its own
 * SQLite file.
 */
class StarterStartupTest {
  @TempDir Path dir;

  private ConfigurableApplicationContext start(Class<?> app, String... properties) {
    return new SpringApplicationBuilder(app)
        .web(WebApplicationType.NONE)
        .properties(properties)
        .run();
  }

  @Test
  void aDuplicateKindFailsTheStartNamingBothBeans() {
    assertThatThrownBy(() ->
            start(DuplicateKindApp.class, "offload.store=sqlite:" + dir.resolve("d.db")).close())
        .rootCause()
        .hasMessageContaining("job kind 'orders.sync' has two handler beans")
        .hasMessageContaining("'secondSync'")
        .hasMessageContaining("'dev.offload.spring.OrdersApp$OrderSync'");
  }

  @Test
  void withoutADataSourceOffloadStoreSelectsAnSqliteFile() throws Exception {
    Path file = dir.resolve("own.db");
    try (var app = start(PlainApp.class, "offload.store=sqlite:" + file)) {
      Offload offload = app.getBean(Offload.class);
      JobId id = offload.enqueue("orders.sync", new OrdersApp.SyncArgs("a", 1));
      assertThat(Files.exists(file)).isTrue();
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
          ResultSet rs = c.createStatement().executeQuery("SELECT id FROM offload_jobs")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(id.value());
      }
    }
  }

  @Test
  void offloadDatasourcePicksANamedDataSource() throws Exception {
    Path appDb = dir.resolve("app.db");
    Path jobsDb = dir.resolve("jobs.db");
    try (var app =
        start(
            TwoDataSourcesApp.class,
            "test.app-db=" + appDb,
            "test.jobs-db=" + jobsDb,
            "offload.datasource=jobsData")) {
      JobId id = app.getBean(Offload.class).enqueue("orders.sync", new OrdersApp.SyncArgs("b", 1));
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + jobsDb);
          ResultSet rs =
              c.createStatement()
                  .executeQuery("SELECT count(*) FROM offload_jobs WHERE id = " + id.value())) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
      assertThat(Files.exists(appDb)).as("nothing of Offload in the primary DataSource").isFalse();
    }
  }

  @Test
  void recurringDeclaresItsScheduleFromThePlaceholder() {
    try (var app =
        start(
            PlainApp.class,
            "offload.store=sqlite:" + dir.resolve("s.db"),
            "reports.cron=0 6 1 * *")) {
      ScheduleInfo schedule =
          app.getBean(Offload.class).schedules().get("reports.monthly").orElseThrow();
      assertThat(schedule.cron()).isEqualTo("0 6 1 * *");
      assertThat(schedule.zone()).isEqualTo("Europe/Copenhagen");
      assertThat(schedule.kind()).isEqualTo("reports.monthly");
    }
  }

  @Test
  void aDashCronDeclaresNoSchedule() {
    try (var app =
        start(PlainApp.class, "offload.store=sqlite:" + dir.resolve("n.db"), "reports.cron=-")) {
      assertThat(app.getBean(Offload.class).schedules().get("reports.monthly")).isEmpty();
    }
  }

  @Test
  void aWebOnlyNodeEnqueuesButRunsNothing() {
    try (var app =
        start(
            PlainApp.class,
            "offload.store=sqlite:" + dir.resolve("w.db"),
            "offload.worker.enabled=false")) {
      Offload offload = app.getBean(Offload.class);
      assertThat(offload.health().workers()).isEqualTo(NodeHealth.Workers.OFF);
      Health health = app.getBean(OffloadHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("workers", "off");
      assertThat(app.getBeansOfType(OffloadWeb.class)).isEmpty();
    }
  }

  @Test
  void withMigrateFalseOffloadCreatesNoTables() throws Exception {
    Path file = dir.resolve("m.db");
    try (var app =
        start(
            PlainApp.class,
            "offload.store=sqlite:" + file,
            "offload.migrate=false",
            "offload.worker.enabled=false")) {
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
          ResultSet rs =
              c.createStatement()
                  .executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'offload_jobs'")) {
        rs.next();
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  @Test
  void theMigrationsShipAsClasspathResourcesForFlywayOrLiquibase() throws Exception {
    for (String store : new String[] {"postgres", "sqlite"}) {
      for (String name : Map.of("001_jobs.sql", 1).keySet()) {
        String path = "dev/offload/" + store + "/migrations/" + name;
        try (var in = getClass().getClassLoader().getResourceAsStream(path)) {
          assertThat(in).as(path).isNotNull();
          assertThat(new String(in.readAllBytes())).containsIgnoringCase("CREATE TABLE");
        }
      }
    }
  }

  @Test
  void aBadWebPathFailsTheStartNamingTheProperty() {
    OffloadProperties props = new OffloadProperties();
    props.getWeb().setPath("/");
    assertThatThrownBy(() -> OffloadAutoConfiguration.webPath(props))
        .hasMessageContaining("offload.web.path");
    props.getWeb().setPath("/jobs/");
    assertThat(OffloadAutoConfiguration.webPath(props)).isEqualTo("/jobs");
  }
}
