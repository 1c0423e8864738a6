package dev.offload.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.offload.EnqueueOptions;
import dev.offload.Job;
import dev.offload.Job.JobId;
import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.Schedule;
import dev.offload.Workflow.StepOptions;
import dev.offload.test.OffloadTest.Mode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

@OffloadTest(mode = Mode.MANUAL)
class ManualModeTest {
  record Note(String text) {}

  final List<String> ran = new CopyOnWriteArrayList<>();

  @OffloadSetup
  void handlers(Offload.Builder builder) {
    builder
        .register(
            "notes.print",
            Note.class,
            (args, ctx) -> {
              ran.add(args.text());
              return args.text().toUpperCase();
            })
        .schedule(
            "hourly-digest",
            Schedule.every(Duration.ofHours(1)),
            "notes.print",
            new Note("digest"));
  }

  @Test
  void jobsWaitUntilTheTestRunsThem(TestOffload offload) {
    JobId id = offload.enqueue("notes.print", new Note("a"));
    assertThat(offload.job(id).state()).isEqualTo(JobState.AVAILABLE);
    assertThat(ran).isEmpty();
    assertThat(offload.drain()).isEqualTo(1);
    assertThat(offload.job(id).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(offload.job(id).result().asText()).isEqualTo("A");
  }

  @Test
  void runNextRunsOneJobInPriorityOrder(TestOffload offload) {
    offload.enqueue("notes.print", new Note("later"), EnqueueOptions.none().priority(9));
    offload.enqueue("notes.print", new Note("first"), EnqueueOptions.none().priority(0));
    Job next = offload.runNext().orElseThrow();
    assertThat(next.args().get("text").asText()).isEqualTo("first");
    assertThat(next.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(ran).containsExactly("first");
    assertThat(offload.runNext()).isPresent();
    assertThat(offload.runNext()).isEmpty();
    assertThat(ran).containsExactly("first", "later");
  }

  @Test
  void jobsOfOtherQueuesRunToo(TestOffload offload) {
    offload.enqueue("notes.print", new Note("elsewhere"), EnqueueOptions.none().queue("reports"));
    assertThat(offload.drain()).isEqualTo(1);
    assertThat(ran).containsExactly("elsewhere");
  }

  @Test
  void aScheduleFiresWhenTheClockReachesItsTick(TestOffload offload) {
    offload.drain();
    int before = offload.jobs("notes.print").size();
    offload.clock().advance(Duration.ofHours(1));
    assertThat(offload.drain()).isEqualTo(1);
    assertThat(offload.jobs("notes.print")).hasSize(before + 1);
    assertThat(ran).contains("digest");
  }

  @Test
  void drainRunsWorkflowStepsAsTheirDependenciesEnd(TestOffload offload) {
    offload
        .offload()
        .workflow("month-end")
        .step("sync", "notes.print", new Note("sync"))
        .step("report", "notes.print", new Note("report"), StepOptions.after("sync"))
        .enqueue();
    assertThat(offload.drain()).isEqualTo(2);
    assertThat(ran).containsExactly("sync", "report");
  }

  @Test
  void theClockIsTheOffloadsClock(TestOffload offload) {
    JobId id = offload.enqueue("notes.print", new Note("x"));
    assertThat(offload.job(id).createdAt()).isEqualTo(offload.clock().instant());
    offload.clock().advance(Duration.ofMinutes(3));
    offload.drain();
    assertThat(offload.job(id).finishedAt()).isEqualTo(offload.clock().instant());
  }
}
