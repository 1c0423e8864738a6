/**
 * The PostgreSQL store. Jobs are claimed with a {@code FOR UPDATE SKIP LOCKED} CTE on a partial
 * index of runnable rows, completed in batches with one {@code UPDATE ... FROM unnest(...)}, and
 * workers are woken by LISTEN/NOTIFY (one notification per queue per insert statement). The leader
 * holds a session advisory lock. Leases are written and compared with the database server's clock
 * ({@code now()}), so worker nodes whose clocks disagree still agree on whose lease expired.
 *
 * <p>Limits: a notification is best effort (workers still poll); the store holds two connections of
 * its own (listener, leader lock) beside those it borrows per statement; the schema name is limited
 * to lower-case identifiers.
 */
package dev.offload.postgres;
