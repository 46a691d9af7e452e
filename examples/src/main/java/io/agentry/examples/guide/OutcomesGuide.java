package io.agentry.examples.guide;

import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskFailedException;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Guide section "Handles and outcomes". */
public final class OutcomesGuide {
  private static final Logger LOG = LoggerFactory.getLogger(OutcomesGuide.class);

  private OutcomesGuide() {}

  /**
   * Waits with join and returns what the caller sees.
   *
   * @param handle the handle
   * @return the result, the original failure's message or "cancelled"
   */
  public static String join(TaskHandle<Integer> handle) {
    String seen;
    // tag::join[]
    try {
      Integer lines = handle.join();           // waits (not interruptibly) for the result
      seen = "lines: " + lines;
    } catch (TaskFailedException e) {          // failed or timed out
      Throwable original = e.getCause();       // what the work threw, unchanged
      seen = "failed: " + original.getMessage();
    } catch (CancellationException e) {
      seen = "cancelled";
    }
    // end::join[]
    return seen;
  }

  /**
   * Waits with await and reports every kind of outcome.
   *
   * @param handle the handle
   * @return the outcome
   * @throws InterruptedException if interrupted while waiting
   */
  public static TaskOutcome<Integer> await(TaskHandle<Integer> handle) throws InterruptedException {
    // tag::await[]
    TaskOutcome<Integer> outcome = handle.await(); // throws only InterruptedException
    switch (outcome) {
      case TaskOutcome.Succeeded<Integer> s -> LOG.info("{} lines", s.value());
      case TaskOutcome.Failed<Integer> f ->
          LOG.warn("failed after {} attempt(s)", f.attempts(), f.cause());
      case TaskOutcome.TimedOut<Integer> t -> LOG.warn("timed out", t.cause());
      case TaskOutcome.Cancelled<Integer> c -> LOG.info("cancelled: {}", c.reason());
    }
    LOG.info("ran on {}, waited {}, took {}",
        outcome.agents(), outcome.queueWait(), outcome.duration());
    // end::await[]
    return outcome;
  }

  /**
   * Composes on the handle's future.
   *
   * @param handle the handle
   * @return the future of a summary line
   */
  public static CompletableFuture<String> future(TaskHandle<Integer> handle) {
    // tag::future[]
    CompletableFuture<String> summary = handle.toCompletableFuture()
        .handle((lines, failure) -> switch (failure) {
          case null -> lines + " lines";
          case TaskFailedException e -> "failed: " + e.getCause().getMessage();
          case CancellationException e -> "cancelled";
          default -> "unexpected: " + failure;
        });
    // end::future[]
    return summary;
  }

  /**
   * Submits a task whose work throws.
   *
   * @param runtime the runtime
   * @return the handle
   */
  public static TaskHandle<Integer> failing(AgentRuntime runtime) {
    return runtime.submit(Task.of("count", ctx -> {
      throw new IllegalStateException("file is gone");
    }));
  }
}
