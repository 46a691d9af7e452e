package io.agentry.infinispan;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** A {@link ClusterWorkerMain} in its own JVM, with the same java binary and the test class path. */
final class WorkerProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private WorkerProcess(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread.ofVirtual().name("reader-" + name).start(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
          System.out.println("[" + name + "] " + line);
        }
      } catch (IOException e) {
        // the process died
      }
    });
  }

  static WorkerProcess start(String cluster, String name, int port, List<Integer> ports,
      int capacity, boolean hold) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classPath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", classPath, ClusterWorkerMain.class.getName(), cluster, name, String.valueOf(port),
        String.join(",", ports.stream().map(String::valueOf).toList()), String.valueOf(capacity),
        hold ? "hold" : "run"));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      return new WorkerProcess(name, p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long pid() {
    return process.pid();
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  List<String> linesStartingWith(String prefix) {
    return lines.stream().filter(l -> l.startsWith(prefix)).toList();
  }

  void awaitLines(Predicate<List<String>> condition, Duration timeout) {
    Awaitility.await(name).atMost(timeout).until(() -> {
      if (!process.isAlive() && !condition.test(lines())) {
        throw new IllegalStateException("worker " + name + " exited with " + process.exitValue()
            + "; output: " + lines());
      }
      return condition.test(lines());
    });
  }

  void send(String line) {
    try {
      OutputStream out = process.getOutputStream();
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid()))
        .inheritIO().start();
    if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
    }
  }

  void killNine() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      try {
        signal("CONT"); // a stopped process must run to see its stdin close; SIGKILL works anyway
      } catch (IOException | RuntimeException e) {
        // it may have just died
      }
      process.destroyForcibly();
    }
    process.waitFor(30, TimeUnit.SECONDS);
  }
}
