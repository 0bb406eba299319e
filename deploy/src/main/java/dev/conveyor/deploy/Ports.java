package dev.conveyor.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports for the processes tests and benchmarks start. They are picked below the kernel's ephemeral range:
 * a port from that range, freed when a process is killed, can be taken by any outgoing connection (a Kafka client
 * retrying the dead node, say) before the process is started again on it, which then fails to bind.
 */
public final class Ports {
  private static final int LOWEST = 10_000;
  private static final int ATTEMPTS = 200;

  private Ports() {
  }

  /** A port nothing listens on now, outside the ephemeral range where the kernel allows it. */
  public static int free() {
    return find(1);
  }

  /** A port that is free along with the next one (a Kafka node's clients and its controller). */
  public static int freePair() {
    return find(2);
  }

  private static int find(int adjacent) {
    int highest = ephemeralLow() - adjacent;
    if (highest - LOWEST < 1_000) {
      return ephemeral(adjacent);
    }
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, highest);
      if (bindable(port, adjacent)) {
        return port;
      }
    }
    throw new IllegalStateException("no " + adjacent + " adjacent free ports in " + LOWEST + "-" + highest);
  }

  /** Where the kernel hands out ephemeral ports anyway, the best left is a port it has just handed out. */
  private static int ephemeral(int adjacent) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      try (ServerSocket socket = new ServerSocket(0)) {
        int port = socket.getLocalPort();
        if (bindable(port + 1, adjacent - 1)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no " + adjacent + " adjacent free ports");
  }

  private static boolean bindable(int port, int count) {
    if (count == 0) {
      return true;
    }
    try (ServerSocket socket = new ServerSocket(port)) {
      return bindable(port + 1, count - 1);
    } catch (IOException taken) {
      return false;
    }
  }

  /** Read by lines: {@code Files.readString} trusts the size procfs reports and gets one byte. */
  private static int ephemeralLow() {
    try {
      String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0);
      return Integer.parseInt(range.trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException unknown) {
      return LOWEST;
    }
  }
}
