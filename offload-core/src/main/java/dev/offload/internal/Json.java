package dev.offload.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The one Jackson configuration used for args, results, errors and API documents. The mapper itself
 * stays private: a caller that could reconfigure it would change every job's JSON.
 */
public final class Json {
  /**
   * How deep any document read as a tree may nest. Deeper than the args limit (64) so that a
   * request holding too-deep args is read and refused naming the field, not as malformed JSON.
   */
  public static final int MAX_READ_DEPTH = 256;

  /**
   * Parsers and generators borrow their buffers from one pool for the whole JVM. Jackson's default
   * keeps them per thread, but every attempt runs on a virtual thread of its own: each one would
   * allocate a fresh set (a thread-local map, a soft reference, an 8 KB token buffer) to read its
   * args once, and that was a fifth of a worker's CPU with no-op jobs (issue 17). The pool is the
   * bounded one (an array under a lock): Jackson's concurrent-deque pool spent 40 % of the time of
   * writing a batch's args in its own polls and unlinks.
   */
  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedBoundedPool()).build())
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  /**
   * Trees are read strictly (one document, no duplicate keys) and keep every number exactly: {@code
   * 1e400} stays {@code 1E+400} instead of turning into {@code Infinity}.
   */
  private static final ObjectReader TREE =
      MAPPER
          .reader()
          .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .with(
              MAPPER
                  .getFactory()
                  .rebuild()
                  // A rebuilt factory starts from Jackson's default pool again.
                  .recyclerPool(JsonRecyclerPools.sharedBoundedPool())
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_READ_DEPTH).build())
                  .build());

  private Json() {}

  public static String write(Object value) {
    try {
      return value == null ? "null" : WRITERS.get(value.getClass()).writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Each of {@code values} (none of them null) as {@link #write} writes it, through one generator
   * and one serializer provider: a batch's args, where creating both for every job cost more than
   * writing its value. Null when one cannot be written; {@link #write} then says which and why.
   *
   * <p>Values of one class (a batch of one kind, the usual case) go through that class's writer,
   * whose serializer is already resolved; a writer for any class would look it up again for every
   * batch.
   */
  public static @Nullable List<String> writeAll(List<?> values) {
    TextSink out = new TextSink();
    List<String> texts = new ArrayList<>(values.size());
    ObjectWriter writer = values.isEmpty() ? MAPPER.writer() : WRITERS.get(sharedClass(values));
    try (SequenceWriter w = writer.withRootValueSeparator("").writeValues(out)) {
      for (Object value : values) {
        w.write(value);
        w.flush();
        texts.add(out.take());
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return texts;
  }

  /** The class of every one of {@code values} (at least one) if they share it, else Object. */
  private static Class<?> sharedClass(List<?> values) {
    Class<?> type = values.get(0).getClass();
    for (Object value : values) {
      if (value.getClass() != type) {
        return Object.class;
      }
    }
    return type;
  }

  /**
   * The text of one value at a time, for {@link #writeAll}: a {@code StringWriter} would take its
   * {@code StringBuffer}'s lock three times per value (append, toString, setLength), and Jackson's
   * {@code SegmentedStringWriter} cannot be written to again once taken from.
   */
  private static final class TextSink extends Writer {
    private final StringBuilder text = new StringBuilder();

    @Override
    public void write(char[] chars, int offset, int length) {
      text.append(chars, offset, length);
    }

    @Override
    public void write(String s, int offset, int length) {
      text.append(s, offset, offset + length);
    }

    @Override
    public void write(int c) {
      text.append((char) c);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    /** What was written since the last call, and empties the sink. */
    String take() {
      String s = text.toString();
      text.setLength(0);
      return s;
    }
  }

  /**
   * Builds, ahead of the first job, what writing and reading {@code type} needs: its serializer and
   * deserializer (fetched eagerly by a writer and a reader bound to it) and Jackson's own classes.
   * The first use of the mapper otherwise costs about 100 ms, which the first enqueue of a JVM (a
   * web request's) would pay. A type Jackson cannot handle is left to fail at enqueue, as before.
   */
  public static void prepare(Class<?> type) {
    WRITERS.get(type);
    READERS.get(type);
    try {
      TREE.readTree(WRITERS.get(ObjectNode.class).writeValueAsString(object().put("ready", 1)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Jackson cannot write and read a one-field object", e);
    }
  }

  /**
   * A writer per class, as {@link #READERS}: every enqueue writes args and every attempt its
   * result, and a writer bound to the class skips looking its serializer up each time.
   */
  private static final ClassValue<ObjectWriter> WRITERS =
      new ClassValue<>() {
        @Override
        protected ObjectWriter computeValue(Class<?> type) {
          return MAPPER.writerFor(type);
        }
      };

  /**
   * Parses JSON text strictly (see {@link #parse(byte[])}); null and SQL NULL give null.
   *
   * @throws IllegalArgumentException if the text is not exactly one JSON document
   */
  public static JsonNode tree(String json) {
    if (json == null) {
      return null;
    }
    try {
      return TREE.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Parses one JSON document strictly, leaving the error (with its location) to the caller:
   * trailing data and duplicate keys are errors, numbers keep their exact value, and nesting deeper
   * than {@link #MAX_READ_DEPTH} is refused. Empty input gives a missing node.
   */
  public static JsonNode parse(byte[] json) throws IOException {
    return TREE.readTree(json);
  }

  /** A parser over {@code json}, for callers that check what follows the first value. */
  public static JsonParser parser(String json) throws IOException {
    return TREE.createParser(json);
  }

  /**
   * Reads the next value of {@code parser} as a tree, as strictly as {@link #parse} except that
   * what follows the value is left for the caller to check.
   */
  public static JsonNode tree(JsonParser parser) throws IOException {
    return TREE.without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(parser);
  }

  public static <T> T read(String json, Class<T> type) throws JsonProcessingException {
    if (type == JsonNode.class) {
      // A handler that takes the tree sees the numbers exactly as they were enqueued.
      return type.cast(TREE.readTree(json));
    }
    return READERS.get(type).readValue(json);
  }

  /**
   * A reader per args type: every enqueue and every attempt reads args, and a reader bound to its
   * type skips looking the type and its deserializer up each time.
   */
  private static final ClassValue<ObjectReader> READERS =
      new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
          return MAPPER.readerFor(type);
        }
      };

  public static <T> T read(String json, TypeReference<T> type) throws JsonProcessingException {
    return MAPPER.readValue(json, type);
  }

  /** Reads a tree as {@code type}. */
  public static <T> T convert(JsonNode tree, Class<T> type) throws JsonProcessingException {
    return MAPPER.treeToValue(tree, type);
  }

  /** Any value as a tree. */
  public static JsonNode toTree(Object value) {
    return MAPPER.valueToTree(value);
  }

  /** A new, empty JSON object. */
  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }
}
