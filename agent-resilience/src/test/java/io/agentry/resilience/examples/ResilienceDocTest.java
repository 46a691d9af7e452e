package io.agentry.resilience.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/resilience.md} honest: every Java block in it must be, word for word (after
 * removing the common indentation), one of the regions of {@link ResilienceExamplesTest}, which
 * compile and run with every build.
 */
class ResilienceDocTest {
  private static final Path CHAPTER = Path.of("..", "docs", "resilience.md");
  private static final Path EXAMPLES =
      Path.of("src", "test", "java", "io", "agentry", "resilience", "examples",
          "ResilienceExamplesTest.java");
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern REGION = Pattern.compile(
      "// @start region=\"([a-z-]+)\"\\n(.*?)\\n[ ]*// @end", Pattern.DOTALL);

  @Test
  void everyJavaBlockOfTheChapterIsACompiledRegion() throws IOException {
    Map<String, String> regions = new LinkedHashMap<>();
    Matcher r = REGION.matcher(Files.readString(EXAMPLES));
    while (r.find()) {
      regions.put(r.group(1), dedent(r.group(2)));
    }
    List<String> blocks = new ArrayList<>();
    Matcher b = JAVA_BLOCK.matcher(Files.readString(CHAPTER));
    while (b.find()) {
      blocks.add(dedent(b.group(1)));
    }

    assertThat(regions).isNotEmpty();
    assertThat(blocks).isNotEmpty().allSatisfy(block -> assertThat(regions.values())
        .as("a region of ResilienceExamplesTest equal to this block of docs/resilience.md:%n%s",
            block)
        .contains(block));
  }

  private static String dedent(String text) {
    List<String> lines = text.stripTrailing().lines().toList();
    int indent = Integer.MAX_VALUE;
    for (String line : lines) {
      if (!line.isBlank()) {
        indent = Math.min(indent, line.length() - line.stripLeading().length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      out.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return out.toString().stripTrailing();
  }
}
