package dev.offload.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The starter's jar carries configuration metadata for the {@code offload.*} properties, which IDEs
 * read to complete and document them: each with its description and default.
 */
class ConfigurationMetadataTest {
  @Test
  void everyOffloadPropertyHasADescriptionAndTheDocumentedDefault() throws Exception {
    JsonNode doc;
    try (InputStream in =
        getClass()
            .getClassLoader()
            .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("the annotation processor's metadata").isNotNull();
      doc = new ObjectMapper().readTree(in);
    }
    Map<String, JsonNode> byName = new HashMap<>();
    doc.get("properties").forEach(p -> byName.put(p.get("name").asText(), p));

    assertThat(byName)
        .containsKeys(
            "offload.datasource",
            "offload.store",
            "offload.schema",
            "offload.migrate",
            "offload.queues",
            "offload.worker.enabled",
            "offload.shutdown-grace",
            "offload.retention",
            "offload.dead-retention",
            "offload.progress-key",
            "offload.web.enabled",
            "offload.web.path");
    byName.forEach((name, p) -> {
      if (name.startsWith("offload.")) {
        assertThat(p.path("description").asText()).as(name).isNotBlank();
      }
    });
    assertThat(byName.get("offload.web.path").get("defaultValue").asText()).isEqualTo("/offload");
    assertThat(byName.get("offload.worker.enabled").get("defaultValue").asBoolean()).isTrue();
    assertThat(byName.get("offload.shutdown-grace").get("defaultValue").asText()).isEqualTo("10s");
  }
}
