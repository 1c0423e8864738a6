package dev.offload.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder between Offload and PostgreSQL that a test can cut: {@link #cut()} drops every
 * open connection and refuses new ones until {@link #restore()}. To the nodes behind it this is the
 * database going away, without disturbing anyone else using the same server. {@link
 * #blackHoleOpen()} instead keeps the open connections up but drops everything sent over them (a
 * half-open connection after a network fault), while new connections work.
 */
final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Set<Socket> blackHoled = ConcurrentHashMap.newKeySet();
  private volatile boolean down;

  TcpProxy(String targetHost, int targetPort) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    Thread.ofPlatform().daemon().name("tcp-proxy").start(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  void cut() {
    down = true;
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  /** From now on, bytes sent either way over the connections open now are dropped silently. */
  void blackHoleOpen() {
    blackHoled.addAll(open);
  }

  void restore() {
    down = false;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (down) {
          closeQuietly(client);
          continue;
        }
        Socket upstream = new Socket(targetHost, targetPort);
        open.add(client);
        open.add(upstream);
        pipe(client, upstream);
        pipe(upstream, client);
      } catch (IOException e) {
        if (server.isClosed()) {
          return;
        }
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread.ofVirtual()
        .start(() -> {
          byte[] buffer = new byte[16 * 1024];
          try (InputStream in = from.getInputStream();
              OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
              if (blackHoled.contains(from) || blackHoled.contains(to)) {
                continue;
              }
              out.write(buffer, 0, n);
              out.flush();
            }
          } catch (IOException e) {
            // a cut or a closed peer ends the pipe
          } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
          }
        });
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    cut();
    server.close();
  }
}
