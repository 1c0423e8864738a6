/**
 * Code that Offload's own modules share and users must not: the one Jackson configuration ({@code
 * Json}), and the base of a handler's view of an attempt ({@code AttemptContext}) that the engine
 * and the push receiver both extend. Exported only to Offload's stores, server, command line and
 * push receiver; its members may change in any version.
 */
package dev.offload.internal;
