package dev.conveyor.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conveyor.jobs.Priority;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsTest {
  private final Topics topics = new Topics("conveyor");

  /** Kafka refuses a topic whose name equals another's once '.' and '_' are taken as the same character. */
  private static String collisionKey(String topic) {
    return topic.replace('.', '_');
  }

  @Test
  void eachTypeHasATopicOfItsOwnUnderTheNamespace() {
    assertEquals("conveyor.jobs.noop", topics.forType("noop"));
    assertEquals("conveyor.jobs.image-dresize", topics.forType("image.resize"));
    assertEquals("conveyor.workers", topics.workerGroup());
  }

  @Test
  void eachQueueOfATypeHasATopicAndTheNormalFreshOneIsTheTypes() {
    assertEquals("conveyor.jobs.noop", topics.forQueue(new JobQueue("noop", Priority.NORMAL, false)));
    assertEquals("conveyor.jobs.noop.high", topics.forQueue(new JobQueue("noop", Priority.HIGH, false)));
    assertEquals("conveyor.jobs.noop.low.backlog", topics.forQueue(new JobQueue("noop", Priority.LOW, true)));
    assertEquals(List.of("conveyor.jobs.a.high", "conveyor.jobs.a.high.backlog", "conveyor.jobs.a",
        "conveyor.jobs.a.backlog", "conveyor.jobs.a.low", "conveyor.jobs.a.low.backlog", "conveyor.jobs.b.high",
        "conveyor.jobs.b.high.backlog", "conveyor.jobs.b", "conveyor.jobs.b.backlog", "conveyor.jobs.b.low",
        "conveyor.jobs.b.low.backlog"), topics.forTypes(List.of("a", "b")));
  }

  @Test
  void noQueueOfOneTypeTakesTheTopicOfAnotherTypesQueue() {
    List<String> types = List.of("a", "a.high", "a_high", "a.backlog", "a-high", "a.low.backlog");
    List<String> all = topics.forTypes(types).stream().map(TopicsTest::collisionKey).distinct().toList();
    assertEquals(types.size() * 6, all.size(), "distinct after Kafka's folding: " + all);
  }

  @Test
  void theGroupIsNamedUnderTheNamespace() {
    assertEquals("conveyor.workers", topics.workerGroup());
  }

  @Test
  void typesThatKafkaWouldConfuseGetTopicsItCannot() {
    List<String> types = List.of("img.resize", "img_resize", "img-resize", "img-dresize", "img--resize", "img-uresize");
    List<String> keys = types.stream().map(topics::forType).map(TopicsTest::collisionKey).distinct().toList();
    assertEquals(types.size(), keys.size(), "distinct after Kafka's folding: " + keys);
    types.forEach(type -> assertTrue(topics.forType(type).matches("[a-z0-9._-]{1,249}")));
    assertNotEquals(topics.forType("a.b"), new Topics("conveyor2").forType("a.b"));
  }
}
