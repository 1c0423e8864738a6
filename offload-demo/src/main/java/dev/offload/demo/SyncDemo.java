package dev.offload.demo;

import dev.offload.Job.Stage;
import dev.offload.JobContext;
import java.util.List;

/**
 * {@code demo.sync}, args {@code {"items": N}}: a sync from a simulated upstream in three weighted
 * stages (fetch 1, import 4, verify 1). It pages through the upstream checkpointing its cursor
 * after each page, so a rescued or retried run resumes where the last one stopped; every 997th item
 * is malformed and recorded as a failed item without failing the job. A follow-up job made by
 * {@code retryFailedItems} imports just those items (the upstream has fixed them by then).
 */
final class SyncDemo {
  static final String KIND = "demo.sync";
  static final int PAGE = 500;
  private static final int MAX_ITEMS = 10_000_000;

  record Args(int items) {}

  /** Where a run is: the stage and the next item of it. */
  record Cursor(String stage, int next) {}

  record Result(int fetched, int imported, int failed) {}

  private SyncDemo() {}

  static Result run(Args args, JobContext ctx) throws InterruptedException {
    if (args.items() < 0 || args.items() > MAX_ITEMS) {
      throw new dev.offload.PermanentFailure(
          "demo.sync: items must be between 0 and " + MAX_ITEMS + ", got " + args.items());
    }
    List<String> retry = ctx.retryItems();
    if (!retry.isEmpty()) {
      return retryFailed(retry, ctx);
    }
    int items = args.items();
    Cursor at = ctx.checkpoint(Cursor.class).orElse(new Cursor("fetch", 0));
    ctx.stages(Stage.of("fetch", 1), Stage.of("import", 4), Stage.of("verify", 1));
    if (at.stage().equals("fetch")) {
      ctx.stage("fetch", items);
      ctx.done(at.next());
      for (int next = at.next(); next < items; next += PAGE) {
        Thread.sleep(60); // one page from the upstream
        int page = Math.min(PAGE, items - next);
        ctx.advance(page);
        ctx.message(
            "Fetched "
                + String.format("%,d", next + page)
                + " of "
                + String.format("%,d", items)
                + " records");
        ctx.checkpoint(new Cursor("fetch", next + page));
      }
      at = new Cursor("import", 0);
    }
    int failed = 0;
    if (at.stage().equals("import")) {
      ctx.stage("import", items);
      ctx.done(at.next());
      for (int next = at.next(); next < items; next += PAGE) {
        int end = Math.min(items, next + PAGE);
        for (int item = next; item < end; item++) {
          if (item % 100 == 0) {
            Thread.sleep(12); // writing a batch of records
          }
          if (isMalformed(item)) {
            ctx.itemFailed(key(item), "record " + key(item) + " has no amount");
          }
          ctx.advance(1);
        }
        ctx.message(
            "Imported "
                + String.format("%,d", end)
                + " of "
                + String.format("%,d", items)
                + " records");
        ctx.checkpoint(new Cursor("import", end));
      }
      at = new Cursor("verify", 0);
    }
    ctx.stage("verify", items);
    for (int next = 0; next < items; next += PAGE * 4) {
      Thread.sleep(40);
      ctx.advance(Math.min(PAGE * 4, items - next));
    }
    for (int item = 0; item < items; item++) {
      if (isMalformed(item)) {
        failed++;
      }
    }
    ctx.message(
        "Imported " + String.format("%,d", items - failed) + " records; " + failed + " failed");
    return new Result(items, items - failed, failed);
  }

  private static Result retryFailed(List<String> keys, JobContext ctx) throws InterruptedException {
    ctx.total(keys.size());
    for (String key : keys) {
      Thread.sleep(5);
      ctx.advance(1);
    }
    ctx.message("Imported " + keys.size() + " records that failed before");
    return new Result(keys.size(), keys.size(), 0);
  }

  static boolean isMalformed(int item) {
    return item % 997 == 996;
  }

  static String key(int item) {
    return "record-" + item;
  }
}
