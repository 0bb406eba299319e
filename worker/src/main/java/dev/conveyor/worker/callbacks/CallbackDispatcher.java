package dev.conveyor.worker.callbacks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.cache.JobCache;
import dev.conveyor.callback.CallbackSignature;
import dev.conveyor.callback.CallbackTargets;
import dev.conveyor.jobs.CallbackState;
import dev.conveyor.jobs.Job;
import dev.conveyor.jobs.JobJson;
import dev.conveyor.jobs.Json;
import dev.conveyor.store.CallbackSecretStore;
import dev.conveyor.store.JobStore;
import dev.conveyor.worker.run.Backoff;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers the callbacks that terminal jobs owe (API.md "Callbacks"), apart from the job slots. It takes due
 * deliveries from PostgreSQL with SKIP LOCKED, so any number of workers share them, at most {@code concurrency} at
 * once; POSTs each with the final representation, signed with the tenant's secret; and writes how it went on the job.
 * Any 2xx ends a delivery; anything else makes it due again after an exponential backoff with jitter, until
 * {@code retryForMs} has passed since it was owed. A delivery taken by a worker that dies is due again when its hold
 * ends, so delivery is at least once.
 */
public final class CallbackDispatcher extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(CallbackDispatcher.class.getName());
  private static final long IDLE_MS = 250;
  private static final long ERROR_PAUSE_MS = 1_000;
  /** A rotated secret signs within this long. */
  private static final long SECRET_TTL_MS = 5_000;

  public record Settings(String namespace, boolean allowPrivate, int concurrency, int timeoutMs, int retryBaseMs,
      long retryForMs) {
    /**
     * Longer than an attempt can take: the lookup and the wait for a connection (a timeout each), the exchange (two),
     * and the secret's read and the outcome's write.
     */
    long holdMs() {
      return 4L * timeoutMs + 5_000;
    }
  }

  private final JobStore store;
  private final CallbackSecretStore secrets;
  private final JobCache cache;
  private final Settings settings;
  private CallbackSender sender;
  private int inFlight;
  private boolean roundDue;
  private boolean waitingForRoom;
  private boolean stopping;
  private long timer = -1;
  private final Promise<Void> drained = Promise.promise();
  private final Map<String, Secret> secretsByTenant = new HashMap<>();

  private record Secret(String value, long readAtMs) {
  }

  public CallbackDispatcher(JobStore store, CallbackSecretStore secrets, JobCache cache, Settings settings) {
    this.store = store;
    this.secrets = secrets;
    this.cache = cache;
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    sender = new CallbackSender(vertx, new CallbackTargets(settings.allowPrivate()), settings.timeoutMs(),
        settings.concurrency());
    schedule(0);
    return Future.succeededFuture();
  }

  /** Takes no more deliveries and waits for those under way, as long as one may take. */
  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(timer);
    if (inFlight == 0) {
      drained.tryComplete();
    }
    return drained.future().timeout(2L * settings.timeoutMs(), TimeUnit.MILLISECONDS)
        .otherwiseEmpty()
        .compose(v -> sender.close());
  }

  private void schedule(long delayMs) {
    if (stopping || roundDue) {
      return;
    }
    roundDue = true;
    timer = vertx.setTimer(Math.max(1, delayMs), t -> round());
  }

  private void round() {
    roundDue = false;
    int room = settings.concurrency() - inFlight;
    if (stopping) {
      return;
    }
    if (room <= 0) {
      waitingForRoom = true;
      return;
    }
    store.takeDueCallbacks(settings.namespace(), room, settings.holdMs(), settings.retryForMs())
        .onComplete(taken -> {
          if (taken.failed()) {
            LOG.log(Level.FINE, "cannot take due callbacks", taken.cause());
            schedule(ERROR_PAUSE_MS);
            return;
          }
          List<Job> jobs = taken.result();
          for (Job job : jobs) {
            if (job.callback().nextAttemptAt() == null) {
              recorded(job);
            } else if (!stopping) {
              // A delivery taken as this verticle stops is sent by another once its hold ends.
              deliver(job);
            }
          }
          schedule(jobs.size() == room ? 0 : IDLE_MS);
        });
  }

  private void deliver(Job job) {
    inFlight++;
    Future<Integer> sent;
    try {
      cache.changed(job);
      ObjectNode representation = JobJson.representation(job, null);
      representation.remove("callback");
      sent = send(job, Json.write(representation).getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      // Whatever went wrong, the attempt is written and its slot given back, or this dispatcher would stall.
      sent = Future.failedFuture(e);
    }
    sent.transform(outcome -> store.recordCallback(attempt(job, outcome), settings.retryForMs()))
        .onSuccess(recorded -> recorded.ifPresent(this::recorded))
        .onFailure(err -> LOG.log(Level.INFO, "cannot record the callback attempt of job " + job.id() + "; it is "
            + "tried again when its hold ends", err))
        .onComplete(done -> finished());
  }

  private Future<Integer> send(Job job, byte[] body) {
    return secret(job.tenant()).compose(secret -> sender.post(job.callbackUrl(), Map.of(
        "Content-Type", "application/json; charset=utf-8",
        "User-Agent", "Conveyor-Callbacks/1",
        "Conveyor-Delivery", job.callback().delivery().toString(),
        "Conveyor-Signature", CallbackSignature.header(secret, Instant.now().getEpochSecond(), body)),
        Buffer.buffer(body)));
  }

  /** The tenant's secret, read again once it is {@link #SECRET_TTL_MS} old. */
  private Future<String> secret(String tenant) {
    long now = System.nanoTime() / 1_000_000;
    Secret cached = secretsByTenant.get(tenant);
    if (cached != null && now - cached.readAtMs() < SECRET_TTL_MS) {
      return Future.succeededFuture(cached.value());
    }
    return secrets.current(tenant).onSuccess(value -> {
      secretsByTenant.values().removeIf(s -> now - s.readAtMs() >= SECRET_TTL_MS);
      secretsByTenant.put(tenant, new Secret(value, now));
    });
  }

  private JobStore.CallbackAttempt attempt(Job job, AsyncResult<Integer> sent) {
    CallbackState callback = job.callback();
    long retryIn = Backoff.delayMs(callback.attempts(), settings.retryBaseMs());
    if (sent.succeeded()) {
      int status = sent.result();
      boolean delivered = status >= 200 && status < 300;
      return new JobStore.CallbackAttempt(job.id(), callback.delivery(), callback.attempts(), status,
          delivered ? null : "the receiver answered HTTP " + status, delivered, delivered ? null : retryIn);
    }
    Throwable cause = sent.cause();
    if (cause instanceof CallbackSender.Failed failed) {
      LOG.log(Level.FINE, "job " + job.id() + ": callback attempt " + callback.attempts() + ": " + failed.getMessage(),
          failed.getCause());
      return new JobStore.CallbackAttempt(job.id(), callback.delivery(), callback.attempts(), null,
          failed.getMessage(), false, failed.permanent ? null : retryIn);
    }
    LOG.log(Level.WARNING, "job " + job.id() + ": callback attempt " + callback.attempts() + " could not be made",
        cause);
    return new JobStore.CallbackAttempt(job.id(), callback.delivery(), callback.attempts(), null,
        "the delivery could not be made on the server's side", false, retryIn);
  }

  private void recorded(Job job) {
    cache.changed(job);
    CallbackState callback = job.callback();
    switch (callback.state(true)) {
      case "delivered" -> LOG.fine("job " + job.id() + ": callback delivered (attempt " + callback.attempts() + ")");
      case "pending" -> LOG.info("job " + job.id() + ": callback attempt " + callback.attempts() + " failed ("
          + callback.lastError() + "); next at " + callback.nextAttemptAt());
      default -> LOG.warning("job " + job.id() + ": callback given up after " + callback.attempts()
          + " attempts (" + callback.lastError() + ")");
    }
  }

  private void finished() {
    inFlight--;
    if (stopping && inFlight == 0) {
      drained.tryComplete();
    } else if (waitingForRoom) {
      waitingForRoom = false;
      schedule(0);
    }
  }
}
