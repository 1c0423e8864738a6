package dev.offload.cli;

import dev.offload.Job.JobId;

/** Job ids as typed on the command line. */
final class JobIds {
  private JobIds() {}

  /** The id, or a usage error (exit 2) naming what was typed. */
  static JobId parse(String text) {
    try {
      return JobId.parse(text);
    } catch (IllegalArgumentException e) {
      throw CliError.usage(e.getMessage());
    }
  }
}
