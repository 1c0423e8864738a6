package dev.offload.server;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ids that tie a failure's answer to its log entry: the client sees the id, the operator finds the
 * cause (with SQL, URLs and the stack trace) in the log under it.
 */
final class ErrorIds {
  private static final Logger log = LoggerFactory.getLogger(OffloadServer.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private ErrorIds() {}

  /** A fresh id: 12 hex digits, unique enough to grep a log for. */
  static String next() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  static void log(String errorId, String request, Throwable cause) {
    log.error("error id {}: {} failed", errorId, request, cause);
  }
}
