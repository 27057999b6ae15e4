package org.syncbus.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's browser examples are the pages the browser tests run ({@link BrowserSockJsIT},
 * {@link BrowserEventSourceIT}), so they are known to work: every code block the README introduces
 * with a link to a file of {@code examples/browser} (the last link of the paragraph just before
 * it) is an excerpt of that file, its parts (separated by a line {@code // …}) each found in it
 * word for word.
 */
class ReadmeExamplesTest {
  private static final Path README = Path.of("README.md");
  private static final Path PAGES = Path.of("examples", "browser");
  private static final String FENCE = "```";
  private static final Pattern PAGE_LINK = Pattern.compile("\\]\\(examples/browser/([\\w.-]+)\\)");
  /** What stands for the lines left out between two parts of an excerpt. */
  private static final String ELISION = "\n// …\n";

  @Test
  void everyBrowserExampleOfTheReadmeIsAnExcerptOfThePageTheTestsRun() throws IOException {
    List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
    Set<String> excerpted = new TreeSet<>();
    for (int open = 0; open < lines.size(); open++) {
      if (!lines.get(open).startsWith(FENCE)) {
        continue;
      }
      int close = open + 1;
      while (!lines.get(close).startsWith(FENCE)) {
        close++;
      }
      String page = pageIntroducing(lines, open);
      if (page != null) {
        String text = Files.readString(PAGES.resolve(page), StandardCharsets.UTF_8);
        for (String part : String.join("\n", lines.subList(open + 1, close)).split(Pattern.quote(ELISION))) {
          assertTrue(text.contains(part), () -> "README's excerpt of examples/browser/" + page
              + " differs from the file:\n" + part);
        }
        excerpted.add(page);
      }
      open = close;
    }
    assertEquals(Set.of("bridge.js", "events.html", "sockjs.html"), excerpted, "the pages the README shows");
  }

  /** The page the last link of the paragraph just before the block at {@code fence} names, or null. */
  private static String pageIntroducing(List<String> lines, int fence) {
    if (fence < 2 || !lines.get(fence - 1).isBlank()) {
      return null;
    }
    for (int line = fence - 2; line >= 0 && !lines.get(line).isBlank() && !lines.get(line).startsWith(FENCE); line--) {
      String last = null;
      for (Matcher link = PAGE_LINK.matcher(lines.get(line)); link.find(); ) {
        last = link.group(1);
      }
      if (last != null) {
        return last;
      }
    }
    return null;
  }
}
