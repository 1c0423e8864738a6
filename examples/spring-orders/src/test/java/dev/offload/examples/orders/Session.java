package dev.offload.examples.orders;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A signed-in visitor over real HTTP: its own cookies, a form login as a browser does it, and form
 * posts that carry the page's CSRF token. Redirects are not followed, so tests see them.
 */
final class Session {
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

  private final HttpClient client;
  private final String base;

  private Session(int port) {
    this.base = "http://127.0.0.1:" + port;
    this.client =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /** A visitor who has not signed in. */
  static Session anonymous(int port) {
    return new Session(port);
  }

  /** A visitor signed in through the login form; the password is the user's name. */
  static Session signedIn(int port, String user) throws IOException, InterruptedException {
    Session s = new Session(port);
    HttpResponse<String> login =
        s.post("/login", "username=" + user + "&password=" + user, "/login");
    if (login.statusCode() != 302
        || login.headers().firstValue("Location").orElse("").contains("error")) {
      throw new IllegalStateException("login as " + user + " failed: " + login.statusCode());
    }
    return s;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Posts a form to {@code path} with the CSRF token of the page at {@code formPage}. */
  HttpResponse<String> post(String path, String form, String formPage)
      throws IOException, InterruptedException {
    Matcher m = CSRF.matcher(get(formPage).body());
    if (!m.find()) {
      throw new IllegalStateException("no CSRF token on " + formPage);
    }
    String body = form + "&_csrf=" + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8);
    return client.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
