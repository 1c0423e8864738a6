package dev.offload.server;

import dev.offload.Offload;
import dev.offload.sqlite.SqliteStore;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A server over an existing SQLite file, without workers, in a JVM of its own: {@link
 * ListingMemoryTest} starts it with a small heap. Prints {@code PORT n} once listening, and stops
 * when its standard input closes.
 */
public final class ListingServerMain {
  private ListingServerMain() {}

  public static void main(String[] args) throws IOException {
    Offload offload = Offload.builder().store(SqliteStore.open(Path.of(args[0]))).build();
    OffloadServer server = OffloadServer.builder(offload).port(0).build().start();
    System.out.println("PORT " + server.port());
    System.out.flush();
    while (System.in.read() >= 0) {
      // runs until the test closes our input
    }
    server.stop();
    offload.close();
  }
}
