package org.syncbus.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** README, "Limits": connections are admitted up to the node's limit and, when set, per address. */
class ConnectionGateTest {
  @Test
  void connectionsPastTheNodeLimitAreRefusedUntilOneCloses() {
    ConnectionGate gate = new ConnectionGate(2, 0);
    assertEquals(ConnectionGate.Verdict.ADMITTED, gate.admit("10.0.0.1"));
    assertEquals(ConnectionGate.Verdict.ADMITTED, gate.admit("10.0.0.2"));
    assertEquals(ConnectionGate.Verdict.NODE_FULL, gate.admit("10.0.0.3"));
    gate.release("10.0.0.1");
    assertEquals(ConnectionGate.Verdict.ADMITTED, gate.admit("10.0.0.3"));
    assertEquals(2, gate.open());
  }

  @Test
  void connectionsPastTheAddressLimitAreRefusedWhileOtherAddressesAreAdmitted() {
    ConnectionGate gate = new ConnectionGate(10, 2);
    gate.admit("10.0.0.1");
    gate.admit("10.0.0.1");
    assertEquals(ConnectionGate.Verdict.ADDRESS_FULL, gate.admit("10.0.0.1"));
    assertEquals(ConnectionGate.Verdict.ADMITTED, gate.admit("10.0.0.2"));
    gate.release("10.0.0.1");
    assertEquals(ConnectionGate.Verdict.ADMITTED, gate.admit("10.0.0.1"));
  }

  @Test
  void zeroPerAddressMeansNoLimitPerAddress() {
    ConnectionGate gate = new ConnectionGate(100, 0);
    for (int i = 0; i < 100; i++) {
      assertEquals(ConnectionGate.Verdict.ADMITTED, gate.admit("10.0.0.1"));
    }
    assertEquals(ConnectionGate.Verdict.NODE_FULL, gate.admit("10.0.0.1"));
  }

  @Test
  void refusedConnectionsAreNotCounted() {
    ConnectionGate gate = new ConnectionGate(1, 0);
    gate.admit("10.0.0.1");
    gate.admit("10.0.0.2");
    gate.release("10.0.0.2");
    assertEquals(1, gate.open(), "releasing a connection that was never admitted changes nothing");
  }

  @Test
  void aLowerLimitRefusesNewConnectionsAndKeepsOpenOnes() {
    ConnectionGate gate = new ConnectionGate(3, 0);
    gate.admit("a");
    gate.admit("b");
    gate.admit("c");
    gate.limits(1, 0);
    assertEquals(3, gate.open());
    assertEquals(ConnectionGate.Verdict.NODE_FULL, gate.admit("d"));
    gate.release("a");
    gate.release("b");
    assertEquals(ConnectionGate.Verdict.NODE_FULL, gate.admit("d"));
    gate.release("c");
    assertEquals(ConnectionGate.Verdict.ADMITTED, gate.admit("d"));
  }
}
