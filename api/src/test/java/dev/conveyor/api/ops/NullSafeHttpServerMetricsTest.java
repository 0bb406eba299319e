package dev.conveyor.api.ops;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@SuppressWarnings({"unchecked", "rawtypes"})
class NullSafeHttpServerMetricsTest {
  private static final SocketAddress LOCAL = SocketAddress.inetSocketAddress(8080, "127.0.0.1");
  private static final SocketAddress REMOTE = SocketAddress.inetSocketAddress(40000, "127.0.0.1");
  private static final HttpRequest REQUEST = new HttpRequest() {
    public int id() {
      return 1;
    }

    public String uri() {
      return "/v1/jobs/x";
    }

    public String absoluteURI() {
      return "http://127.0.0.1:8080/v1/jobs/x";
    }

    public HttpMethod method() {
      return HttpMethod.GET;
    }

    public MultiMap headers() {
      return MultiMap.caseInsensitiveMultiMap();
    }

    public SocketAddress remoteAddress() {
      return REMOTE;
    }
  };
  private static final HttpResponse RESPONSE = new HttpResponse() {
    public int statusCode() {
      return 200;
    }

    public MultiMap headers() {
      return MultiMap.caseInsensitiveMultiMap();
    }
  };

  private final PrometheusMeterRegistry registry = Metrics.newRegistry();

  /** Vert.x Micrometer keeps one registry per registry name for the JVM's life, so each test names its own. */
  private VertxMetrics micrometer() {
    return new MicrometerMetricsFactory(registry).metrics(new VertxOptions().setMetricsOptions(
        new MicrometerMetricsOptions().setEnabled(true).setRegistryName(UUID.randomUUID().toString())));
  }

  /** The upstream behaviour this class guards against; when this fails, the guard can go. */
  @Test
  void micrometerThrowsOnARequestWhoseConnectionHasNoSocketMetric() {
    HttpServerMetrics raw = micrometer().createHttpServerMetrics(new HttpServerOptions(), LOCAL);
    assertThrows(NullPointerException.class, () -> raw.requestBegin(null, REQUEST));
  }

  /** Every call Vert.x makes for such a connection, each of which Micrometer would answer with a NullPointerException. */
  @Test
  void aConnectionWithoutSocketMetricGoesUnrecorded() {
    HttpServerMetrics guarded = new NullSafeVertxMetrics(micrometer())
        .createHttpServerMetrics(new HttpServerOptions(), LOCAL);
    assertDoesNotThrow(() -> {
      Object request = guarded.requestBegin(null, REQUEST);
      guarded.bytesRead(null, REMOTE, 100);
      guarded.requestRouted(request, "/v1/jobs/:id");
      guarded.requestEnd(request, REQUEST, 100);
      guarded.requestReset(request);
      guarded.responseBegin(request, RESPONSE);
      guarded.responseEnd(request, RESPONSE, 200);
      Object pushed = guarded.responsePushed(null, HttpMethod.GET, "/v1/jobs/x", RESPONSE);
      guarded.responseEnd(pushed, RESPONSE, 200);
      guarded.disconnected(guarded.connected(null, request, null));
      guarded.bytesWritten(null, REMOTE, 200);
      guarded.exceptionOccurred(null, REMOTE, new RuntimeException("reset"));
      guarded.disconnected(null, REMOTE);
    });
  }

  @Test
  void theApisVertxRecordsThroughTheGuard() {
    io.vertx.core.Vertx vertx = Metrics.vertx(registry);
    try {
      assertTrue(((VertxInternal) vertx).metrics() instanceof NullSafeVertxMetrics);
    } finally {
      vertx.close();
    }
  }

  @Test
  void aConnectionWithSocketMetricIsRecordedAsBefore() {
    HttpServerMetrics guarded = new NullSafeVertxMetrics(micrometer())
        .createHttpServerMetrics(new HttpServerOptions(), LOCAL);
    Object socket = guarded.connected(REMOTE, "client");
    Object request = guarded.requestBegin(socket, REQUEST);
    assertNotNull(request);
    guarded.requestRouted(request, "/v1/jobs/:id");
    guarded.requestEnd(request, REQUEST, 100);
    guarded.responseBegin(request, RESPONSE);
    guarded.responseEnd(request, RESPONSE, 200);
    guarded.disconnected(socket, REMOTE);
    String text = registry.scrape();
    assertTrue(text.contains("vertx_http_server_requests_total{code=\"200\",method=\"GET\"} 1.0"), text);
    assertTrue(text.contains("vertx_http_server_response_time_seconds_count{code=\"200\",method=\"GET\"} 1"), text);
  }
}
