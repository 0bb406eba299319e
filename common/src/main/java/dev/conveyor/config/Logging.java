package dev.conveyor.config;

import java.util.logging.Level;
import java.util.logging.Logger;

/** One-line log records on standard error for every process; Kafka's and Netty's chatter kept to warnings. */
public final class Logging {
  private static final Logger[] QUIETED = {
      Logger.getLogger("org.apache.kafka"), Logger.getLogger("io.netty"), Logger.getLogger("kafka")};

  private Logging() {
  }

  public static void configure() {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format",
          "%1$tFT%1$tT.%1$tLZ %4$-7s %3$s - %5$s%6$s%n");
    }
    System.setProperty("user.timezone", "UTC");
    for (Logger logger : QUIETED) {
      logger.setLevel(Level.WARNING);
    }
  }
}
