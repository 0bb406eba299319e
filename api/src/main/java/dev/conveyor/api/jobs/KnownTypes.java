package dev.conveyor.api.jobs;

import dev.conveyor.handler.PayloadRules;
import dev.conveyor.store.JobTypeStore;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The job types workers have declared, cached in memory. A miss reloads from PostgreSQL at most once a second,
 * so a type declared by a worker that just started is accepted at once and unknown types cost little.
 */
public final class KnownTypes {
  private static final long RELOAD_AFTER_MISS_MS = 1_000;
  private static final long RELOAD_ANYWAY_MS = 30_000;

  private final JobTypeStore store;
  private volatile Map<String, PayloadRules> types = Map.of();
  private volatile long loadedAt;

  public KnownTypes(JobTypeStore store) {
    this.store = store;
  }

  /** Why a request's type or payload cannot be accepted; empty problems when it can. */
  public record Verdict(boolean unknownType, List<String> problems) {
    public boolean accepted() {
      return problems.isEmpty();
    }
  }

  public Future<Verdict> check(SubmitRequest request) {
    return rules(request.type()).map(rules -> rules.isEmpty()
        ? new Verdict(true, List.of("no worker has declared the type '" + request.type() + "'"))
        : new Verdict(false, rules.get().check(request.payload())));
  }

  public Future<Optional<PayloadRules>> rules(String type) {
    long age = System.currentTimeMillis() - loadedAt;
    PayloadRules rules = types.get(type);
    if ((rules != null && age < RELOAD_ANYWAY_MS) || (rules == null && age < RELOAD_AFTER_MISS_MS)) {
      return Future.succeededFuture(Optional.ofNullable(rules));
    }
    return store.all().map(loaded -> {
      types = Map.copyOf(loaded);
      loadedAt = System.currentTimeMillis();
      return Optional.ofNullable(loaded.get(type));
    });
  }
}
