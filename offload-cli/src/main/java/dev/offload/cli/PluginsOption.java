package dev.offload.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --plugins a.jar,b.jar}: jars whose {@link dev.offload.OffloadPlugin}s add job kinds. */
final class PluginsOption {
  @Option(
      names = "--plugins",
      paramLabel = "JAR",
      split = ",",
      description =
          "Jars with OffloadPlugins (listed in META-INF/services/dev.offload.OffloadPlugin) that add job kinds.")
  List<Path> jars = List.of();

  /** The built-in kinds and those of the plugins in {@link #jars}. */
  Plugins load() {
    return Plugins.load(jars);
  }
}
