package io.agentry.examples;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.RuntimeSnapshot;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import io.agentry.core.event.AttemptStarted;
import io.agentry.core.event.TaskCompleted;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The main example: three local agents (workers, not AI models) run seven tasks, and the program
 * prints how each task ended, on which agent, after how many attempts, how long it waited and how
 * long it took.
 *
 * <p>The tasks show the usual endings: a plain task, two tasks that need the agent tagged
 * {@code gpu} (the second waits for its only slot: late binding), a task whose work throws, a
 * task that outlives its {@code attemptTimeout}, a task cancelled while it runs, and a task that no
 * agent can run (it requires a tag nobody has), which its {@code queueTimeout} ends.
 *
 * <p>Run it from the repository root with {@code ./mvnw -q -pl examples -am compile exec:java}.
 */
public final class QuickStart {

  private QuickStart() {}

  /**
   * Runs the example and prints its report on standard output.
   *
   * @param args ignored
   * @throws InterruptedException if interrupted while waiting for the tasks
   */
  public static void main(String[] args) throws InterruptedException {
    run(System.out);
  }

  /**
   * Runs the example and prints the outcome table and the runtime snapshot to {@code out}.
   *
   * @param out where the report goes
   * @throws InterruptedException if interrupted while waiting for the tasks
   */
  public static void run(PrintStream out) throws InterruptedException {
    List<Row> rows = new ArrayList<>();
    AtomicInteger attemptsStarted = new AtomicInteger();
    AtomicInteger tasksCompleted = new AtomicInteger();
    RuntimeSnapshot snapshot;

    try (AgentRuntime runtime = AgentRuntime.builder()
        .name("quickstart")
        .agent(Agent.local("cpu-1").capacity(2).tags("cpu"))
        .agent(Agent.local("cpu-2").capacity(2).tags("cpu"))
        .agent(Agent.local("gpu-1").capacity(1).tags("gpu"))
        .listener(event -> {
          switch (event) {
            case AttemptStarted started -> attemptsStarted.incrementAndGet();
            case TaskCompleted completed -> tasksCompleted.incrementAndGet();
            default -> { } // agent and retry events are not counted here
          }
        })
        .build()) {

      // A plain task: any agent may run it.
      TaskHandle<String> hello = runtime.submit(
          Task.of("hello", ctx -> "hello from " + ctx.agent()));

      // Two tasks that require the tag "gpu": only gpu-1 has it, and it runs one attempt at a time,
      // so render-2 waits in the queue until render-1 frees the slot.
      TaskHandle<String> render1 = runtime.submit(
          Task.builder("render-1", ctx -> render(1)).requires("gpu").build());
      TaskHandle<String> render2 = runtime.submit(
          Task.builder("render-2", ctx -> render(2)).requires("gpu").build());

      // A task whose work throws: it fails, and the handle keeps the original exception.
      TaskHandle<String> parse = runtime.submit(Task.of("parse-config", ctx -> {
        throw new IllegalArgumentException("line 3: expected 'key = value'");
      }));

      // A task that runs longer than its attempt timeout: it is interrupted and times out.
      TaskHandle<String> report = runtime.submit(
          Task.builder("slow-report", ctx -> slowWork(Duration.ofSeconds(10)))
              .attemptTimeout(Duration.ofMillis(100))
              .build());

      // A task cancelled while it runs: cancel() interrupts its attempt.
      CountDownLatch exportStarted = new CountDownLatch(1);
      TaskHandle<String> export = runtime.submit(Task.of("long-export", ctx -> {
        exportStarted.countDown();
        return slowWork(Duration.ofSeconds(10));
      }));

      // A task no agent can run (nobody has the tag "tpu"): it waits, and its queue timeout ends it
      // with a NoEligibleAgentException.
      TaskHandle<String> train = runtime.submit(
          Task.builder("train-model", ctx -> "trained").requires("tpu")
              .queueTimeout(Duration.ofMillis(300))
              .build());

      exportStarted.await();
      export.cancel();

      // await() waits for the end and returns the outcome whatever it is (join() would throw).
      rows.add(new Row("hello", hello.await()));
      rows.add(new Row("render-1", render1.await()));
      rows.add(new Row("render-2", render2.await()));
      rows.add(new Row("parse-config", parse.await()));
      rows.add(new Row("slow-report", report.await()));
      rows.add(new Row("long-export", export.await()));
      rows.add(new Row("train-model", train.await()));

      // A timed-out or cancelled attempt keeps its agent's slot until its work really returns.
      // Draining every agent waits for that, so the snapshot below shows every slot free.
      CompletableFuture.allOf(
          runtime.drainAgent("cpu-1"), runtime.drainAgent("cpu-2"), runtime.drainAgent("gpu-1"))
          .join();
      snapshot = runtime.snapshot();
    }

    printOutcomes(out, rows);
    out.println();
    printCauses(out, rows);
    out.println();
    printSnapshot(out, snapshot);
    out.println();
    out.printf("Listener saw %d attempts start and %d tasks complete.%n",
        attemptsStarted.get(), tasksCompleted.get());
  }

