package io.agentry.core;

import java.util.ArrayList;
import org.jspecify.annotations.Nullable;

/**
 * What a locked section decided and the caller must do after unlocking: publish the events it queued,
 * then, in order, launch attempts, complete futures and run callbacks. Keeps user code (listeners, future
 * callbacks, backends) out of the dispatch lock.
 */
final class Effects {
  private @Nullable ArrayList<Object> items;
  private boolean events;

  /** Notes that events were queued for publication (see {@link Dispatcher#emit}). */
  void publish() {
    events = true;
  }

  void launch(AttemptRun attempt) {
    add(attempt);
  }

  void settle(TaskRun<?> run) {
    add(run);
  }

  /** Counts the futures this effect list will complete. */
  int settles() {
    int count = 0;
    if (items != null) {
      for (Object item : items) {
        if (item instanceof TaskRun<?>) {
          count++;
        }
      }
    }
    return count;
  }

  void run(Runnable action) {
    add(action);
  }

  private void add(Object item) {
    ArrayList<Object> list = items;
    if (list == null) {
      list = new ArrayList<>(4);
      items = list;
    }
    list.add(item);
  }

  /**
   * Publishes the queued events, then applies every other effect in order; one that throws does not
   * stop the others, and the first throw is rethrown.
   */
  void apply(Dispatcher rt) {
    Throwable first = null;
    if (events) {
      events = false;
      try {
        rt.drainEvents();
      } catch (Throwable t) {
        first = t;
      }
    }
    ArrayList<Object> list = items;
    if (list == null) {
      rethrow(first);
      return;
    }
    items = null;
    for (int i = 0; i < list.size(); i++) {
      Object item = list.get(i);
      try {
        switch (item) {
          case AttemptRun a -> rt.launch(a);
          case TaskRun<?> r -> {
            try {
              r.settle();
            } finally {
              rt.settled();
            }
          }
          case Runnable r -> r.run();
          default -> throw new IllegalStateException("unknown effect " + item);
        }
      } catch (Throwable t) {
        if (first == null) {
          first = t;
        } else {
          first.addSuppressed(t);
        }
      }
    }
    rethrow(first);
  }

  private static void rethrow(@Nullable Throwable first) {
    if (first instanceof RuntimeException re) {
      throw re;
    }
    if (first instanceof Error err) {
      throw err;
    }
  }
}
