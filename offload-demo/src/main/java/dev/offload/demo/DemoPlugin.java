package dev.offload.demo;

import dev.offload.JobContext;
import dev.offload.Offload;
import dev.offload.OffloadPlugin;
import dev.offload.PermanentFailure;

/**
 * The job kinds every {@code offload} worker and client knows, for trying Offload out:
 *
 * <ul>
 *   <li>{@code demo.sleep}, args {@code {"ms": N}}: sleeps N ms (an interrupt ends it early), then
 *       succeeds with {@code {"sleptMs": N}}.
 *   <li>{@code demo.fail}, args {@code {"times": N, "permanent": false}}: fails its first N
 *       attempts (with {@code permanent: true}, by {@link PermanentFailure}, so the first failure
 *       is final), then succeeds with {@code {"attempts": A}}.
 *   <li>{@code demo.sync}, args {@code {"items": N}}: a staged sync with checkpoints and failed
 *       items; see {@link SyncDemo}.
 * </ul>
 *
 * <p>Loaded like any plugin: listed in {@code META-INF/services/dev.offload.OffloadPlugin}, so
 * {@link java.util.ServiceLoader} finds it wherever this module is on the class path (in {@code
 * offload.jar}, every {@code offload} command that builds an Offload knows these kinds without
 * {@code --plugins}). The scenes of {@code offload demo} register kinds of their own ({@link
 * DemoKinds}); those need the demo's app database and upstream, so they are not part of it.
 */
public final class DemoPlugin implements OffloadPlugin {
  static final String SLEEP = "demo.sleep";
  static final String FAIL = "demo.fail";

  record SleepArgs(long ms) {}

  record SleepResult(long sleptMs) {}

  record FailArgs(int times, boolean permanent) {}

  record FailResult(int attempts) {}

  /** For {@link java.util.ServiceLoader}. */
  public DemoPlugin() {}

  @Override
  public void configure(Offload.Builder builder) {
    builder.register(SLEEP, SleepArgs.class, DemoPlugin::sleep);
    builder.register(FAIL, FailArgs.class, DemoPlugin::fail);
    builder.register(SyncDemo.KIND, SyncDemo.Args.class, SyncDemo::run);
  }

  static SleepResult sleep(SleepArgs args, JobContext ctx) throws InterruptedException {
    if (args.ms() < 0) {
      throw new PermanentFailure("demo.sleep: ms must not be negative, got " + args.ms());
    }
    Thread.sleep(args.ms());
    return new SleepResult(args.ms());
  }

  static FailResult fail(FailArgs args, JobContext ctx) {
    if (ctx.attempt() <= args.times()) {
      String message =
          "demo.fail: attempt "
              + ctx.attempt()
              + " fails on purpose (the first "
              + args.times()
              + " do)";
      if (args.permanent()) {
        throw new PermanentFailure(message);
      }
      throw new IllegalStateException(message);
    }
    return new FailResult(ctx.attempt());
  }
}
