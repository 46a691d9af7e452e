package io.agentry.examples.guide;

import io.agentry.core.AgentRuntime;
import io.agentry.core.Subscription;
import io.agentry.core.TaskState;
import io.agentry.core.event.TaskCompleted;
import io.agentry.core.event.TaskRetryScheduled;
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
}
