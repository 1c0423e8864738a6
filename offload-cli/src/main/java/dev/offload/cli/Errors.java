package dev.offload.cli;

import dev.offload.OffloadException;
import dev.offload.OffloadException.UnknownKindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Turns what a command threw into one line on stderr and an exit code: 1 for a failure (store
 * unreachable, job not found, unknown kind), 2 for bad usage. The stack trace follows only with
 * {@code --verbose}.
 */
final class Errors {
  private Errors() {}

  /**
   * Prints {@code e} as one line (and, when {@code verbose}, its stack trace); returns the exit
   * code.
   */
  static int report(Throwable e, boolean verbose, Context ctx) {
    int code;
    String message;
    boolean unexpected = false;
    if (e instanceof CliError c) {
      code = c.exitCode();
      message = c.getMessage();
    } else if (find(e, UnknownKindException.class) != null) {
      // The core's message names the Java option; here the options are the command line's.
      code = CliError.FAILURE;
      message =
          "unknown job kind '"
              + find(e, UnknownKindException.class).kind()
              + "': no handler for it is loaded here"
              + " and no worker has announced it to this store; check the name, load its plugin with --plugins JAR,"
              + " or pass --allow-unknown-kind to queue it for a worker yet to come";
    } else if (ctx.store() != null && unreachable(e)) {
      code = CliError.FAILURE;
      message = "cannot reach " + ctx.store() + ": " + rootMessage(e);
    } else if (e instanceof OffloadException) {
      code = CliError.FAILURE;
      message = e.getMessage();
    } else if (e instanceof java.util.NoSuchElementException
        || e instanceof IllegalStateException) {
      // No such job, or an action the job's state does not allow: the message says which.
      code = CliError.FAILURE;
      message = e.getMessage();
    } else if (e instanceof IllegalArgumentException) {
      // The API's own checks (priority, queue names, sizes) name the field and the value.
      code = CliError.USAGE;
      message = e.getMessage();
    } else {
      code = CliError.FAILURE;
      message = "unexpected error: " + e;
      unexpected = true;
    }
    ctx.err.println(
        "offload: "
            + oneLine(message)
            + (unexpected && !verbose ? " (--verbose shows the stack trace)" : ""));
    if (verbose) {
      e.printStackTrace(ctx.err);
    }
    ctx.err.flush();
    return code;
  }

  /**
   * Closes {@code resource} after {@code failure}; a failure to close is added to {@code failure}
   * as suppressed, so it never hides the cause the user needs to see.
   */
  static void closeAfter(Throwable failure, AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception | Error e) {
      failure.addSuppressed(e);
    }
  }

  static String oneLine(String message) {
    return message == null ? "(no message)" : message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /**
   * Whether {@code e} comes from failing to connect to the database, rather than from a statement.
   */
  static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException
          || t instanceof ConnectException
          || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException
          // SQLSTATE class 08: connection exception
          || (t instanceof SQLException s
              && s.getSQLState() != null
              && s.getSQLState().startsWith("08"))) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** The innermost cause's message: "Connection refused" rather than the pool's timeout. */
  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof UnknownHostException) {
      return "unknown host " + root.getMessage();
    }
    if (root instanceof SocketTimeoutException) {
      return "connecting timed out";
    }
    // A server that accepts the connection but never answers: pgjdbc's login timeout fired, or the
    // pool gave up waiting before even that.
    if (root instanceof SQLTransientConnectionException
        || (root instanceof SQLException s
            && "08001".equals(s.getSQLState())
            && String.valueOf(s.getMessage()).contains("timed out"))) {
      return "the server did not answer in time (is something else listening on that port, or is it overloaded?)";
    }
    return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }

  /**
   * Whether {@code e} (or one of its causes) is an unknown kind: a command then rethrows it for
   * {@link #report} to explain (exit 1) rather than calling it bad usage.
   */
  static boolean unknownKind(Throwable e) {
    return find(e, UnknownKindException.class) != null;
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
