package dev.offload.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.offload.internal.Json;
import java.io.IOException;

/**
 * Reads job args typed on the command line or in an {@code --args-file}, checking that each is
 * exactly one JSON value before anything is enqueued. Errors are one line naming the source and the
 * position.
 */
final class JsonArgs {
  private JsonArgs() {}

  /**
   * Parses one JSON value.
   *
   * @param source how to name the text in an error, e.g. {@code --args}
   * @throws CliError (exit 2) naming the problem and its position
   */
  static JsonNode parse(String text, String source) {
    String problem = problem(text, /* positionWithLine= */ text.lines().count() > 1);
    if (problem != null) {
      throw CliError.usage(source + " is not valid JSON: " + problem);
    }
    return Json.tree(text);
  }

  /**
   * Parses line {@code lineNumber} of an args file: one JSON value.
   *
   * @throws CliError (exit 2) naming the line and the position in it
   */
  static JsonNode parseLine(String line, String source, int lineNumber) {
    String problem = problem(line, /* positionWithLine= */ false);
    if (problem != null) {
      throw CliError.usage(source + " line " + lineNumber + " is not valid JSON: " + problem);
    }
    return Json.tree(line);
  }

  /** What is wrong with {@code text} as one JSON value, or null when nothing is. */
  private static String problem(String text, boolean positionWithLine) {
    if (text.isBlank()) {
      return "it is empty (give e.g. '{}')";
    }
    try (JsonParser parser = Json.parser(text)) {
      Json.tree(parser);
      if (parser.nextToken() != null) {
        return "unexpected '"
            + parser.getText()
            + "' after the first value"
            + at(parser.currentTokenLocation(), positionWithLine)
            + " (give one JSON value)";
      }
      return null;
    } catch (JsonProcessingException e) {
      return clean(e.getOriginalMessage()) + at(e.getLocation(), positionWithLine);
    } catch (IOException e) {
      return e.getMessage(); // reading a String does no I/O; kept for the compiler
    }
  }

  private static String at(JsonLocation location, boolean withLine) {
    if (location == null || location.getColumnNr() < 1) {
      return "";
    }
    return withLine
        ? " at line " + location.getLineNr() + ", column " + location.getColumnNr()
        : " at column " + location.getColumnNr();
  }

  /** Jackson's message on one line, without the "[Source: ...]" detail it adds for nested spots. */
  private static String clean(String message) {
    if (message == null) {
      return "malformed";
    }
    return message
        .replaceAll("\\[Source: [^;]*; line: (\\d+), column: (\\d+)]", "line $1, column $2")
        .replaceAll("\\s*\\R\\s*", " ")
        .trim();
  }
}
