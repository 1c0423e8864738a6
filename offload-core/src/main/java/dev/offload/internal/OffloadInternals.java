package dev.offload.internal;

import dev.offload.Offload;
import java.util.Objects;

/**
 * What Offload's own modules may do to an {@code Offload} that users cannot: add a {@link
 * JobInterceptor} to a builder, run jobs one at a time. {@code Offload} hands its implementation
 * over when its class is initialised (the JDK's "shared secrets" pattern), so none of this is
 * public API of {@code dev.offload}.
 */
public final class OffloadInternals {
  /** The operations, implemented inside {@code Offload}. */
  public interface Access {
    /** Adds {@code interceptor} to the Offload that {@code builder} builds. */
    void intercept(Offload.Builder builder, JobInterceptor interceptor);

    /** Runs {@code offload}'s jobs one at a time on the calling thread. */
    JobStepper stepper(Offload offload);

    /**
     * Stores the schedules declared on {@code offload}'s builder, as {@code start()} does, without
     * starting workers.
     */
    void storeDeclaredSchedules(Offload offload);

    /** The args type of each kind {@code offload} has a handler for. */
    java.util.Map<String, Class<?>> argsTypes(Offload offload);
  }

  private static volatile Access access;

  private OffloadInternals() {}

  /** Called once, by {@code Offload}'s static initialiser. */
  public static void provide(Access implementation) {
    access = Objects.requireNonNull(implementation, "implementation");
  }

  /** The operations; initialises {@code Offload} first if it is not yet. */
  public static Access access() {
    Access a = access;
    if (a == null) {
      try {
        Class.forName(Offload.class.getName(), true, Offload.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      a = access;
    }
    return Objects.requireNonNull(a, "Offload did not provide its internals");
  }
}
