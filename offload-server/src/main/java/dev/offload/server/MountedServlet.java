package dev.offload.server;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Javalin's servlet under a path mapping of another container ({@code /offload/*}): Javalin routes
 * on the request URI less the context path, so each request is shown to it with the servlet path
 * folded into the context path ({@code /offload}), and the routes stay {@code /api/jobs} and {@code
 * /}. The bare mapping ({@code /offload}) is redirected to {@code /offload/}, where the dashboard's
 * relative requests resolve below the mapping.
 */
final class MountedServlet extends HttpServlet {
  private final Servlet javalin;

  MountedServlet(Servlet javalin) {
    this.javalin = javalin;
  }

  @Override
  public void init(ServletConfig config) throws ServletException {
    super.init(config);
    javalin.init(config);
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse res)
      throws ServletException, IOException {
    String pathInfo = req.getPathInfo();
    if (pathInfo == null || pathInfo.isEmpty()) {
      String query = req.getQueryString();
      res.setStatus(HttpServletResponse.SC_MOVED_PERMANENTLY);
      res.setHeader(
          "Location",
          req.getContextPath() + req.getServletPath() + "/" + (query == null ? "" : "?" + query));
      return;
    }
    String base = req.getContextPath() + req.getServletPath();
    javalin.service(
        new HttpServletRequestWrapper(req) {
          @Override
          public String getContextPath() {
            return base;
          }

          @Override
          public String getServletPath() {
            return "";
          }
        },
        res);
  }

  @Override
  public void destroy() {
    javalin.destroy();
    super.destroy();
  }
}
