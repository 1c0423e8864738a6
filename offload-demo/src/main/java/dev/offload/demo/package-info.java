/**
 * The demo as a plugin: the job kinds every {@code offload} node knows for trying Offload out
 * ({@link dev.offload.demo.DemoPlugin}: {@code demo.sleep}, {@code demo.fail}, {@code demo.sync}),
 * and the showcase that {@code offload demo} runs ({@link dev.offload.demo.Demo}): a simulated
 * upstream API ({@code DemoUpstream}, an HTTP server on 127.0.0.1), the app's own database ({@code
 * DemoOrders}), the scene's job kinds ({@code DemoKinds}) and the terminal that follows them
 * ({@code DemoScreen}, {@code DemoRun}, {@code DemoSummary}).
 *
 * <p>Depends on the public API ({@code dev.offload}) and on {@code offload-server} for the
 * dashboard it serves; nothing depends on it except {@code offload-cli}, which puts it in {@code
 * offload.jar}. The ETA on its screen is the engine's ({@link dev.offload.Job.Progress#eta()}).
 */
package dev.offload.demo;
