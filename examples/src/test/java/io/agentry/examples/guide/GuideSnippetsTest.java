package io.agentry.examples.guide;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/guide.md and the README honest: every Java block in them must be, verbatim up to
 * indentation, a region between {@code // tag::name[]} and {@code // end::name[]} in this package's
 * main sources, which the build compiles. Maven runs tests from the module folder, so the paths are
 * relative to it.
 */
class GuideSnippetsTest {
  private static final List<Path> DOCS =
      List.of(Path.of("..", "docs", "guide.md"), Path.of("..", "README.md"));
  private static final Path SOURCES =
      Path.of("src", "main", "java", "io", "agentry", "examples", "guide");
  private static final Pattern JAVA_BLOCK = Pattern.compile("(?s)```java\\n(.*?)```");
  private static final Pattern REGION =
      Pattern.compile("(?s)[ \\t]*// tag::([\\w-]+)\\[]\\n(.*?)[ \\t]*// end::\\1\\[]");

  @Test
  void everyJavaBlockOfTheDocsIsACompiledRegion() throws IOException {
    Map<String, String> regions = regions();
    List<String> blocks = javaBlocks();

    assertThat(blocks).isNotEmpty();
    for (String block : blocks) {
      assertThat(regions.values())
          .as("a tagged region in %s equal to this block of the docs:%n%s", SOURCES, block)
          .contains(block);
    }
  }

  @Test
  void everyRegionIsShownInTheDocs() throws IOException {
    List<String> blocks = javaBlocks();

    regions().forEach((name, region) ->
        assertThat(blocks).as("region '%s' appears in %s", name, DOCS).contains(region));
  }

  private static List<String> javaBlocks() throws IOException {
    List<String> blocks = new ArrayList<>();
    for (Path doc : DOCS) {
      Matcher m = JAVA_BLOCK.matcher(Files.readString(doc, StandardCharsets.UTF_8));
      while (m.find()) {
        blocks.add(dedent(m.group(1)));
      }
    }
    return blocks;
  }

  private static Map<String, String> regions() throws IOException {
    Map<String, String> regions = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        Matcher m = REGION.matcher(Files.readString(file, StandardCharsets.UTF_8));
        while (m.find()) {
          String name = file.getFileName() + "#" + m.group(1);
          String previous = regions.put(name, dedent(m.group(2)));
          assertThat(previous).as("duplicate region %s", name).isNull();
        }
      }
    }
    assertThat(regions).isNotEmpty();
    return regions;
  }

  /** Removes the indentation common to all non-blank lines and trailing blanks. */
  private static String dedent(String text) {
    List<String> lines = text.stripTrailing().lines().toList();
    int indent = lines.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    StringBuilder sb = new StringBuilder();
    for (String line : lines) {
      sb.append(line.isBlank() ? "" : line.substring(indent).stripTrailing()).append('\n');
    }
    return sb.toString();
  }
}
