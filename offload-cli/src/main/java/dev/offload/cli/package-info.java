/**
 * The {@code offload} command: {@code migrate}, {@code worker}, {@code serve}, {@code enqueue},
 * {@code status}, {@code jobs}, {@code dead}, {@code retry}, {@code cancel}, {@code delete} and
 * {@code demo}, built on picocli and run from {@code offload-cli/target/offload.jar} (the shaded
 * jar behind {@code bin/offload}).
 *
 * <p>Mechanism: {@link dev.offload.cli.Main} builds the picocli tree on a {@code Context} (streams,
 * zone, how a worker is told to stop), so tests run the real command in-process. Each command opens
 * the store named by {@code --store} ({@code StoreUrl}), builds an {@link dev.offload.Offload} with
 * the kinds of the plugins on the class path (the demo's) and in {@code --plugins} jars ({@code
 * Plugins}, found with {@link java.util.ServiceLoader}), and closes it when done; only {@code
 * worker} calls {@code start()}. Everything typed (JSON args, durations, times, ids) is checked
 * before the store is touched. {@code demo} parses its options and hands over to {@code
 * offload-demo}'s {@link dev.offload.demo.Demo}.
 *
 * <p>Errors: {@code Errors} turns any failure into one line on stderr, {@code offload: ...}, with
 * exit code 1 (failure: store unreachable, job not found, unknown kind) or 2 (bad usage); the stack
 * trace follows only with {@code --verbose}. Logs (slf4j-simple) go to stderr too, so stdout holds
 * only what the command prints.
 */
package dev.offload.cli;
