package dev.offload.engine;

/**
 * Text written for people (error messages, stack traces, progress messages, stage names) made
 * storable everywhere: PostgreSQL cannot hold U+0000 in text or JSON, so it becomes U+FFFD (the
 * replacement character). Results and checkpoints are data and are never altered.
 */
final class HumanText {
  private HumanText() {}

  static String storable(String text) {
    return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
  }
}
