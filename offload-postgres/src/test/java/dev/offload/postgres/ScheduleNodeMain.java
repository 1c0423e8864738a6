package dev.offload.postgres;

import dev.offload.Offload;
import dev.offload.Schedule;
import java.time.Duration;

/**
 * A node for {@link ScheduleNodesTest}: declares the 1-second schedule {@code every-second}, runs
 * its jobs, prints "ready" once started, and runs until killed.
 */
public final class ScheduleNodeMain {
  record Tick() {}

  public static void main(String[] args) throws Exception {
    Offload offload =
        Offload.builder()
            .store(PostgresStore.connect(args[0], 4))
            .node(args[1])
            .pollInterval(Duration.ofMillis(200))
            .register("tick.job", Tick.class, (tick, ctx) -> null)
            .schedule("every-second", Schedule.every(Duration.ofSeconds(1)), "tick.job", new Tick())
            .build();
    offload.start();
    System.out.println("ready");
    System.out.flush();
    Thread.currentThread().join();
  }
}
