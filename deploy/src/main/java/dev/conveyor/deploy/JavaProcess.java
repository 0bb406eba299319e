package dev.conveyor.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts a class's main method in a child JVM, with this JVM's class path unless told otherwise. */
public final class JavaProcess {
  private JavaProcess() {
  }

  /**
   * JVM settings for an API or worker process on a small machine or in a container: a bounded heap with the serial
   * collector (short pauses at this size, and none of G1's native overhead), bounded metaspace and code cache, so a
   * process stays under 300 MiB of resident memory under load.
   */
  public static final List<String> SERVICE_JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms32m", "-Xmx160m",
      "-XX:MaxMetaspaceSize=128m", "-XX:ReservedCodeCacheSize=64m", "-Xss512k");

  /** {@code java <service flags> -jar <jar>}. */
  public static List<String> serviceJar(String jar) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(SERVICE_JVM_FLAGS);
    command.add("-jar");
    command.add(jar);
    return command;
  }

  public static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public static ProcessBuilder builder(String classpath, List<String> jvmArgs, String mainClass, List<String> args,
      Map<String, String> env) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    return builder;
  }

  public static String ownClasspath() {
    return System.getProperty("java.class.path");
  }

  public static Process start(ProcessBuilder builder, File log) throws IOException {
    if (log != null) {
      builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    } else {
      builder.inheritIO();
    }
    return builder.start();
  }
}
