package dev.offload.postgres;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A PostgreSQL URL in either the libpq form ({@code postgresql://user:pw@host:port/db}) or the JDBC
 * form, turned into a JDBC URL, the schema to use, and a form safe to print (no password).
 */
record PgUrl(String jdbcUrl, String schema, String display) {

  static PgUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("PostgreSQL URL is empty");
    }
    String text = url.trim();
    String jdbc;
    if (text.startsWith("jdbc:postgresql://")) {
      jdbc = text;
    } else if (text.startsWith("postgresql://") || text.startsWith("postgres://")) {
      jdbc = fromLibpq(text);
    } else {
      throw new IllegalArgumentException(
          "not a PostgreSQL URL: '" + text + "' (expected postgresql://user@host:port/db or jdbc:postgresql://...)");
    }
    String schema = PostgresStore.DEFAULT_SCHEMA;
    StringBuilder display = new StringBuilder(jdbc.substring("jdbc:".length()));
    int q = jdbc.indexOf('?');
    if (q >= 0) {
      display.setLength(q - "jdbc:".length());
      String sep = "?";
      for (String param : jdbc.substring(q + 1).split("&")) {
        int eq = param.indexOf('=');
        String key = eq < 0 ? param : param.substring(0, eq);
        String value = eq < 0 ? "" : URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
        if (key.equals("currentSchema") && !value.isBlank()) {
          schema = value.split(",")[0].trim();
        }
        if (!key.equalsIgnoreCase("password")) {
          display.append(sep).append(param);
          sep = "&";
        }
      }
    }
    return new PgUrl(jdbc, schema, display.toString());
  }

  private static String fromLibpq(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("malformed PostgreSQL URL '" + text + "': " + e.getReason());
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("PostgreSQL URL '" + text + "' names no host");
    }
    StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(uri.getHost());
    if (uri.getPort() > 0) {
      jdbc.append(':').append(uri.getPort());
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    jdbc.append(path.isEmpty() ? "/" : path);
    String sep = "?";
    if (uri.getRawUserInfo() != null) {
      String[] userInfo = uri.getRawUserInfo().split(":", 2);
      jdbc.append(sep).append("user=").append(userInfo[0]);
      sep = "&";
      if (userInfo.length == 2) {
        String password = URLDecoder.decode(userInfo[1], StandardCharsets.UTF_8);
        jdbc.append(sep).append("password=").append(URLEncoder.encode(password, StandardCharsets.UTF_8));
      }
    }
    if (uri.getRawQuery() != null) {
      jdbc.append(sep).append(uri.getRawQuery());
    }
    return jdbc.toString();
  }
}
