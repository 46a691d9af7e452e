package io.agentry.core.event;

import java.time.Instant;

/**
 * Something that happened in a runtime. Events are immutable values, built only when a listener is
 * registered, and delivered in order per task.
 */
public sealed interface RuntimeEvent
    permits TaskSubmitted, TaskRejected, AttemptStarted, AttemptEnded, TaskRetryScheduled,
        TaskHedged, TaskCompleted, AgentAdded, AgentStateChanged, AgentRemoved {

  /**
   * Returns when the event happened.
   *
   * @return the instant, from the runtime's scheduler
   */
  Instant at();

  /**
   * Returns the name of the runtime the event happened in.
   *
   * @return the runtime name
   */
  String runtime();
}
