package io.agentry.core;

import io.agentry.core.event.RuntimeEvent;
import java.util.ArrayList;
import org.jspecify.annotations.Nullable;

/**
 * What a locked section decided and the caller must do after unlocking, in order: publish events,
 * launch attempts, complete futures, run backend callbacks. Keeps user code (listeners, future
 * callbacks, backends) out of the dispatch lock.
 */
final class Effects {
  private @Nullable ArrayList<Object> items;

  void event(RuntimeEvent event) {
    add(event);
  }

  void launch(AttemptRun attempt) {
    add(attempt);
  }

  void settle(TaskRun<?> run) {
    add(run);
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

  /** Applies every effect; one that throws does not stop the others, and the first throw is rethrown. */
  void apply(Dispatcher rt) {
    ArrayList<Object> list = items;
    if (list == null) {
      return;
    }
    items = null;
    Throwable first = null;
    for (int i = 0; i < list.size(); i++) {
      Object item = list.get(i);
      try {
        switch (item) {
          case RuntimeEvent e -> rt.publish(e);
          case AttemptRun a -> rt.launch(a);
          case TaskRun<?> r -> r.settle();
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
    if (first instanceof RuntimeException re) {
      throw re;
    }
    if (first instanceof Error err) {
      throw err;
    }
  }
}
