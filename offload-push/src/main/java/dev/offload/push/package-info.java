/**
 * Push delivery's receiving end: {@link dev.offload.push.PushReceiver} checks Offload's {@code
 * Offload-Signature}, runs the {@link dev.offload.JobHandler} registered for the job's kind with a
 * {@link dev.offload.JobContext} whose deadline is the invocation's, reports progress through the
 * job token, and answers with the result, a continuation (HTTP 202), a snooze (429), a permanent
 * failure (422) or an error (500). The same handler classes run unchanged on a pull worker.
 *
 * <p>Nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.offload.push;

import org.jspecify.annotations.NullMarked;
