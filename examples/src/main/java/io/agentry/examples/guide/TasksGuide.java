package io.agentry.examples.guide;

import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import io.agentry.core.TaskTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Guide sections "Tasks" and "Timeouts". */
public final class TasksGuide {
  private static final Logger LOG = LoggerFactory.getLogger(TasksGuide.class);

  private TasksGuide() {}

  /**
   * Makes a task with defaults.
   *
   * @param path the file to count
   * @return the task
   */
  public static Task<Long> plain(Path path) {
    // tag::task-of[]
    Task<Long> count = Task.of("count-lines", ctx -> countLines(path));
    // end::task-of[]
    return count;
  }

  /**
   * Makes a task with every builder option.
   *
   * @param orderId the order
   * @return the task
   */
  public static Task<byte[]> everyOption(String orderId) {
    // tag::task-builder[]
    Task<byte[]> invoice = Task.builder("render-invoice", ctx -> renderInvoice(orderId))
        .id("invoice-" + orderId)          // yours; while it is in flight, the same id is rejected
        .requires("pdf")                   // runs only on agents tagged "pdf"
        .resource("memoryGb", 2)           // holds 2 of the agent's "memoryGb" while it runs
        .priority(5)                       // for priority queue disciplines; FIFO ignores it
        .key("customer-42")                // routing key for key-aware selectors
        .orderedByKey()                    // one at a time, in submission order, within the key
        .queueTimeout(Duration.ofSeconds(30))
        .attemptTimeout(Duration.ofSeconds(10))
        .deadline(Duration.ofMinutes(1))
        .label("tenant", "acme")           // carried along, for your listeners
        .build();
    // end::task-builder[]
    return invoice;
  }

  /**
   * Makes a task that reads its context.
   *
   * @param dirs the folders to scan
   * @return the task
   */
  public static Task<Long> withContext(List<Path> dirs) {
    // tag::context[]
    Task<Long> scan = Task.builder("scan", ctx -> {
      long files = 0;
      for (Path dir : dirs) {
        if (ctx.isCancelled()) {        // cancelled or timed out: stop early
          throw new CancellationException("stopped before " + dir);
        }
        files += countFiles(dir);
        ctx.heartbeat();                // "still alive", checked by heartbeatTimeout
      }
      LOG.info("attempt {} of task {} ran on agent {}", ctx.attempt(), ctx.taskId(), ctx.agent());
      return files;
    }).heartbeatTimeout(Duration.ofSeconds(30)).build();
    // end::context[]
    return scan;
  }

  /**
   * Submits a task that outlives its attempt timeout and tells which timeout ended it.
   *
   * @param runtime a runtime with at least one agent
   * @return the name of the timeout
   * @throws InterruptedException if interrupted while waiting
   */
  public static String whichTimeout(AgentRuntime runtime) throws InterruptedException {
    TaskHandle<String> handle = runtime.submit(Task.builder("sleepy", ctx -> {
      Thread.sleep(Duration.ofSeconds(10));
      return "woke up";
    }).attemptTimeout(Duration.ofMillis(50)).build());
    String which = "";
    // tag::timeout-outcome[]
    TaskOutcome<String> outcome = handle.await();
    if (outcome instanceof TaskOutcome.TimedOut<String> timedOut
        && timedOut.cause() instanceof TaskTimeoutException timeout) {
      which = timeout.timeout();       // "attemptTimeout"
      LOG.warn("{} of {} passed", timeout.timeout(), timeout.limit());
    }
    // end::timeout-outcome[]
    return which;
  }

  /**
   * Submits a task that no agent can run.
   *
   * @param runtime a runtime in which no agent has the tag "tpu"
   * @return the cause of the outcome
   * @throws InterruptedException if interrupted while waiting
   */
  public static Throwable noEligibleAgent(AgentRuntime runtime) throws InterruptedException {
    // tag::no-eligible[]
    TaskHandle<String> handle = runtime.submit(Task.builder("train", ctx -> "trained")
        .requires("tpu")                   // no agent has it: the task waits in the queue
        .queueTimeout(Duration.ofMillis(200))
        .build());
    TaskOutcome<String> outcome = handle.await(); // TimedOut after 200 ms
    Throwable cause = ((TaskOutcome.TimedOut<String>) outcome).cause();
    // cause: NoEligibleAgentException naming the required tags and every agent's state and tags
    // end::no-eligible[]
    return cause;
  }

  private static long countLines(Path path) {
    return path.toString().length(); // stands in for real work
  }

  private static long countFiles(Path dir) {
    return dir.getNameCount(); // stands in for real work
  }

  private static byte[] renderInvoice(String orderId) {
    return orderId.getBytes(java.nio.charset.StandardCharsets.UTF_8); // stands in for real work
  }
}
