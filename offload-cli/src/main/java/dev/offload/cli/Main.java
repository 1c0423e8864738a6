package dev.offload.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.ZoneId;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code offload} command (see {@link OffloadCommand}). Exit codes: 0 ok, 1 failure (store
 * unreachable, job not found, unknown kind), 2 bad usage; every error is one line on stderr.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    System.out.flush();
    System.exit(code);
  }

  /**
   * Runs one command line in this JVM, writing to {@code out} and {@code err}; returns the exit
   * code.
   */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return run(
        new Context(out, err, System.in, ZoneId.systemDefault(), StopTrigger.jvmShutdown()), args);
  }

  static int run(Context ctx, String... args) {
    CommandLine cli = new CommandLine(new OffloadCommand(ctx));
    cli.getCommandSpec().usageMessage().footer(OffloadCommand.FOOTER);
    cli.setOut(new PrintWriter(ctx.out, true));
    cli.setErr(new PrintWriter(ctx.err, true));
    // '@file' arguments would surprise anyone passing JSON or paths; nobody needs them here.
    cli.setExpandAtFiles(false);
    cli.setParameterExceptionHandler((e, argv) -> usageError(e, ctx));
    cli.setExecutionExceptionHandler(
        (e, command, parsed) -> Errors.report(e, verbose(parsed), ctx));
    try {
      return cli.execute(args);
    } catch (RuntimeException | Error e) {
      // picocli hands only Exceptions to the handler; an Error (say, a class missing from a plugin)
      // lands here.
      return Errors.report(e, /* verbose= */ true, ctx);
    }
  }

  private static int usageError(ParameterException e, Context ctx) {
    String message = Errors.oneLine(e.getMessage());
    if (e instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      message += "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
    }
    String command = e.getCommandLine().getCommandSpec().qualifiedName();
    ctx.err.println("offload: " + message + " (see '" + command + " --help')");
    ctx.err.flush();
    return CliError.USAGE;
  }

  private static boolean verbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