  private static String render(int frame) throws InterruptedException {
    Thread.sleep(Duration.ofMillis(300)); // plays slow work on the agent's virtual thread
    return "frame " + frame + " rendered";
  }

  private static String slowWork(Duration length) throws InterruptedException {
    Thread.sleep(length); // answers the runtime's interrupt by throwing InterruptedException
    return "done";
  }

  private static void printOutcomes(PrintStream out, List<Row> rows) {
    String format = "%-13s %-8s %-10s %8s %11s %9s  %s%n";
    out.printf(format,
        "task", "agent(s)", "outcome", "attempts", "queue wait", "duration", "detail");
    for (Row row : rows) {
      TaskOutcome<String> o = row.outcome();
      out.printf(format,
          row.task(),
          o.agents().isEmpty() ? "-" : String.join(",", o.agents()),
          o.state(),
          o.attempts(),
          millis(o.queueWait()),
          millis(o.duration()),
          detail(o));
    }
  }

  private static String detail(TaskOutcome<String> outcome) {
    return switch (outcome) {
      case TaskOutcome.Succeeded<String> s -> "result: " + s.value();
      case TaskOutcome.Failed<String> f -> "cause: " + f.cause().getClass().getSimpleName();
      case TaskOutcome.TimedOut<String> t -> "cause: " + t.cause().getClass().getSimpleName();
      case TaskOutcome.Cancelled<String> c -> "reason: " + c.reason();
    };
  }

  private static void printCauses(PrintStream out, List<Row> rows) {
    out.println("Causes (the original exception, unwrapped):");
    for (Row row : rows) {
      switch (row.outcome()) {
        case TaskOutcome.Failed<String> f -> out.printf("  %-13s %s%n", row.task(), f.cause());
        case TaskOutcome.TimedOut<String> t -> out.printf("  %-13s %s%n", row.task(), t.cause());
        default -> { } // succeeded and cancelled tasks have no cause
      }
    }
  }

  private static String millis(Duration d) {
    return d.toMillis() + " ms";
  }

  private static void printSnapshot(PrintStream out, RuntimeSnapshot s) {
    out.printf("Runtime '%s': submitted=%d succeeded=%d failed=%d timedOut=%d cancelled=%d"
            + " rejected=%d queued=%d running=%d waitingToRetry=%d%n",
        s.runtime(), s.submitted(), s.succeeded(), s.failed(), s.timedOut(), s.cancelled(),
        s.rejected(), s.queued(), s.running(), s.waitingToRetry());
    String format = "%-6s %-9s %8s %9s %9s %7s%n";
    out.printf(format, "agent", "state", "capacity", "in flight", "succeeded", "failed");
    for (RuntimeSnapshot.AgentSnapshot a : s.agents()) {
      out.printf(format, a.id(), a.state(), a.capacity(), a.inFlight(), a.succeeded(), a.failed());
    }
  }

  /** One line of the outcome table. */
  private record Row(String task, TaskOutcome<String> outcome) {}
}
