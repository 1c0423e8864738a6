package dev.offload.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Enqueues the job of an {@link OffloadJob} handler bean on a cron schedule, exactly once per tick
 * however many nodes run ({@link dev.offload.Schedule}). The cron may be a property placeholder;
 * {@code -} (Spring's "disabled" value) declares no schedule, and a schedule that earlier code
 * declared and this code does not is disabled when the node starts.
 *
 * <pre>{@code
 * @Component
 * @OffloadJob(kind = "reports.monthly")
 * @Recurring(cron = "${reports.cron:0 6 1 * *}", zone = "Europe/Copenhagen")
 * class MonthlyReport implements JobHandler<ReportArgs> { ... }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Recurring {
  /** {@return a five-field cron expression, or {@code -} for none} */
  String cron();

  /** {@return the time zone the cron reads in; default UTC} */
  String zone() default "UTC";

  /** {@return the schedule's name; default the job kind} */
  String name() default "";

  /** {@return the args of each job, as JSON; default {@code {}}} */
  String args() default "{}";
}
