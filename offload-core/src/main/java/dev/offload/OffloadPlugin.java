package dev.offload;

/**
 * Adds job kinds to a worker started from the {@code offload} command. Implementations are found
 * with {@link java.util.ServiceLoader} in the jars given to {@code --plugins}: list the class in
 * {@code META-INF/services/dev.offload.OffloadPlugin}.
 */
public interface OffloadPlugin {
  /**
   * Registers this plugin's handlers (and, if it wants, queues) on the builder.
   *
   * @param builder the builder of the worker's {@link Offload}
   */
  void configure(Offload.Builder builder);
}
