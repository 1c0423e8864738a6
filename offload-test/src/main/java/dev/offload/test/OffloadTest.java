package dev.offload.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives each test an {@link dev.offload.Offload} of its own, without workers, on a temporary SQLite
 * file (or a fresh PostgreSQL schema), with a {@link TestClock} that moves only when the test says.
 * Parameters of type {@link TestOffload}, {@code Offload} and {@link TestClock} are injected into
 * test, {@code @BeforeEach} and {@code @AfterEach} methods; handlers are registered by a method
 * annotated {@link OffloadSetup}.
 *
 * <pre>{@code
 * @OffloadTest(mode = Mode.MANUAL)
 * class SyncTest {
 *   @OffloadSetup
 *   void handlers(Offload.Builder builder) {
 *     builder.register("orders.sync", SyncArgs.class, new SyncOrders(fakeApi), JobOptions.defaults());
 *   }
 *
 *   @Test
 *   void syncIsRetriedAfterA500(TestOffload offload) {
 *     JobId id = offload.enqueue("orders.sync", new SyncArgs("acme"));
 *     offload.drain();                                   // the first attempt fails
 *     offload.clock().advance(Duration.ofMinutes(1));    // the retry is due
 *     offload.drain();
 *     assertEquals(JobState.SUCCEEDED, offload.job(id).state());
 *   }
 * }
 * }</pre>
 *
 * <p>On a method it overrides the class's settings for that test.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(OffloadExtension.class)
public @interface OffloadTest {
  /** {@return how enqueued jobs run; default {@link Mode#INLINE}} */
  Mode mode() default Mode.INLINE;

  /** {@return where jobs are stored; default a temporary SQLite file} */
  StoreType store() default StoreType.SQLITE;

  /** How enqueued jobs run in a test. */
  enum Mode {
    /**
     * An enqueue runs the job at once on the calling thread, before it returns, and with it every
     * other job that is due (its retries with an immediate policy, follow-ups and workflow steps it
     * releases); {@code runOrDefer} therefore answers {@code Finished}. Moving the clock runs what
     * became due. Jobs enqueued inside the caller's transaction run at the next enqueue, clock move
     * or {@link TestOffload#drain()}, since they exist only once it commits.
     */
    INLINE,
    /**
     * Jobs are stored and wait: {@link TestOffload#drain()} runs every due job, {@link
     * TestOffload#runNext()} one.
     */
    MANUAL,
    /** Nothing runs: jobs are only stored, for the assertions; running one is refused. */
    FAKE
  }

  /** The database behind a test's Offload. */
  enum StoreType {
    /** A SQLite file in a temporary directory, deleted after the test. */
    SQLITE,
    /**
     * A fresh schema on the PostgreSQL at {@code OFFLOAD_TEST_PG_URL} (default {@code
     * jdbc:postgresql://127.0.0.1:5432/test?user=postgres}), dropped after the test. Needs {@code
     * dev.offload:offload-postgres} on the test class path. When the server does not answer the
     * test is skipped, or fails under {@code CI=true}.
     */
    POSTGRES
  }
}
