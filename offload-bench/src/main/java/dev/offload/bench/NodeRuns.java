package dev.offload.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runs the worker processes of {@code --nodes} made: each writes the job id and the time (epoch
 * nanoseconds) of every handler run to a file; the parent reads them all and checks that no job ran
 * twice.
 */
final class NodeRuns {
  final long[] ids;
  final long[] epochNanos;

  NodeRuns(long[] ids, long[] epochNanos) {
    this.ids = ids;
    this.epochNanos = epochNanos;
  }

  static void write(Path file, long[] ids, long[] epochNanos) throws IOException {
    try (DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(ids.length);
      for (int i = 0; i < ids.length; i++) {
        out.writeLong(ids[i]);
        out.writeLong(epochNanos[i]);
      }
    }
  }

  /** All the runs in {@code files}, one after the other. */
  static NodeRuns read(List<Path> files) throws IOException {
    long[] ids = new long[0];
    long[] times = new long[0];
    for (Path file : files) {
      try (DataInputStream in =
          new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
        int n = in.readInt();
        int from = ids.length;
        ids = Arrays.copyOf(ids, from + n);
        times = Arrays.copyOf(times, from + n);
        for (int i = from; i < from + n; i++) {
          ids[i] = in.readLong();
          times[i] = in.readLong();
        }
      }
    }
    return new NodeRuns(ids, times);
  }

  /** The ids that ran more than once, with how often (in id order); empty when none did. */
  Map<Long, Integer> repeated() {
    long[] sorted = ids.clone();
    Arrays.sort(sorted);
    Map<Long, Integer> out = new LinkedHashMap<>();
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i] == sorted[i - 1]) {
        out.merge(sorted[i], 2, (a, b) -> a + 1);
      }
    }
    return out;
  }

  /** How many runs were of jobs with an id above {@code id}. */
  int countAbove(long id) {
    return (int) Arrays.stream(ids).filter(x -> x > id).count();
  }

  /**
   * The steady rate ({@link Stats#steadyPerSec}) of the runs of jobs with an id above {@code id}.
   */
  double steadyPerSecAbove(long id) {
    long[] t = new long[ids.length];
    int n = 0;
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] > id) {
        t[n++] = epochNanos[i];
      }
    }
    return Stats.steadyPerSec(Arrays.copyOf(t, n));
  }
}
