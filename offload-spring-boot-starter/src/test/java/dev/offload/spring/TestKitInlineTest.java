package dev.offload.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.spring.OrdersApp.SyncArgs;
import dev.offload.test.OffloadTest.Mode;
import dev.offload.test.TestOffload;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** {@link AutoConfigureOffloadTest} by default: inline, so an enqueue has run when it returns. */
@SpringBootTest(classes = PlainApp.class)
@AutoConfigureOffloadTest
class TestKitInlineTest {
  @Autowired TestOffload testOffload;
  @Autowired Offload offload;

  @Test
  void anEnqueueRunsTheHandlerBeanBeforeItReturns() {
    assertThat(testOffload.mode()).isEqualTo(Mode.INLINE);
    JobId id = offload.enqueue("orders.sync", new SyncArgs("initech", 5));
    assertThat(offload.job(id).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    @SuppressWarnings("unchecked")
    Map<String, Object> result =
        testOffload.run("orders.sync", new SyncArgs("initech", 7), Map.class);
    assertThat(result).containsEntry("imported", 7);
  }
}
