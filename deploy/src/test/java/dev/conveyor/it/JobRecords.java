package dev.conveyor.it;

import dev.conveyor.jobs.Priority;
import dev.conveyor.queue.JobQueue;
import dev.conveyor.queue.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The Kafka records a job was sent in, read from its type's normal queue from the start, outside any group. */
final class JobRecords {
  private JobRecords() {
  }

  /** Reads for up to 15 s, until {@code count} records of the job are found; fails if fewer are. */
  static List<ConsumerRecord<String, String>> of(String type, String id, int count) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.env().get("CONVEYOR_KAFKA_BOOTSTRAP"));
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    String topic = new Topics(TestStack.env().get("CONVEYOR_NAMESPACE"))
        .forQueue(new JobQueue(type, Priority.NORMAL, false));
    List<ConsumerRecord<String, String>> found = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (System.nanoTime() < deadline && found.size() < count) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.key().equals(id)) {
            found.add(record);
          }
        }
      }
    }
    if (found.size() < count) {
      throw new AssertionError(found.size() + " records of job " + id + " in " + topic + ", not " + count);
    }
    return found;
  }
}
