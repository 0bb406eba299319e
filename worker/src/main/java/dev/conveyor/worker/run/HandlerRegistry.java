package dev.conveyor.worker.run;

import dev.conveyor.handler.JobHandler;
import dev.conveyor.handler.PayloadRules;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/** The handlers this worker runs, by type: every {@link JobHandler} found with {@link ServiceLoader}. */
public final class HandlerRegistry {
  private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private final Map<String, JobHandler> handlers;

  public HandlerRegistry(Collection<JobHandler> handlers) {
    Map<String, JobHandler> byType = new LinkedHashMap<>();
    for (JobHandler handler : handlers) {
      if (!TYPE.matcher(handler.type()).matches()) {
        throw new IllegalArgumentException("job type '" + handler.type() + "' of " + handler.getClass().getName()
            + " must match " + TYPE.pattern());
      }
      if (byType.putIfAbsent(handler.type(), handler) != null) {
        throw new IllegalArgumentException("two handlers declare the job type '" + handler.type() + "'");
      }
    }
    this.handlers = Map.copyOf(byType);
  }

  public static HandlerRegistry discover() {
    return new HandlerRegistry(ServiceLoader.load(JobHandler.class).stream().map(ServiceLoader.Provider::get).toList());
  }

  public Optional<JobHandler> get(String type) {
    return Optional.ofNullable(handlers.get(type));
  }

  public Map<String, PayloadRules> declarations() {
    Map<String, PayloadRules> rules = new LinkedHashMap<>();
    handlers.forEach((type, handler) -> rules.put(type, handler.payloadRules()));
    return rules;
  }
}
