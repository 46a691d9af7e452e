package io.agentry.examples.guide;

import io.agentry.core.AgentRuntime;
import io.agentry.core.Subscription;
import io.agentry.core.TaskCounts;
import io.agentry.core.TaskState;
import io.agentry.core.event.RuntimeEvent;
import io.agentry.core.event.TaskCompleted;
import io.agentry.core.event.TaskRetryScheduled;
import io.agentry.core.spi.RuntimeListener;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Guide section "Events and listeners". */
public final class EventsGuide {
  private static final Logger LOG = LoggerFactory.getLogger(EventsGuide.class);

  private EventsGuide() {}

  /**
   * Subscribes a listener that logs failures and retries.
   *
   * @param runtime the runtime
   * @return the subscription; close it to unsubscribe
   */
  public static Subscription subscribe(AgentRuntime runtime) {
    // tag::listener[]
    Subscription subscription = runtime.subscribe(event -> {
      switch (event) {
        case TaskCompleted done when done.state() != TaskState.SUCCEEDED ->
            LOG.warn("task {} ({}) ended {}", done.taskId(), done.taskName(), done.state(),
                done.cause());
        case TaskRetryScheduled retry ->
            LOG.info("task {} retries in {}", retry.taskId(), retry.delay());
        default -> { }
      }
    });
    // later: subscription.close() unsubscribes
    // end::listener[]
    return subscription;
  }

  /**
   * Subscribes a listener that declines routine events and logs the tasks that did not succeed.
   *
   * @param runtime the runtime
   * @return the subscription; close it to unsubscribe
   */
  public static Subscription subscribeWithoutRoutineEvents(AgentRuntime runtime) {
    // tag::quiet-listener[]
    Subscription failures = runtime.subscribe(new RuntimeListener() {
      @Override
      public void onEvent(RuntimeEvent event) {
        // failures, cancellations, timeouts, retries, rejections, agent changes, and the first
        // TaskSubmitted of each task name
        if (event instanceof TaskCompleted done) {
          LOG.warn("task {} ended {}", done.taskId(), done.state()); // never SUCCEEDED here
        }
      }

      @Override
      public boolean routineEvents() {
        return false;
      }
    });
    // end::quiet-listener[]
    return failures;
  }

  /**
   * Reads the counts of the tasks named {@code resize}.
   *
   * @param runtime the runtime
   * @return how many succeeded, and their mean queue wait
   */
  public static Counted resizeCounts(AgentRuntime runtime) {
    // tag::task-counts[]
    TaskCounts resize = runtime.taskCounts("resize").orElseThrow();
    long ok = resize.ended(TaskState.SUCCEEDED);
    Duration meanQueueWait = resize.totalQueueWait().dividedBy(Math.max(1, resize.attemptsStarted()));
    // end::task-counts[]
    return new Counted(ok, meanQueueWait);
  }

  /**
   * What {@link #resizeCounts} read.
   *
   * @param succeeded tasks that succeeded
   * @param meanQueueWait the mean queue wait of their attempts
   */
  public record Counted(long succeeded, Duration meanQueueWait) {}
}
