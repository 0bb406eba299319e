package dev.conveyor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

  @Test
  void defaultsSuitTheLocalRun() {
    Config config = Config.from(Map.of());
    assertEquals(8080, config.httpPort());
    assertEquals("postgresql://postgres@127.0.0.1:5432/conveyor", config.pgUrl());
    assertEquals("redis://127.0.0.1:6379", config.redisUrl());
    assertEquals("127.0.0.1:9092", config.kafkaBootstrap());
    assertEquals(12, config.topicPartitions());
    assertEquals(100, config.pollMinMs());
    assertEquals(30_000, config.pollMaxMs());
    assertEquals(1 << 20, config.maxBodyBytes());
  }

  @Test
  void leasesHeartbeatsAndShutdownFitTogether() {
    Config config = Config.from(Map.of());
    assertEquals(30_000, config.leaseMs());
    assertEquals(10_000, config.heartbeatMs(), "three beats per lease");
    assertTrue(config.kafkaSessionTimeoutMs() < config.leaseMs(), "partitions move before leases expire");
    assertTrue(config.shutdownGraceMs() + 5_000 <= 25_000, "a stopping worker is gone within 25 s");
    assertEquals(0, config.topicReplication(), "chosen from the cluster's size unless set");
    assertEquals(500, Config.from(Map.of("CONVEYOR_LEASE_MS", "1500")).heartbeatMs());
    assertThrows(IllegalArgumentException.class,
        () -> Config.from(Map.of("CONVEYOR_TOPIC_REPLICATION", "2", "CONVEYOR_TOPIC_MIN_ISR", "3")));
  }

  @Test
  void typeConcurrencyLimitsAreReadAsTypeColonCount() {
    assertEquals(Map.of(), Config.from(Map.of()).typeConcurrency());
    assertEquals(Map.of("mail.send", 5, "ns:odd", 2, "sleep", 1), Config.from(Map.of("CONVEYOR_TYPE_CONCURRENCY",
        "mail.send:5, ns:odd:2,sleep:1")).typeConcurrency());
    for (String bad : List.of("sleep", "sleep:0", "sleep:x", ":3", "sleep:1,sleep:2", "sleep:1,")) {
      var refused = assertThrows(IllegalArgumentException.class,
          () -> Config.from(Map.of("CONVEYOR_TYPE_CONCURRENCY", bad)), bad);
      assertTrue(refused.getMessage().contains("CONVEYOR_TYPE_CONCURRENCY"), refused.getMessage());
    }
  }

  @Test
  void badValuesAreNamedClearly() {
    var notNumber = assertThrows(IllegalArgumentException.class,
        () -> Config.from(Map.of("CONVEYOR_HTTP_PORT", "eighty")));
    assertTrue(notNumber.getMessage().contains("CONVEYOR_HTTP_PORT"));
    var outOfRange = assertThrows(IllegalArgumentException.class,
        () -> Config.from(Map.of("CONVEYOR_WORKER_CONCURRENCY", "0")));
    assertTrue(outOfRange.getMessage().contains("between 1 and"));
    assertThrows(IllegalArgumentException.class,
        () -> Config.from(Map.of("CONVEYOR_POLL_MIN_MS", "500", "CONVEYOR_POLL_MAX_MS", "400")));
    assertThrows(IllegalArgumentException.class, () -> Config.from(Map.of("CONVEYOR_NAMESPACE", "Bad-Name")));
  }
}
