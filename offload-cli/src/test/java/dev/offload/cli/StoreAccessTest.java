package dev.offload.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How commands open a store: read commands never create or migrate one, a store that cannot be
 * reached is reported quickly with its host and port, and no output ever holds a password.
 */
class StoreAccessTest {
  private static final String SECRET = "hunter2";

  @TempDir Path dir;

  @Test
  void passwordNeverAppearsInAnyOutputVerboseIncluded() {
    List<String> urls =
        List.of(
            "postgresql://bob:" + SECRET + "@127.0.0.1:1/x",
            "jdbc:postgresql://127.0.0.1:1/x?user=bob&password=" + SECRET,
            "postgresql://bob:" + SECRET + "@exa mple/x",
            "postgresql://bob:" + SECRET + "@[bad/x",
            "postgresql://bob:" + SECRET + "%zz@host/x",
            "mysql://bob:" + SECRET + "@host/x");
    for (String url : urls) {
      for (String command : List.of("status", "jobs", "enqueue")) {
        List<String> args = new java.util.ArrayList<>(List.of("--verbose", command));
        args.addAll(
            command.equals("status")
                ? List.of("1")
                : command.equals("enqueue") ? List.of("demo.sleep") : List.of());
        args.addAll(List.of("--store", url));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.toString()).isNotZero();
        assertThat(r.out() + r.err()).as(r.toString()).doesNotContain(SECRET).contains("bob");
      }
    }
  }

  @Test
  void demoHeaderAndHintsShowTheStoreWithoutItsPassword() {
    StoreUrl url = StoreUrl.parse("postgresql://bob:" + SECRET + "@db.local:5432/app");
    assertThat(url.display()).isEqualTo("postgresql://bob@db.local:5432/app");
    assertThat(StoreUrl.parse("sqlite:offload.db").display()).isEqualTo("sqlite:offload.db");
  }

  @Test
  void readCommandsOnAMissingFileExitOneWithAHintAndCreateNothing() {
    Path typo = dir.resolve("typo/ofload.db");
    for (String[] command :
        new String[][] {{"status", "1"}, {"jobs"}, {"dead"}, {"retry", "1"}, {"cancel", "1"}}) {
      List<String> args = new java.util.ArrayList<>(List.of(command));
      args.add("--store=sqlite:" + typo);
      Cli.Result r = Cli.run(args.toArray(String[]::new));
      assertThat(r.code()).as(r.toString()).isEqualTo(1);
      assertThat(r.err().lines())
          .as(r.toString())
          .singleElement()
          .asString()
          .startsWith("offload: no store at sqlite:" + typo + ": the file does not exist")
          .contains("'offload migrate --store sqlite:" + typo + "' creates it");
    }
    assertThat(dir.resolve("typo")).doesNotExist();
  }

  @Test
  void readCommandsOnAnUnmigratedFileSayToMigrateAndMigrateNothing() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.db"));

    Cli.Result r = Cli.run("jobs", "--store=sqlite:" + empty);

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "offload: sqlite:"
                + empty
                + " holds no Offload schema: run 'offload migrate' with the same --store to create it\n");
    assertThat(Files.size(empty)).isZero();

    assertThat(Cli.run("migrate", "--store=sqlite:" + empty).code()).isZero();
    Cli.Result after = Cli.run("jobs", "--store=sqlite:" + empty);
    assertThat(after.code()).as(after.toString()).isZero();
    assertThat(after.out()).isEqualTo("no jobs\n");
  }

  @Test
  void writeCommandsStillCreateAndMigrateTheStore() {
    Path fresh = dir.resolve("new/offload.db");

    Cli.Result r = Cli.run("enqueue", "demo.sleep", "--store=sqlite:" + fresh);

    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(Cli.run("status", r.out().strip(), "--store=sqlite:" + fresh).code()).isZero();
  }

  /**
   * A socket that listens (the kernel completes the handshake) but is never accepted: a silent
   * server.
   */
  @Test
  void silentPostgresIsReportedQuicklyWithItsHostAndPortAndNoPassword() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = silent.getLocalPort();
      Instant start = Instant.now();

      Cli.Result r =
          Cli.run(
              "status", "1", "--store", "postgresql://bob:" + SECRET + "@127.0.0.1:" + port + "/x");

      assertThat(Duration.between(start, Instant.now()))
          .as("hang guard")
          .isLessThan(Duration.ofSeconds(10));
      assertThat(r.code()).as(r.toString()).isEqualTo(1);
      assertThat(r.err().lines())
          .as(r.toString())
          .singleElement()
          .asString()
          .startsWith(
              "offload: cannot reach postgresql://127.0.0.1:"
                  + port
                  + "/x?user=bob (schema offload): ")
          .contains("the server did not answer in time")
          .doesNotContain(SECRET);
    }
  }
}
