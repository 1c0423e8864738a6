package dev.offload.engine;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * One line when the store becomes unreachable, one when it is back; not one per failed call. A
 * database outage otherwise floods the log from every producer, heartbeat and completer.
 */
final class OutageLog {
  private final Logger log;
  private final String what;
  private final AtomicBoolean down = new AtomicBoolean();

  OutageLog(Logger log, String what) {
    this.log = log;
    this.what = what;
  }

  void failed(RuntimeException e) {
    if (down.compareAndSet(false, true)) {
      log.warn(
          "{} failed, retrying with backoff until the store answers: {}", what, rootMessage(e));
    } else {
      log.debug("{} failed again", what, e);
    }
  }

  void succeeded() {
    if (down.compareAndSet(true, false)) {
      log.info("{} works again", what);
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t == e
        ? String.valueOf(e.getMessage())
        : e.getMessage() + " (" + t.getClass().getSimpleName() + ": " + t.getMessage() + ")";
  }
}
