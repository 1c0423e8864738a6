package dev.offload;

/**
 * What a running handler knows about its job, and how it reports back. Valid only during the
 * attempt it was given to.
 */
public interface JobContext {
  JobId id();

  String kind();

  String queue();

  /** This attempt's number, starting at 1. */
  int attempt();

  int maxAttempts();

  /**
   * True once the attempt should stop: the job was cancelled, timed out, or the node is shutting
   * down and the grace period is over. The handler's thread is interrupted at the same moment.
   */
  boolean isCancelled();
}
