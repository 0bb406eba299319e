package dev.conveyor.trace;

import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A W3C trace context ({@code traceparent}: {@code 00-<trace id>-<parent id>-<flags>}), carried from the HTTP request
 * that made a job through its Kafka records to the handler that runs it. Each hop is a span of its own: a child keeps
 * the trace id and flags and takes a fresh parent id.
 */
public record TraceContext(String traceId, String parentId, String flags) {
  private static final Pattern HEADER = Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?");
  private static final HexFormat HEX = HexFormat.of();
  private static final String ZERO_TRACE = "0".repeat(32);
  private static final String ZERO_PARENT = "0".repeat(16);
  /** The name of the header and of the Kafka record header. */
  public static final String HEADER_NAME = "traceparent";

  /**
   * The context a header names, or empty if it names none the specification accepts (then a new trace starts): a
   * version other than ff, lower-case hex ids that are not all zeros; a later version may add fields after the four.
   */
  public static Optional<TraceContext> parse(String header) {
    if (header == null) {
      return Optional.empty();
    }
    var m = HEADER.matcher(header.trim());
    if (!m.matches() || m.group(1).equals("ff") || (m.group(1).equals("00") && m.group(5) != null)
        || m.group(2).equals(ZERO_TRACE) || m.group(3).equals(ZERO_PARENT)) {
      return Optional.empty();
    }
    // Only the sampled flag is defined by this version of the specification: unknown flags are not passed on.
    boolean sampled = (Integer.parseInt(m.group(4), 16) & 1) == 1;
    return Optional.of(new TraceContext(m.group(2), m.group(3), sampled ? "01" : "00"));
  }

  /** A new trace, sampled, as when a request comes with none. */
  public static TraceContext newRoot() {
    return new TraceContext(hex(16), hex(8), "01");
  }

  /** The header's context continued by a new span, or a new trace if it names none. */
  public static TraceContext continueOrStart(String header) {
    return parse(header).map(TraceContext::child).orElseGet(TraceContext::newRoot);
  }

  /** The next hop: the same trace, a new span. */
  public TraceContext child() {
    return new TraceContext(traceId, hex(8), flags);
  }

  public String header() {
    return "00-" + traceId + "-" + parentId + "-" + flags;
  }

  private static String hex(int bytes) {
    byte[] random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    // An id of all zeros is invalid.
    random[bytes - 1] |= 1;
    return HEX.formatHex(random);
  }
}
