package dev.conveyor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** Log records as JSON lines, and the setting that chooses them. */
class JsonLogFormatterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode line(LogRecord record) throws Exception {
    String text = new JsonLogFormatter().format(record);
    assertTrue(text.endsWith(System.lineSeparator()), "one record a line");
    assertEquals(1, text.lines().count(), "no line breaks inside: " + text);
    return JSON.readTree(text);
  }

  @Test
  void aRecordIsOneJsonObjectWithItsFields() throws Exception {
    LogRecord record = new LogRecord(Level.WARNING, "job 01a23eca-0ff3-7be9-a30e-2befd1b04175 (sleep): \"lease\" lost\nagain");
    record.setLoggerName("dev.conveyor.recovery.LeaseReaper");
    JsonNode line = line(record);
    assertEquals("WARNING", line.get("level").asText());
    assertEquals("dev.conveyor.recovery.LeaseReaper", line.get("logger").asText());
    assertEquals("job 01a23eca-0ff3-7be9-a30e-2befd1b04175 (sleep): \"lease\" lost\nagain", line.get("message").asText(),
        "quotes and line breaks escaped, and read back as they were");
    assertEquals("01a23eca-0ff3-7be9-a30e-2befd1b04175", line.get("jobId").asText());
    assertTrue(line.get("time").asText().endsWith("Z"), "UTC: " + line.get("time"));
    assertTrue(line.get("thread").isNumber());
    assertFalse(line.has("error"));
  }

  @Test
  void parametersAreFilledInAndAStackTraceIsKept() throws Exception {
    LogRecord record = new LogRecord(Level.SEVERE, "consumer loop failed after {0} records");
    record.setParameters(new Object[] {42});
    record.setThrown(new IllegalStateException("boom"));
    JsonNode line = line(record);
    assertEquals("consumer loop failed after 42 records", line.get("message").asText());
    assertFalse(line.has("jobId"), "a line about no job names none");
    assertTrue(line.get("error").asText().startsWith("java.lang.IllegalStateException: boom"));
    assertTrue(line.get("error").asText().contains("\tat dev.conveyor.config.JsonLogFormatterTest"));
  }

  @Test
  void theFormatIsTextByDefaultJsonWhenAskedAndNothingElse() {
    assertEquals(Config.LogFormat.TEXT, Config.from(Map.of()).logFormat());
    assertEquals(Config.LogFormat.JSON, Config.from(Map.of("CONVEYOR_LOG_FORMAT", "json")).logFormat());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> Config.from(Map.of("CONVEYOR_LOG_FORMAT", "xml")));
    assertTrue(bad.getMessage().contains("CONVEYOR_LOG_FORMAT"), bad.getMessage());
  }
}
