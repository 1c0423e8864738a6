package dev.offload.postgres;

import dev.offload.JobOptions;
import dev.offload.Offload;
import dev.offload.RetryPolicy;
import java.time.Duration;

/**
 * A worker process for {@link WorkerCrashTest}: runs {@code crash.work} jobs (each sleeps {@code
 * ms}) on the given schema with short leases, prints "ready", and runs until killed.
 */
public final class CrashWorkerMain {
  record Work(long ms) {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String node = args[1];
    Offload offload = Offload.builder()
        .store(PostgresStore.connect(url, 6))
        .node(node)
        .queue("default", 4)
        .leaseDuration(Duration.ofMillis(1_500))
        .heartbeatInterval(Duration.ofMillis(300))
        .rescueInterval(Duration.ofMillis(250))
        .pollInterval(Duration.ofMillis(100))
        .register("crash.work", Work.class, (work, ctx) -> {
          Thread.sleep(work.ms());
          return null;
        }, JobOptions.defaults().maxAttempts(3).retryPolicy(RetryPolicy.immediate()))
        .build();
    offload.start();
    System.out.println("ready");
    System.out.flush();
    Thread.currentThread().join();
  }
}
