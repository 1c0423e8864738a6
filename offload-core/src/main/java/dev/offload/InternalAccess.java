package dev.offload;

import dev.offload.Offload.Builder;
import dev.offload.internal.OffloadInternals;
import dev.offload.internal.OffloadInternals.JobInterceptor;
import dev.offload.internal.OffloadInternals.JobStepper;
import java.util.Map;
import java.util.Objects;

/** What Offload's own modules reach through {@link OffloadInternals}. */
final class InternalAccess implements OffloadInternals.Access {
  @Override
  public void intercept(Builder builder, JobInterceptor interceptor) {
    builder.interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
  }

  @Override
  public JobStepper stepper(Offload offload) {
    return offload.stepper();
  }

  @Override
  public void storeDeclaredSchedules(Offload offload) {
    offload.storeDeclaredSchedules();
  }

  @Override
  public Map<String, Class<?>> argsTypes(Offload offload) {
    return offload.argsTypes();
  }
}
