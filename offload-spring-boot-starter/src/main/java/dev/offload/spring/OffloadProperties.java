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
  /** Properties with their defaults; Spring binds {@code offload.*} onto them. */
  public OffloadProperties() {}

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
    /** The defaults. */
    public Worker() {}

    /** Whether this node runs jobs; false for web-only nodes that just enqueue. */
    private boolean enabled = true;

    /** How often idle workers look for jobs when no notification wakes them. */
    private Duration pollInterval = Duration.ofSeconds(1);

    /** {@return whether this node runs jobs} */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether this node runs jobs.
     *
     * @param enabled the new value
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** {@return how often idle workers look for jobs} */
    public Duration getPollInterval() {
      return pollInterval;
    }

    /**
     * Sets how often idle workers look for jobs.
     *
     * @param pollInterval the new value
     */
    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }
  }

  /** The JSON API, event streams and dashboard inside the application. */
  public static class Web {
    /** The defaults. */
    public Web() {}

    /** Whether the API and dashboard are served by the application's servlet container. */
    private boolean enabled = true;

    /** The path they are served under; the dashboard is at PATH/ and the API at PATH/api. */
    private String path = "/offload";

    /** {@return whether the application serves the API and dashboard} */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether the application serves the API and dashboard.
     *
     * @param enabled the new value
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** {@return the path the API and dashboard are served under} */
    public String getPath() {
      return path;
    }

    /**
     * Sets the path the API and dashboard are served under.
     *
     * @param path the new value
     */
    public void setPath(String path) {
      this.path = path;
    }
  }

  /**
   * {@return the name of the DataSource bean Offload stores its jobs in, or null for the
   * application's}
   */
  public String getDatasource() {
    return datasource;
  }

  /**
   * Sets the name of the DataSource bean Offload stores its jobs in, or null for the application's.
   *
   * @param datasource the new value
   */
  public void setDatasource(String datasource) {
    this.datasource = datasource;
  }

  /** {@return a store of Offload's own ({@code sqlite:PATH} or a PostgreSQL URL), or null} */
  public String getStore() {
    return store;
  }

  /**
   * Sets a store of Offload's own ({@code sqlite:PATH} or a PostgreSQL URL), or null.
   *
   * @param store the new value
   */
  public void setStore(String store) {
    this.store = store;
  }

  /** {@return the PostgreSQL schema of Offload's tables} */
  public String getSchema() {
    return schema;
  }

  /**
   * Sets the PostgreSQL schema of Offload's tables.
   *
   * @param schema the new value
   */
  public void setSchema(String schema) {
    this.schema = schema;
  }

  /** {@return whether Offload applies its schema migrations at start} */
  public boolean isMigrate() {
    return migrate;
  }

  /**
   * Sets whether Offload applies its schema migrations at start.
   *
   * @param migrate the new value
   */
  public void setMigrate(boolean migrate) {
    this.migrate = migrate;
  }

  /** {@return this node's name, or null for the default} */
  public String getNode() {
    return node;
  }

  /**
   * Sets this node's name, or null for the default.
   *
   * @param node the new value
   */
  public void setNode(String node) {
    this.node = node;
  }

  /** {@return the queues this node runs and their concurrency} */
  public Map<String, Integer> getQueues() {
    return queues;
  }

  /**
   * Sets the queues this node runs and their concurrency.
   *
   * @param queues the new value
   */
  public void setQueues(Map<String, Integer> queues) {
    this.queues = queues;
  }

  /** {@return how long running jobs may finish when the application stops} */
  public Duration getShutdownGrace() {
    return shutdownGrace;
  }

  /**
   * Sets how long running jobs may finish when the application stops.
   *
   * @param shutdownGrace the new value
   */
  public void setShutdownGrace(Duration shutdownGrace) {
    this.shutdownGrace = shutdownGrace;
  }

  /** {@return how long succeeded and cancelled jobs are kept} */
  public Duration getRetention() {
    return retention;
  }

  /**
   * Sets how long succeeded and cancelled jobs are kept.
   *
   * @param retention the new value
   */
  public void setRetention(Duration retention) {
    this.retention = retention;
  }

  /** {@return how long dead jobs are kept} */
  public Duration getDeadRetention() {
    return deadRetention;
  }

  /**
   * Sets how long dead jobs are kept.
   *
   * @param deadRetention the new value
   */
  public void setDeadRetention(Duration deadRetention) {
    this.deadRetention = deadRetention;
  }

  /** {@return the secret that signs progress URLs, or null} */
  public String getProgressKey() {
    return progressKey;
  }

  /**
   * Sets the secret that signs progress URLs, or null.
   *
   * @param progressKey the new value
   */
  public void setProgressKey(String progressKey) {
    this.progressKey = progressKey;
  }

  /** {@return the workers' settings} */
  public Worker getWorker() {
    return worker;
  }

  /** {@return the web settings} */
  public Web getWeb() {
    return web;
  }
}
