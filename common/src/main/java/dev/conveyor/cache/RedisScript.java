package dev.conveyor.cache;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), so its text crosses the wire only when Redis does not know it yet
 * (first use, or after a restart or {@code SCRIPT FLUSH}): then the same calls go again as {@code EVAL}, which also
 * makes Redis remember it.
 */
public final class RedisScript {
  private final String text;
  private final String sha;

  public RedisScript(String text) {
    this.text = text;
    this.sha = sha1(text);
  }

  /** One call of the script; {@code keys} then {@code args}, as EVAL takes them. */
  public record Call(List<String> keys, List<String> args) {
  }

  /** Runs the calls in one pipelined batch; one answer per call, in order. */
  public Future<List<Response>> run(Redis redis, List<Call> calls) {
    return redis.batch(requests(calls, Command.EVALSHA, sha)).recover(err -> unknownScript(err)
        ? redis.batch(requests(calls, Command.EVAL, text))
        : Future.failedFuture(err));
  }

  public Future<Response> run(Redis redis, Call call) {
    return run(redis, List.of(call)).map(answers -> answers.get(0));
  }

  private static List<Request> requests(List<Call> calls, Command command, String script) {
    return calls.stream().map(call -> {
      Request request = Request.cmd(command).arg(script).arg(call.keys().size());
      call.keys().forEach(request::arg);
      call.args().forEach(request::arg);
      return request;
    }).toList();
  }

  /** A batch reports its errors together, as one {@code ERR [index] <reply>} line per failed command. */
  private static boolean unknownScript(Throwable err) {
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof ErrorType reply && (reply.is("NOSCRIPT") || String.valueOf(reply.getMessage())
          .contains("NOSCRIPT"))) {
        return true;
      }
    }
    return false;
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
