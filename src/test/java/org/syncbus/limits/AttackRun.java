package org.syncbus.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.syncbus.testing.Await;

/**
 * What an attack test ({@link HttpAttacksIT}, {@link TcpBridgeAttacksIT}) keeps of its run against
 * one node: the attack under way, its start, the node's descriptors before the attacks and during
 * this one, and the figures it reports (each printed at once, and all again in a summary at the
 * end); after each attack, the checks that the node survived and let go of what it held.
 */
final class AttackRun {
  /** What the node may hold after a full GC once an attack is over (it runs at -Xmx256m). */
  static final long HEAP_AFTER_GC_BOUND_BYTES = 128L * 1024 * 1024;
  /** Descriptors the node may hold beyond its count before the attacks. */
  static final int DESCRIPTOR_MARGIN = 20;

  private final String name;
  private final long classStart = System.nanoTime();
  private final List<String> figures = new ArrayList<>();
  private Vertx vertx;
  private JarProcess node;
  private NormalClients clients;
  private int descriptorsBefore;
  private String attack = "";
  private long attackStart;
  private int descriptorsAtStart;
  private int descriptorsDuring;

  /** @param name the test's name, which every line it prints starts with */
  AttackRun(String name) {
    this.name = name;
  }

  /** The node is up and its normal clients running: its heap and descriptors now are the baseline. */
  void started(Vertx vertx, JarProcess node, NormalClients clients) throws Exception {
    this.vertx = vertx;
    this.node = node;
    this.clients = clients;
    // The first jcmd opens the node's attach listener for good: measured before the baseline.
    long heap = node.heapUsedAfterGcBytes();
    descriptorsBefore = node.descriptors();
    report("before the attacks: heap after GC " + megabytes(heap) + ", " + descriptorsBefore + " descriptors");
  }

  /** Before each test: no attack yet, its clock starts. */
  void begin() {
    attack = "";
    attackStart = System.nanoTime();
    descriptorsAtStart = node.descriptors();
    descriptorsDuring = 0;
  }

  /** Names the attack the test makes (one line). */
  void attack(String attackName) {
    attack = attackName;
    System.out.println("[" + name + "] " + attackName + ": begins");
  }

  /** The attack under way, for messages. */
  String attack() {
    return attack;
  }

  long attackStart() {
    return attackStart;
  }

  int descriptorsAtStart() {
    return descriptorsAtStart;
  }

  /** The node's descriptors now, kept if the most seen during the attack. */
  int sampleDescriptors() {
    return sampleDescriptors(node.descriptors());
  }

  private int sampleDescriptors(int now) {
    descriptorsDuring = Math.max(descriptorsDuring, now);
    return now;
  }

  void report(String line) {
    figures.add(line);
    System.out.println("[" + name + "] " + line);
  }

  /** After the last test: the run's length, then every figure again, together. */
  void summary() {
    report("in all " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - classStart) + " s");
    figures.forEach(line -> System.out.println("[" + name + " summary] " + line));
  }

  /**
   * After each attack: the node is alive, printed no OutOfMemoryError nor stack trace, answered
   * every /health probe in time, gave its descriptors back and holds little heap. The figures are
   * reported before anything is asserted. Returns the node's output, for checks of the test's own.
   */
  String assertSurvived() throws Exception {
    long attackEnd = System.nanoTime();
    assertTrue(node.alive(), () -> "the node died during " + attack + "; output:\n" + tail(node.output()));
    int descriptorsAfter = awaitDescriptorsBack();
    long heap = node.heapUsedAfterGcBytes();
    NormalClients.Window window = clients.between(attackStart, attackEnd);
    report(attack + ": heap after GC " + megabytes(heap) + "; descriptors " + descriptorsAtStart + " before, "
        + (descriptorsDuring == 0 ? "-" : descriptorsDuring) + " during, " + descriptorsAfter + " after; publish p99 "
        + window.publishP99Millis() + " ms (" + window.publishes().size() + " publishes, " + window.refusedPublishes()
        + " not 200); /health max " + window.probeMaxMillis() + " ms (" + window.probes().size() + " probes)");

    String output = node.output();
    assertFalse(output.contains("OutOfMemoryError"), () -> "OutOfMemoryError in the output:\n" + tail(output));
    assertNull(JarProcess.firstStackTrace(output), () -> "a stack trace in the output:\n" + tail(output));
    assertTrue(heap < HEAP_AFTER_GC_BOUND_BYTES, () -> "heap after GC " + megabytes(heap) + " after " + attack
        + ", bound " + megabytes(HEAP_AFTER_GC_BOUND_BYTES));
    assertTrue(descriptorsAfter <= descriptorsBefore + DESCRIPTOR_MARGIN, () -> descriptorsAfter
        + " descriptors open after " + attack + ", " + descriptorsBefore + " before the attacks");
    // A probe is answered or failed within its timeout: a longer attack without one means the prober stalled.
    long attackMillis = TimeUnit.NANOSECONDS.toMillis(attackEnd - attackStart);
    assertTrue(!window.probes().isEmpty() || attackMillis < NormalClients.PROBE_TIMEOUT_MILLIS
        + NormalClients.PROBE_INTERVAL_MILLIS, () -> "no /health probe was answered during " + attack);
    assertEquals(List.of(), window.failedProbes(), () -> "/health failed during " + attack);
    assertTrue(window.probeMaxMillis() < NormalClients.PROBE_TIMEOUT_MILLIS,
        () -> "/health took " + window.probeMaxMillis() + " ms during " + attack);
    return output;
  }

  /**
   * Waits (bounded: 10 s) until the node holds at most {@code bound} descriptors; the count then,
   * sampled. A socket the node closed while its event loop's selector holds it keeps its descriptor
   * until that selector's next select (the JDK closes it when the key is dropped), though the
   * client already saw it closed: a busy loop may get there a few milliseconds later.
   */
  int awaitDescriptorsAtMost(int bound) {
    return sampleDescriptors(awaitAtMost(bound, Duration.ofSeconds(10)));
  }

  /** Waits (bounded: 15 s) until the node's descriptors are back within the margin; the count then. */
  private int awaitDescriptorsBack() {
    return awaitAtMost(descriptorsBefore + DESCRIPTOR_MARGIN, Duration.ofSeconds(15));
  }

  /** The node's descriptors once at most {@code bound}, or when {@code within} is over (the caller's assertion tells). */
  private int awaitAtMost(int bound, Duration within) {
    try {
      return Await.await(Await.eventually(vertx, "descriptors at most " + bound, (int) (within.toMillis() / 100), 100,
          () -> vertx.executeBlocking(node::descriptors), count -> count <= bound), within.plusSeconds(5));
    } catch (AssertionError e) {
      return node.descriptors();
    }
  }

  static String megabytes(long bytes) {
    return String.format("%.1f MB", bytes / (1024.0 * 1024.0));
  }

  /** The end of a node's output, for a failure's message. */
  static String tail(String output) {
    return output.length() <= 4000 ? output : "…" + output.substring(output.length() - 4000);
  }
}
