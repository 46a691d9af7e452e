package io.agentry.core.spi;

import io.agentry.core.event.RuntimeEvent;

/**
 * Receives every {@link RuntimeEvent} of a runtime. Called outside the dispatch lock, on the thread
 * where the event happened, in order per task. A listener that throws is logged at WARN and ignored:
 * it never changes a task's outcome and never stops other listeners. Listeners should be quick; the
 * runtime builds events only when at least one listener is registered.
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
