package org.syncbus.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU and memory of one process, read from outside it: {@code /proc} (Linux) and {@code jcmd}.
 * From outside, because the servers are separate processes (so the load generator's own work is
 * never counted in theirs) and the floor has no way to report on itself. An unknown PID (0 or
 * less, as when {@code scripts/bench} did not pass it) gives unknown figures, not an error.
 */
final class ProcessProbe {
  private static final Pattern USED = Pattern.compile("used (\\d+)K");
  /** The lines {@code jcmd GC.class_histogram} prints before its first class. */
  private static final int HISTOGRAM_HEADER_LINES = 3;

  private final long pid;
  /** Clock ticks per second ({@code getconf CLK_TCK}): the unit of {@code /proc/PID/stat}'s times. */
  private final int clkTck;

  ProcessProbe(long pid, int clkTck) {
    this.pid = pid;
    this.clkTck = clkTck;
  }

  /** The load generator's own process. */
  static ProcessProbe self(int clkTck) {
    return new ProcessProbe(ProcessHandle.current().pid(), clkTck);
  }

  /** Heap used after a full GC and resident set size, in bytes; -1 when unknown. */
  record Memory(long heapBytes, long rssBytes) { }

  /** utime + stime, in seconds; NaN when unknown. */
  double cpuSeconds() {
    if (pid <= 0) {
      return Double.NaN;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // After the command name in parentheses (which may hold spaces): fields 14 and 15 of proc(5).
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks / (double) clkTck;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * The heap after {@code jcmd GC.run} (what is live, not what garbage happens to be there) and
   * the RSS; a failure is logged and leaves that figure unknown.
   */
  Memory memory() throws InterruptedException {
    if (pid <= 0) {
      return new Memory(-1, -1);
    }
    return new Memory(liveHeap(), rss());
  }

  private long liveHeap() throws InterruptedException {
    try {
      jcmd("GC.run");
      Thread.sleep(200);
      return heapUsed(jcmd("GC.heap_info"));
    } catch (IOException e) {
      LoadBench.log("  jcmd failed: " + e.getMessage());
      return -1;
    }
  }

  /** The sum of the {@code used NK} figures of the heap's spaces (Metaspace excluded); -1 when none. */
  private static long heapUsed(String heapInfo) {
    long used = 0;
    boolean found = false;
    for (String line : heapInfo.split("\n")) {
      if (line.contains("Metaspace") || line.contains("class space")) {
        break;
      }
      Matcher m = USED.matcher(line);
      if (m.find()) {
        used += Long.parseLong(m.group(1)) * 1024;
        found = true;
      }
    }
    return found ? used : -1;
  }

  private long rss() {
    long rss = -1;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      LoadBench.log("  cannot read RSS: " + e.getMessage());
    }
    return rss;
  }

  /**
   * The top {@code classes} lines of {@code jcmd GC.class_histogram} (by bytes), after its header:
   * what a process's objects are; empty when the PID is unknown.
   */
  List<String> classHistogram(int classes) throws IOException, InterruptedException {
    if (pid <= 0) {
      return List.of();
    }
    String[] lines = jcmd("GC.class_histogram").split("\n");
    return Arrays.asList(lines).subList(0, Math.min(lines.length, classes + HISTOGRAM_HEADER_LINES));
  }

  /** Runs {@code jcmd PID command} (the JDK's own when there is one) and returns its output. */
  private String jcmd(String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid), command)
        .redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("jcmd " + command + " timed out");
    }
    if (p.exitValue() != 0) {
      throw new IOException("jcmd " + command + " exited " + p.exitValue() + ": " + out.trim());
    }
    return out;
  }
}
