package dev.conveyor.api.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Decodes a request body sent with {@code Content-Encoding: gzip}, after the body handler has read it. The size limit
 * applies to the decoded body as well (413), so a small body that inflates without end is refused; a body that does
 * not decode is 400, and an encoding other than gzip or identity is 415. Routes read the body through {@link #body}.
 */
public final class ContentDecoding implements Handler<RoutingContext> {
  private static final String DECODED = "conveyor.decodedBody";

  private final long maxBodyBytes;

  public ContentDecoding(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The request body as sent, decoded. */
  public static Buffer body(RoutingContext ctx) {
    Buffer decoded = ctx.get(DECODED);
    return decoded != null ? decoded : ctx.body().buffer();
  }

  @Override
  public void handle(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    if (raw == null || raw.length() == 0) {
      ctx.next();
      return;
    }
    String encoding = ctx.request().getHeader("Content-Encoding");
    String coding = encoding == null ? "identity" : encoding.trim().toLowerCase(Locale.ROOT);
    if (coding.equals("identity")) {
      ctx.next();
      return;
    }
    if (!coding.equals("gzip") && !coding.equals("x-gzip")) {
      ctx.fail(Problem.of(415, "unsupported-content-encoding", "Unsupported content encoding",
          "Send the body as is, or gzip-encoded with 'Content-Encoding: gzip'."));
      return;
    }
    try {
      ctx.put(DECODED, gunzip(raw.getBytes()));
      ctx.next();
    } catch (TooLarge e) {
      ctx.fail(Problem.of(413, "body-too-large", "Body too large",
          "The decoded request body exceeds the configured limit of " + maxBodyBytes + " bytes."));
    } catch (IOException e) {
      ctx.fail(Problem.badRequest("The body is marked 'Content-Encoding: gzip' but does not decode as gzip."));
    }
  }

  private static final class TooLarge extends IOException {
  }

  private Buffer gunzip(byte[] raw) throws IOException {
    Buffer out = Buffer.buffer(Math.min(raw.length * 4, (int) Math.min(maxBodyBytes, Integer.MAX_VALUE)));
    byte[] chunk = new byte[16 * 1024];
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
      int n;
      while ((n = in.read(chunk)) > 0) {
        if (out.length() + n > maxBodyBytes) {
          throw new TooLarge();
        }
        out.appendBytes(chunk, 0, n);
      }
    }
    return out;
  }
}
