package dev.offload.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the figures were measured on: CPU, memory, JVM, PostgreSQL version and settings. */
final class Machine {
  static final String[] PG_SETTINGS = {
    "shared_buffers",
    "work_mem",
    "max_connections",
    "synchronous_commit",
    "fsync",
    "wal_level",
    "max_wal_size",
    "checkpoint_timeout",
    "shared_preload_libraries",
    "autovacuum"
  };

  private Machine() {}

  static Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("cpu", firstValue(Path.of("/proc/cpuinfo"), "model name"));
    String mem = firstValue(Path.of("/proc/meminfo"), "MemTotal");
    if (mem != null) {
      long kb = Long.parseLong(mem.replaceAll("[^0-9]", ""));
      m.put("memory", String.format("%.1f GiB", kb / 1024.0 / 1024.0));
    }
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put(
        "jvm",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    try (Connection c = Pg.connect(Pg.baseUrl());
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT version()")) {
        rs.next();
        m.put("postgresql", rs.getString(1).replaceAll(" on .*", ""));
      }
      Map<String, String> settings = new LinkedHashMap<>();
      for (String name : PG_SETTINGS) {
        try (ResultSet rs = s.executeQuery("SELECT current_setting('" + name + "')")) {
          rs.next();
          settings.put(name, rs.getString(1));
        }
      }
      m.put("postgresqlSettings", settings);
    } catch (Exception e) {
      m.put("postgresql", "unreachable at " + Pg.baseUrl() + ": " + e.getMessage());
    }
    return m;
  }

  private static String firstValue(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (Exception e) {
      // not Linux: leave it out
    }
    return null;
  }
}
