package dev.offload.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link in the README files and {@code docs/*.md} resolves: the file (or directory)
 * exists, and a {@code #fragment} names a heading of the target Markdown file, as GitHub makes
 * anchors of headings. Links to other sites are not followed (the build sends no traffic out).
 */
class DocLinksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /**
   * {@code [text](target)} and {@code ![alt](target)}, target up to a space or the closing
   * parenthesis.
   */
  private static final Pattern INLINE =
      Pattern.compile(
          "!?\\[(?:[^\\]\\[]|\\[[^\\]]*])*]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");

  /** {@code [label]: target}. */
  private static final Pattern REFERENCE =
      Pattern.compile("(?m)^ {0,3}\\[[^\\]]+]:\\s*<?(\\S+?)>?(?:\\s+.*)?$");

  private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

  @Test
  void everyRelativeLinkInTheReadmesAndDocsResolves() {
    List<Path> files = documents(ROOT);
    assertThat(files)
        .as("the documents checked")
        .contains(ROOT.resolve("README.md"), ROOT.resolve("docs/design.md"));

    List<String> broken = new ArrayList<>();
    for (Path file : files) {
      broken.addAll(brokenLinks(file));
    }

    assertThat(broken).as("links that do not resolve").isEmpty();
  }

  @Test
  void aMissingFileAndAMissingHeadingAreBothCaught(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("a.md"),
        """
        # Title

        ## Flow control (planned)

        [ok](b.md#the-part) [ok too](#flow-control-planned) [ok, a directory](sub)
        [missing file](c.md) [missing heading](b.md#no-such-part) [missing here](#nope)
        ![image](img/x.png) [elsewhere](https://example.com/x) [ref]

        ```
        [not a link in code](nowhere.md)
        ```

        [ref]: b.md#nowhere
        """);
    Files.writeString(dir.resolve("b.md"), "# B\n\n## The part\n");
    Files.createDirectory(dir.resolve("sub"));

    List<String> broken = brokenLinks(dir.resolve("a.md"));

    assertThat(broken)
        .hasSize(5)
        .anySatisfy(b -> assertThat(b).contains("c.md"))
        .anySatisfy(b -> assertThat(b).contains("b.md#no-such-part"))
        .anySatisfy(b -> assertThat(b).contains("#nope"))
        .anySatisfy(b -> assertThat(b).contains("img/x.png"))
        .anySatisfy(b -> assertThat(b).contains("b.md#nowhere"));
  }

  @Test
  void anchorsAreMadeAsGitHubMakesThem() {
    assertThat(
            anchors(
                List.of(
                    "# Offload: design",
                    "### HTTP (JSON; errors are `application/problem+json`)",
                    "## Flow control (planned)",
                    "## Modules (Maven, Java 21, `./mvnw`)",
                    "## Flow control (planned)")))
        .containsExactly(
            "offload-design",
            "http-json-errors-are-applicationproblemjson",
            "flow-control-planned",
            "modules-maven-java-21-mvnw",
            "flow-control-planned-1");
  }

  // ---------------------------------------------------------------- the checker

  /** README.md at the top and in each module, and every Markdown file under docs/. */
  private static List<Path> documents(Path root) {
    List<Path> files = new ArrayList<>();
    files.add(root.resolve("README.md"));
    try (Stream<Path> modules = Files.list(root);
        Stream<Path> docs = Files.walk(root.resolve("docs"))) {
      modules
          .filter(Files::isDirectory)
          .map(d -> d.resolve("README.md"))
          .filter(Files::isRegularFile)
          .sorted()
          .forEach(files::add);
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** Each link of {@code file} that does not resolve, as "file:line: target (why)". */
  static List<String> brokenLinks(Path file) {
    List<String> lines = read(file);
    List<String> broken = new ArrayList<>();
    boolean fenced = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.stripLeading().startsWith("```") || line.stripLeading().startsWith("~~~")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      String text = line.replaceAll("`[^`]*`", "");
      List<String> targets = new ArrayList<>();
      Matcher m = INLINE.matcher(text);
      while (m.find()) {
        targets.add(m.group(1));
      }
      Matcher r = REFERENCE.matcher(text);
      if (r.matches()) {
        targets.add(r.group(1));
      }
      for (String target : targets) {
        String why = check(file, target);
        if (why != null) {
          broken.add(file + ":" + (i + 1) + ": " + target + " (" + why + ")");
        }
      }
    }
    return broken;
  }

  /**
   * Why {@code target}, linked from {@code from}, does not resolve; null when it does or is not
   * ours to check.
   */
  private static String check(Path from, String target) {
    if (SCHEME.matcher(target).find() || target.startsWith("//")) {
      return null;
    }
    int hash = target.indexOf('#');
    String pathPart = hash < 0 ? target : target.substring(0, hash);
    String fragment =
        hash < 0 ? null : URLDecoder.decode(target.substring(hash + 1), StandardCharsets.UTF_8);
    Path resolved =
        pathPart.isEmpty()
            ? from
            : from.getParent()
                .resolve(URLDecoder.decode(pathPart, StandardCharsets.UTF_8))
                .normalize();
    if (!Files.exists(resolved)) {
      return "no such file " + resolved;
    }
    if (fragment == null || fragment.isEmpty()) {
      return null;
    }
    if (!resolved.toString().endsWith(".md")) {
      return "an anchor into a file that is not Markdown";
    }
    return anchors(read(resolved)).contains(fragment)
        ? null
        : "no heading makes the anchor #" + fragment;
  }

  /**
   * The anchors GitHub gives the headings: lower case, punctuation dropped, spaces to hyphens,
   * repeats numbered.
   */
  static Set<String> anchors(List<String> lines) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : lines) {
      if (line.stripLeading().startsWith("```") || line.stripLeading().startsWith("~~~")) {
        fenced = !fenced;
        continue;
      }
      Matcher h = HEADING.matcher(line);
      if (fenced || !h.matches()) {
        continue;
      }
      String text = h.group(2).replaceAll("\\[([^\\]]*)]\\([^)]*\\)", "$1");
      String slug =
          text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum) - 1;
      anchors.add(n == 0 ? slug : slug + "-" + n);
    }
    return anchors;
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
