package dev.conveyor.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;

/**
 * An answer of 4xx or 5xx, with the fields of its RFC 9457 problem body: one subclass per kind of answer a caller
 * handles differently. {@link #body} holds the whole problem, extensions such as {@code errors} included.
 */
public class ProblemException extends RuntimeException {
  private final int status;
  private final String type;
  private final String title;
  private final String detail;
  private final transient JsonNode body;
  private final Duration retryAfter;

  ProblemException(int status, JsonNode body, Duration retryAfter) {
    super(status + " " + body.path("title").asText("") + ": " + body.path("detail").asText(""));
    this.status = status;
    this.type = body.path("type").asText(null);
    this.title = body.path("title").asText(null);
    this.detail = body.path("detail").asText(null);
    this.body = body;
    this.retryAfter = retryAfter;
  }

  static ProblemException of(int status, JsonNode body, Duration retryAfter) {
    return switch (status) {
      case 400 -> new BadRequest(status, body, retryAfter);
      case 401 -> new Unauthorized(status, body, retryAfter);
      case 404 -> new NotFound(status, body, retryAfter);
      case 409 -> new Conflict(status, body, retryAfter);
      case 422 -> new Unprocessable(status, body, retryAfter);
      case 429 -> new TooManyRequests(status, body, retryAfter);
      case 503 -> new Unavailable(status, body, retryAfter);
      default -> new ProblemException(status, body, retryAfter);
    };
  }

  public int status() {
    return status;
  }

  /** The problem's type, for example {@code /problems/unknown-type}. */
  public String type() {
    return type;
  }

  public String title() {
    return title;
  }

  public String detail() {
    return detail;
  }

  public JsonNode body() {
    return body;
  }

  /** The answer's Retry-After, if it had one. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** 400: the request is malformed ({@code errors} names each problem). */
  public static final class BadRequest extends ProblemException {
    BadRequest(int status, JsonNode body, Duration retryAfter) {
      super(status, body, retryAfter);
    }
  }

  /** 401: no key, or an unknown one. */
  public static final class Unauthorized extends ProblemException {
    Unauthorized(int status, JsonNode body, Duration retryAfter) {
      super(status, body, retryAfter);
    }
  }

  /** 404: no such job or schedule for this key's tenant. */
  public static final class NotFound extends ProblemException {
    NotFound(int status, JsonNode body, Duration retryAfter) {
      super(status, body, retryAfter);
    }
  }

  /** 409: the job's state does not allow it (cancel of a terminal job, retry of one not failed), or a request with the same key is in progress. */
  public static final class Conflict extends ProblemException {
    Conflict(int status, JsonNode body, Duration retryAfter) {
      super(status, body, retryAfter);
    }
  }

  /** 422: an unknown type, a payload its rules refuse, or an idempotency key reused with another body. */
  public static final class Unprocessable extends ProblemException {
    Unprocessable(int status, JsonNode body, Duration retryAfter) {
      super(status, body, retryAfter);
    }
  }

  /** 429, once the client's retries are spent: over the tenant's rate or queued-jobs quota. */
  public static final class TooManyRequests extends ProblemException {
    TooManyRequests(int status, JsonNode body, Duration retryAfter) {
      super(status, body, retryAfter);
    }
  }

  /** 503, once the client's retries are spent: the server cannot reach what it needs. */
  public static final class Unavailable extends ProblemException {
    Unavailable(int status, JsonNode body, Duration retryAfter) {
      super(status, body, retryAfter);
    }
  }
}
