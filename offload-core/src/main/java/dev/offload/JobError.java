package dev.offload;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One failed attempt, as kept on the job: which attempt, when, on which node, and what was thrown.
 *
 * @param attempt the attempt number that failed, starting at 1
 * @param at when the failure was recorded
 * @param node the worker node that ran the attempt (or the rescuer's node for a lost worker)
 * @param errorClass the exception's class name
 * @param message the exception's message, possibly null
 * @param stackTrace the full stack trace, possibly null
 */
public record JobError(
    int attempt,
    Instant at,
    String node,
    String errorClass,
    @Nullable String message,
    @Nullable String stackTrace) {}
