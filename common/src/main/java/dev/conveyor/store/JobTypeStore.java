package dev.conveyor.store;

import dev.conveyor.deps.Dependency;
import dev.conveyor.handler.PayloadRules;
import dev.conveyor.jobs.Json;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.Map;

/** All SQL on {@code job_types}: the types workers have declared, with their payload rules. */
public final class JobTypeStore {
  private final SqlClient client;
  private final Dependency postgresql;

  public JobTypeStore(SqlClient client, Dependency postgresql) {
    this.client = client;
    this.postgresql = postgresql;
  }

  public Future<Void> declare(Map<String, PayloadRules> types) {
    String[] names = types.keySet().toArray(String[]::new);
    String[] rules = types.keySet().stream().map(t -> Json.write(types.get(t).toJson())).toArray(String[]::new);
    return postgresql.call(() -> client.preparedQuery("INSERT INTO job_types (type, payload_rules, declared_at) "
            + "SELECT t, r::jsonb, now() FROM unnest($1::text[], $2::text[]) AS u(t, r) "
            + "ON CONFLICT (type) DO UPDATE SET payload_rules = EXCLUDED.payload_rules, declared_at = now()")
        .execute(Tuple.tuple().addArrayOfString(names).addArrayOfString(rules)))
        .mapEmpty();
  }

  public Future<java.util.List<String>> names() {
    return postgresql.call(() -> client.query("SELECT type FROM job_types ORDER BY type").execute()).map(rows -> {
      java.util.List<String> names = new java.util.ArrayList<>();
      rows.forEach(row -> names.add(row.getString(0)));
      return names;
    });
  }

  public Future<Map<String, PayloadRules>> all() {
    return postgresql.call(() -> client.query("SELECT type, payload_rules::text FROM job_types").execute())
        .map(rows -> {
          Map<String, PayloadRules> types = new HashMap<>();
          rows.forEach(row -> types.put(row.getString(0), PayloadRules.fromJson(Json.parse(row.getString(1)))));
          return types;
        });
  }
}
