package org.syncbus.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.syncbus.config.SyncbusConfig;

/**
 * README, "Limits": bounds left automatic are worked out from the machine (connections from the
 * open-files limit minus the node's reserve, bodies from a quarter of the heap); set ones are kept.
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
}
