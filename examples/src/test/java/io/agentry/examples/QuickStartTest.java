package io.agentry.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the README's main example and checks what it prints. Only outcomes, attempts and the agents
 * fixed by tags are asserted: timings and the round-robin choice among equal agents are left free.
 */
class QuickStartTest {

  private static String report;

  @BeforeAll
  static void runQuickStart() throws InterruptedException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
      QuickStart.run(out);
    }
    report = buffer.toString(StandardCharsets.UTF_8);
  }

  @Test
  void plainTaskSucceedsOnAnAgent() {
    assertThat(row("hello")).containsSubsequence("SUCCEEDED", "1");
    assertThat(line("hello")).contains("result: hello from cpu-");
  }

  @Test
  void taggedTasksRunOnTheOnlyAgentWithTheTag() {
    assertThat(row("render-1")).startsWith("render-1", "gpu-1", "SUCCEEDED", "1")
        .endsWith("result: frame 1 rendered");
    assertThat(row("render-2")).startsWith("render-2", "gpu-1", "SUCCEEDED", "1")
        .endsWith("result: frame 2 rendered");
  }

  @Test
  void throwingTaskFailsWithTheOriginalException() {
    assertThat(row("parse-config")).containsSubsequence("FAILED", "1",
        "cause: IllegalArgumentException");
    assertThat(causeLine("parse-config"))
        .contains("java.lang.IllegalArgumentException: line 3: expected 'key = value'");
  }

  @Test
  void slowTaskTimesOutByItsAttemptTimeout() {
    assertThat(row("slow-report")).containsSubsequence("TIMED_OUT", "1",
        "cause: TaskTimeoutException");
    assertThat(causeLine("slow-report")).contains("attemptTimeout of PT0.1S passed");
  }

  @Test
  void cancelledTaskIsCancelledByItsHandle() {
    assertThat(row("long-export")).containsSubsequence("CANCELLED", "1",
        "reason: cancelled by its handle");
  }

  @Test
  void taskThatNoAgentCanRunEndsByItsQueueTimeout() {
    assertThat(row("train-model")).startsWith("train-model", "-", "TIMED_OUT", "0");
    assertThat(causeLine("train-model"))
        .contains("NoEligibleAgentException", "queueTimeout", "requires tags [tpu]");
  }

  @Test
  void snapshotCountsEveryEndingAndFreeSlots() {
    assertThat(report).contains("Runtime 'quickstart': submitted=7 succeeded=3 failed=1 timedOut=2"
        + " cancelled=1 rejected=0 queued=0 running=0 waitingToRetry=0");
    long succeeded = 0;
    long failed = 0;
    for (String agent : List.of("cpu-1", "cpu-2", "gpu-1")) {
      // agent, state, capacity, in flight, succeeded, failed
      List<String> cells = cells(line(agent + " "));
      assertThat(cells).hasSize(6);
      assertThat(cells.get(1)).as("state of %s", agent).isEqualTo("DRAINING");
      assertThat(cells.get(3)).as("attempts in flight on %s", agent).isEqualTo("0");
      succeeded += Long.parseLong(cells.get(4));
      failed += Long.parseLong(cells.get(5));
    }
    assertThat(cells(line("gpu-1 "))).containsExactly("gpu-1", "DRAINING", "1", "0", "2", "0");
    assertThat(succeeded).as("attempts that returned a result").isEqualTo(3);
    assertThat(failed).as("attempts that failed, timed out or were cancelled").isEqualTo(3);
  }

  @Test
  void listenerSeesEveryAttemptAndEveryTask() {
    assertThat(report).contains("Listener saw 6 attempts start and 7 tasks complete.");
  }

  /** The cells of a task's row in the outcome table: columns are two or more spaces apart. */
  private static List<String> row(String task) {
    return cells(line(task + " "));
  }

  private static List<String> cells(String line) {
    return Arrays.stream(line.trim().split(" {2,}")).toList();
  }

  private static String line(String prefix) {
    Optional<String> found = report.lines().filter(l -> l.startsWith(prefix)).findFirst();
    assertThat(found).as("a line starting with '%s' in:%n%s", prefix, report).isPresent();
    return found.orElseThrow();
  }

  private static String causeLine(String task) {
    return line("  " + task + " ");
  }
}
