package dev.offload.spring;

import dev.offload.Job.JobState;
import dev.offload.Offload;
import dev.offload.Offload.QueueStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code offload} actuator endpoint ({@code /actuator/offload} once exposed with {@code
 * management.endpoints.web.exposure.include=health,offload}): this node and the depth of every
 * queue per state, read from the store.
 */
@Endpoint(id = "offload")
public final class OffloadEndpoint {
  private final Offload offload;

  OffloadEndpoint(Offload offload) {
    this.offload = offload;
  }

  /** {@return this node's name and workers, and per queue: paused, jobs per state, claimed} */
  @ReadOperation
  public Map<String, Object> queues() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("node", offload.node());
    doc.put("workers", offload.health().workers().name().toLowerCase(java.util.Locale.ROOT));
    Map<String, Object> queues = new LinkedHashMap<>();
    for (QueueStats q : offload.queues()) {
      Map<String, Object> queue = new LinkedHashMap<>();
      queue.put("paused", q.paused());
      Map<String, Long> counts = new LinkedHashMap<>();
      for (JobState s : List.of(JobState.values())) {
        counts.put(s.wireName(), q.counts().getOrDefault(s, 0L));
      }
      queue.put("jobs", counts);
      queue.put("claimed", q.claimed());
      queues.put(q.name(), queue);
    }
    doc.put("queues", queues);
    return doc;
  }
}
