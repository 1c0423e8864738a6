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

  /**
   * Flushes what the command printed, blocks until the process is told to stop, then runs {@code
   * stop} (a worker's or server's graceful stop); an interrupted wait runs it at once and rethrows.
   */
  void awaitStop(Runnable stop) throws InterruptedException {
    out.flush();
    try {
      stopTrigger.awaitStop(stop);
    } catch (InterruptedException e) {
      stop.run();
      throw e;
    }
  }

  /** The description of the store this run opened (no password), or null before it opened one. */
  String store() {
    return store;
  }

  void opened(String storeDescription) {
    this.store = storeDescription;
  }
}
