package dev.offload.postgres;

import dev.offload.internal.Redact;
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
          "not a PostgreSQL URL: '"
              + Redact.url(text)
              + "' (expected postgresql://user@host:port/db or jdbc:postgresql://...)");
    }
    String schema = PostgresStore.DEFAULT_SCHEMA;
    int q = jdbc.indexOf('?');
    if (q >= 0) {
      for (String param : jdbc.substring(q + 1).split("&")) {
        int eq = param.indexOf('=');
        String key = eq < 0 ? param : param.substring(0, eq);
        if (key.equals("currentSchema") && eq >= 0) {
          String value = decode(param.substring(eq + 1), "currentSchema");
          if (!value.isBlank()) {
            schema = value.split(",")[0].trim();
          }
        }
      }
    }
    return new PgUrl(jdbc, schema, Redact.url(jdbc.substring("jdbc:".length())));
  }

  private static String fromLibpq(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "malformed PostgreSQL URL '" + Redact.url(text) + "': " + e.getReason());
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("PostgreSQL URL '" + Redact.url(text) + "' names no host");
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
        String password = decode(userInfo[1], "the password");
        jdbc.append(sep)
            .append("password=")
            .append(URLEncoder.encode(password, StandardCharsets.UTF_8));
      }
    }
    if (uri.getRawQuery() != null) {
      jdbc.append(sep).append(uri.getRawQuery());
    }
    return jdbc.toString();
  }

  /**
   * URL-decodes {@code value}; the error names {@code what}, never the value (it may be a
   * password).
   */
  private static String decode(String value, String what) {
    try {
      return URLDecoder.decode(value, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "malformed PostgreSQL URL: " + what + " holds a bad %-escape");
    }
  }
}
