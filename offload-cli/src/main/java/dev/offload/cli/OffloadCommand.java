package dev.offload.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The top of the {@code offload} command tree; it holds the run's {@link Context}. Every command
 * below inherits {@code --help} and {@code --version} from here ({@code scope = INHERIT}).
 */
@Command(
    name = "offload",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = OffloadCommand.Version.class,
    description = "Offload: durable background jobs. Run a worker, enqueue jobs, look at them.",
    subcommands = {
      MigrateCommand.class,
      WorkerCommand.class,
      ServeCommand.class,
      EnqueueCommand.class,
      StatusCommand.class,
      JobsCommand.class,
      RetryCommand.class,
      CancelCommand.class,
      DeleteCommand.class,
      DeadCommand.class,
      SchedulesCommand.class,
      QueuesCommand.class,
      StatsCommand.class,
      WorkflowCommand.class,
      DemoCommand.class
    })
final class OffloadCommand implements Callable<Integer> {
  /**
   * The footer of {@code offload --help}. {@link Main} sets it on the top command alone: as an
   * annotation attribute, {@code scope = INHERIT} would print it under every subcommand's help too.
   */
  static final String[] FOOTER = {
    "",
    "Exit codes: 0 ok, 1 failure (store unreachable, job not found, unknown kind), 2 bad usage,",
    "3 still running (enqueue --wait)."
  };

  final Context ctx;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print the stack trace with an error.")
  boolean verbose;

  OffloadCommand(Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    throw CliError.usage(
        "missing command: demo, serve, worker, enqueue, status, jobs, dead, stats, retry, cancel, delete, schedules, workflow, queues or migrate (see 'offload --help')");
  }

  /** The project version, written into {@code version.properties} by the build. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = OffloadCommand.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"offload " + p.getProperty("version", "(unknown version)")};
    }
  }
}
