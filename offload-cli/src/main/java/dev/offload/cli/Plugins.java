package dev.offload.cli;

import dev.offload.Offload;
import dev.offload.OffloadPlugin;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job kinds a CLI node knows: every {@link OffloadPlugin} that {@link ServiceLoader} finds on
 * the class path (in {@code offload.jar}, the demo plugin with {@code demo.sleep}, {@code
 * demo.fail} and {@code demo.sync}) or in the {@code --plugins} jars (one class loader for all of
 * them, so a plugin may ship its libraries as further jars).
 *
 * <p>Keeps the plugins' class loader open until {@link #close()}: their handlers run from it.
 */
final class Plugins implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Plugins.class);

  private final List<OffloadPlugin> plugins;
  private final URLClassLoader loader;

  private Plugins(List<OffloadPlugin> plugins, URLClassLoader loader) {
    this.plugins = List.copyOf(plugins);
    this.loader = loader;
  }

  /**
   * Loads the plugins of {@code jars}.
   *
   * @throws CliError exit 2 when a jar is missing; exit 1 when a plugin cannot be loaded
   */
  static Plugins load(List<Path> jars) {
    List<URL> urls = new ArrayList<>();
    for (Path jar : jars) {
      if (!Files.isRegularFile(jar)) {
        throw CliError.usage("--plugins: no such jar " + jar);
      }
      try {
        urls.add(jar.toUri().toURL());
      } catch (MalformedURLException e) {
        throw CliError.usage("--plugins: cannot use " + jar + ": " + e.getMessage(), e);
      }
    }
    ClassLoader parent = Plugins.class.getClassLoader();
    URLClassLoader loader =
        urls.isEmpty() ? null : new URLClassLoader(urls.toArray(URL[]::new), parent);
    List<OffloadPlugin> plugins = new ArrayList<>();
    try {
      for (OffloadPlugin plugin :
          ServiceLoader.load(OffloadPlugin.class, loader != null ? loader : parent)) {
        if (loader != null && plugin.getClass().getClassLoader() == loader) {
          log.info("plugin {} from {}", plugin.getClass().getName(), origin(plugin));
        } else {
          // The jar's own (the demo's kinds): present in every run, not news.
          log.debug("plugin {} from {}", plugin.getClass().getName(), origin(plugin));
        }
        plugins.add(plugin);
      }
    } catch (ServiceConfigurationError e) {
      closeQuietly(loader);
      throw CliError.failure("cannot load the plugins of " + jars + ": " + e.getMessage(), e);
    }
    return new Plugins(plugins, loader);
  }

  /** Lets every plugin register its kinds (and queues) on {@code builder}. */
  void configure(Offload.Builder builder) {
    for (OffloadPlugin plugin : plugins) {
      try {
        plugin.configure(builder);
      } catch (RuntimeException e) {
        throw CliError.failure(
            "plugin "
                + plugin.getClass().getName()
                + " ("
                + origin(plugin)
                + ") failed to configure: "
                + e.getMessage(),
            e);
      }
    }
  }

  private static String origin(OffloadPlugin plugin) {
    CodeSource source = plugin.getClass().getProtectionDomain().getCodeSource();
    return source == null || source.getLocation() == null
        ? "the class path"
        : source.getLocation().getPath();
  }

  @Override
  public void close() {
    closeQuietly(loader);
  }

  private static void closeQuietly(URLClassLoader loader) {
    if (loader == null) {
      return;
    }
    try {
      loader.close();
    } catch (IOException e) {
      log.debug("closing the plugin class loader failed", e);
    }
  }
}
