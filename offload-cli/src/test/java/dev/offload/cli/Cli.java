package dev.offload.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;

/** Runs {@link Main} in this JVM with captured streams, and workers on threads that tests stop. */
final class Cli {
  private Cli() {}

  /** What one run printed and returned. */
  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  static Result run(String... args) {
    return runWithInput("", args);
  }

  static Result runWithInput(String stdin, String... args) {
    Streams s = new Streams(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    int code =
        Main.run(
            s.context(stop -> {
              throw new AssertionError("only a worker waits for a stop; use Cli.startWorker");
            }),
            args);
    return new Result(code, s.out(), s.err());
  }

  /**
   * Starts {@code offload worker args...} on a thread; {@link Worker#stop()} ends it like SIGTERM
   * would.
   */
  static Worker startWorker(String... args) {
    Worker w = new Worker();
    w.thread =
        Thread.ofPlatform()
            .name("cli-worker")
            .start(() -> w.code = Main.run(w.streams.context(w::awaitStop), args));
    return w;
  }

  static final class Worker implements StopTrigger {
    private final Streams streams = new Streams(InputStream.nullInputStream());
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private Thread thread;
    private volatile int code = -1;

    @Override
    public void awaitStop(Runnable stop) throws InterruptedException {
      stopRequested.await();
      stop.run();
    }

    String out() {
      return streams.out();
    }

    String err() {
      return streams.err();
    }

    boolean isRunning() {
      return thread.isAlive();
    }

    /** Asks the worker to stop, waits until it has, and returns its result. */
    Result stop() throws InterruptedException {
      stopRequested.countDown();
      thread.join(30_000);
      if (thread.isAlive()) {
        throw new AssertionError("the worker did not stop within 30 s\n" + out() + err());
      }
      return new Result(code, out(), err());
    }
  }

  private static final class Streams {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final InputStream in;

    Streams(InputStream in) {
      this.in = in;
    }

    Context context(StopTrigger stop) {
      return new Context(
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8),
          in,
          ZoneOffset.UTC,
          stop);
    }

    String out() {
      return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
      return err.toString(StandardCharsets.UTF_8);
    }
  }
}
