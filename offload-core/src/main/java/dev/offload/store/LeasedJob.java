package dev.offload.store;

/** A running job named by its id and the claim token of its attempt. */
public record LeasedJob(long id, long token) {}
