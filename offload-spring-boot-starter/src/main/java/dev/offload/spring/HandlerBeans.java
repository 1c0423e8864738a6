package dev.offload.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.JobHandler;
import dev.offload.JobOptions;
import dev.offload.Offload;
import dev.offload.Schedule;
import dev.offload.internal.Json;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;

/**
 * Finds the {@link OffloadJob} handler beans (and their {@link Recurring} schedules) and registers
 * them on the builder. Two beans of one kind fail the start, naming both.
 */
final class HandlerBeans {
  private static final Logger log = LoggerFactory.getLogger(HandlerBeans.class);

  private HandlerBeans() {}

  /** Registers every handler bean on {@code builder}; returns kind → bean name. */
  static Map<String, String> register(
      ListableBeanFactory beans, Environment env, Offload.Builder builder) {
    Map<String, String> kinds = new LinkedHashMap<>();
    for (String name : beans.getBeanNamesForType(JobHandler.class)) {
      OffloadJob job = beans.findAnnotationOnBean(name, OffloadJob.class);
      if (job == null) {
        log.warn(
            "bean '{}' is a JobHandler without @OffloadJob: it is not registered as a handler",
            name);
        continue;
      }
      String kind = env.resolveRequiredPlaceholders(job.kind());
      String other = kinds.putIfAbsent(kind, name);
      if (other != null) {
        throw new IllegalStateException(
            "offload: job kind '"
                + kind
                + "' has two handler beans, '"
                + other
                + "' and '"
                + name
                + "': give each @OffloadJob a kind of its own");
      }
      JobHandler<Object> handler = handler(beans, name);
      Class<Object> argsType = argsType(handler, name);
      builder.register(kind, argsType, handler, options(job, env, name));
      Recurring recurring = beans.findAnnotationOnBean(name, Recurring.class);
      if (recurring != null) {
        schedule(recurring, kind, env, builder, name);
      }
    }
    return kinds;
  }

  @SuppressWarnings("unchecked")
  private static JobHandler<Object> handler(ListableBeanFactory beans, String name) {
    return (JobHandler<Object>) beans.getBean(name, JobHandler.class);
  }

  /** The {@code A} of the bean's {@code JobHandler<A>}, also behind a Spring proxy. */
  @SuppressWarnings("unchecked")
  private static Class<Object> argsType(JobHandler<?> handler, String name) {
    Class<?> target = AopUtils.getTargetClass(handler);
    Class<?> args = ResolvableType.forClass(target).as(JobHandler.class).resolveGeneric(0);
    if (args == null) {
      throw new IllegalStateException(
          "offload: cannot tell the args type of handler bean '"
              + name
              + "' ("
              + target.getName()
              + "): implement JobHandler<YourArgs> in a class, not as a lambda or raw type");
    }
    return (Class<Object>) args;
  }

  private static JobOptions options(OffloadJob job, Environment env, String bean) {
    JobOptions options =
        JobOptions.defaults()
            .queue(env.resolveRequiredPlaceholders(job.queue()))
            .priority(job.priority());
    if (job.maxAttempts() != 0) {
      options = options.maxAttempts(job.maxAttempts());
    }
    String timeout = env.resolveRequiredPlaceholders(job.timeout()).trim();
    if (!timeout.isEmpty()) {
      Duration d;
      try {
        d = DurationStyle.detectAndParse(timeout);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(
            "offload: @OffloadJob(timeout = \""
                + timeout
                + "\") of bean '"
                + bean
                + "' is not a duration (use 30m, 10s or PT1H)",
            e);
      }
      options = options.timeout(d);
    }
    return options;
  }

  private static void schedule(
      Recurring recurring, String kind, Environment env, Offload.Builder builder, String bean) {
    String cron = env.resolveRequiredPlaceholders(recurring.cron()).trim();
    if (cron.equals("-")) {
      log.info("the schedule of job kind '{}' (bean '{}') is disabled (cron '-')", kind, bean);
      return;
    }
    String name = recurring.name().isBlank() ? kind : recurring.name();
    JsonNode args;
    try {
      args = Json.tree(env.resolveRequiredPlaceholders(recurring.args()));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "offload: @Recurring(args) of bean '" + bean + "' is not JSON: " + e.getMessage(), e);
    }
    try {
      builder.schedule(
          name,
          Schedule.cron(cron, ZoneId.of(env.resolveRequiredPlaceholders(recurring.zone()))),
          kind,
          args);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "offload: @Recurring of bean '" + bean + "': " + e.getMessage(), e);
    }
  }
}
