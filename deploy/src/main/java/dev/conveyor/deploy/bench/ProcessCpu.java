package dev.conveyor.deploy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** CPU time and resident memory of processes, read from /proc (Linux only). */
final class ProcessCpu {
  private ProcessCpu() {
  }

  /** CPU ticks of named groups of processes at one moment: group → pid → utime + stime. */
  record Sample(Map<String, Map<Long, Long>> ticks) {
    static Sample of(Map<String, List<Long>> groups) {
      Map<String, Map<Long, Long>> ticks = new LinkedHashMap<>();
      groups.forEach((group, pids) -> {
        Map<Long, Long> byPid = new HashMap<>();
        pids.forEach(pid -> cpuTicks(pid).ifPresent(t -> byPid.put(pid, t)));
        ticks.put(group, byPid);
      });
      return new Sample(ticks);
    }

    /**
     * CPU seconds each group spent since {@code before}. A process that started in between counts from zero (a new
     * PostgreSQL backend); one that ended in between is lost, since /proc no longer has it.
     */
    Map<String, Double> secondsSince(Sample before, double ticksPerSecond) {
      Map<String, Double> seconds = new LinkedHashMap<>();
      ticks.forEach((group, byPid) -> {
        Map<Long, Long> earlier = before.ticks.getOrDefault(group, Map.of());
        long spent = 0;
        for (Map.Entry<Long, Long> entry : byPid.entrySet()) {
          spent += entry.getValue() - earlier.getOrDefault(entry.getKey(), 0L);
        }
        seconds.put(group, spent / ticksPerSecond);
      });
      return seconds;
    }
  }

  /** utime + stime, fields 14 and 15 of /proc/&lt;pid&gt;/stat, in clock ticks; empty once the process is gone. */
  static OptionalLong cpuTicks(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException gone) {
      return OptionalLong.empty();
    }
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return OptionalLong.of(Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
  }

  /** VmRSS from /proc/&lt;pid&gt;/status, in KiB; 0 once the process is gone. */
  static long rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
        }
      }
    } catch (IOException gone) {
      // fall through
    }
    return 0;
  }

  /** Every process whose /proc/&lt;pid&gt;/comm is {@code name}, as {@code pgrep -x} matches. */
  static List<Long> named(String name) {
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
        try {
          if (Files.readString(p.resolve("comm")).trim().equals(name)) {
            pids.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (IOException gone) {
          // ended while listed
        }
      });
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return pids;
  }

  /** {@code getconf CLK_TCK}: the unit of the tick counts, normally 100 per second. */
  static int clockTicksPerSecond() {
    try {
      Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!getconf.waitFor(10, TimeUnit.SECONDS) || getconf.exitValue() != 0) {
        throw new IllegalStateException("getconf CLK_TCK failed: " + out);
      }
      return Integer.parseInt(out);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run getconf CLK_TCK", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
