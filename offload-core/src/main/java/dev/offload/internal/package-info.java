/**
 * Code that Offload's own modules share and users must not: the one Jackson configuration ({@code
 * Json}). Exported only to Offload's stores, server and command line; its members may change in any
 * version.
 */
package dev.offload.internal;
