package dev.conveyor.it.faults;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Restarts the machine's own PostgreSQL and Redis for the fault suite, with the same settings they run with, and
 * always brings them back. Each method answers empty when it did so, or why the machine does not let it.
 */
public final class LocalServices {
  private LocalServices() {
  }

  /** Stops Redis (no save), keeps it down for {@code downMs}, starts it again with the settings it had. */
  public static Optional<String> restartRedis(long downMs) {
    if (!onPath("redis-cli") || !onPath("redis-server")) {
      return Optional.of("redis-cli or redis-server is not on this machine's PATH");
    }
    try {
      List<String> start = new ArrayList<>(List.of("redis-server", "--daemonize", "yes", "--port", "6379"));
      start.add("--bind");
      start.addAll(List.of(redisSetting("bind").split(" ")));
      for (String setting : List.of("save", "appendonly", "dir", "logfile")) {
        start.addAll(List.of("--" + setting, redisSetting(setting)));
      }
      if (!Files.isWritable(Path.of(redisSetting("dir")))) {
        return Optional.of("Redis's directory is not writable by this user, so it could not start again");
      }
      run(List.of("redis-cli", "-p", "6379", "shutdown", "nosave"), true);
      try {
        awaitPort(6379, false);
        Thread.sleep(downMs);
      } finally {
        run(start, false);
        awaitPort(6379, true);
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot restart Redis here: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

  /** Stops the local PostgreSQL cluster (fast), keeps it down for {@code downMs}, starts it again. */
  public static Optional<String> restartPostgresql(long downMs) {
    Path versions = Path.of("/etc/postgresql");
    if (!onPath("pg_ctlcluster") || !Files.isDirectory(versions)) {
      return Optional.of("pg_ctlcluster is not on this machine");
    }
    String version;
    try (var listing = Files.list(versions)) {
      version = listing.map(p -> p.getFileName().toString()).findFirst().orElseThrow();
    } catch (IOException | RuntimeException e) {
      return Optional.of("no PostgreSQL cluster under /etc/postgresql");
    }
    List<String> stop = List.of("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop", "-m", "fast");
    List<String> start = List.of("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start");
    try {
      run(stop, false);
    } catch (IOException e) {
      return Optional.of("this user may not stop PostgreSQL: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
    try {
      Thread.sleep(downMs);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        run(start, false);
        awaitPort(5432, true);
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException("PostgreSQL did not start again; start it by hand: " + String.join(" ", start),
            e);
      }
    }
    return Optional.empty();
  }

  private static String redisSetting(String name) throws IOException, InterruptedException {
    String[] lines = run(List.of("redis-cli", "-p", "6379", "config", "get", name), false).split("\n");
    return lines.length < 2 ? "" : lines[1].trim();
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private static String run(List<String> command, boolean mayFail) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish");
    }
    if (process.exitValue() != 0 && !mayFail) {
      throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + output.trim());
    }
    return output;
  }

  private static void awaitPort(int port, boolean open) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      boolean listening;
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        listening = true;
      } catch (IOException refused) {
        listening = false;
      }
      if (listening == open) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IOException("port " + port + " did not " + (open ? "open" : "close") + " within 30 s");
  }
}
