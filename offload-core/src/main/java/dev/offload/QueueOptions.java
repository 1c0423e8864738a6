package dev.offload;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The flow-control settings of a queue, shared by every node through the store (node-local
 * concurrency stays {@link Offload.Builder#queue(String, int)}). Immutable: each method returns a
 * copy. Every limit is off by default.
 *
 * <pre>{@code
 * QueueOptions.none().perKey(1)                      // one job per concurrencyKey at a time
 * QueueOptions.none().maxRunning(4)                  // at most 4 jobs of the queue across all nodes
 * QueueOptions.none().rate(Rate.perSecond(10))       // at most 10 starts a second, evenly spaced
 * QueueOptions.none().push(Push.to("https://app.example.com/offload").secretEnv("OFFLOAD_PUSH_SECRET"))
 * }</pre>
 *
 * @param maxRunning at most this many jobs of the queue run at once across all nodes, or null
 * @param perKey at most this many jobs with the same {@code concurrencyKey} run at once, or null;
 *     jobs without a key are not limited by it
 * @param rate at most this many job starts per period across all nodes, or null
 * @param ratePerKey whether {@code rate} applies to each {@code concurrencyKey} on its own (jobs
 *     without a key share one budget) rather than to the whole queue
 * @param fair whether claims interleave keys (one job of each key before a second of any); on
 *     whenever {@code perKey} is set
 * @param aging after each such period of waiting past its run time, a job counts as one priority
 *     level more urgent (so low priorities never starve), or null
 * @param push the HTTP endpoint the queue's jobs are delivered to (a push queue), or null for a
 *     queue whose jobs run on this library's workers; see {@code docs/push.md}
 */
public record QueueOptions(
    @Nullable Integer maxRunning,
    @Nullable Integer perKey,
    @Nullable Rate rate,
    boolean ratePerKey,
    boolean fair,
    @Nullable Duration aging,
    @Nullable Push push) {
  /** The highest {@code maxRunning} and {@code perKey}. */
  public static final int MAX_LIMIT = 100_000;

  private static final QueueOptions NONE =
      new QueueOptions(null, null, null, false, false, null, null);

  /**
   * Options of a pull queue (no push endpoint).
   *
   * @param maxRunning at most this many jobs of the queue run at once across all nodes, or null
   * @param perKey at most this many jobs with the same {@code concurrencyKey} run at once, or null
   * @param rate at most this many job starts per period across all nodes, or null
   * @param ratePerKey whether {@code rate} applies to each {@code concurrencyKey} on its own
   * @param fair whether claims interleave keys
   * @param aging the wait past its run time that makes a job one priority level more urgent, or
   *     null
   */
  public QueueOptions(
      @Nullable Integer maxRunning,
      @Nullable Integer perKey,
      @Nullable Rate rate,
      boolean ratePerKey,
      boolean fair,
      @Nullable Duration aging) {
    this(maxRunning, perKey, rate, ratePerKey, fair, aging, null);
  }

  /** Validates the limits. */
  public QueueOptions {
    if (maxRunning != null && (maxRunning < 1 || maxRunning > MAX_LIMIT)) {
      throw new IllegalArgumentException(
          "maxRunning must be between 1 and " + MAX_LIMIT + " (or none), got " + maxRunning);
    }
    if (perKey != null && (perKey < 1 || perKey > MAX_LIMIT)) {
      throw new IllegalArgumentException(
          "perKey must be between 1 and " + MAX_LIMIT + " (or none), got " + perKey);
    }
    if (ratePerKey && rate == null) {
      throw new IllegalArgumentException("ratePerKey needs a rate, such as 10/s");
    }
    if (aging != null && aging.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("aging must be at least 1s (or none), got " + aging);
    }
  }

  /** {@return no limits: the queue runs as fast as its nodes' concurrency allows} */
  public static QueueOptions none() {
    return NONE;
  }

  /**
   * Sets the queue's limit across all nodes.
   *
   * @param maxRunning at most this many jobs of the queue run at once, or null for no limit
   * @return a copy with that limit
   */
  public QueueOptions maxRunning(@Nullable Integer maxRunning) {
    return new QueueOptions(maxRunning, perKey, rate, ratePerKey, fair, aging, push);
  }

  /**
   * Sets the per-key limit.
   *
   * @param perKey at most this many jobs with the same {@code concurrencyKey} run at once, or null
   * @return a copy with that limit
   */
  public QueueOptions perKey(@Nullable Integer perKey) {
    return new QueueOptions(maxRunning, perKey, rate, ratePerKey, fair, aging, push);
  }

  /**
   * Sets the rate.
   *
   * @param rate at most this many job starts per period, or null to remove it (and {@code
   *     ratePerKey} with it)
   * @return a copy with that rate
   */
  public QueueOptions rate(@Nullable Rate rate) {
    return new QueueOptions(
        maxRunning, perKey, rate, rate != null && ratePerKey, fair, aging, push);
  }

  /**
   * Sets whether the rate applies to each key on its own.
   *
   * @param ratePerKey true for a budget per {@code concurrencyKey}, false for one for the queue
   * @return a copy with that setting
   */
  public QueueOptions ratePerKey(boolean ratePerKey) {
    return new QueueOptions(maxRunning, perKey, rate, ratePerKey, fair, aging, push);
  }

  /**
   * Sets whether claims interleave keys.
   *
   * @param fair true for one job of each key before a second of any
   * @return a copy with that setting
   */
  public QueueOptions fair(boolean fair) {
    return new QueueOptions(maxRunning, perKey, rate, ratePerKey, fair, aging, push);
  }

  /**
   * Sets the aging period.
   *
   * @param aging the wait past its run time that makes a job one priority level more urgent (at
   *     least 1 s), or null for none
   * @return a copy with that period
   */
  public QueueOptions aging(@Nullable Duration aging) {
    return new QueueOptions(maxRunning, perKey, rate, ratePerKey, fair, aging, push);
  }

  /**
   * Binds the queue to an HTTP endpoint (its jobs are POSTed there), or with null makes it a pull
   * queue again.
   *
   * @param push the endpoint, or null
   * @return a copy with that binding
   */
  public QueueOptions push(@Nullable Push push) {
    return new QueueOptions(maxRunning, perKey, rate, ratePerKey, fair, aging, push);
  }

  /**
   * Whether the queue has any flow control.
   *
   * @return true when any limit, rate, fairness or aging is set
   */
  public boolean controlled() {
    return maxRunning != null || claimedUnderLock();
  }

  /**
   * Whether claims of the queue need its flow-control path: a lock per queue, counting what runs of
   * each key, advancing rates. A queue limit alone does not: nodes hold its slots as leases and
   * claim lock-free within them.
   *
   * @return true when a per-key limit, a rate, fairness or aging is set
   */
  public boolean claimedUnderLock() {
    return perKey != null || rate != null || fair || aging != null;
  }

  /** {@return whether claims interleave keys: {@code fair}, or a per-key limit} */
  public boolean interleavesKeys() {
    return fair || perKey != null;
  }

  /**
   * Where and how a push queue delivers its jobs: {@code POST url} with the job as JSON, signed
   * with the secret read from the environment variable {@code secretEnv} on each dispatching node
   * (the secret itself is never stored). Checked when built: {@code https} unless the host is a
   * loopback address or {@code allowHttp}; link-local and cloud metadata addresses (169.254.0.0/16,
   * fd00:ec2::254, metadata.google.internal) are always refused, so a queue cannot be pointed at
   * the network it runs in.
   *
   * @param url the endpoint, absolute, http or https, without user info or fragment
   * @param timeout how long one delivery may take before it is cut off and retried (default 60 s)
   * @param secretEnv the environment variable that holds the HMAC secret on the dispatching nodes,
   *     or null to send unsigned requests
   * @param allowHttp whether plain {@code http} is accepted for a host that is not loopback
   */
  public record Push(URI url, Duration timeout, @Nullable String secretEnv, boolean allowHttp) {
    /** The timeout of a delivery unless one is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** The shortest timeout a push queue may have. */
    public static final Duration MIN_TIMEOUT = Duration.ofMillis(100);

    /** The longest timeout a push queue may have. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    /** Validates the endpoint; a null timeout is the default. */
    public Push {
      if (url == null) {
        throw new IllegalArgumentException("pushUrl is required");
      }
      if (timeout == null) {
        timeout = DEFAULT_TIMEOUT;
      }
      if (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException(
            "pushTimeout must be between 100ms and 1h, got " + timeout);
      }
      if (secretEnv != null && !secretEnv.matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
        throw new IllegalArgumentException(
            "pushSecretEnv must be the name of an environment variable (letters, digits, _), got '"
                + secretEnv
                + "'");
      }
      checkUrl(url, allowHttp);
    }

    /**
     * An endpoint with the default timeout, unsigned, https (or loopback http).
     *
     * @param url the endpoint's absolute URL
     * @return the binding
     * @throws IllegalArgumentException if {@code url} is not a URL the checks above accept
     */
    public static Push to(String url) {
      URI uri;
      try {
        uri = new URI(url);
      } catch (URISyntaxException | NullPointerException e) {
        throw new IllegalArgumentException("pushUrl is not a URL: '" + url + "'");
      }
      return new Push(uri, DEFAULT_TIMEOUT, null, false);
    }

    /**
     * Sets the delivery timeout.
     *
     * @param timeout how long one delivery may take, 100 ms to 1 h
     * @return a copy with that timeout
     */
    public Push timeout(Duration timeout) {
      return new Push(url, timeout, secretEnv, allowHttp);
    }

    /**
     * Sets where the signing secret is read.
     *
     * @param secretEnv the environment variable that holds the secret, or null to send unsigned
     * @return a copy with that variable
     */
    public Push secretEnv(@Nullable String secretEnv) {
      return new Push(url, timeout, secretEnv, allowHttp);
    }

    /**
     * Sets whether plain http is accepted for a host that is not loopback.
     *
     * @param allowHttp true to accept it
     * @return a copy with that setting
     */
    public Push allowHttp(boolean allowHttp) {
      return new Push(url, timeout, secretEnv, allowHttp);
    }

    private static void checkUrl(URI url, boolean allowHttp) {
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      String host = url.getHost();
      if (!url.isAbsolute() || host == null || !(scheme.equals("http") || scheme.equals("https"))) {
        throw new IllegalArgumentException(
            "pushUrl must be an absolute http(s) URL with a host, got '" + url + "'");
      }
      if (url.getRawUserInfo() != null || url.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "pushUrl must not carry user info or a fragment (put credentials in the secret)");
      }
      String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
      bare = bare.toLowerCase(Locale.ROOT);
      InetAddress literal = literalAddress(bare);
      if (bare.equals("metadata.google.internal")
          || bare.equals("metadata")
          || (literal != null && isMetadata(literal))) {
        throw new IllegalArgumentException(
            "pushUrl must not point at a link-local or cloud metadata address, got '" + host + "'");
      }
      boolean loopback =
          bare.equals("localhost")
              || bare.endsWith(".localhost")
              || (literal != null && literal.isLoopbackAddress());
      if (scheme.equals("http") && !loopback && !allowHttp) {
        throw new IllegalArgumentException(
            "pushUrl must use https (plain http only for loopback, or with allowHttp), got '"
                + url
                + "'");
      }
    }

    /** The address a literal IP host names, or null for a host name (never resolved here). */
    private static @Nullable InetAddress literalAddress(String host) {
      boolean ipv4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
      boolean ipv6 = host.contains(":") && host.matches("[0-9a-f:.]+");
      if (!ipv4 && !ipv6) {
        return null;
      }
      try {
        return InetAddress.getByName(host); // a literal: parsed, no lookup
      } catch (java.net.UnknownHostException e) {
        throw new IllegalArgumentException("pushUrl has a malformed address '" + host + "'");
      }
    }

    private static boolean isMetadata(InetAddress a) {
      if (a.isLinkLocalAddress() || a.isAnyLocalAddress()) {
        return true;
      }
      byte[] b = a.getAddress();
      if (b.length == 4) {
        return (b[0] & 0xff) == 169 && (b[1] & 0xff) == 254;
      }
      // fd00:ec2::254, AWS's IMDS over IPv6.
      return a.getHostAddress().equalsIgnoreCase("fd00:ec2:0:0:0:0:0:254");
    }
  }

  /**
   * A rate limit: at most {@code count} job starts per {@code period}, spread evenly (one start
   * every {@code period / count}), never a burst of {@code count} at the start of each period.
   * Written {@code 10/s}, {@code 600/min}, {@code 5000/h} (also {@code /d}).
   *
   * @param count starts per period, at least 1
   * @param period one second, minute, hour or day
   */
  public record Rate(int count, Duration period) {
    private static final Pattern TEXT = Pattern.compile("\\s*(\\d{1,9})\\s*/\\s*([a-z]+)\\s*");
    private static final Duration DAY = Duration.ofDays(1);

    /** Validates the count and the period. */
    public Rate {
      Objects.requireNonNull(period, "period");
      if (count < 1) {
        throw new IllegalArgumentException(
            "a rate must allow at least 1 start per period, got " + count + "/" + unit(period));
      }
      if (!period.equals(Duration.ofSeconds(1))
          && !period.equals(Duration.ofMinutes(1))
          && !period.equals(Duration.ofHours(1))
          && !period.equals(DAY)) {
        throw new IllegalArgumentException(
            "a rate's period must be a second, a minute, an hour or a day, got " + period);
      }
      if (count > 1_000_000) {
        throw new IllegalArgumentException(
            "a rate may allow at most 1000000 starts per period, got " + count);
      }
    }

    /**
     * A rate per second.
     *
     * @param count starts per second
     * @return the rate
     */
    public static Rate perSecond(int count) {
      return new Rate(count, Duration.ofSeconds(1));
    }

    /**
     * A rate per minute.
     *
     * @param count starts per minute
     * @return the rate
     */
    public static Rate perMinute(int count) {
      return new Rate(count, Duration.ofMinutes(1));
    }

    /**
     * A rate per hour.
     *
     * @param count starts per hour
     * @return the rate
     */
    public static Rate perHour(int count) {
      return new Rate(count, Duration.ofHours(1));
    }

    /**
     * Reads {@code N/PERIOD}, PERIOD one of {@code s}, {@code min}, {@code h}, {@code d} (or {@code
     * sec}, {@code second}, {@code m}, {@code minute}, {@code hour}, {@code day}).
     *
     * @param text the rate as written, such as {@code 10/s}
     * @return the rate
     * @throws IllegalArgumentException naming the text and what was expected
     */
    public static Rate parse(String text) {
      Matcher m = TEXT.matcher(text == null ? "" : text.toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "rate must be N/PERIOD such as 10/s, 600/min or 5000/h, got '" + text + "'");
      }
      Duration period =
          switch (m.group(2)) {
            case "s", "sec", "second" -> Duration.ofSeconds(1);
            case "m", "min", "minute" -> Duration.ofMinutes(1);
            case "h", "hour" -> Duration.ofHours(1);
            case "d", "day" -> DAY;
            default ->
                throw new IllegalArgumentException(
                    "rate period must be s, min, h or d (as in 10/s, 600/min, 5000/h), got '"
                        + m.group(2)
                        + "' in '"
                        + text
                        + "'");
          };
      return new Rate(Integer.parseInt(m.group(1)), period);
    }

    /** {@return the time between two starts: {@code period / count}} */
    public Duration interval() {
      return period.dividedBy(count);
    }

    /** {@code 10/s}, {@code 600/min}, {@code 5000/h}, {@code 2/d}: what {@link #parse} reads. */
    @Override
    public String toString() {
      return count + "/" + unit(period);
    }

    private static String unit(Duration period) {
      if (period.equals(Duration.ofSeconds(1))) {
        return "s";
      } else if (period.equals(Duration.ofMinutes(1))) {
        return "min";
      } else if (period.equals(Duration.ofHours(1))) {
        return "h";
      }
      return period.equals(DAY) ? "d" : period.toString();
    }
  }
}
