package dev.offload;

import dev.offload.Job.JobFilter;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.OffloadException.NoSuchJobException;
import dev.offload.store.Store;
import dev.offload.store.Store.JobAction;
import java.time.InstantSource;
import java.util.function.Function;

/**
 * What {@link Offload}'s actions on jobs do: cancel, retry, delete, replay and purge. The store
 * applies each action where {@link JobAction} allows it and returns the state it found; this class
 * turns a refusal into the message that names the state and what the action needs.
 */
record JobActions(Store store, InstantSource clock) {

  JobState cancel(JobId id) {
    JobState before =
        store.jobCancel(id.value(), clock.instant()).orElseThrow(() -> new NoSuchJobException(id));
    if (!JobAction.CANCEL.allows(before)) {
      throw refused(id, before, JobAction.CANCEL);
    }
    return before == JobState.RUNNING ? JobState.RUNNING : JobState.CANCELLED;
  }

  void retry(JobId id) {
    JobState before =
        store.jobRetry(id.value(), clock.instant()).orElseThrow(() -> new NoSuchJobException(id));
    if (!JobAction.RETRY.allows(before)) {
      throw refused(id, before, JobAction.RETRY);
    }
  }

  void delete(JobId id) {
    JobState before = store.jobDelete(id.value()).orElseThrow(() -> new NoSuchJobException(id));
    if (!JobAction.DELETE.allows(before)) {
      throw new IllegalStateException(
          "job " + id + " is " + before.wireName() + "; cancel it before deleting it");
    }
  }

  private static IllegalStateException refused(JobId id, JobState state, JobAction action) {
    // A job that ended cannot be cancelled: it is too late, not the wrong moment.
    String already = action == JobAction.CANCEL && state.isFinal() ? " already" : "";
    return new IllegalStateException(
        "job "
            + id
            + " is "
            + state.wireName()
            + already
            + "; only a "
            + action.describeFrom()
            + " job can be "
            + action.done());
  }

  int replay(JobFilter filter) {
    JobFilter dead =
        withAllowedState(
            filter,
            JobAction.REPLAY,
            state ->
                "only " + JobAction.REPLAY.describeFrom() + " jobs can be replayed, not " + state);
    return store.jobReplayMany(dead, clock.instant());
  }

  int purge(JobFilter filter) {
    JobFilter finished =
        withAllowedState(
            filter,
            JobAction.PURGE,
            state ->
                "only finished jobs ("
                    + JobAction.PURGE.describeFrom()
                    + ") can be purged, not "
                    + state
                    + " ones");
    return store.jobDeleteMany(finished);
  }

  /**
   * {@code filter} with its state, dead when it names none; refused with {@code refusal} (given the
   * state's wire name) when {@code action} may not start from that state.
   */
  private static JobFilter withAllowedState(
      JobFilter filter, JobAction action, Function<String, String> refusal) {
    JobState state = filter.state() == null ? JobState.DEAD : filter.state();
    if (!action.allows(state)) {
      throw new IllegalArgumentException(refusal.apply(state.wireName()));
    }
    return filter.state(state);
  }
}
