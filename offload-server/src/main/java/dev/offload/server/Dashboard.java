package dev.offload.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The dashboard's static files, read once from the jar ({@code dev/offload/server/dashboard/}):
 * plain HTML, CSS and JavaScript without a build step. They hold no job data; the script reads it
 * from the API and inserts it as text only. The Content-Security-Policy allows scripts and styles
 * from this origin only, so even an injection bug could not run a script.
 */
final class Dashboard {
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private record Asset(byte[] bytes, String contentType) {}

  private final Map<String, Asset> assets;

  Dashboard() {
    assets =
        Map.of(
            "index.html",
            load("index.html", "text/html; charset=utf-8"),
            "app.js",
            load("app.js", "text/javascript; charset=utf-8"),
            "app.css",
            load("app.css", "text/css; charset=utf-8"),
            "favicon.svg",
            load("favicon.svg", "image/svg+xml"),
            COMPONENT,
            load("/dev/offload/server/component/" + COMPONENT, "text/javascript; charset=utf-8"));
  }

  /**
   * The {@code <offload-progress>} element for the application's own pages (not the dashboard's):
   * any origin may load it, as a classic script needs no CORS, and it holds no data.
   */
  static final String COMPONENT = "offload-progress.js";

  private static Asset load(String name, String contentType) {
    String path = name.startsWith("/") ? name : "/dev/offload/server/dashboard/" + name;
    try (InputStream in = Dashboard.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("dashboard file " + path + " is missing from the jar");
      }
      return new Asset(in.readAllBytes(), contentType);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void serve(Context ctx, String name) {
    Asset a = assets.get(name);
    if (name.equals(COMPONENT)) {
      ctx.header("Access-Control-Allow-Origin", "*");
    }
    ctx.status(200)
        .contentType(a.contentType())
        .header("Content-Security-Policy", CSP)
        .header("X-Frame-Options", "DENY")
        .header("Referrer-Policy", "no-referrer")
        // Served from the jar: a new version must show at once, so always revalidate.
        .header("Cache-Control", "no-cache")
        .result(a.bytes());
  }
}
