package dev.offload.store;

import static dev.offload.JobState.AVAILABLE;
import static dev.offload.JobState.CANCELLED;
import static dev.offload.JobState.DEAD;
import static dev.offload.JobState.RETRYING;
import static dev.offload.JobState.RUNNING;
import static dev.offload.JobState.SCHEDULED;
import static dev.offload.JobState.SUCCEEDED;
import static dev.offload.JobState.WAITING;

import dev.offload.JobState;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one definition of which states each action on a job may start from. The façade ({@code
 * Offload}) refuses an action from any other state, and both stores take their SQL's state
 * conditions from here ({@link #sqlStates()}), so the three cannot drift apart.
 *
 * <pre>
 * action   from                                   to
 * cancel   waiting, scheduled, available, retrying cancelled (a workflow's dependents per their policy)
 *          running                                running, asked to stop; its node ends it cancelled
 * retry    dead, cancelled                        available, with fresh attempts
 *          retrying, scheduled                    available, now
 * replay   dead, cancelled                        available, with fresh attempts (many at once)
 * delete   any state but running                  gone
 * purge    succeeded, dead, cancelled             gone (many at once)
 * rescue   running, with an expired lease         retrying or dead (the engine decides which)
 * </pre>
 */
public enum JobAction {
  CANCEL("cancelled", SCHEDULED, AVAILABLE, RETRYING, WAITING, RUNNING),
  RETRY("retried", DEAD, CANCELLED, RETRYING, SCHEDULED),
  REPLAY("replayed", DEAD, CANCELLED),
  DELETE("deleted", WAITING, SCHEDULED, AVAILABLE, RETRYING, SUCCEEDED, DEAD, CANCELLED),
  PURGE("purged", SUCCEEDED, DEAD, CANCELLED),
  RESCUE("rescued", RUNNING);

  private final String done;

  // In the order written above: messages list the states that way.
  private final Set<JobState> from;

  JobAction(String done, JobState... from) {
    this.done = done;
    this.from = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(from)));
  }

  /** The states this action may start from. */
  public Set<JobState> from() {
    return from;
  }

  /** Whether this action may start from {@code state}. */
  public boolean allows(JobState state) {
    return from.contains(state);
  }

  /**
   * The states this action may start from as a SQL list of string literals, e.g. {@code 'dead',
   * 'cancelled'}, for {@code state IN (...)}. Literals (not a bound array) keep the conditions
   * visible to the planner, so partial indexes on a state still match.
   */
  public String sqlStates() {
    return from.stream().map(s -> "'" + s.wireName() + "'").collect(Collectors.joining(", "));
  }

  /** The states as words for messages, e.g. {@code dead or cancelled}. */
  public String describeFrom() {
    String[] names = from.stream().map(JobState::wireName).toArray(String[]::new);
    if (names.length == 1) {
      return names[0];
    }
    return String.join(", ", Arrays.copyOf(names, names.length - 1))
        + " or "
        + names[names.length - 1];
  }

  /** The action's past participle in messages, e.g. {@code retried}. */
  public String done() {
    return done;
  }

  /** The action's name in messages, e.g. {@code cancel}. */
  public String verb() {
    return name().toLowerCase(Locale.ROOT);
  }
}
