package dev.offload;

import dev.offload.JobOptions.RetryPolicy;

/**
 * The code behind a job kind. One instance serves every job of its kind, on many threads at once,
 * so it must be thread-safe.
 *
 * <p>Return a value to make it the job's result (written as JSON), or null for none. Throw to fail
 * the attempt: it is retried by the kind's {@link RetryPolicy} until its attempts are used up;
 * throw {@link PermanentFailure} to send it straight to {@code dead}. An interrupt means the job
 * was cancelled or timed out: stop soon.
 *
 * @param <A> the args type, read from the job's JSON args with Jackson (records work as they are)
 */
@FunctionalInterface
public interface JobHandler<A> {
  /**
   * Runs one attempt of a job.
   *
   * @param args the job's args
   * @param ctx the attempt's context: its job, progress, checkpoints and cancellation
   * @return the job's result (anything Jackson can write), or null for none
   * @throws Exception to fail the attempt; it is retried unless it is a {@link PermanentFailure} or
   *     the attempts are used up
   */
  Object run(A args, JobContext ctx) throws Exception;
}
