package io.agentry.core;

import java.util.ArrayList;
import org.jspecify.annotations.Nullable;

/**
 * What a locked section decided and the caller must do after unlocking: publish the events it queued,
 * then, in order, launch attempts, complete futures and run callbacks. Keeps user code (listeners, future
 * callbacks, backends) out of the dispatch lock.
 *
 * <p>The first two effects are held in fields and only further ones in a list: a submit or an attempt
 * end usually has one or two (launch the next attempt, complete a future), and this object is made on
 * every one of them.
 */
final class Effects {
  private @Nullable Object first;
  private @Nullable Object second;
  private @Nullable ArrayList<Object> more;
  /** The number of the last event this section queued, 0 for none. */
  private long events;

  /** Notes that events up to this number were queued for publication (see {@link Dispatcher#emit}). */
  void publish(long upTo) {
    events = upTo;
  }

  void launch(AttemptRun attempt) {
    add(attempt);
  }

  void settle(TaskRun<?> run) {
    add(run);
  }

  /** Counts the futures this effect list will complete. */
  int settles() {
    int count = (first instanceof TaskRun<?> ? 1 : 0) + (second instanceof TaskRun<?> ? 1 : 0);
    if (more != null) {
      for (Object item : more) {
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
    if (first == null) {
      first = item;
    } else if (second == null) {
      second = item;
    } else {
      ArrayList<Object> list = more;
      if (list == null) {
        list = new ArrayList<>(16); // past two, usually a batch (see Dispatcher.catchUp)
        more = list;
      }
      list.add(item);
    }
  }

  /**
   * Publishes the queued events, then applies every other effect in order; one that throws does not
   * stop the others, and the first throw is rethrown.
   */
  void apply(Dispatcher rt) {
    apply(rt, false);
  }

  /**
   * As {@link #apply(Dispatcher)}; {@code onAttemptThread} says the caller is an attempt thread that
   * takes the next ready attempt itself.
   */
  void apply(Dispatcher rt, boolean onAttemptThread) {
    if (!isEmpty() && rt.handOffTimer(this)) {
      return;
    }
    Throwable thrown = null;
    readied = false;
    if (events != 0) {
      long upTo = events;
      events = 0;
      try {
        rt.drainEvents(upTo);
      } catch (Throwable t) {
        thrown = t;
      }
    }
    Object a = first;
    Object b = second;
    ArrayList<Object> list = more;
    first = null;
    second = null;
    more = null;
    if (a != null) {
      thrown = applyOne(rt, a, thrown);
    }
    if (b != null) {
      thrown = applyOne(rt, b, thrown);
    }
    if (list != null) {
      for (int i = 0; i < list.size(); i++) {
        thrown = applyOne(rt, list.get(i), thrown);
      }
    }
    if (readied) {
      try {
        // an attempt thread takes one itself; anyone else starts one thread unless one is starting
        rt.ensureThreads(onAttemptThread ? 1 : 0, 1, 1);
      } catch (Throwable t) {
        thrown = thrown == null ? t : thrown;
      }
    }
    rethrow(thrown);
  }

  private boolean readied;

  private boolean isEmpty() {
    return first == null && events == 0;
  }

  private @Nullable Throwable applyOne(Dispatcher rt, Object item, @Nullable Throwable first) {
    try {
      switch (item) {
        case AttemptRun a -> readied |= rt.launch(a);
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
        return t;
      }
      first.addSuppressed(t);
    }
    return first;
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
