package dev.offload.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.time.ZoneId;

/**
 * What one run of the CLI needs from its surroundings: standard streams, the zone for local times,
 * and how a worker is told to stop. Also remembers which store the run opened, so an error can name
 * it.
 */
final class Context {
  final PrintStream out;
  final PrintStream err;
  final InputStream in;
  final ZoneId zone;
  final StopTrigger stopTrigger;
  private volatile String store;

  Context(PrintStream out, PrintStream err, InputStream in, ZoneId zone, StopTrigger stopTrigger) {
    this.out = out;
    this.err = err;
    this.in = in;
    this.zone = zone;
    this.stopTrigger = stopTrigger;
  }

  /** The description of the store this run opened (no password), or null before it opened one. */
  String store() {
    return store;
  }

  void opened(String storeDescription) {
    this.store = storeDescription;
  }
}
