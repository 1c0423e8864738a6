package dev.offload;

/**
 * A named part of a job with a weight: a job with stages fetch 1, import 4, verify 1 is 1/6 done
 * when fetch is over. Declare them with {@link JobContext#stages}.
 */
public record Stage(String name, double weight) {
  public Stage {
    if (name == null || name.isBlank() || name.length() > 100) {
      throw new IllegalArgumentException(
          "stage name must be 1-100 characters, got " + (name == null ? "null" : "'" + name + "'"));
    }
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException(
          "weight of stage '" + name + "' must be positive, got " + weight);
    }
  }

  public static Stage of(String name, double weight) {
    return new Stage(name, weight);
  }
}
