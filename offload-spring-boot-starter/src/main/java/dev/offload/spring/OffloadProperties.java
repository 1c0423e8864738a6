package dev.offload.spring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code offload.*} properties. Every one has a default, so an application with a {@code
 * DataSource} needs none of them. {@code docs/configuration.md} lists them with examples.
 */
@ConfigurationProperties("offload")
public class OffloadProperties {
  /**
   * The name of the DataSource bean Offload stores its jobs in; default the application's
   * DataSource (the only or the primary one).
   */
  private String datasource;

  /**
   * A store of Offload's own instead of a DataSource: "sqlite:PATH" (the embedded default, for
   * example sqlite:offload.db) or a PostgreSQL URL. Enqueue then never joins Spring transactions,
   * which are on another database.
   */
  private String store;

  /** The PostgreSQL schema Offload's tables live in. */
  private String schema = "offload";

  /**
   * Whether Offload applies its schema migrations at start. False when Flyway or Liquibase runs
   * them from the classpath resources listed in docs/spring.md.
   */
  private boolean migrate = true;

  /** This node's name in leases and errors; default host name, process id and a random suffix. */
  private String node;

  /**
   * Queues this node runs and how many of their jobs at once (per node), e.g.
   * offload.queues.sync=2. A queue that a handler names and that is not listed here runs 10 at
   * once.
   */
  private Map<String, Integer> queues = new LinkedHashMap<>();

  /** How long running jobs may finish when the application stops, before they are handed back. */
  private Duration shutdownGrace = Duration.ofSeconds(10);

  /** How long succeeded and cancelled jobs are kept. */
  private Duration retention = Duration.ofDays(7);

  /** How long dead jobs are kept. */
  private Duration deadRetention = Duration.ofDays(30);

  /**
   * The secret that signs progress URLs for end users (offload.progressUrl): at least 16
   * characters, the same on every node. None: no progress URLs are issued or accepted.
   */
  private String progressKey;

  private final Worker worker = new Worker();
  private final Web web = new Web();

  /** The workers: the threads that claim and run jobs on this node. */
  public static class Worker {
    /** Whether this node runs jobs; false for web-only nodes that just enqueue. */
    private boolean enabled = true;

    /** How often idle workers look for jobs when no notification wakes them. */
    private Duration pollInterval = Duration.ofSeconds(1);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getPollInterval() {
      return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }
  }

  /** The JSON API, event streams and dashboard inside the application. */
  public static class Web {
    /** Whether the API and dashboard are served by the application's servlet container. */
    private boolean enabled = true;

    /** The path they are served under; the dashboard is at PATH/ and the API at PATH/api. */
    private String path = "/offload";

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }
  }

  public String getDatasource() {
    return datasource;
  }

  public void setDatasource(String datasource) {
    this.datasource = datasource;
  }

  public String getStore() {
    return store;
  }

  public void setStore(String store) {
    this.store = store;
  }

  public String getSchema() {
    return schema;
  }

  public void setSchema(String schema) {
    this.schema = schema;
  }

  public boolean isMigrate() {
    return migrate;
  }

  public void setMigrate(boolean migrate) {
    this.migrate = migrate;
  }

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public Map<String, Integer> getQueues() {
    return queues;
  }

  public void setQueues(Map<String, Integer> queues) {
    this.queues = queues;
  }

  public Duration getShutdownGrace() {
    return shutdownGrace;
  }

  public void setShutdownGrace(Duration shutdownGrace) {
    this.shutdownGrace = shutdownGrace;
  }

  public Duration getRetention() {
    return retention;
  }

  public void setRetention(Duration retention) {
    this.retention = retention;
  }

  public Duration getDeadRetention() {
    return deadRetention;
  }

  public void setDeadRetention(Duration deadRetention) {
    this.deadRetention = deadRetention;
  }

  public String getProgressKey() {
    return progressKey;
  }

  public void setProgressKey(String progressKey) {
    this.progressKey = progressKey;
  }

  public Worker getWorker() {
    return worker;
  }

  public Web getWeb() {
    return web;
  }
}
