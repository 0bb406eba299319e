package dev.conveyor.deploy.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;

/**
 * What the polling benchmark runs: jobs per set, the lengths of the sets, which sets and clients, and which Conveyor
 * (its own stack unless {@code url} names a running one).
 */
record PollingOptions(int perSet, long[] durationsMs, Set<PollingSet> sets, Set<Poller.Strategy> clients,
    Optional<String> url, Optional<String> key, OptionalLong apiPid) {
  static final String USAGE = """
      usage: deploy/conveyor-bench-polling [jobs per set] [lengths] [--sets SETS] [--clients CLIENTS]
                                           [--url URL [--key KEY] [--api-pid PID]]
        jobs per set   default 10
        lengths        seconds, comma-separated, default 0.2,2,20 (the mixed set draws from them)
        --sets         comma-separated, default all: lengths, mixed, burst, load, many
        --clients      comma-separated, default all: fixed, exponential, hints, long-poll, events
        --url URL      a running Conveyor instead of a stack of the benchmark's own
        --key KEY      its API key; default: the one deploy/conveyor-local keeps in .conveyor/local-api-key
        --api-pid PID  its API process on this machine, for the API CPU column (else not measured)""";
  private static final String DURATIONS_S = "0.2,2,20";

  /** The parts of the benchmark, by the names {@code --sets} takes. */
  enum PollingSet {
    LENGTHS("lengths"), MIXED("mixed"), BURST("burst"), LOAD("load"), MANY("many");

    final String option;

    PollingSet(String option) {
      this.option = option;
    }
  }

  PollingOptions {
    if (perSet < 1) {
      throw new IllegalArgumentException("jobs per set must be at least 1");
    }
  }

  static PollingOptions parse(String[] args) {
    List<String> positional = new ArrayList<>();
    Optional<String> url = Optional.empty();
    Optional<String> key = Optional.empty();
    OptionalLong apiPid = OptionalLong.empty();
    Set<PollingSet> sets = EnumSet.allOf(PollingSet.class);
    Set<Poller.Strategy> clients = EnumSet.allOf(Poller.Strategy.class);
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        positional.add(args[i]);
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value after " + args[i]);
      }
      String value = args[++i];
      switch (args[i - 1]) {
        case "--url" -> url = Optional.of(value);
        case "--key" -> key = Optional.of(value);
        case "--api-pid" -> apiPid = OptionalLong.of(whole(args[i - 1], value));
        case "--sets" -> sets = named(PollingSet.class, value, set -> set.option);
        case "--clients" -> clients = named(Poller.Strategy.class, value, strategy -> strategy.option);
        default -> throw new IllegalArgumentException("unknown option " + args[i - 1]);
      }
    }
    if (positional.size() > 2) {
      throw new IllegalArgumentException("at most two arguments before the options: " + positional);
    }
    if (url.isEmpty() && (key.isPresent() || apiPid.isPresent())) {
      throw new IllegalArgumentException("--key and --api-pid go with --url");
    }
    int perSet = positional.isEmpty() ? 10 : (int) whole("jobs per set", positional.get(0));
    long[] durations = durationsMs(positional.size() > 1 ? positional.get(1) : DURATIONS_S);
    return new PollingOptions(perSet, durations, sets, clients, url, key, apiPid);
  }

  /** "a,b" to the constants of {@code type} whose {@code name} is each. */
  static <E extends Enum<E>> Set<E> named(Class<E> type, String value, Function<E, String> name) {
    Set<E> chosen = EnumSet.noneOf(type);
    for (String part : value.split(",")) {
      E match = Arrays.stream(type.getEnumConstants()).filter(e -> name.apply(e).equals(part.trim())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown name " + part.trim() + " in " + value));
      chosen.add(match);
    }
    return chosen;
  }

  /** "0.5,5,60" (seconds) to milliseconds. */
  static long[] durationsMs(String seconds) {
    long[] ms;
    try {
      ms = Arrays.stream(seconds.split(",")).mapToLong(s -> Math.round(Double.parseDouble(s.trim()) * 1000)).toArray();
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("lengths are seconds, comma-separated, not " + seconds);
    }
    if (Arrays.stream(ms).anyMatch(d -> d <= 0)) {
      throw new IllegalArgumentException("lengths must be positive: " + seconds);
    }
    return ms;
  }

  private static long whole(String what, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " takes a whole number, not " + value);
    }
  }
}
