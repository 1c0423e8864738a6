/**
 * The SQLite store: Offload's embedded default, all state in one file.
 *
 * <p>Mechanism: per {@link dev.offload.sqlite.SqliteStore}, one writing connection shared by the
 * threads of the JVM in turn, and two read-only connections (each taken by one thread at a time)
 * for the store's reads. The file runs in write-ahead-log mode, so a read, which runs in a read
 * transaction of its own and sees everything committed before it began, neither waits for the
 * writer nor holds it up. Every write is a {@code BEGIN IMMEDIATE} transaction, which takes
 * SQLite's single write lock before reading; that is what makes a claim safe without {@code SKIP
 * LOCKED}: two claimers never see the same runnable rows.
 *
 * <p>Limits:
 *
 * <ul>
 *   <li>One writer at a time, across all threads and processes on the file. Claims, completions and
 *       inserts queue behind each other; each takes well under a millisecond, so this is rarely the
 *       bottleneck of one machine, but it caps throughput below PostgreSQL's.
 *   <li>Several processes may share the file (on a local disk; not on a network file system, where
 *       SQLite's locks are unreliable). A process waiting for the write lock waits up to the busy
 *       timeout of 5 s, and the store retries a still-busy transaction three times before it fails
 *       with an {@link dev.offload.OffloadException}.
 *   <li>Wake-ups are in-process only ({@code supportsListenNotify()} is false): workers in other
 *       processes find new jobs when they next poll. Jobs inserted on the caller's connection wake
 *       no one, in any process, because the store does not see the commit. A cancellation requested
 *       in another process reaches the running job's node with its next heartbeat.
 *   <li>A caller's connection for {@code jobInsertMany(Connection, …)} should set a busy timeout
 *       and, if its transaction reads before it writes, open with {@code
 *       transaction_mode=IMMEDIATE}: a deferred transaction that read first fails with {@code
 *       SQLITE_BUSY} at once when another connection wrote in between.
 *   <li>Times are stored as epoch milliseconds: instants lose anything finer on the way in.
 *   <li>Leases (claim, heartbeat, rescue) are measured on this machine's clock, not on the engine's
 *       injectable one: every process sharing the file reads the same clock.
 * </ul>
 */
package dev.offload.sqlite;
