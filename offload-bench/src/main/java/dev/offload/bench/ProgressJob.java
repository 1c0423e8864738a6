package dev.offload.bench;

import dev.offload.JobContext;
import dev.offload.JobHandler;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The progress-overhead job: counts to {@code n}, calling {@code ctx.advance(1)} per step when
 * {@code advance} is set, and records how long its loop took under its {@code tag}.
 */
final class ProgressJob implements JobHandler<ProgressJob.Args> {
  static final String KIND = "bench.progress";
  static final ConcurrentMap<String, Long> NANOS = new ConcurrentHashMap<>();

  public record Args(String tag, long n, boolean advance) {}

  @Override
  public Object run(Args args, JobContext ctx) {
    long start = System.nanoTime();
    long sum = 0;
    if (args.advance()) {
      ctx.total(args.n());
      for (long i = 0; i < args.n(); i++) {
        ctx.advance(1);
        sum += i;
      }
    } else {
      for (long i = 0; i < args.n(); i++) {
        sum += i;
      }
    }
    NANOS.put(args.tag(), System.nanoTime() - start);
    return sum;
  }
}
