package dev.offload.demo;

import dev.offload.EnqueueOptions;
import dev.offload.Job.Stage;
import dev.offload.JobContext;
import dev.offload.JobHandler;
import dev.offload.Offload;
import dev.offload.PermanentFailure;
import dev.offload.demo.DemoClient.Page;
import dev.offload.demo.DemoClient.RateLimited;
import dev.offload.demo.DemoClient.Totals;
import dev.offload.demo.DemoClient.UpstreamException;
import dev.offload.demo.DemoUpstream.Order;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code demo.orders.sync}, args {@code {"orders": N}}: copies the upstream's orders into the app's
 * database in three weighted stages. It is the first step of the month-end workflow ({@link
 * DemoMonthEnd}): the monthly report and the reconciliation wait for it.
 *
 * <ol>
 *   <li><b>fetch</b> (weight 8: the upstream is the bottleneck): pages of {@value #PAGE} orders
 *       into {@code staged_orders}, checkpointing the cursor after each page. A {@code 429} snoozes
 *       the job for the server's {@code Retry-After} (it runs again from its checkpoint without
 *       using an attempt); a {@code 500} is retried here, {@value #PAGE_TRIES} tries in all with a
 *       short backoff, and then thrown, so the job's own retry policy takes over.
 *   <li><b>import</b> (weight 1.5): validates the staged orders in batches of {@value #BATCH};
 *       broken ones become failed items ({@link JobContext#itemFailed}), good ones are upserted
 *       into {@code orders}. Checkpointed after each batch.
 *   <li><b>verify</b> (weight 0.5): the imported count and amount must equal the upstream's {@code
 *       /totals}; otherwise the job fails for good.
 * </ol>
 *
 * <p>The page retries and snoozes are counted in the checkpoint and the {@link Result}. A follow-up
 * made by {@link Offload#retryFailedItems} fetches just its items one by one, imports the ones that
 * are good now and records the others as failed again; it is not a step of the workflow, so when it
 * imported any it enqueues a fresh report and reconciliation itself.
 */
final class DemoSync implements JobHandler<DemoSync.Args> {
  static final int PAGE = 100;
  static final int BATCH = 1_000;
  static final int PAGE_TRIES = 3;
  static final String FETCH = "fetch";
  static final String IMPORT = "import";
  static final String VERIFY = "verify";
  static final String REPLAY = "replay";

  record Args(int orders) {}

  /**
   * Where a sync is, written after every page and batch.
   *
   * @param stage fetch, import, verify, or replay for a follow-up
   * @param cursor the cursor of the next page to fetch, null for the first
   * @param page pages fetched (items replayed, in a follow-up)
   * @param fetched orders fetched
   * @param importedThrough the id of the last staged order imported or found broken
   * @param imported good orders imported
   * @param broken broken orders recorded as failed items
   * @param pageRetries requests retried here after a 500
   * @param snoozes times the job snoozed on a 429
   */
  record Checkpoint(
      String stage,
      String cursor,
      int page,
      long fetched,
      String importedThrough,
      long imported,
      long broken,
      int pageRetries,
      int snoozes) {}

  /**
   * The job's result; {@code reportJob} and {@code reconcileJob} are the jobs a replay chained
   * (null for the workflow's sync, whose report and reconciliation are its workflow's next steps).
   */
  record Result(
      long fetched,
      long imported,
      long broken,
      int pageRetries,
      int snoozes,
      Long reportJob,
      Long reconcileJob) {}

  /** One attempt's position, mutable; {@link #save} turns it into a checkpoint. */
  private static final class Position {
    String stage = FETCH;
    String cursor;
    int page;
    long fetched;
    String importedThrough;
    long imported;
    long broken;
    int pageRetries;
    int snoozes;

    static Position of(Checkpoint c) {
      Position p = new Position();
      p.stage = c.stage();
      p.cursor = c.cursor();
      p.page = c.page();
      p.fetched = c.fetched();
      p.importedThrough = c.importedThrough();
      p.imported = c.imported();
      p.broken = c.broken();
      p.pageRetries = c.pageRetries();
      p.snoozes = c.snoozes();
      return p;
    }

    Checkpoint save() {
      return new Checkpoint(
          stage, cursor, page, fetched, importedThrough, imported, broken, pageRetries, snoozes);
    }
  }

  private final DemoKinds app;

  DemoSync(DemoKinds app) {
    this.app = app;
  }

  @Override
  public Result run(Args args, JobContext ctx) throws Exception {
    if (args.orders() < 1 || args.orders() > Demo.MAX_ORDERS) {
      throw new PermanentFailure(
          "orders must be between 1 and " + Demo.MAX_ORDERS + ", got " + args.orders());
    }
    Position at = ctx.checkpoint(Checkpoint.class).map(Position::of).orElseGet(Position::new);
    if (!ctx.retryItems().isEmpty()) {
      return replay(ctx.retryItems(), at, ctx);
    }
    if (!at.stage.equals(FETCH) && app.orders().stagedCount() < at.fetched) {
      // The app's database lost what this job fetched (deleted under it): fetch again, keep the
      // counts.
      Position again = new Position();
      again.pageRetries = at.pageRetries;
      again.snoozes = at.snoozes;
      at = again;
    }
    ctx.stages(Stage.of(FETCH, 8), Stage.of(IMPORT, 1.5), Stage.of(VERIFY, 0.5));
    if (at.stage.equals(FETCH)) {
      fetch(args, at, ctx);
    }
    if (at.stage.equals(IMPORT)) {
      importStaged(at, ctx);
    }
    verify(at, ctx);
    // The report and the reconciliation are the next steps of the month-end workflow: the store
    // releases them when this job succeeds, in the same transaction as its completion.
    return new Result(at.fetched, at.imported, at.broken, at.pageRetries, at.snoozes, null, null);
  }

  // ---------------------------------------------------------------- fetch

  private void fetch(Args args, Position at, JobContext ctx) throws Exception {
    ctx.stage(FETCH, args.orders());
    ctx.done(at.fetched);
    if (at.page > 0) {
      ctx.message(String.format("resumed at page %,d from the checkpoint", at.page + 1));
    }
    while (true) {
      Page page = fetchPage(at, ctx);
      app.orders().stage(page.orders());
      at.page++;
      at.fetched += page.orders().size();
      at.cursor = page.next();
      ctx.advance(page.orders().size());
      ctx.message(String.format("page %,d: %,d of %,d orders", at.page, at.fetched, args.orders()));
      if (page.next() == null) {
        at.stage = IMPORT;
        ctx.checkpoint(at.save());
        return;
      }
      ctx.checkpoint(at.save());
    }
  }

  private Page fetchPage(Position at, JobContext ctx) throws Exception {
    int number = at.page + 1;
    return withRetries("page " + number, at, ctx, () -> app.client().orders(at.cursor, PAGE));
  }

  private interface Call<T> {
    T call() throws Exception;
  }

  /**
   * Calls the upstream: on 429 checkpoints and snoozes; on a transient failure tries again, up to
   * {@value #PAGE_TRIES} tries, then checkpoints and throws for the job's retry policy.
   */
  private <T> T withRetries(String what, Position at, JobContext ctx, Call<T> call)
      throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (RateLimited e) {
        at.snoozes++;
        ctx.message(what + ": HTTP 429; snoozed " + DemoScreen.duration(e.retryAfter()));
        ctx.checkpoint(at.save());
        ctx.snooze(e.retryAfter());
      } catch (UpstreamException e) {
        if (!e.isTransient()) {
          throw new PermanentFailure(what + ": " + e.getMessage(), e);
        }
        if (attempt >= PAGE_TRIES) {
          ctx.message(what + ": HTTP 500 x" + PAGE_TRIES + "; the job retries");
          ctx.checkpoint(at.save());
          throw new UpstreamException(
              what + ": " + e.getMessage() + ", " + PAGE_TRIES + " times in a row",
              /* isTransient= */ true,
              e);
        }
        at.pageRetries++;
        long backoff = 100L << (attempt - 1);
        ctx.message(
            what
                + ": HTTP 500; retry "
                + attempt
                + " of "
                + (PAGE_TRIES - 1)
                + " in "
                + backoff
                + " ms");
        Thread.sleep(backoff);
      }
    }
  }

  // ---------------------------------------------------------------- import

  private void importStaged(Position at, JobContext ctx) {
    long staged = app.orders().stagedCount();
    ctx.stage(IMPORT, staged);
    ctx.done(at.imported + at.broken);
    while (true) {
      List<Order> batch = app.orders().stagedAfter(at.importedThrough, BATCH);
      if (batch.isEmpty()) {
        break;
      }
      List<Order> good = new ArrayList<>(batch.size());
      List<String[]> bad = new ArrayList<>();
      for (Order o : batch) {
        String problem = problem(o);
        if (problem == null) {
          good.add(o);
        } else {
          bad.add(new String[] {o.id(), problem});
        }
      }
      app.orders().importOrders(good);
      // Recorded right before the checkpoint that stores them, so a resumed attempt never repeats
      // one.
      bad.forEach(b -> ctx.itemFailed(b[0], b[1]));
      at.importedThrough = batch.get(batch.size() - 1).id();
      at.imported += good.size();
      at.broken += bad.size();
      ctx.advance(batch.size());
      ctx.message(
          String.format("%,d of %,d orders imported, %,d broken", at.imported, staged, at.broken));
      ctx.checkpoint(at.save());
    }
    at.stage = VERIFY;
    ctx.checkpoint(at.save());
  }

  /** What is wrong with an order, or null when it can be imported. */
  static String problem(Order o) {
    if (o.amountCents() == null) {
      return "amount missing";
    }
    if (o.customer() == null || o.customer().isBlank()) {
      return "customer missing";
    }
    if (o.amountCents() <= 0) {
      return "amountCents must be positive, got " + o.amountCents();
    }
    if (o.month() == null || !o.month().matches("\\d{4}-\\d{2}")) {
      return "month '" + o.month() + "' is not YYYY-MM";
    }
    return null;
  }

  // ---------------------------------------------------------------- verify

  private Totals verify(Position at, JobContext ctx) throws Exception {
    ctx.stage(VERIFY, 3);
    Totals upstream = withRetries("/totals", at, ctx, () -> app.client().totals());
    ctx.advance(1);
    long count = app.orders().orderCount();
    if (count != upstream.orders()) {
      throw new PermanentFailure(
          String.format(
              "verify: imported %,d orders but the upstream has %,d good ones",
              count, upstream.orders()));
    }
    ctx.advance(1);
    long amount =
        app.orders().monthTotals(upstream.year()).stream().mapToLong(MonthTotal::amountCents).sum();
    if (amount != upstream.amountCents()) {
      throw new PermanentFailure(
          String.format(
              "verify: imported orders add up to %s but the upstream's to %s",
              DemoReports.money(amount), DemoReports.money(upstream.amountCents())));
    }
    ctx.advance(1);
    ctx.message(String.format("%,d orders match the upstream; %,d broken", count, at.broken));
    return upstream;
  }

  // ---------------------------------------------------------------- follow-up for failed items

  private Result replay(List<String> ids, Position at, JobContext ctx) throws Exception {
    at.stage = REPLAY;
    ctx.total(ids.size());
    ctx.done(at.page);
    for (int i = at.page; i < ids.size(); i++) {
      String id = ids.get(i);
      Order o = withRetries("order " + id, at, ctx, () -> app.client().order(id));
      String problem = problem(o);
      if (problem == null) {
        app.orders().importOrders(List.of(o));
        at.imported++;
      } else {
        ctx.itemFailed(id, "still broken: " + problem);
        at.broken++;
      }
      at.page = i + 1;
      ctx.advance(1);
      ctx.message(
          String.format(
              "%,d of %,d orders replayed: %,d imported, %,d still broken",
              at.page, ids.size(), at.imported, at.broken));
      ctx.checkpoint(at.save());
    }
    Long report = null;
    Long reconcile = null;
    if (at.imported > 0) {
      Offload offload = app.offload();
      report =
          offload
              .enqueue(
                  DemoKinds.REPORT,
                  new DemoReports.ReportArgs(DemoUpstream.YEAR),
                  EnqueueOptions.none()
                      .idempotencyKey("demo.reports.monthly after sync " + ctx.id()))
              .value();
      reconcile =
          offload
              .enqueue(
                  DemoKinds.RECONCILE,
                  new DemoReports.ReconcileArgs(DemoUpstream.YEAR),
                  EnqueueOptions.none().idempotencyKey("demo.reconcile after sync " + ctx.id()))
              .value();
    }
    return new Result(
        at.page, at.imported, at.broken, at.pageRetries, at.snoozes, report, reconcile);
  }
}
