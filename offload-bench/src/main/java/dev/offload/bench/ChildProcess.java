package dev.offload.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link Child} JVM: started with {@code key=value} arguments, its stderr in {@code
 * target/bench-logs/NAME.log}; its stdout lines are read on a thread of their own. A child prints
 * {@code READY} when it waits for the parent, {@code RESULT {json}} with its figures at the end,
 * and may print other lines the parent follows ({@link #onLine}); the parent can write lines to it
 * ({@link #send}).
 */
final class ChildProcess {
  private final String name;
  private final Path log;
  private final Process process;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private volatile Consumer<String> listener = line -> {};
  private final Thread reader;
  private volatile String result;

  private ChildProcess(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
    this.reader = Thread.ofPlatform().daemon().name("child-" + name).start(this::read);
  }

  static ChildProcess start(Path target, String name, String javaOpts, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(javaOpts.split("\\s+")));
    cmd.addAll(
        List.of(
            "--enable-native-access=ALL-UNNAMED",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp",
            System.getProperty("java.class.path"),
            Child.class.getName()));
    cmd.addAll(List.of(args));
    Path log = target.resolve("bench-logs").resolve(name + ".log");
    Files.createDirectories(log.getParent());
    return new ChildProcess(name, log, new ProcessBuilder(cmd).redirectError(log.toFile()).start());
  }

  private void read() {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        if (line.startsWith("RESULT ")) {
          result = line.substring(7);
        } else {
          listener.accept(line);
        }
        lines.add(line);
      }
    } catch (IOException e) {
      // the process ended; result() reports what is missing
    }
  }

  /** Calls {@code listener} with each later stdout line other than RESULT. */
  ChildProcess onLine(Consumer<String> listener) {
    this.listener = listener;
    return this;
  }

  /** Waits until the child prints {@code line}; fails if it ends first or takes {@code max}. */
  void await(String line, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      String next = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line.equals(next)) {
        return;
      }
      if (next == null && !process.isAlive() && lines.isEmpty()) {
        throw failed("ended before printing " + line);
      }
      if (System.nanoTime() > deadline) {
        throw failed("did not print " + line + " within " + max.toSeconds() + " s");
      }
    }
  }

  /** Writes {@code line} to the child's stdin. */
  void send(String line) throws IOException {
    Writer in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    in.write(line + "\n");
    in.flush();
  }

  /** Waits for the child to end and returns its RESULT; fails with its log's tail without one. */
  @SuppressWarnings("unchecked")
  Map<String, Object> result() throws Exception {
    int exit = process.waitFor();
    reader.join(10_000); // it may still be on the last line
    if (result == null) {
      throw failed("failed (exit " + exit + ")");
    }
    return Main.JSON.readValue(result, LinkedHashMap.class);
  }

  void kill() {
    process.destroyForcibly();
  }

  private IllegalStateException failed(String what) throws IOException {
    List<String> tail = Files.exists(log) ? Files.readAllLines(log) : List.of();
    tail = tail.subList(Math.max(0, tail.size() - 30), tail.size());
    return new IllegalStateException(
        name + " " + what + ", see " + log + ":\n" + String.join("\n", tail));
  }
}
