package io.agentry.core.spi;

import io.agentry.core.event.RuntimeEvent;

/**
 * Receives every {@link RuntimeEvent} of a runtime, one event at a time, in the order the events
 * happened (so per task: submitted, attempt started, attempt ended, ..., completed), outside the
 * dispatch lock, on one of the runtime's threads. A task's {@code TaskCompleted} is delivered before
 * its handle completes. A listener that throws is logged at WARN and ignored: it never changes a
 * task's outcome and never stops other listeners. Listeners must be quick and must not block: they
 * delay the delivery of every later event. The runtime builds events only when at least one listener
 * is registered, and a task's routine events only when a listener wants them
 * ({@link #routineEvents()}).
 */
@FunctionalInterface
public interface RuntimeListener {

  /**
   * Receives one event.
   *
   * @param event the event
   */
  void onEvent(RuntimeEvent event);

  /**
   * Tells whether this listener receives the <em>routine</em> events: those of a task going the
   * usual way, which a runtime makes four of for every task. They are
   * <ul>
   *   <li>{@code TaskSubmitted}, except the first one of each task name the runtime counts;
   *   <li>{@code AttemptStarted} of a task's first attempt;
   *   <li>{@code AttemptEnded} with status {@code SUCCEEDED};
   *   <li>{@code TaskCompleted} with state {@code SUCCEEDED}.
   * </ul>
   * Every other event (a retry's or a hedge's start, a failed or timed-out attempt, a task that
   * failed, was cancelled or timed out, rejections, retries, hedges, agent changes) goes to every
   * listener.
   *
   * <p>A listener that only counts or sums what routine events say can answer {@code false} and read
   * the same figures from {@link io.agentry.core.AgentRuntime#taskCounts()} when it needs them. When
   * no listener wants routine events, the runtime does not make them at all, so a task that goes well
   * costs no event: this is how the Micrometer binding of {@code agent-metrics} stays cheap. The
   * first {@code TaskSubmitted} of each name still comes, so that such a listener learns every task
   * name as it appears (names seen before it subscribed are in {@code taskCounts()}).
   *
   * <p>The runtime asks once, when the listener is subscribed.
   *
   * @return {@code true} (the default) to receive every event; {@code false} to receive all but the
   *     routine ones
   */
  default boolean routineEvents() {
    return true;
  }
}
