package dev.offload.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.testsupport.FreshDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter on an application whose DataSource is an SQLite file: Offload uses that file, and
 * {@code @Transactional} enqueue joins the application's transaction on it.
 */
@SpringBootTest(
    classes = OrdersApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"management.endpoints.web.exposure.include=health,offload"})
@DirtiesContext
class SqliteStarterTest {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.sqlite();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry r) {
    r.add("spring.datasource.url", db::url);
    // One writer at a time: SQLite's own rule, and the pool waits instead of failing.
    r.add("spring.datasource.hikari.maximum-pool-size", () -> "4");
  }

  @Autowired Offload offload;
  @Autowired OrdersApp.OrderService orders;
  @Autowired JdbcTemplate jdbc;
  @Autowired ConfigurableApplicationContext context;
  @LocalServerPort int port;
  private static ConfigurableApplicationContext started;

  @BeforeEach
  void setUp() {
    started = context;
    jdbc.execute("CREATE TABLE IF NOT EXISTS orders (tenant TEXT NOT NULL)");
  }

  @AfterAll
  static void stopWorkers() {
    if (started != null) {
      started.getBean(Offload.class).stop();
    }
  }

  @Test
  void storesJobsInTheDataSourcesSqliteFileAndRunsThem() throws Exception {
    JobId id = offload.enqueue("orders.sync", new OrdersApp.SyncArgs("sqlite", 2));
    await().atMost(Duration.ofSeconds(20)).until(() -> state(id) == JobState.SUCCEEDED);
    try (Connection c = DriverManager.getConnection(db.url());
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT state FROM offload_jobs WHERE id = " + id.value())) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("succeeded");
    }
  }

  @Test
  void transactionalEnqueueIsVisibleOnlyOnceTheTransactionCommits() {
    JobId id = orders.placeOrder("commits", false);

    assertThat(orders.visibleBeforeCommit()).isFalse();
    assertThat(offload.job(id)).isPresent();
    assertThat(
            jdbc.queryForObject("SELECT count(*) FROM orders WHERE tenant = 'commits'", Long.class))
        .isEqualTo(1);
    await().atMost(Duration.ofSeconds(20)).until(() -> state(id) == JobState.SUCCEEDED);
  }

  @Test
  void aRolledBackTransactionLeavesNoJob() {
    assertThatThrownBy(() -> orders.placeOrder("rolls-back", true))
        .hasMessageContaining("rolled back on purpose");

    assertThat(offload.job(orders.lastJob())).isEmpty();
    assertThat(
            jdbc.queryForObject(
                "SELECT count(*) FROM orders WHERE tenant = 'rolls-back'", Long.class))
        .isZero();
  }

  @Test
  void theApiAnswersUnderThePathOnSqliteToo() throws Exception {
    var res = new Web(port).get("/offload/api/queues", "admin");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).contains("\"queues\"");
  }

  private JobState state(JobId id) {
    return offload.job(id).map(Job::state).orElse(null);
  }
}
