package dev.offload.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code target/results.json}: one array holding the comparison's rows (no {@code scenario}) and
 * the rows of every other series, each with its {@code scenario}. A run replaces the rows of the
 * scenarios it measured and keeps the rest, so runs with different flags add up in one file (a
 * later {@code --nodes} run keeps an earlier comparison; a later comparison keeps the node rows).
 */
final class Results {
  static final String FILE = "results.json";

  private Results() {}

  /**
   * The first fields of a row of Offload on PostgreSQL in {@code scenario}, shaped like the
   * comparison's rows.
   */
  static Map<String, Object> row(String scenario, long jobs, int threads) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("scenario", scenario);
    row.put("system", "offload");
    row.put("store", "postgres");
    row.put("jobs", jobs);
    row.put("threads", threads);
    return row;
  }

  /** Merges {@code rows} into {@code target/results.json} and says so on stdout. */
  static void write(Path target, List<Map<String, Object>> rows) throws IOException {
    Path file = target.resolve(FILE);
    Files.writeString(file, Main.JSON.writeValueAsString(merged(read(target), rows)));
    System.out.println("\nWrote " + rows.size() + " row(s) into " + file);
  }

  /**
   * {@code old} without the rows whose scenario (null for the comparison) is among those of {@code
   * rows}, then {@code rows}.
   */
  static List<Map<String, Object>> merged(
      List<Map<String, Object>> old, List<Map<String, Object>> rows) {
    Set<Object> replaced = new HashSet<>();
    rows.forEach(r -> replaced.add(Objects.requireNonNullElse(r.get("scenario"), "")));
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> r : old) {
      if (!replaced.contains(Objects.requireNonNullElse(r.get("scenario"), ""))) {
        out.add(r);
      }
    }
    out.addAll(rows);
    return out;
  }

  /** The rows of {@code target/results.json}; none when it does not exist or does not parse. */
  static List<Map<String, Object>> read(Path target) {
    Path file = target.resolve(FILE);
    if (!Files.exists(file)) {
      return new ArrayList<>();
    }
    try {
      return new ArrayList<>(
          Main.JSON.readValue(file.toFile(), new TypeReference<List<Map<String, Object>>>() {}));
    } catch (IOException | RuntimeException e) {
      System.err.println("bench: ignoring unreadable " + file + ": " + e.getMessage());
      return new ArrayList<>();
    }
  }
}
