package dev.conveyor.deploy.bench;

/**
 * How long each phase of the benchmark runs. The defaults keep a whole run under about six minutes on the 2-core
 * development machine.
 *
 * @param seconds length of each closed-loop (wrk) measurement
 * @param warmupSeconds length of the warm-up before each measurement
 * @param latencySeconds length of each open-loop latency measurement
 * @param drainJobs jobs queued for each drain measurement
 */
record Options(int seconds, int warmupSeconds, int latencySeconds, int drainJobs) {
  static final String USAGE = """
      usage: deploy/conveyor-bench [--seconds N] [--warmup N] [--latency-seconds N] [--drain-jobs N]
        --seconds N          length of each throughput measurement (wrk), default 15
        --warmup N           warm-up before each measurement, default 5
        --latency-seconds N  length of each open-loop latency measurement (50/s and 1,000/s), default 10
        --drain-jobs N       noop jobs queued for each drain measurement, default 20000""";

  Options {
    if (seconds < 1 || warmupSeconds < 1 || latencySeconds < 1 || drainJobs < 1000) {
      throw new IllegalArgumentException("durations must be at least 1 s, and --drain-jobs at least 1000");
    }
  }

  static Options parse(String[] args) {
    int seconds = 15;
    int warmup = 5;
    int latency = 10;
    int drainJobs = 20_000;
    for (int i = 0; i < args.length; i++) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + args[i]);
      }
      int value;
      try {
        value = Integer.parseInt(args[i + 1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(args[i] + " takes a whole number, not " + args[i + 1]);
      }
      switch (args[i]) {
        case "--seconds" -> seconds = value;
        case "--warmup" -> warmup = value;
        case "--latency-seconds" -> latency = value;
        case "--drain-jobs" -> drainJobs = value;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
      i++;
    }
    return new Options(seconds, warmup, latency, drainJobs);
  }
}
