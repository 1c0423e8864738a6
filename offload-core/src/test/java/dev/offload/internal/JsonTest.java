package dev.offload.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  record Order(long id, String customer, List<String> items, Instant placed) {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({@JsonSubTypes.Type(value = Refund.class, name = "refund")})
  interface Payment {}

  record Refund(long cents) implements Payment {}

  enum Region {
    EU,
    US
  }

  /** A bean whose getter throws: Jackson cannot write it. */
  public static final class Broken {
    public String getValue() {
      throw new IllegalStateException("no value");
    }
  }

  @Test
  void aBatchIsWrittenValueByValueAsEachAloneWouldBe() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("b", 1);
    map.put("a", List.of("x", "y"));
    map.put("none", null);
    List<Object> values =
        List.of(
            new Order(7, "ada \"the\" first", List.of("a", "é", "\u2028"), Instant.EPOCH),
            map,
            "text",
            42,
            List.of(1, 2.5, true),
            new Refund(250),
            Region.EU,
            new Order(8, "", List.of(), Instant.parse("2026-12-04T12:00:00.123456Z")),
            new int[] {1, 2},
            Arrays.asList(null, "x"));

    List<String> all = Json.writeAll(values);

    List<String> alone = new ArrayList<>();
    for (Object v : values) {
      alone.add(Json.write(v));
    }
    assertThat(all).isEqualTo(alone);
    assertThat(all.get(5)).isEqualTo("{\"type\":\"refund\",\"cents\":250}");
  }

  @Test
  void aBatchOfOneClassIsWrittenThroughItsWriterAsEachAloneWouldBe() {
    List<List<?>> batches =
        List.of(
            List.of(
                new Order(1, "ada", List.of("a"), Instant.EPOCH),
                new Order(
                    2, "\u0001 \"quoted\"", List.of(), Instant.parse("2026-12-04T12:00:00Z"))),
            List.of(new Refund(1), new Refund(-250)),
            List.of(Region.US, Region.EU),
            List.of("a", "b\n"));

    for (List<?> batch : batches) {
      List<String> alone = new ArrayList<>();
      for (Object v : batch) {
        alone.add(Json.write(v));
      }
      assertThat(Json.writeAll(batch)).isEqualTo(alone);
    }
    assertThat(Json.writeAll(List.of(new Refund(5), new Refund(6))))
        .containsExactly("{\"type\":\"refund\",\"cents\":5}", "{\"type\":\"refund\",\"cents\":6}");
  }

  @Test
  void aBatchWithAValueJacksonCannotWriteGivesNullAndTheValueAloneSaysWhy() {
    assertThat(Json.writeAll(List.of(new Order(1, "a", List.of(), Instant.EPOCH), new Broken())))
        .isNull();
    assertThatThrownBy(() -> Json.write(new Broken()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no value");
  }
}
