package io.agentry.core;

import java.util.ArrayList;
import org.jspecify.annotations.Nullable;

/**
 * What a locked section decided and the caller must do after unlocking: launch attempts, publish the
 * events it queued, then, in order, complete futures and run callbacks. Keeps user code (listeners,
 * future callbacks, backends) out of the dispatch lock.
 *
 * <p>Launches are kept apart from the rest and go first: they run no user code on the local path
 * (an attempt goes to the ready queue), and an attempt placed on a free slot must not wait for other
 * tasks' callbacks. The first launch and the first two other effects are held in fields and only
 * further ones in lists: a submit or an attempt end usually has one or two, and this object is made
 * on every one of them.
 */
final class Effects {
  private @Nullable AttemptRun launch;
  private @Nullable ArrayList<AttemptRun> moreLaunches;
  private @Nullable Object first;
  private @Nullable Object second;
  private @Nullable ArrayList<Object> more;
  /** Admission permits the section freed (tasks that left the queue), released after it. */
  private int permits;

  void releasePermit() {
    permits++;
  }

  /** The number of the last event this section queued, 0 for none. */
  private long events;

  /** Notes that events up to this number were queued for publication (see {@link Dispatcher#emit}). */
  void publish(long upTo) {
    events = upTo;
  }

  void launch(AttemptRun attempt) {
    if (launch == null) {
      launch = attempt;
    } else {
      if (moreLaunches == null) {
        moreLaunches = new ArrayList<>(16); // past one, a batch (see Dispatcher.catchUp) or a few
      }
      moreLaunches.add(attempt);
    }
  }

  /**
   * A graph's bookkeeping after a node ended (it submits the nodes that became ready): applied with
   * the launches, so that a graph goes on at once, not after other tasks' callbacks.
   */
  void graphStep(TaskRun<?> nodeRun) {
    if (graphSteps == null) {
      graphSteps = new ArrayList<>(4);
    }
    graphSteps.add(nodeRun);
  }

  /** Graph nodes whose task ended; {@link GraphRun#nodeEnded} runs for each, in order. */
  private @Nullable ArrayList<TaskRun<?>> graphSteps;

  /**
   * Set when a graph step handed nodes in without taking them in (see
   * {@link Dispatcher#acceptNodes}): the thread that ran the step takes them in next, in its combine
   * loop or at the end of {@link #apply}. Taking them in there, an attempt thread counts itself for
   * one of the attempts they start, instead of waking another thread for it while it goes idle.
   */
  private boolean nodesHandedIn;

  void nodesHandedIn() {
    nodesHandedIn = true;
  }

  /**
   * The combine loop takes in what the steps handed in, and looks at the submissions after the
   * slots its rounds freed: nothing is left for {@link #apply}.
   */
  void takenInByLoop() {
    nodesHandedIn = false;
    slotsFreed = false;
  }

  /**
   * Set when the section freed slots: after it, submissions that waited in the hand-off queue for
   * a slot are taken in (see {@link Dispatcher#slotsFreed}).
   */
  private boolean slotsFreed;

