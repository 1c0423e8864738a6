package dev.offload.bench;

/** Walks a command line of {@code --name}, {@code --name value} and {@code --name=value}. */
final class CommandLine {
  private final String[] args;
  private int i = -1;
  private String name = "";
  private String inline;

  CommandLine(String... args) {
    this.args = args;
  }

  /** Moves to the next argument; false at the end. */
  boolean next() {
    if (++i >= args.length) {
      return false;
    }
    String a = args[i];
    int eq = a.indexOf('=');
    boolean withValue = a.startsWith("--") && eq > 0;
    name = withValue ? a.substring(0, eq) : a;
    inline = withValue ? a.substring(eq + 1) : null;
    return true;
  }

  /** The option's name, without an {@code =value}. */
  String name() {
    return name;
  }

  /** The option as given, for messages. */
  String given() {
    return args[i];
  }

  /** Whether the option came as {@code --name=value}. */
  boolean hasInlineValue() {
    return inline != null;
  }

  /** The option's value: after its {@code =}, else the next argument. */
  String value() {
    if (inline != null) {
      return inline;
    }
    if (++i >= args.length) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return args[i];
  }

  /** The value as a positive whole number ({@code 100_000} and {@code 100,000} too). */
  int positive() {
    return positive(name, value());
  }

  static int positive(String option, String value) {
    try {
      int n = Integer.parseInt(value.replace("_", "").replace(",", "").trim());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          option + " must be a positive whole number, got '" + value + "'");
    }
  }

  IllegalArgumentException unknown() {
    return new IllegalArgumentException("unknown option '" + given() + "' (see --help)");
  }
}
