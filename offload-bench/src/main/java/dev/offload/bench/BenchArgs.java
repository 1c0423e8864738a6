package dev.offload.bench;

/** Offload's job args: {@link BenchJobs#DRAIN} or the enqueue-time {@code System.nanoTime()}. */
public record BenchArgs(long t) {}
