package dev.conveyor.deploy.bench;

import dev.conveyor.config.Logging;
import dev.conveyor.deploy.JavaProcess;
import dev.conveyor.deploy.KafkaBroker;
import dev.conveyor.deploy.Ports;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Weighs Kafka 4's two ways for workers to share a queue, on the broker the project starts: a consumer group (the
 * consumer protocol, offsets committed per poll, as Conveyor's workers do) and a share group (KIP-932, each record
 * acknowledged). It measures how fast one member drains a backlog, and what a member's death (SIGKILL) costs: how late
 * the records produced after it arrive at the survivor, and how late the records it held come back. Both groups get
 * the same 3 s session timeout; the share group keeps its default 30 s acquisition lock. Everything runs on 127.0.0.1
 * and ends by itself.
 */
public final class QueueModesBenchmark {
  private static final int PARTITIONS = 12;
  private static final long SESSION_MS = 3_000;

  private QueueModesBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Logging.configure();
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    Path home = Files.createTempDirectory("conveyor-queues");
    File log = home.resolve("kafka.log").toFile();
    System.out.println("starting a Kafka broker (log: " + log + ")");
    try (KafkaBroker broker = KafkaBroker.start(home.resolve("kafka"), Ports.freePair(), "512m", log)) {
      String bootstrap = broker.bootstrap();
      List<String> rows = new ArrayList<>();
      for (String mode : List.of("consumer", "share")) {
        double drained = drain(bootstrap, mode, records);
        Failover failover = failover(bootstrap, mode);
        rows.add(String.format("%-15s %,14.0f %19d %19d %14d", mode + " group", drained, failover.newRecordsMaxMs,
            failover.heldRecordsMaxMs, failover.lost));
      }
      System.out.println();
      System.out.printf("%-15s %14s %19s %19s %14s%n", "", "drain, rec/s", "new after kill, ms", "held by dead, ms",
          "never seen");
      rows.forEach(System.out::println);
      System.out.println("drain: " + records + " records, one member; after kill: the latest delivery of a record "
          + "produced after the SIGKILL, and of one the dead member had fetched but not finished.");
    }
  }

  /** Records per second one member consumes and commits or acknowledges, from a backlog of {@code records}. */
  private static double drain(String bootstrap, String mode, int records) throws Exception {
    String topic = "bench-drain-" + mode;
    String group = topic;
    prepare(bootstrap, topic, group, mode);
    try (KafkaProducer<String, String> producer = producer(bootstrap)) {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, Integer.toString(i), "x"));
      }
      producer.flush();
    }
    long start = System.nanoTime();
    int consumed = 0;
    if (mode.equals("consumer")) {
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(bootstrap, group))) {
        consumer.subscribe(List.of(topic));
        while (consumed < records) {
          consumed += consumer.poll(Duration.ofMillis(200)).count();
          consumer.commitAsync();
        }
        consumer.commitSync();
      }
    } else {
      try (KafkaShareConsumer<String, String> consumer = new KafkaShareConsumer<>(shareConfig(bootstrap, group))) {
        consumer.subscribe(List.of(topic));
        while (consumed < records) {
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
            consumer.acknowledge(record, AcknowledgeType.ACCEPT);
            consumed++;
          }
          consumer.commitAsync();
        }
        consumer.commitSync();
      }
    }
    return consumed / ((System.nanoTime() - start) / 1e9);
  }

  private record Failover(long newRecordsMaxMs, long heldRecordsMaxMs, int lost) {
  }

  /**
   * Two members in child JVMs share a topic fed 100 records a second; one is SIGKILLed. Records are followed by their
   * sequence number: produced before the kill and first seen after it were held by the dead member.
   */
  private static Failover failover(String bootstrap, String mode) throws Exception {
    String topic = "bench-failover-" + mode;
    prepare(bootstrap, topic, topic, mode);
    Map<Integer, Long> producedAt = new ConcurrentHashMap<>();
    Map<Integer, Long> seenAt = new ConcurrentHashMap<>();
    Process doomed = member(bootstrap, mode, topic, seenAt);
    Process survivor = member(bootstrap, mode, topic, seenAt);
    try (KafkaProducer<String, String> producer = producer(bootstrap)) {
      int seq = 0;
      long killAt = Long.MAX_VALUE;
      long start = System.currentTimeMillis();
      while (System.currentTimeMillis() - start < 30_000) {
        producedAt.put(seq, System.currentTimeMillis());
        producer.send(new ProducerRecord<>(topic, Integer.toString(seq), Integer.toString(seq)));
        seq++;
        if (killAt == Long.MAX_VALUE && System.currentTimeMillis() - start > 10_000) {
          doomed.destroyForcibly();
          killAt = System.currentTimeMillis();
        }
        Thread.sleep(10);
      }
      producer.flush();
      long deadline = System.currentTimeMillis() + 45_000;
      while (seenAt.size() < seq && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
      }
      long newMax = 0;
      long heldMax = 0;
      int lost = 0;
      for (int i = 0; i < seq; i++) {
        Long seen = seenAt.get(i);
        if (seen == null) {
          lost++;
        } else if (producedAt.get(i) >= killAt) {
          newMax = Math.max(newMax, seen - producedAt.get(i));
        } else if (seen >= killAt) {
          heldMax = Math.max(heldMax, seen - killAt);
        }
      }
      return new Failover(newMax, heldMax, lost);
    } finally {
      doomed.destroyForcibly();
      survivor.destroyForcibly();
      survivor.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Process member(String bootstrap, String mode, String topic, Map<Integer, Long> seenAt)
      throws IOException {
    Process process = JavaProcess.builder(JavaProcess.ownClasspath(), List.of("-Xmx256m"), Member.class.getName(),
        List.of(mode, bootstrap, topic), Map.of()).redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          String[] parts = line.split(" ");
          if (parts.length == 2 && parts[0].matches("\\d+")) {
            seenAt.putIfAbsent(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
          }
        }
      } catch (IOException ended) {
        // the member is gone
      }
    }, "member-output");
    reader.setDaemon(true);
    reader.start();
    return process;
  }

  /** Creates the topic, and sets the group's session timeout (and, for a share group, where it starts). */
  private static void prepare(String bootstrap, String topic, String group, String mode) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
      String prefix = mode.equals("share") ? "share." : "consumer.";
      List<AlterConfigOp> ops = new ArrayList<>(List.of(
          new AlterConfigOp(new ConfigEntry(prefix + "session.timeout.ms", Long.toString(SESSION_MS)),
              AlterConfigOp.OpType.SET),
          new AlterConfigOp(new ConfigEntry(prefix + "heartbeat.interval.ms", Long.toString(SESSION_MS / 3)),
              AlterConfigOp.OpType.SET)));
      if (mode.equals("share")) {
        ops.add(new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET));
      }
      admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), ops)).all().get();
    }
  }

  /** Not idempotent: a new topic's first sends may be retried, and duplicates change none of these figures. */
  private static KafkaProducer<String, String> producer(String bootstrap) {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG,
        "all", ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false),
        new StringSerializer(), new StringSerializer());
  }

  static Map<String, Object> consumerConfig(String bootstrap, String group) {
    return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_PROTOCOL_CONFIG, GroupProtocol.CONSUMER.name(),
        ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, "range",
        ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
  }

  static Map<String, Object> shareConfig(String bootstrap, String group) {
    return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
  }


  /** One member of the group, in a JVM of its own: prints "sequence millis" for every record it finishes. */
  public static final class Member {
    private Member() {
    }

    public static void main(String[] args) {
      Logging.configure();
      String mode = args[0];
      String bootstrap = args[1];
      String topic = args[2];
      if (mode.equals("consumer")) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(bootstrap, topic))) {
          consumer.subscribe(List.of(topic));
          while (true) {
            var polled = consumer.poll(Duration.ofMillis(100));
            polled.forEach(r -> System.out.println(r.value() + " " + System.currentTimeMillis()));
            System.out.flush();
            consumer.commitAsync();
          }
        }
      }
      try (KafkaShareConsumer<String, String> consumer = new KafkaShareConsumer<>(shareConfig(bootstrap, topic))) {
        consumer.subscribe(List.of(topic));
        while (true) {
          for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
            System.out.println(record.value() + " " + System.currentTimeMillis());
            consumer.acknowledge(record, AcknowledgeType.ACCEPT);
          }
          System.out.flush();
          consumer.commitAsync();
        }
      }
    }
  }
}
