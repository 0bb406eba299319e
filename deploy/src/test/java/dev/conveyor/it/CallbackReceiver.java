package dev.conveyor.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.conveyor.deploy.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver of callbacks on 127.0.0.1, for tests. The path says how it answers: {@code /ok} with 200,
 * {@code /flaky} with 503 to the first two attempts of each delivery and then 200, {@code /never} with 500,
 * {@code /slow} by holding the first attempt of each delivery for 10 s before its 200. It records every request, and
 * it can stop and start again on the same port.
 */
final class CallbackReceiver implements AutoCloseable {
  /** One request as it arrived, and the status it was answered with. */
  record Delivery(String path, String deliveryId, String signature, String contentType, byte[] body, int answered,
      Instant at) {
  }

  private final int port;
  private final List<Delivery> received = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private HttpServer server;

  CallbackReceiver() {
    this.port = Ports.free();
    start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  synchronized void start() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  synchronized void stop() {
    server.stop(0);
  }

  List<Delivery> received() {
    return List.copyOf(received);
  }

  /** The requests that carried the job's id in their body. */
  List<Delivery> of(String jobId) {
    return received.stream().filter(d -> new String(d.body(), java.nio.charset.StandardCharsets.UTF_8)
        .contains("\"id\":\"" + jobId + "\"")).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String delivery = exchange.getRequestHeaders().getFirst("Conveyor-Delivery");
    int attempt = attempts.computeIfAbsent(String.valueOf(delivery), d -> new AtomicInteger()).incrementAndGet();
    String path = exchange.getRequestURI().getPath();
    int status = switch (path) {
      case "/flaky" -> attempt <= 2 ? 503 : 200;
      case "/never" -> 500;
      default -> 200;
    };
    received.add(new Delivery(path, delivery, exchange.getRequestHeaders().getFirst("Conveyor-Signature"),
        exchange.getRequestHeaders().getFirst("Content-Type"), body, status, Instant.now()));
    if (path.equals("/slow") && attempt == 1) {
      Http.pause(10_000);
    }
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  @Override
  public void close() {
    stop();
  }
}
