package dev.offload.store;

import dev.offload.QueueOptions;
import dev.offload.Rate;
import java.time.Duration;
import java.util.Objects;

/**
 * A queue's row in the store: its flow-control options and whether it is paused.
 *
 * @param configured whether options were ever written for it (by an operator or a node's defaults);
 *     a queue that was only paused has none, so code-declared defaults may still apply
 */
public record QueueSettings(String name, QueueOptions options, boolean paused, boolean configured) {
  public QueueSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(options, "options");
  }

  /** The settings of a row as both stores keep them: numbers or nulls, periods in milliseconds. */
  public static QueueSettings fromColumns(
      String name,
      boolean paused,
      boolean configured,
      Integer maxRunning,
      Integer perKey,
      Integer rateCount,
      Long ratePeriodMs,
      boolean ratePerKey,
      boolean fair,
      Long agingMs) {
    return fromColumns(
        name,
        paused,
        configured,
        maxRunning,
        perKey,
        rateCount,
        ratePeriodMs,
        ratePerKey,
        fair,
        agingMs,
        null,
        null,
        null,
        false);
  }

  /**
   * The settings of a row with its push columns: the endpoint's URL (null for a pull queue), its
   * timeout in milliseconds, the name of the secret's environment variable, and allow-http.
   */
  public static QueueSettings fromColumns(
      String name,
      boolean paused,
      boolean configured,
      Integer maxRunning,
      Integer perKey,
      Integer rateCount,
      Long ratePeriodMs,
      boolean ratePerKey,
      boolean fair,
      Long agingMs,
      String pushUrl,
      Long pushTimeoutMs,
      String pushSecretEnv,
      boolean pushAllowHttp) {
    Rate rate =
        rateCount == null || ratePeriodMs == null
            ? null
            : new Rate(rateCount, Duration.ofMillis(ratePeriodMs));
    QueueOptions options =
        new QueueOptions(
            maxRunning,
            perKey,
            rate,
            rate != null && ratePerKey,
            fair,
            agingMs == null ? null : Duration.ofMillis(agingMs),
            push(pushUrl, pushTimeoutMs, pushSecretEnv, pushAllowHttp));
    return new QueueSettings(name, options, paused, configured);
  }

  private static QueueOptions.Push push(
      String url, Long timeoutMs, String secretEnv, boolean allowHttp) {
    if (url == null) {
      return null;
    }
    return new QueueOptions.Push(
        java.net.URI.create(url),
        timeoutMs == null ? QueueOptions.Push.DEFAULT_TIMEOUT : Duration.ofMillis(timeoutMs),
        secretEnv,
        allowHttp);
  }
}
