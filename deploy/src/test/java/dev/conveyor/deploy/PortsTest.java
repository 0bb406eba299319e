package dev.conveyor.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PortsTest {
  private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  @Test
  void aFreePortCanBeBoundAndLiesBelowTheEphemeralRange() throws IOException {
    for (int i = 0; i < 20; i++) {
      int port = Ports.free();
      try (ServerSocket socket = new ServerSocket(port)) {
        assertTrue(socket.isBound());
      }
      if (Files.exists(RANGE)) {
        int low = Integer.parseInt(Files.readAllLines(RANGE).get(0).trim().split("\\s+")[0]);
        assertTrue(port < low, port + " is in the ephemeral range from " + low);
      }
    }
  }

  @Test
  void aFreePairIsTwoAdjacentBindablePorts() throws IOException {
    int port = Ports.freePair();
    try (ServerSocket first = new ServerSocket(port); ServerSocket second = new ServerSocket(port + 1)) {
      assertTrue(first.isBound() && second.isBound());
    }
  }
}
