package dev.offload.postgres;

import dev.offload.EnqueueOptions;
import dev.offload.EnqueueOptions.Enqueued;
import dev.offload.Offload;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An enqueueing process for {@code FlowRateAndUniqueNodesTest}: prints "ready", then for each line
 * {@code ROUND UNIQUE_KEY UNIQUE_FOR_MS REPLACE DELAY_MS} on stdin enqueues 25 {@code flow.work}
 * jobs on queue {@code uq} with that unique key from 25 threads at once, and prints {@code ROUND
 * created|duplicate ID} per call and then {@code ROUND done}. Each job's {@code key} argument names
 * this process and the call, so a replaced job shows whose arguments it took.
 */
public final class UniqueEnqueuerMain {
  static final int CALLS = 25;

  public static void main(String[] argv) throws Exception {
    String url = argv[0];
    String name = argv[1];
    try (Offload offload =
            Offload.builder().store(PostgresStore.connect(url, CALLS)).migrate(false).build();
        ExecutorService pool = Executors.newFixedThreadPool(CALLS)) {
      System.out.println("ready");
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        String[] f = line.trim().split(" ");
        String round = f[0];
        String key = f[1];
        long uniqueForMs = Long.parseLong(f[2]);
        boolean replace = Boolean.parseBoolean(f[3]);
        long delayMs = Long.parseLong(f[4]);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Enqueued>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
          Map<String, Object> args = new HashMap<>();
          args.put("ms", 0);
          args.put("key", name + "-" + i);
          EnqueueOptions o = EnqueueOptions.none().allowUnknownKind().queue("uq").uniqueKey(key);
          if (delayMs > 0) {
            o = o.delay(Duration.ofMillis(delayMs));
          }
          if (uniqueForMs > 0) {
            o = o.uniqueFor(Duration.ofMillis(uniqueForMs));
          }
          if (replace) {
            o = o.onDuplicateReplace();
          }
          EnqueueOptions options = o;
          calls.add(
              pool.submit(() -> {
                go.await();
                return offload.enqueueOrFind("flow.work", args, options);
              }));
        }
        go.countDown();
        StringBuilder out = new StringBuilder();
        for (Future<Enqueued> call : calls) {
          Enqueued e = call.get();
          out.append(round)
              .append(e.duplicate() ? " duplicate " : " created ")
              .append(e.id().value())
              .append('\n');
        }
        System.out.print(out.append(round).append(" done\n"));
        System.out.flush();
      }
    }
  }
}