  void slotsFreed() {
    slotsFreed = true;
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
        list = new ArrayList<>(64); // past two, usually a batch (see Dispatcher.catchUp)
        more = list;
      }
      list.add(item);
    }
  }

  /**
   * Launches the attempts now, and makes sure ready ones get threads; the rest waits for
   * {@link #apply}.
   *
   * @param onAttemptThread the caller is an attempt thread that takes the next ready attempt itself
   */
  void launchNow(Dispatcher rt, boolean onAttemptThread) {
    AttemptRun kept = launchNow(rt, onAttemptThread, false, false);
    assert kept == null;
  }

  /**
   * As {@link #launchNow(Dispatcher, boolean)}; with {@code keep}, the first launch that would go to
   * the ready queue is returned instead, for the calling attempt thread to run next (unless graph
   * steps keep that thread busy first).
   *
   * @param holding the calling attempt thread kept an attempt in an earlier round: it takes none
   *     of these ready ones itself, so every one of them needs a thread
   */
  @Nullable AttemptRun launchNow(Dispatcher rt, boolean onAttemptThread, boolean keep,
      boolean holding) {
    if (permits != 0) {
      int n = permits;
      permits = 0;
      rt.releasePermits(n);
    }
    AttemptRun a = launch;
    if (a == null) {
      graphStepsNow(rt, onAttemptThread);
      return null;
    }
    ArrayList<AttemptRun> list = moreLaunches;
    launch = null;
    moreLaunches = null;
    AttemptRun kept = null;
    boolean mayKeep = keep && onAttemptThread && graphSteps == null;
    boolean readied = false;
    try {
      if (mayKeep && rt.readiesLocally(a)) {
        kept = a;
      } else {
        readied = rt.launch(a);
      }
      if (list != null) {
        for (int i = 0; i < list.size(); i++) {
          AttemptRun next = list.get(i);
          if (kept == null && mayKeep && rt.readiesLocally(next)) {
            kept = next;
          } else {
            readied |= rt.launch(next);
          }
        }
      }
      if (readied) {
        // an attempt thread takes one of the ready ones itself, unless it kept one (now or in an
        // earlier round) or graph steps keep it busy first; anyone else starts one thread unless
        // one is starting
        rt.ensureThreads(
            onAttemptThread && graphSteps == null && kept == null && !holding ? 1 : 0, 1,
            Dispatcher.MAX_STARTING);
      }
    } catch (RuntimeException | Error e) {
      if (kept != null) {
        rt.ready(kept); // never lost with the throw
      }
      throw e;
    }
    graphStepsNow(rt, onAttemptThread);
    return kept;
  }

  private void graphStepsNow(Dispatcher rt, boolean onAttemptThread) {
    ArrayList<TaskRun<?>> steps = graphSteps;
    if (steps == null) {
      return;
    }
    graphSteps = null;
    RuntimeException thrown = null;
    for (int i = 0; i < steps.size(); i++) {
      TaskRun<?> nodeRun = steps.get(i);
      try {
        java.util.Objects.requireNonNull(nodeRun.graph).nodeEnded(nodeRun.node, nodeRun, this);
      } catch (RuntimeException e) {
        if (thrown == null) {
          thrown = e;
        } else {
          thrown.addSuppressed(e);
        }
      }
    }
    if (thrown != null) {
      if (nodesHandedIn) { // the caller will not get to take them in: do it before throwing
        nodesHandedIn = false;
        try {
          rt.combine(onAttemptThread);
        } catch (RuntimeException e) {
          thrown.addSuppressed(e);
        }
      }
      throw thrown;
    }
  }

  /** Publishes the events queued so far (listeners must not block); the rest waits for {@link #apply}. */
  void publishNow(Dispatcher rt) {
    if (events != 0) {
      long upTo = events;
      events = 0;
      rt.drainEvents(upTo);
    }
  }

  /** Launches, then publishes the queued events, then applies every other effect in order. */
  void apply(Dispatcher rt) {
    apply(rt, false);
  }

  /**
   * As {@link #apply(Dispatcher)}; {@code onAttemptThread} says the caller is an attempt thread that
   * takes the next ready attempt itself. One effect that throws does not stop the others; the first
   * throw is rethrown.
   */
  void apply(Dispatcher rt, boolean onAttemptThread) {
    Throwable thrown = null;
    try {
      launchNow(rt, onAttemptThread);
    } catch (Throwable t) {
      thrown = t;
    }
    if (nodesHandedIn) { // graph steps handed nodes in: take them in now (see nodesHandedIn)
      nodesHandedIn = false;
      try {
        rt.combine(onAttemptThread);
      } catch (Throwable t) {
        thrown = thrown == null ? t : thrown;
      }
    }
    if ((first != null || events != 0) && rt.handOffTimer(this)) {
      rethrow(thrown);
      return;
    }
    if (events != 0) {
      long upTo = events;
      events = 0;
      try {
        rt.drainEvents(upTo);
      } catch (Throwable t) {
        thrown = thrown == null ? t : thrown;
      }
    }
    Object a = first;
    Object b = second;
    ArrayList<Object> list = more;
    if (onAttemptThread && a != null && mayRunUserCode(a, b, list)) {
      // This thread counted itself for a ready attempt, but a callback may now keep it (even wait
      // for that very attempt's task): start a thread for it instead.
      try {
        rt.ensureThreads(0, 1, Dispatcher.MAX_STARTING);
      } catch (Throwable t) {
        thrown = thrown == null ? t : thrown;
      }
    }
    int settled = settles(); // counted before the fields are cleared
    first = null;
    second = null;
    more = null;
    try {
      if (a != null) {
        thrown = applyOne(rt, this, a, thrown);
      }
      if (b != null) {
        thrown = applyOne(rt, this, b, thrown);
      }
      if (list != null) {
        for (int i = 0; i < list.size(); i++) {
          thrown = applyOne(rt, this, list.get(i), thrown);
        }
      }
    } finally {
      if (settled != 0) {
        rt.settled(settled); // one atomic add for the batch (close() waits on the count)
      }
    }
    if (slotsFreed) {
      slotsFreed = false;
      try {
        rt.slotsFreed();
      } catch (Throwable t) {
        thrown = thrown == null ? t : thrown;
      }
    }
    rethrow(thrown);
  }

  /**
   * An attempt the applying thread kept to run next (see {@link Dispatcher#combine}): handed to the
   * ready queue, with a thread of its own, before this list runs any user code, which might wait
   * for that very attempt's task.
   */
  private @Nullable AttemptRun kept;

  void keep(@Nullable AttemptRun attempt) {
    kept = attempt;
  }

  /** The kept attempt if no user code made this list hand it over, else null; clears it. */
  @Nullable AttemptRun takeKept() {
    AttemptRun k = kept;
    kept = null;
    return k;
  }

  /** Called before user code runs: hands the kept attempt, if any, to the ready queue. */
  void beforeUserCode(Dispatcher rt) {
    AttemptRun k = kept;
    if (k != null) {
      kept = null;
      rt.ready(k);
    }
  }

  /** Whether completing these runs callbacks: a future with dependents, or any other action. */
  private static boolean mayRunUserCode(Object a, @Nullable Object b, @Nullable ArrayList<Object> list) {
    if (mayRunUserCode(a) || (b != null && mayRunUserCode(b))) {
      return true;
    }
    if (list != null) {
      for (int i = 0; i < list.size(); i++) {
        if (mayRunUserCode(list.get(i))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean mayRunUserCode(Object item) {
    if (!(item instanceof TaskRun<?> r)) {
      return true;
    }
    TaskRun.ResultFuture<?> f = r.futureIfMade();
    return f != null && f.getNumberOfDependents() > 0;
  }

  private static @Nullable Throwable applyOne(Dispatcher rt, Effects fx, Object item,
      @Nullable Throwable first) {
    try {
      switch (item) {
        case TaskRun<?> r -> r.settle(fx); // counted as settled by the caller, once for all
        case Runnable r -> {
          fx.beforeUserCode(rt);
          r.run();
        }
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
