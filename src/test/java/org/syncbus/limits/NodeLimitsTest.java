package org.syncbus.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.syncbus.config.SyncbusConfig;

/**
 * README, "Limits": bounds left automatic are worked out from the machine (connections from the
 * open-files limit minus the node's reserve, bodies from a quarter of the heap); set ones are kept.
 * README, "Sizing the heap": the queues' bounds together are compared with the maximum heap.
 */
class NodeLimitsTest {
  private static final long AUTO = SyncbusConfig.Limits.AUTOMATIC;
  private static final long MB = 1024 * 1024;

  private static SyncbusConfig.Limits limits(long maxConnections, long bufferedBodyBytes) {
    return new SyncbusConfig.Limits(4 * MB, maxConnections, 0, 10, 4096, bufferedBodyBytes);
  }

  @Test
  void automaticConnectionsAreTheOpenFilesLimitMinusATenthKeptForTheNode() {
    assertEquals(4_500, NodeLimits.of(5_000, 512 * MB, limits(AUTO, AUTO)).connections().max());
    assertEquals(20_000 - 1024, NodeLimits.of(20_000, 512 * MB, limits(AUTO, AUTO)).connections().max());
    assertEquals(1_048_576 - 1024, NodeLimits.of(1_048_576, 512 * MB, limits(AUTO, AUTO)).connections().max(),
        "the reserve is at most 1,024 descriptors");
    assertEquals(1024 - 102, NodeLimits.of(1024, 512 * MB, limits(AUTO, AUTO)).connections().max());
    assertEquals(256 - 64, NodeLimits.of(256, 512 * MB, limits(AUTO, AUTO)).connections().max(),
        "the reserve is at least 64 descriptors");
  }

  @Test
  void automaticBodyBudgetIsAQuarterOfTheHeap() {
    assertEquals(128 * MB, NodeLimits.of(20_000, 512 * MB, limits(AUTO, AUTO)).bodies().limit());
  }

  @Test
  void configuredBoundsAreKeptEvenAboveWhatTheMachineAllows() {
    NodeLimits node = NodeLimits.of(1024, 512 * MB, limits(50_000, 10 * MB));
    assertEquals(50_000, node.connections().max());
    assertEquals(10 * MB, node.bodies().limit());
  }

  @Test
  void reloadedBoundsApplyToWhatComesNext() {
    NodeLimits node = NodeLimits.of(20_000, 512 * MB, limits(AUTO, AUTO));
    node.reconfigure(limits(10, MB));
    assertEquals(10, node.connections().max());
    assertEquals(MB, node.bodies().limit());
  }

  private static SyncbusConfig.Queue queue(String name, long records, long bytes, long retainBytes) {
    return new SyncbusConfig.Queue(name, "id", SyncbusConfig.QueueType.KEYED, null,
        new SyncbusConfig.Secrets("p", "s"),
        new SyncbusConfig.Backlog(SyncbusConfig.BacklogType.NONE, null, null, Duration.ofMillis(500),
            Duration.ofSeconds(30), Duration.ofSeconds(30)),
        new SyncbusConfig.Retain(10_000, retainBytes), new SyncbusConfig.QueueLimits(records, bytes),
        new SyncbusConfig.Idempotency(SyncbusConfig.Idempotency.DEFAULT_KEYS, 600));
  }

  @Test
  void aQueueMayHoldItsRecordsItsBytesCopiesItsRetainedLogAndItsKeys() {
    assertEquals(10_000 * NodeLimits.RECORD_HEAP_BYTES + 64 * MB * NodeLimits.BACKLOG_BYTE_COPIES + 8 * MB
        + SyncbusConfig.Idempotency.DEFAULT_KEYS * NodeLimits.KEY_HEAP_BYTES,
        NodeLimits.heapBound(queue("q", 10_000, 64 * MB, 8 * MB)), 0.5);
  }

  @Test
  void queuesWhoseBoundsFitTheHeapAreNotWarnedAbout() {
    NodeLimits node = NodeLimits.of(20_000, 1024 * MB, limits(AUTO, AUTO));
    assertNull(node.queuesOverHeap(List.of(queue("a", 100_000, 64 * MB, 64 * MB), queue("b", 100_000, 64 * MB, 64 * MB))));
  }

  @Test
  void queuesWhoseBoundsTogetherExceedTheHeapAreWarnedAboutInOneLineWithTheFigures() {
    NodeLimits node = NodeLimits.of(20_000, 512 * MB, limits(AUTO, AUTO));
    List<SyncbusConfig.Queue> queues = List.of(queue("default", 100_000, 32 * MB, 64 * MB),
        queue("presence", 100_000, 32 * MB, 64 * MB));

    assertEquals("queues: their bounds let them hold about 683 MB of heap (default 342 MB, presence 342 MB; each "
        + "limits.records x 1280 bytes + limits.bytes x 4 + retain.bytes + idempotency.keys x 288), more than the "
        + "maximum heap of 512 MB: lower queues.Q.limits.records, queues.Q.limits.bytes, queues.Q.retain.bytes or "
        + "queues.Q.idempotency.keys, or raise -Xmx "
        + "(README, \"Sizing the heap\")", node.queuesOverHeap(queues));
  }

  @Test
  void boundsAsHighAsTheSettingsAllowDoNotOverflow() {
    NodeLimits node = NodeLimits.of(20_000, 512 * MB, limits(AUTO, AUTO));
    assertEquals(true, node.queuesOverHeap(List.of(queue("q", Integer.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE)))
        .startsWith("queues: their bounds let them hold about "));
  }
}
