package dev.offload.examples.orders;

import static org.springframework.web.util.HtmlUtils.htmlEscape;

import dev.offload.Job;
import java.time.YearMonth;
import org.springframework.security.web.csrf.CsrfToken;

/**
 * The example's pages, rendered as plain strings (no template engine to learn). Everything that
 * comes from a user or a job is escaped.
 */
final class Pages {
  private Pages() {}

  static String home(String user, boolean admin, CsrfToken csrf) {
    String previousMonth = YearMonth.now().minusMonths(1).toString();
    return page(
        "Orders",
        user,
        csrf,
        """
        <p>Each button starts a job. What ends within 2 seconds answers on the next page at once;
        what takes longer opens its own page with a live progress bar.</p>
        <section>
          <h2>Sync my orders</h2>
          <form method="post" action="/sync">%s
            <label>Orders <input type="number" name="orders" value="10" min="1" max="%d"></label>
            <button type="submit" id="sync">Sync my orders</button>
          </form>
          <p class="hint">10 orders take about a second; try 200 for a long sync.</p>
        </section>
        <section>
          <h2>Monthly report</h2>
          <form method="post" action="/reports">%s
            <label>Month <input type="month" name="month" value="%s"></label>
            <button type="submit" id="report">Monthly report</button>
          </form>
        </section>
        <section>
          <h2>Reconcile</h2>
          <form method="post" action="/reconcile">%s
            <label>Payments <input type="number" name="payments" value="30" min="1" max="%d"></label>
            <button type="submit" id="reconcile">Reconcile</button>
          </form>
        </section>
        %s
        """
            .formatted(
                hidden(csrf),
                OrdersController.MAX_ITEMS,
                hidden(csrf),
                htmlEscape(previousMonth),
                hidden(csrf),
                OrdersController.MAX_ITEMS,
                admin ? "<p><a href=\"/offload/\">Offload dashboard</a> (admins)</p>" : ""));
  }

  /** A job that ended within the budget: its result (or error) in the same response. */
  static String finished(String user, CsrfToken csrf, Job job) {
    String body =
        job.result() != null
            ? "<pre id=\"result\">" + htmlEscape(job.result().toPrettyString()) + "</pre>"
            : "<p id=\"error\" role=\"alert\">"
                + htmlEscape(
                    job.errors().isEmpty()
                        ? job.state().wireName()
                        : job.errors().get(job.errors().size() - 1).message())
                + "</p>";
    return page(
        title(job) + ": " + job.state().wireName(),
        user,
        csrf,
        "<p>Job <span id=\"job-id\">"
            + job.id().value()
            + "</span> ended within the budget.</p>"
            + body
            + "<p><a href=\"/\">Back</a></p>");
  }

  /** A job that carries on in the background, with its live progress bar. */
  static String job(String user, CsrfToken csrf, Job job, String progressUrl) {
    return page(
        title(job),
        user,
        csrf,
        """
        <p>Job <span id="job-id">%d</span> runs in the background; you can leave this page and come
        back.</p>
        <script src="/offload/offload-progress.js" defer></script>
        <offload-progress id="progress" label="%s" src="%s"></offload-progress>
        <p><a href="/">Back</a></p>
        """
            .formatted(job.id().value(), htmlEscape(title(job)), htmlEscape(progressUrl)));
  }

  static String badInput(String user, CsrfToken csrf, String field, String problem) {
    return page(
        "Please check the form",
        user,
        csrf,
        "<p id=\"error\" role=\"alert\">"
            + htmlEscape(field + ": " + problem)
            + "</p><p><a href=\"/\">Back</a></p>");
  }

  private static String title(Job job) {
    return switch (job.kind()) {
      case "orders.sync" -> "Order sync";
      case "reports.monthly" -> "Monthly report";
      case "payments.reconcile" -> "Reconcile";
      default -> job.kind();
    };
  }

  private static String hidden(CsrfToken csrf) {
    return "<input type=\"hidden\" name=\""
        + htmlEscape(csrf.getParameterName())
        + "\" value=\""
        + htmlEscape(csrf.getToken())
        + "\">";
  }

  private static String page(String title, String user, CsrfToken csrf, String body) {
    return """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>%s · spring-orders</title>
    <style>
      body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; }
      section { border: 1px solid #ddd; border-radius: 6px; padding: 0 1rem 1rem; margin: 1rem 0; }
      pre { background: #f6f6f6; padding: .75rem; }
      .hint { color: #666; font-size: .9em; }
      header { display: flex; justify-content: space-between; align-items: baseline; }
    </style>
    </head>
    <body>
    <header><h1>%s</h1>
      <form method="post" action="/logout">%s<span id="user">%s</span>
        <button type="submit">Sign out</button></form>
    </header>
    %s
    </body>
    </html>
    """
        .formatted(htmlEscape(title), htmlEscape(title), hidden(csrf), htmlEscape(user), body);
  }
}
