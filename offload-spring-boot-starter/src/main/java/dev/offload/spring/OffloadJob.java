package dev.offload.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a {@link dev.offload.JobHandler} bean the handler of a job kind. The starter finds every
 * such bean when the application starts and registers it; two beans with the same kind fail the
 * start, naming both beans.
 *
 * <pre>{@code
 * @Component
 * @OffloadJob(kind = "orders.sync", queue = "sync", maxAttempts = 8, timeout = "30m")
 * class OrderSync implements JobHandler<SyncArgs> {
 *   public Object run(SyncArgs args, JobContext ctx) { ... }
 * }
 * }</pre>
 *
 * <p>The args type is read from the bean's {@code JobHandler<A>}. Values may use property
 * placeholders ({@code kind = "${orders.kind}"}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface OffloadJob {
  /** {@return the job kind, e.g. {@code orders.sync}} */
  String kind();

  /** {@return the queue its jobs go to; default {@code default}} */
  String queue() default "default";

  /** {@return attempts before the job is dead; 0 (default) keeps Offload's default of 20} */
  int maxAttempts() default 0;

  /**
   * How long an attempt may run, as Spring Boot reads durations ({@code 30m}, {@code 10s}, {@code
   * PT1H}); empty (default) for no timeout.
   *
   * @return the timeout, or empty
   */
  String timeout() default "";

  /** {@return the priority, 0 (runs first) to 9 (last); default 0} */
  int priority() default 0;
}
