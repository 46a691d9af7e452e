package io.agentry.core.spi;

import io.agentry.core.event.RuntimeEvent;

/**
 * Receives every {@link RuntimeEvent} of a runtime, one event at a time, in the order the events
 * happened (so per task: submitted, attempt started, attempt ended, ..., completed), outside the
 * dispatch lock, on one of the runtime's threads. A task's {@code TaskCompleted} is delivered before
 * its handle completes. A listener that throws is logged at WARN and ignored: it never changes a
 * task's outcome and never stops other listeners. Listeners must be quick and must not block: they
 * delay the delivery of every later event. The runtime builds events only when at least one listener
 * is registered.
 */
@FunctionalInterface
public interface RuntimeListener {

  /**
   * Receives one event.
   *
   * @param event the event
   */
  void onEvent(RuntimeEvent event);
}
