package dev.offload.examples.orders;

import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Offload;
import dev.offload.Offload.Outcome;
import java.net.URI;
import java.time.Duration;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.IntFunction;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The pages: the buttons start jobs with {@link Offload#runOrDefer} and a {@link #BUDGET} of 2
 * seconds. A job that ends within it answers in the same response (200 with its result); one that
 * does not redirects (303) to its job page, which shows {@code <offload-progress>} with the job's
 * signed URL. A job page answers only its owner (and admins); anyone else gets 404, as for a job
 * that does not exist.
 */
@Controller
class OrdersController {
  static final Duration BUDGET = Duration.ofSeconds(2);
  static final int MAX_ITEMS = 2000;

  private final Offload offload;

  OrdersController(Offload offload) {
    this.offload = offload;
  }

  @GetMapping("/")
  ResponseEntity<String> home(Authentication auth, CsrfToken csrf) {
    return html(HttpStatus.OK, Pages.home(auth.getName(), isAdmin(auth), csrf));
  }

  @PostMapping("/sync")
  ResponseEntity<String> sync(
      Authentication auth, CsrfToken csrf, @RequestParam(defaultValue = "") String orders)
      throws InterruptedException {
    return startCounted(
        auth, csrf, "orders", orders, "orders.sync", n -> new Work.SyncArgs(auth.getName(), n));
  }

  @PostMapping("/reports")
  ResponseEntity<String> report(
      Authentication auth, CsrfToken csrf, @RequestParam(defaultValue = "") String month)
      throws InterruptedException {
    YearMonth parsed;
    try {
      parsed = YearMonth.parse(month.strip());
    } catch (DateTimeParseException e) {
      return badInput(auth, csrf, "month", "must be a month as yyyy-MM, got '" + month + "'");
    }
    return start(
        auth, csrf, "reports.monthly", new Work.ReportArgs(auth.getName(), parsed.toString()));
  }

  @PostMapping("/reconcile")
  ResponseEntity<String> reconcile(
      Authentication auth, CsrfToken csrf, @RequestParam(defaultValue = "") String payments)
      throws InterruptedException {
    return startCounted(
        auth,
        csrf,
        "payments",
        payments,
        "payments.reconcile",
        n -> new Work.ReconcileArgs(auth.getName(), n));
  }

  @GetMapping("/jobs/{id}")
  ResponseEntity<String> job(Authentication auth, CsrfToken csrf, @PathVariable String id) {
    Optional<Job> job = ownJob(auth, id);
    if (job.isEmpty()) {
      return html(HttpStatus.NOT_FOUND, Pages.badInput(auth.getName(), csrf, "job", "not found"));
    }
    return html(
        HttpStatus.OK,
        Pages.job(auth.getName(), csrf, job.get(), offload.progressUrl(job.get().id())));
  }

  /** Starts {@code kind} for a count of items from the form's {@code field}, or says it is bad. */
  private ResponseEntity<String> startCounted(
      Authentication auth,
      CsrfToken csrf,
      String field,
      String value,
      String kind,
      IntFunction<Object> args)
      throws InterruptedException {
    Optional<Integer> count = count(value);
    if (count.isEmpty()) {
      return badInput(auth, csrf, field, mustBeACount());
    }
    return start(auth, csrf, kind, args.apply(count.get()));
  }

  private ResponseEntity<String> start(
      Authentication auth, CsrfToken csrf, String kind, Object args) throws InterruptedException {
    // Outside any transaction: runOrDefer's job must be visible to the workers at once.
    Outcome<?> outcome = offload.runOrDefer(kind, args, BUDGET);
    return switch (outcome) {
      case Outcome.Finished<?> finished ->
          html(HttpStatus.OK, Pages.finished(auth.getName(), csrf, finished.job()));
      case Outcome.Deferred<?> deferred ->
          ResponseEntity.status(HttpStatus.SEE_OTHER)
              .location(URI.create("/jobs/" + deferred.job().id().value()))
              .build();
    };
  }

  /** The job, when it exists and was started by this user (or the caller is an admin). */
  private Optional<Job> ownJob(Authentication auth, String id) {
    JobId jobId;
    try {
      jobId = JobId.parse(id);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    return offload
        .job(jobId)
        .filter(j -> isAdmin(auth) || auth.getName().equals(j.args().path("owner").asText()));
  }

  private ResponseEntity<String> badInput(
      Authentication auth, CsrfToken csrf, String field, String problem) {
    return html(
        HttpStatus.UNPROCESSABLE_CONTENT, Pages.badInput(auth.getName(), csrf, field, problem));
  }

  private static Optional<Integer> count(String text) {
    try {
      int n = Integer.parseInt(text.strip());
      return n >= 1 && n <= MAX_ITEMS ? Optional.of(n) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String mustBeACount() {
    return "must be a whole number from 1 to " + MAX_ITEMS;
  }

  private static boolean isAdmin(Authentication auth) {
    return auth.getAuthorities().stream().anyMatch(a -> "ROLE_ADMIN".equals(a.getAuthority()));
  }

  private static ResponseEntity<String> html(HttpStatus status, String body) {
    return ResponseEntity.status(status).contentType(MediaType.TEXT_HTML).body(body);
  }
}
