package dev.conveyor.deploy.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the phases measured, filled in as each ends: a phase not reached (the run failed first) stays empty. */
final class Results {
  /** An open-loop run: its submits, and each accepted job's wait from submit to handler start. */
  record Latency(OpenLoopLoad.Result load, Percentiles submitToStart) {
  }

  /** CPU seconds each process (or group) spent in a phase that did {@code jobs} jobs. */
  record CpuUse(String phase, long jobs, Map<String, Double> seconds) {
    /** Seconds per 1,000 jobs of the groups whose names start with {@code prefix}. */
    double perThousand(String prefix) {
      double sum = seconds.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
          .mapToDouble(Map.Entry::getValue).sum();
      return sum / (jobs / 1000.0);
    }
  }

  /** Resident memory (VmRSS) after the load phases. */
  record Rss(long apiKib, long workerKib) {
  }

  final Options options;
  final int cores;
  WrkRun.Result bare;
  /** The bare endpoint under the latency phases' open loop, by rate. */
  final Map<Integer, OpenLoopLoad.Result> bareLatency = new LinkedHashMap<>();
  WrkRun.Result statusGet;
  WrkRun.Result statusNotModified;
  /** By rate, jobs per second. */
  final Map<Integer, Latency> latency = new LinkedHashMap<>();
  /** By number of workers. */
  final Map<Integer, JobsDb.Drain> drain = new LinkedHashMap<>();
  /** The drain by one worker already warm from the drain before. */
  JobsDb.Drain warmDrain;
  WrkRun.Result submitSingle;
  WrkRun.Result submitBatch;
  Rss rss;
  final List<CpuUse> cpu = new ArrayList<>();
  String failure;

  Results(Options options, int cores) {
    this.options = options;
    this.cores = cores;
  }
}
