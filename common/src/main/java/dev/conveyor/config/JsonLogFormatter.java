package dev.conveyor.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A log record as one line of JSON, for log shippers: {@code time} (UTC), {@code level}, {@code logger},
 * {@code message}, {@code thread} (its id), {@code jobId} when the line is about one job (every such line names it as
 * "job &lt;id&gt;"), and {@code error} with the stack trace when one was logged.
 */
public final class JsonLogFormatter extends Formatter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern JOB = Pattern.compile("\\bjob ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");

  @Override
  public String format(LogRecord record) {
    ObjectNode line = JSON.createObjectNode();
    String message = formatMessage(record);
    line.put("time", record.getInstant().toString());
    line.put("level", record.getLevel().getName());
    line.put("logger", record.getLoggerName());
    line.put("message", message);
    line.put("thread", record.getLongThreadID());
    Matcher job = JOB.matcher(message == null ? "" : message);
    if (job.find()) {
      line.put("jobId", job.group(1));
    }
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      line.put("error", trace.toString());
    }
    return line + System.lineSeparator();
  }
}
