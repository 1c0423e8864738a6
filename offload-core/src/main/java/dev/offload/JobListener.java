package dev.offload;

/**
 * Told about jobs that reached an end worth acting on, e.g. to page someone when a job dies.
 * Register with {@link Offload.Builder#listener}. Called on a listener thread of the node that
 * wrote the outcome, after it is stored; exceptions are logged and ignored.
 */
public interface JobListener {
  /** The job is dead: its attempts are used up, it failed permanently, or its worker kept dying. */
  void onDead(Job job);
}
