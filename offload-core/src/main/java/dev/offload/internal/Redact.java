package dev.offload.internal;

import java.util.Locale;
import java.util.StringJoiner;

/**
 * The one place that makes a database URL safe to print: every message, description and header that
 * shows a store URL passes it through {@link #url}, so a password never reaches a terminal or a
 * log, malformed URLs included.
 */
public final class Redact {
  private Redact() {}

  /**
   * {@code text} without its passwords: the one in the user info ({@code scheme://user:pw@host}
   * becomes {@code scheme://user@host}) and every query parameter whose name ends in {@code
   * password} ({@code password}, {@code sslpassword}). Works on malformed URLs too: it never
   * parses, it only cuts, and when in doubt it cuts more.
   */
  public static String url(String text) {
    if (text == null) {
      return null;
    }
    String s = withoutUserPassword(text);
    int q = s.indexOf('?');
    if (q < 0) {
      return s;
    }
    StringJoiner params = new StringJoiner("&");
    for (String param : s.substring(q + 1).split("&", -1)) {
      int eq = param.indexOf('=');
      String key = (eq < 0 ? param : param.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
      if (!key.endsWith("password")) {
        params.add(param);
      }
    }
    String query = params.toString();
    return s.substring(0, q) + (query.isEmpty() ? "" : "?" + query);
  }

  /**
   * Drops {@code :password} between {@code ://} and the last {@code @} before the query. The last
   * {@code @}, because an unencoded password may itself hold {@code @}, {@code /} or {@code ?}.
   */
  private static String withoutUserPassword(String s) {
    int scheme = s.indexOf("://");
    if (scheme < 0) {
      return s;
    }
    int start = scheme + 3;
    int query = s.indexOf('?', start);
    int at = s.lastIndexOf('@', (query < 0 ? s.length() : query) - 1);
    if (at < start) {
      // A password holding '?' hides its '@' behind the "query"; a real query parameter
      // (user=name@tenant) has '=' before it.
      at = s.indexOf('@', start);
      if (at < 0 || s.substring(start, at).contains("=") || s.substring(start, at).contains("&")) {
        return s;
      }
    }
    int colon = s.indexOf(':', start);
    if (colon < 0 || colon > at) {
      return s;
    }
    return s.substring(0, colon) + s.substring(at);
  }
}
