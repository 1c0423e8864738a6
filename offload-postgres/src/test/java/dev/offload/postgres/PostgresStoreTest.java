package dev.offload.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.offload.Job.JobQuery;
import dev.offload.Job.JobState;
import dev.offload.store.Store;
import dev.offload.store.Store.ClaimedJob;
import dev.offload.testsupport.FreshDatabase;
import dev.offload.testsupport.StoreContract;
import dev.offload.testsupport.StoreFixtures;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store contract against real PostgreSQL, in a schema of this class's own. */
class PostgresStoreTest extends StoreContract {
  @RegisterExtension static final FreshDatabase db = FreshDatabase.postgres();

  @Override
  protected Store newStore() {
    return PostgresStore.connect(db.url(), 12);
  }

  @Override
  protected Connection openConnection() throws Exception {
    return db.connect();
  }

  @Override
  protected void truncate() throws Exception {
    db.truncateAll();
  }

  @Test
  void aJobJustInsertedIsClaimedAloneThoughOthersComeFirst() {
    // PostgreSQL looks the job up by its id rather than searching the queue (Store's default, and
    // SQLite's, claims as jobClaim would: the most urgent first).
    Instant now = Instant.now();
    long first = store.jobInsertMany(List.of(insert("k", "default", 0, now))).get(0);
    long inserted = store.jobInsertMany(List.of(insert("k", "default", 5, now))).get(0);
    assertThat(claimInserted("default", inserted))
        .extracting(ClaimedJob::id)
        .containsExactly(inserted);
    assertThat(store.jobGet(first).orElseThrow().state()).isEqualTo(JobState.AVAILABLE);
  }

  @Test
  void aJobAndItsClaimCommitTogetherOrNotAtAll() {
    // One statement: a claim that fails (a lease no interval can hold) takes its insert with it,
    // and the caller, told of the failure, finds nothing stored to enqueue twice.
    Store.JobInsert job = insert("k", "default", 0, Instant.now());
    Store.ClaimParams params =
        StoreFixtures.claim(
            "default", List.of("k"), 1, "n", 1, Instant.now(), Duration.ofMillis(Long.MAX_VALUE));
    assertThatThrownBy(() -> store.jobInsertThenClaim(job, params))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("inserting a job of kind 'k'");
    assertThat(store.jobList(JobQuery.all()).jobs()).isEmpty();
  }
}
