package dev.offload.engine;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.offload.EnqueueOptions.JobRequest;
import dev.offload.OffloadException.InvalidJobException;
import dev.offload.internal.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The checks args pass at enqueue, so that a job that is stored can also be run and shown: the size
 * and depth limits, no NUL character (PostgreSQL cannot store one in {@code jsonb}, and both stores
 * must agree), and, when this node knows the kind, its args type.
 */
final class ArgsCheck {
  private ArgsCheck() {}

  /**
   * Checks the JSON text of args in one pass over its characters.
   *
   * @throws InvalidJobException naming {@code args} when a limit is passed
   */
  static void text(String json, int maxBytes) {
    int depth = 0;
    int maxDepth = 0;
    boolean inString = false;
    long bytes = 0;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
      if (inString) {
        if (c == '\\') {
          if (json.startsWith("u0000", i + 1)) {
            throw InvalidJobException.invalid(
                "args", "args must not hold the NUL character (\\u0000)");
          }
          i++;
          bytes++;
        } else if (c == '"') {
          inString = false;
        } else if (c == 0) {
          throw InvalidJobException.invalid(
              "args", "args must not hold the NUL character (\\u0000)");
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        maxDepth = Math.max(maxDepth, ++depth);
      } else if (c == '}' || c == ']') {
        depth--;
      }
    }
    if (bytes > maxBytes) {
      throw InvalidJobException.tooLarge(
          "args", "args are " + bytes + " bytes of JSON, over the limit of " + maxBytes + " bytes");
    }
    if (maxDepth > JobRequest.MAX_ARGS_DEPTH) {
      throw InvalidJobException.invalid(
          "args",
          "args nest " + maxDepth + " levels deep, over the limit of " + JobRequest.MAX_ARGS_DEPTH);
    }
  }

  /**
   * The args types of which one instance was written and read back: what is not the type (a map, a
   * tree, another class) can hold anything and is read back every time, but an instance of exactly
   * the type is read back only until one has been. Reading back catches what the class decides (no
   * creator, a property Jackson cannot set, a serializer without a deserializer), and the class
   * does not change between instances; what a value alone decides (an abstract-typed field null the
   * first time and set later) is then left to the worker, which sends that job to dead with the
   * error. Reading args back cost about as much as writing them, for every job of a batch.
   */
  private static final ClassValue<AtomicBoolean> READ_BACK =
      new ClassValue<>() {
        @Override
        protected AtomicBoolean computeValue(Class<?> type) {
          return new AtomicBoolean();
        }
      };

  /**
   * Reads args as {@code type}, the way a worker will, and says what does not fit: a tree given as
   * args is converted, anything else is read from its JSON text {@code json} (one parse, as the
   * worker's), except an instance of exactly {@code type} once one has been read back ({@link
   * #READ_BACK}).
   *
   * @throws InvalidJobException naming the field, e.g. {@code args.items: expected a number}
   */
  static void type(String kind, @Nullable Object args, String json, Class<?> type) {
    if (type == JsonNode.class || type == Object.class) {
      return;
    }
    boolean ofType = args != null && args.getClass() == type;
    if (ofType && READ_BACK.get(type).get()) {
      return;
    }
    try {
      if (args instanceof JsonNode node) {
        if (!type.isInstance(node)) {
          Json.convert(node, type);
        }
      } else {
        Json.read(json, type);
        if (ofType) {
          READ_BACK.get(type).set(true);
        }
      }
    } catch (MismatchedInputException e) {
      String path = path(e);
      throw InvalidJobException.invalid(
          path.isEmpty() ? "args" : "args." + path,
          (path.isEmpty() ? "args" : path)
              + ": expected "
              + expected(e.getTargetType())
              + " (kind '"
              + kind
              + "' takes "
              + type.getSimpleName()
              + ")");
    } catch (JsonMappingException e) {
      String path = path(e);
      throw InvalidJobException.invalid(
          path.isEmpty() ? "args" : "args." + path,
          (path.isEmpty() ? "args" : path) + ": " + e.getOriginalMessage());
    } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw InvalidJobException.invalid(
          "args", "args do not fit " + type.getSimpleName() + ": " + e.getMessage());
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (!b.isEmpty()) {
          b.append('.');
        }
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  private static String expected(Class<?> t) {
    if (t == null) {
      return "another type";
    }
    if (t.isPrimitive() && t != boolean.class && t != char.class
        || Number.class.isAssignableFrom(t)
        || t == BigDecimal.class
        || t == BigInteger.class) {
      return "a number";
    }
    if (t == boolean.class || t == Boolean.class) {
      return "true or false";
    }
    if (t == String.class || t == char.class || t == Character.class || t.isEnum()) {
      return "a string";
    }
    if (t.isArray() || Collection.class.isAssignableFrom(t)) {
      return "an array";
    }
    if (Map.class.isAssignableFrom(t) || t.isRecord()) {
      return "an object";
    }
    return "a " + t.getSimpleName();
  }
}
