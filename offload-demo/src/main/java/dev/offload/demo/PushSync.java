package dev.offload.demo;

import dev.offload.JobContext;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * {@code demo.push.sync}, args {@code {"orders": N}}: an order sync that needs far longer than one
 * call of the function it runs in. It imports pages of {@link #PAGE} orders ({@link #PAGE_TIME}
 * each), checks {@code ctx.shouldYield()} before each page, and when told stores its cursor and
 * returns: the receiver answers 202 and Offload calls again from the cursor. The same class would
 * run unchanged on a pull worker.
 */
final class PushSync {
  static final String KIND = "demo.push.sync";
  static final int PAGE = 500;
  static final Duration PAGE_TIME = Duration.ofMillis(250);

  record Args(int orders) {}

  /** Where the sync is, and how many calls it took so far. */
  record Cursor(int next, int calls) {}

  record Result(int orders, int calls) {}

  /** What the demo's screen is told: a call began, or yielded. */
  record Event(int call, int from, int to, boolean yielded, Duration took) {}

  private final Consumer<Event> events;

  PushSync(Consumer<Event> events) {
    this.events = events;
  }

  Object run(Args args, JobContext ctx) throws InterruptedException {
    Instant began = Instant.now();
    Cursor at = ctx.checkpoint(Cursor.class).orElse(new Cursor(0, 0));
    int call = at.calls() + 1;
    ctx.stage("import", args.orders());
    ctx.done(at.next());
    for (int next = at.next(); next < args.orders(); next += PAGE) {
      if (ctx.shouldYield()) {
        ctx.checkpoint(new Cursor(next, call));
        events.accept(
            new Event(call, at.next(), next, true, Duration.between(began, Instant.now())));
        return null; // answered 202: Offload calls again from the cursor
      }
      Thread.sleep(PAGE_TIME.toMillis()); // importing one page
      int done = Math.min(args.orders(), next + PAGE);
      ctx.advance(done - next);
      ctx.message(String.format("Imported %,d of %,d orders (call %d)", done, args.orders(), call));
    }
    events.accept(
        new Event(call, at.next(), args.orders(), false, Duration.between(began, Instant.now())));
    return new Result(args.orders(), call);
  }
}
