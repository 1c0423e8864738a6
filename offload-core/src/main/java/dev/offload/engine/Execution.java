package dev.offload.engine;

import dev.offload.JobContext;
import dev.offload.JobId;
import dev.offload.store.ClaimedJob;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One attempt of one job on this node, and the handler's view of it. Whoever ends the attempt
 * first (the handler, its timeout, a shutdown) {@link #settle()}s it; the others then do nothing,
 * so a handler that outlives its timeout cannot write a second outcome.
 */
final class Execution implements JobContext {
  final ClaimedJob job;
  final Registration<?> registration;
  final Producer producer;
  private final AtomicBoolean settled = new AtomicBoolean();
  private volatile boolean cancelled;
  volatile Thread thread;
  volatile ScheduledFuture<?> timeout;

  Execution(ClaimedJob job, Registration<?> registration, Producer producer) {
    this.job = job;
    this.registration = registration;
    this.producer = producer;
  }

  /** True for the one caller that ends this attempt. */
  boolean settle() {
    if (!settled.compareAndSet(false, true)) {
      return false;
    }
    ScheduledFuture<?> t = timeout;
    if (t != null) {
      t.cancel(false);
    }
    return true;
  }

  /** Marks the attempt cancelled and interrupts the handler's thread. */
  void interrupt() {
    cancelled = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  @Override
  public JobId id() {
    return new JobId(job.id());
  }

  @Override
  public String kind() {
    return job.kind();
  }

  @Override
  public String queue() {
    return job.queue();
  }

  @Override
  public int attempt() {
    return job.attempt();
  }

  @Override
  public int maxAttempts() {
    return job.maxAttempts();
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }
}
