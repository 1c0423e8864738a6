package dev.offload.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of a process by thread name, from {@code /proc/PID/task/TID/stat} (Linux; empty
 * elsewhere). Thread names lose a trailing number ({@code GC Thread#3} counts as {@code GC
 * Thread}), so a pool's threads add up to one line.
 */
final class ThreadCpu {
  private ThreadCpu() {}

  /** Milliseconds of user plus system time by thread name, of the threads alive now. */
  static Map<String, Long> of(String pid) {
    Map<String, Long> byName = new TreeMap<>();
    Path tasks = Path.of("/proc", pid, "task");
    if (!Files.isDirectory(tasks)) {
      return byName;
    }
    try (Stream<Path> all = Files.list(tasks)) {
      all.forEach(t -> {
        try {
          String stat = Files.readString(t.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String name = stat.substring(open + 1, close).replaceAll("#?[0-9]+$", "");
          // After ")": state is field 3; utime and stime are fields 14 and 15.
          String[] f = stat.substring(close + 2).split(" ");
          long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
          byName.merge(name, ticks * 10, Long::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      });
    } catch (IOException e) {
      return byName;
    }
    return byName;
  }

  /** {@code after} minus {@code before}, by name, leaving out what did not move. */
  static Map<String, Long> since(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> d = new TreeMap<>();
    after.forEach((k, v) -> {
      long diff = v - before.getOrDefault(k, 0L);
      if (diff > 0) {
        d.put(k, diff);
      }
    });
    return d;
  }
}
