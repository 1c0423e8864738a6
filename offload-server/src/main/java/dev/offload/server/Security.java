package dev.offload.server;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Who may call the API.
 *
 * <p>With a token, every {@code /api} request must carry {@code Authorization: Bearer <token>}; the
 * two event streams also take {@code ?access_token=} because a browser's {@code EventSource} cannot
 * send headers. The token is compared in constant time. A browser never attaches the header by
 * itself, so a token also defeats cross-site request forgery.
 *
 * <p>Without a token the server only listens on a loopback address (the builder refuses anything
 * else), and two more checks keep web pages the user visits from driving it: a request must name a
 * loopback host ({@code Host: localhost:8080}, which defeats DNS rebinding), and a state-changing
 * request from a browser must come from the dashboard's own origin ({@code Origin} equal to the
 * host), which defeats a cross-site form posting to {@code 127.0.0.1}.
 */
final class Security {
  private final byte[] token;
  private final boolean container;

  Security(String token) {
    this(token, /* container= */ false);
  }

  /**
   * With {@code container} true the API is mounted in another servlet container (the Spring Boot
   * starter), whose own security decides who gets in: no Host guard and no token. The origin check
   * stays: a page on another site must not drive the API with the signed-in user's cookies, which
   * lets the application exempt these JSON routes from its own CSRF tokens.
   */
  Security(String token, boolean container) {
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    this.container = container;
  }

  boolean hasToken() {
    return token != null;
  }

  /** Before every request: the loopback checks when there is no token. */
  void checkOrigin(Context ctx) {
    if (token != null) {
      return;
    }
    String host = ctx.header("Host");
    if (!container && host != null && !isLoopbackHost(host)) {
      throw new ApiException(
          403,
          "Host '"
              + host
              + "' is not a loopback name: this server has no token, so it answers"
              + " only to localhost, 127.0.0.1 and [::1]; start it with a token (--token) to reach it under another name");
    }
    HandlerType method = ctx.method();
    boolean safe =
        method == HandlerType.GET || method == HandlerType.HEAD || method == HandlerType.OPTIONS;
    String origin = ctx.header("Origin");
    if (!safe && origin != null && !sameOrigin(origin, host)) {
      throw new ApiException(
          403,
          "cross-origin request from "
              + origin
              + " refused: only the dashboard served here"
              + (container ? " may change jobs" : " may change jobs on a server without a token"));
    }
  }

  /** Before every {@code /api} request: the bearer token, when there is one. */
  void checkToken(Context ctx) {
    if (token == null) {
      return;
    }
    String given = null;
    String auth = ctx.header("Authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      given = auth.substring(7).trim();
    } else if (ctx.path().endsWith("/events")) {
      given = ctx.queryParam("access_token");
    }
    if (given == null || given.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"offload\"");
      throw new ApiException(
          401,
          "this server requires a token: send 'Authorization: Bearer <token>'"
              + " (the token given to offload serve with --token or OFFLOAD_TOKEN)");
    }
    if (!MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"offload\", error=\"invalid_token\"");
      throw new ApiException(401, "the bearer token is wrong");
    }
  }

  static boolean isLoopbackHost(String hostHeader) {
    String h = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end > 0 && h.substring(1, end).equals("::1");
    }
    int colon = h.lastIndexOf(':');
    if (colon >= 0) {
      h = h.substring(0, colon);
    }
    return h.equals("localhost") || h.endsWith(".localhost") || h.matches("127(\\.\\d{1,3}){3}");
  }

  private static boolean sameOrigin(String origin, String host) {
    if (host == null) {
      return false;
    }
    try {
      String authority = URI.create(origin).getRawAuthority();
      return authority != null && authority.equalsIgnoreCase(host.trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
