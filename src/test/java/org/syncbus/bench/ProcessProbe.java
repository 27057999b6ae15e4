package org.syncbus.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU and memory of one server, read from outside it: {@code /proc} (Linux) and, for a JVM,
 * {@code jcmd}. From outside, because the servers are separate processes (so the load generator's
 * own work is never counted in theirs) and neither the floor nor nginx has a way to report on
 * itself. A server is its process and every descendant: nginx works in a worker process that
 * its master forks, and the master's own share counts too. RSS is summed over those processes, so
 * a page they share (nginx's code, and the shared memory Nchan keeps its messages in) counts once
 * per process: nginx's figure is a little high, never low. An unknown PID (0 or less, as when
 * {@code scripts/bench} did not pass it) gives unknown figures, not an error.
 */
final class ProcessProbe {
  private static final Pattern USED = Pattern.compile("used (\\d+)K");
  /** The lines {@code jcmd GC.class_histogram} prints before its first class. */
  private static final int HISTOGRAM_HEADER_LINES = 3;

  private final long pid;
  /** Clock ticks per second ({@code getconf CLK_TCK}): the unit of {@code /proc/PID/stat}'s times. */
  private final int clkTck;
  /** Whether {@code jcmd} can read its heap. */
  private final boolean jvm;

  ProcessProbe(long pid, int clkTck, boolean jvm) {
    this.pid = pid;
    this.clkTck = clkTck;
    this.jvm = jvm;
  }

  /** The load generator's own process. */
  static ProcessProbe self(int clkTck) {
    return new ProcessProbe(ProcessHandle.current().pid(), clkTck, true);
  }

  /** Heap used after a full GC and resident set size, in bytes; -1 when unknown. */
  record Memory(long heapBytes, long rssBytes) { }

  /** utime + stime of the process and its descendants, in seconds; NaN when unknown. */
  double cpuSeconds() {
    if (pid <= 0) {
      return Double.NaN;
    }
    try {
      long ticks = 0;
      for (long p : processes()) {
        String[] f = statFields(p);
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
      }
      return ticks / (double) clkTck;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * The fields of {@code /proc/PID/stat} after the command name in parentheses (which may hold
   * spaces): {@code [0]} is field 3 of proc(5), the state; {@code [1]} the parent; {@code [11]}
   * and {@code [12]} utime and stime.
   */
  private static String[] statFields(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
  }

  /** The process and its descendants, from the parents {@code /proc} names. */
  private List<Long> processes() throws IOException {
    Map<Long, List<Long>> children = new HashMap<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : dirs) {
        long child = Long.parseLong(dir.getFileName().toString());
        try {
          children.computeIfAbsent(Long.parseLong(statFields(child)[1]), k -> new ArrayList<>()).add(child);
        } catch (IOException | RuntimeException gone) {
          // a process that ended meanwhile is no one's child
        }
      }
    }
    List<Long> tree = new ArrayList<>(List.of(pid));
    for (int i = 0; i < tree.size(); i++) {
      tree.addAll(children.getOrDefault(tree.get(i), List.of()));
    }
    return tree;
  }

  /**
   * The heap after {@code jcmd GC.run} (what is live, not what garbage happens to be there; a
   * JVM's only) and the RSS; a failure is logged and leaves that figure unknown.
   */
  Memory memory() throws InterruptedException {
    if (pid <= 0) {
      return new Memory(-1, -1);
    }
    return new Memory(jvm ? liveHeap() : -1, rss());
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

  /** The sum of the processes' {@code VmRSS}; -1 when unreadable. */
  private long rss() {
    long rss = 0;
    try {
      for (long p : processes()) {
        for (String line : Files.readAllLines(Path.of("/proc/" + p + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            rss += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LoadBench.log("  cannot read RSS: " + e.getMessage());
      return -1;
    }
    return rss;
  }

  /**
   * The top {@code classes} lines of {@code jcmd GC.class_histogram} (by bytes), after its header:
   * what a process's objects are; empty when the PID is unknown or it is no JVM.
   */
  List<String> classHistogram(int classes) throws IOException, InterruptedException {
    if (pid <= 0 || !jvm) {
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
