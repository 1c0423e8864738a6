package dev.offload.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.Offload.NodeHealth;
import dev.offload.spring.OrdersApp.SyncArgs;
import dev.offload.test.OffloadTest.Mode;
import dev.offload.test.TestClock;
import dev.offload.test.TestOffload;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * {@link AutoConfigureOffloadTest} in manual mode: the application's Offload is the test kit's,
 * with the handler beans and no workers; jobs wait for {@code drain()}.
 */
@SpringBootTest(classes = PlainApp.class, properties = "offload.test.mode=manual")
@AutoConfigureOffloadTest
class TestKitManualTest {
  @Autowired TestOffload testOffload;
  @Autowired Offload offload;
  @Autowired TestClock clock;

  @Test
  void theApplicationsOffloadIsTheTestKitsAndItsJobsWaitForDrain() {
    assertThat(testOffload.mode()).isEqualTo(Mode.MANUAL);
    assertThat(offload).isSameAs(testOffload.offload());
    assertThat(clock).isSameAs(testOffload.clock());
    assertThat(offload.health().workers()).isEqualTo(NodeHealth.Workers.OFF);
    testOffload.assertNothingEnqueued();

    JobId id = offload.enqueue("orders.sync", new SyncArgs("acme", 3));
    testOffload.assertEnqueued("orders.sync", new SyncArgs("acme", 3));
    assertThat(testOffload.job(id).state()).isEqualTo(JobState.AVAILABLE);
    assertThat(testOffload.job(id).queue()).isEqualTo("sync"); // from the bean's @OffloadJob

    assertThat(testOffload.drain()).isEqualTo(1);
    Job done = testOffload.job(id);
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.result().get("imported").asInt()).isEqualTo(3);
  }

  @Test
  void eachTestMethodStartsWithoutTheJobsOfTheOthers() {
    testOffload.assertNothingEnqueued();
    offload.enqueue("orders.sync", new SyncArgs("globex", 1));
    assertThat(testOffload.<SyncArgs>enqueued("orders.sync"))
        .containsExactly(new SyncArgs("globex", 1));
  }
}
