package io.agentry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.agentry.core.event.AttemptStarted;
import io.agentry.core.event.TaskCompleted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stress tests of the dispatch paths of the default executor: attempt threads that take the next
 * ready attempt and run it on the same thread, submits and attempt ends queued for the dispatch
 * lock and taken in by whoever holds it ({@code combine()}/{@code catchUp()}), outcomes built
 * outside the lock, the interrupt handshake between giving up an attempt and its thread going on,
 * and close() waiting without the lock. Each scenario runs many tasks on many threads and checks
 * invariants that fail if one of those paths breaks its promise.
 *
 * <p>Randomness is seeded: set {@code -Dagentry.stress.seed=N} to replay a logged seed (thread
 * interleavings still vary; the assertions hold for every interleaving). Nothing here sleeps to
 * wait: threads wait on latches, queues and futures, and the test thread on bounded joins and
 * Awaitility. The bounds only guard against hangs (a stall is reported with the state of every
 * unfinished handle); no assertion is about timing.
 *
 * <p>Work that waits for its interrupt spins only briefly, then blocks: on a machine with few
 * cores, attempts that spin until interrupted (even with {@code Thread.yield()}) can hold every
 * carrier thread of the virtual-thread scheduler while a virtual thread that holds or waits for
 * the dispatch lock needs one, and the timer thread that would interrupt them needs that lock.
 * That hazard of CPU-bound work on virtual threads is not what these tests are about.
 */
class DispatchConcurrencyStressTest {
  private static final Logger LOG = LoggerFactory.getLogger(DispatchConcurrencyStressTest.class);
  private static final long BASE_SEED = Long.getLong("agentry.stress.seed", 0xD15EL);
  /** Never opened: work that waits on it runs until its attempt is interrupted. */
  private static final CountDownLatch NEVER = new CountDownLatch(1);
  /** A hang guard, never a timing assertion. */
  private static final Duration BOUND = Duration.ofSeconds(30);
  /** How long the tasks may make no progress at all before a wait is reported as a stall. */
  private static final Duration STALL = Duration.ofSeconds(10);

  // ============================================== 1. interrupts on threads reused across attempts

  private static final int INTERRUPT_TASKS = 20_000;

  /** What the work of a task does with interrupts. */
  enum Kind {
    /** Records whether its thread is interrupted when it starts and while it runs; returns. */
    PROBE,
    /** Sets its own thread's interrupt flag and returns with it set. */
    SELF_INTERRUPT,
    /** Spins about as long as its tiny attempt timeout, ignoring interrupts: the two race. */
    RACER,
    /** Spins, then blocks, until its tiny attempt timeout interrupts it; keeps the flag set. */
    SPIN_VICTIM,
    /** Blocks until its tiny attempt timeout interrupts it; restores the flag and returns. */
    RESTORE_VICTIM,
    /** Blocks until its tiny deadline interrupts it (or ends while queued); keeps the flag. */
    DEADLINE_VICTIM
  }

  static Stream<Arguments> interruptRounds() {
    return Stream.of(false, true).flatMap(cancels -> Stream.of(1, 2).map(round ->
        Arguments.of(cancels, BASE_SEED * 1_000 + round * 10 + (cancels ? 1 : 0))));
  }

  @ParameterizedTest(name = "cancels racing ends={0}, seed={1}")
  @MethodSource("interruptRounds")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void anInterruptAimedAtAnAttemptNeverReachesTheNextAttemptOnItsThread(boolean cancels, long seed)
      throws Exception {
    long t0 = System.nanoTime();
    new InterruptScenario(cancels, seed).run();
    LOG.info("interrupt scenario (cancels={}, seed {}) took {} ms", cancels, seed,
        (System.nanoTime() - t0) / 1_000_000);
  }

  /** What the attempts that ran on one (reused) attempt thread left behind. */
  private static final class ThreadTrack {
    int attempts;
    boolean lastLeftInterrupt;
  }

  private static final class InterruptScenario {
    final boolean cancels;
    final long seed;
    final Kind[] kind = new Kind[INTERRUPT_TASKS];
    final long[] spinNanos = new long[INTERRUPT_TASKS];
    final long[] limitNanos = new long[INTERRUPT_TASKS];
    /** 0: not cancelled by the test; 1: cancelled right after submit; 2: once its work started. */
    final byte[] cancelWhen = new byte[INTERRUPT_TASKS];
    final Handles handles = new Handles(INTERRUPT_TASKS, DispatchConcurrencyStressTest::idOf);
    final AtomicIntegerArray executions = new AtomicIntegerArray(INTERRUPT_TASKS);
    final AtomicIntegerArray completedEvents = new AtomicIntegerArray(INTERRUPT_TASKS);
    /** 0: cancel() not called; 1: it returned true; 2: it returned false. */
    final AtomicIntegerArray cancelResult = new AtomicIntegerArray(INTERRUPT_TASKS);
    final LinkedBlockingQueue<Integer> toCancel = new LinkedBlockingQueue<>();
    final ThreadLocal<ThreadTrack> track = ThreadLocal.withInitial(ThreadTrack::new);
    final LongAdder startsOnReusedThread = new LongAdder();
    final LongAdder startsAfterAnInterrupt = new LongAdder();
    final Violations violations = new Violations();
    final AgentRuntime runtime;

    InterruptScenario(boolean cancels, long seed) {
      this.cancels = cancels;
      this.seed = seed;
      Random rnd = new Random(seed);
      for (int i = 0; i < INTERRUPT_TASKS; i++) {
        int r = rnd.nextInt(100);
        Kind k = r < 66 ? Kind.PROBE
            : r < 70 ? Kind.SELF_INTERRUPT
            : r < 82 ? Kind.RACER
            : r < 92 ? Kind.SPIN_VICTIM
            : r < 97 ? Kind.RESTORE_VICTIM
            : Kind.DEADLINE_VICTIM;
        kind[i] = k;
        switch (k) {
          case PROBE, SELF_INTERRUPT -> spinNanos[i] = rnd.nextInt(20_000);
          case RACER -> {
            limitNanos[i] = 20_000 + rnd.nextInt(180_000);
            spinNanos[i] = rnd.nextInt(250_000);
          }
          case SPIN_VICTIM, RESTORE_VICTIM -> limitNanos[i] = 20_000 + rnd.nextInt(200_000);
          case DEADLINE_VICTIM -> limitNanos[i] = 200_000 + rnd.nextInt(1_800_000);
        }
        if (cancels && rnd.nextInt(100) < 15) {
          cancelWhen[i] = (byte) (rnd.nextInt(3) == 0 ? 1 : 2);
        }
      }
      this.runtime = AgentRuntime.builder()
          .name("interrupts")
          // a short queue keeps a backlog (every end starts the next attempt on the same thread)
          // while the deadlines, counted from submission, can still pass during an attempt
          .queueCapacity(64)
          .backpressure(Backpressure.BLOCK)
          .shutdownGrace(Duration.ofSeconds(1))
          .agent(Agent.local("i2").capacity(2))
          .agent(Agent.local("i3").capacity(3))
          .listener(event -> {
            if (Thread.currentThread().isInterrupted()) {
              violations.add("listener got " + event + " on interrupted thread "
                  + Thread.currentThread());
            }
            if (event instanceof TaskCompleted c) {
              completedEvents.incrementAndGet(indexOf(c.taskId()));
            }
          })
          .build();
    }

    Task<Integer> task(int i) {
      Task.Builder<Integer> b = Task.<Integer>builder("interrupts", ctx -> work(i, ctx))
          .id(idOf(i));
      return switch (kind[i]) {
        case RACER, SPIN_VICTIM, RESTORE_VICTIM ->
            b.attemptTimeout(Duration.ofNanos(limitNanos[i])).build();
        case DEADLINE_VICTIM -> b.deadline(Duration.ofNanos(limitNanos[i])).build();
        default -> b.build();
      };
    }

    Integer work(int i, TaskContext ctx) throws Exception {
      // first thing: is an interrupt already pending? It may only be one aimed at this attempt
      // (given up between its placement and now), and then the attempt is cancelled already
      boolean interruptedAtStart = Thread.currentThread().isInterrupted();
      boolean givenUp = ctx.isCancelled();
      if (interruptedAtStart && !givenUp) {
        violations.add(idOf(i) + " (" + kind[i] + ") started with the interrupt flag set, but "
            + "its attempt was never given up: an interrupt leaked from an earlier attempt on "
            + Thread.currentThread());
      }
      ThreadTrack t = track.get();
      if (t.attempts++ > 0) {
        startsOnReusedThread.increment();
      }
      if (t.lastLeftInterrupt) {
        startsAfterAnInterrupt.increment();
        t.lastLeftInterrupt = false;
      }
      if (executions.incrementAndGet(i) > 1) {
        violations.add(idOf(i) + "'s work ran " + executions.get(i) + " times");
      }
      if (cancelWhen[i] == 2) {
        toCancel.add(i); // the cancel races with the rest of this attempt and with its end
      }
      switch (kind[i]) {
        case PROBE -> {
          spin(spinNanos[i]);
          if (Thread.currentThread().isInterrupted() && !ctx.isCancelled()) {
            violations.add(idOf(i) + " was interrupted while it ran, but its attempt was never "
                + "given up: a late interrupt aimed at an earlier attempt on "
                + Thread.currentThread());
          }
          return i;
        }
        case SELF_INTERRUPT -> {
          spin(spinNanos[i]);
          Thread.currentThread().interrupt();
          t.lastLeftInterrupt = true;
          return i;
        }
        case RACER -> {
          spin(spinNanos[i]); // ignores the interrupt: its end races with its timeout
          t.lastLeftInterrupt = Thread.currentThread().isInterrupted();
          return i;
        }
        case SPIN_VICTIM, DEADLINE_VICTIM -> {
          if (!waitForInterrupt(kind[i] == Kind.SPIN_VICTIM ? 2 * limitNanos[i] : 0)) {
            violations.add(idOf(i) + " (" + kind[i] + ") was never interrupted");
            return -1;
          }
          t.lastLeftInterrupt = true;
          return i; // with the flag set: the runtime must clear it before the next attempt
        }
        case RESTORE_VICTIM -> {
          try {
            if (!NEVER.await(BOUND.toSeconds(), TimeUnit.SECONDS)) {
              violations.add(idOf(i) + " (" + kind[i] + ") was never interrupted");
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // restore the flag, as work should, and return
            t.lastLeftInterrupt = true;
          }
          return i;
        }
      }
      throw new IllegalStateException("unknown kind " + kind[i]);
    }

    void submitter(int first, int step) {
      for (int i = first; i < INTERRUPT_TASKS; i += step) {
        TaskHandle<Integer> h = runtime.submit(task(i));
        handles.accepted(i, h, (v, e) -> {
          if (Thread.currentThread().isInterrupted()) {
            return "its completion ran on interrupted thread " + Thread.currentThread();
          }
          return null;
        }, violations);
        if (cancelWhen[i] == 1) {
          toCancel.add(i);
        }
      }
    }

    void canceller() throws Exception {
      Random rnd = new Random(seed * 31 + 7);
      while (true) {
        int i = toCancel.take();
        if (i < 0) {
          return;
        }
        TaskHandle<Integer> h = handles.handle(i).get(BOUND.toSeconds(), TimeUnit.SECONDS);
        spin(rnd.nextInt(30_000));
        cancelResult.set(i, h.cancel() ? 1 : 2);
      }
    }

    void run() throws Exception {
      List<Thread> threads = new ArrayList<>();
      try (Closing closing = new Closing(runtime)) {
        threads.add(Thread.ofPlatform().name("interrupt-submitter-0").start(
            violations.guarded(() -> submitter(0, 2))));
        threads.add(Thread.ofVirtual().name("interrupt-submitter-1").start(
            violations.guarded(() -> submitter(1, 2))));
        Thread canceller = Thread.ofPlatform().name("canceller").start(
            violations.guarded(this::canceller));
        awaitEnd("every task of the interrupt scenario ends", handles::allSettled,
            () -> handles.settled() + sum(executions), () -> handles.report(runtime), violations);
        toCancel.add(-1);
        joinAll(threads);
        joinAll(List.of(canceller));
        check();
      } finally {
        toCancel.add(-1);
      }
    }

    void check() {
      int probesCancelled = 0;
      int runningCancelled = 0;
      int racersSucceeded = 0;
      int racersTimedOut = 0;
      int timedOut = 0;
      int succeeded = 0;
      int cancelled = 0;
      for (int i = 0; i < INTERRUPT_TASKS; i++) {
        TaskHandle<Integer> h = handles.handle(i).join();
        TaskOutcome<Integer> outcome = h.outcome().orElse(null);
        if (outcome == null) {
          violations.add(idOf(i) + " has no outcome after its future completed");
          continue;
        }
        if (completedEvents.get(i) != 1) {
          violations.add(idOf(i) + " published " + completedEvents.get(i)
              + " TaskCompleted events");
        }
        if (outcome.attempts() > 1 || outcome.agents().size() != outcome.attempts()
            || executions.get(i) > outcome.attempts()) {
          violations.add(idOf(i) + ": " + executions.get(i) + " execution(s) for " + outcome);
        }
        int cancel = cancelResult.get(i);
        if ((cancel == 1) != (outcome instanceof TaskOutcome.Cancelled<Integer>)) {
          violations.add(idOf(i) + ": cancel() returned " + (cancel == 1) + ", but it ended "
              + outcome);
        }
        switch (outcome) {
          case TaskOutcome.Succeeded<Integer> s -> {
            succeeded++;
            boolean mayRunToTheEnd = kind[i] == Kind.PROBE || kind[i] == Kind.SELF_INTERRUPT
                || kind[i] == Kind.RACER;
            if (!mayRunToTheEnd || s.value() == null || s.value() != i || executions.get(i) != 1) {
              violations.add(idOf(i) + " (" + kind[i] + ") succeeded with " + s.value()
                  + " after " + executions.get(i) + " execution(s)");
            }
            if (kind[i] == Kind.RACER) {
              racersSucceeded++;
            }
          }
          case TaskOutcome.TimedOut<Integer> to -> {
            timedOut++;
            String which = kind[i] == Kind.DEADLINE_VICTIM ? "deadline" : "attemptTimeout";
            boolean mayTimeOut = kind[i] != Kind.PROBE && kind[i] != Kind.SELF_INTERRUPT;
            if (!mayTimeOut || !(to.cause() instanceof TaskTimeoutException e)
                || !e.timeout().equals(which) || e.limit().toNanos() != limitNanos[i]) {
              violations.add(idOf(i) + " (" + kind[i] + ") timed out with " + to.cause());
            }
            if (kind[i] == Kind.RACER) {
              racersTimedOut++;
            }
          }
          case TaskOutcome.Cancelled<Integer> c -> {
            cancelled++;
            if (c.attempts() > 0) {
              runningCancelled++;
            }
            if (kind[i] == Kind.PROBE) {
              probesCancelled++;
            }
            if (!c.reason().equals("cancelled by its handle")) {
              violations.add(idOf(i) + " was cancelled for " + c.reason());
            }
          }
          case TaskOutcome.Failed<Integer> f ->
              violations.add(idOf(i) + " (" + kind[i] + ") failed: " + f.cause());
        }
      }
      awaitAgentsIdle(runtime);
      RuntimeSnapshot snap = runtime.snapshot();
      LOG.info("interrupts (cancels={}, seed {}): {} succeeded, {} timed out (racers: {} "
              + "succeeded, {} timed out), {} cancelled ({} while running, {} probes); starts on a "
              + "reused thread {}, after an attempt that left an interrupt {}", cancels, seed,
          succeeded, timedOut, racersSucceeded, racersTimedOut, cancelled, runningCancelled,
          probesCancelled, startsOnReusedThread.sum(), startsAfterAnInterrupt.sum());

      violations.assertNone("interrupt scenario, seed " + seed);
      assertThat(snap.submitted()).isEqualTo(INTERRUPT_TASKS);
      assertThat(snap.completed()).isEqualTo(INTERRUPT_TASKS);
      assertThat(snap.succeeded()).isEqualTo(succeeded);
      assertThat(snap.timedOut()).isEqualTo(timedOut);
      assertThat(snap.cancelled()).isEqualTo(cancelled);
      assertThat(snap.failed()).isZero();
      assertThat(snap.queued() + snap.running() + snap.waitingToRetry()).isZero();
      // the scenario did what it claims: threads were reused, also right after interrupted
      // attempts, and attempt timeouts raced with attempts that ended on their own
      assertThat(startsOnReusedThread.sum()).as("attempts started on a reused thread")
          .isGreaterThan(INTERRUPT_TASKS / 2);
      assertThat(startsAfterAnInterrupt.sum())
          .as("attempts started on a thread whose last attempt left an interrupt").isPositive();
      assertThat(racersSucceeded).as("racers that ended before their timeout").isPositive();
      assertThat(racersTimedOut).as("racers that timed out").isPositive();
      if (cancels) {
        assertThat(runningCancelled).as("cancels of running tasks").isPositive();
        assertThat(cancelled - runningCancelled).as("cancels of waiting tasks").isPositive();
      }
    }
  }

  // ========================================== 2. many submitters, concurrent with attempt ends

  private static final int SUBMITTERS = 8;
  private static final int PER_SUBMITTER = 4_000;
  private static final int[] CAPACITIES = {1, 2, 3};

  static Stream<Arguments> submitterRounds() {
    // queueCapacity 0 stands for the default (no backpressure in practice); without observers no
    // other thread takes the dispatch lock (and so takes in what a submitter left) but the
    // submitters and the attempt threads
    return Stream.of(
        Arguments.of(0, false, false, BASE_SEED * 1_000 + 201),
        Arguments.of(0, true, true, BASE_SEED * 1_000 + 202),
        Arguments.of(16, false, false, BASE_SEED * 1_000 + 203),
        Arguments.of(16, true, true, BASE_SEED * 1_000 + 204));
  }

  @ParameterizedTest(name = "queueCapacity={0}, listener={1}, observers={2}, seed={3}")
  @MethodSource("submitterRounds")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everySubmissionOfManySubmittersRunsOnceAndEndsOnceWithItsOwnValue(int queueCapacity,
      boolean listener, boolean observers, long seed) throws Exception {
    long t0 = System.nanoTime();
    int total = SUBMITTERS * PER_SUBMITTER;
    Violations violations = new Violations();
    Fixtures.AgentProbe[] probes = new Fixtures.AgentProbe[CAPACITIES.length];
    AgentRuntime.Builder b = AgentRuntime.builder()
        .name("submitters")
        .shutdownGrace(Duration.ofSeconds(1));
    for (int a = 0; a < CAPACITIES.length; a++) {
      probes[a] = new Fixtures.AgentProbe(CAPACITIES[a]);
      b.agent(Agent.local("s" + a).capacity(CAPACITIES[a]));
    }
    if (queueCapacity > 0) {
      b.queueCapacity(queueCapacity).backpressure(Backpressure.BLOCK);
    }
    AtomicIntegerArray completedEvents = new AtomicIntegerArray(total);
    LongAdder startedEvents = new LongAdder();
    if (listener) {
      b.listener(event -> {
        switch (event) {
          case TaskCompleted c -> completedEvents.incrementAndGet(indexOf(c.taskId()));
          case AttemptStarted s -> startedEvents.increment();
          default -> { }
        }
      });
    }
    AtomicIntegerArray executions = new AtomicIntegerArray(total);
    Handles handles = new Handles(total, DispatchConcurrencyStressTest::idOf);
    AtomicLong accepted = new AtomicLong(); // counted once submit returned
    LongAdder snapshotsTaken = new LongAdder();
    LongAdder queueFull = new LongAdder();
    CountDownLatch submittersDone = new CountDownLatch(SUBMITTERS);
    AgentRuntime runtime = b.build();
    try (Closing closing = new Closing(runtime)) {
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < SUBMITTERS; w++) {
        int worker = w;
        Random rnd = new Random(seed + w);
        Thread.Builder builder = w % 2 == 0 ? Thread.ofPlatform() : Thread.ofVirtual();
        threads.add(builder.name("submitter-" + w).start(violations.guarded(() -> {
          try {
            for (int n = 0; n < PER_SUBMITTER; n++) {
              int i = worker + n * SUBMITTERS;
              int spin = rnd.nextInt(4_000);
              Task<Integer> task = Task.<Integer>builder("value", ctx -> {
                Fixtures.AgentProbe agent = probes[ctx.agent().charAt(1) - '0'];
                int load = agent.inWork.incrementAndGet();
                try {
                  agent.maxSeen.accumulateAndGet(load, Math::max);
                  if (load > agent.capacity) {
                    violations.add(ctx.agent() + " ran " + load + " attempts at once, capacity "
                        + agent.capacity);
                  }
                  if (executions.incrementAndGet(i) != 1) {
                    violations.add(idOf(i) + "'s work ran " + executions.get(i) + " times");
                  }
                  spin(spin);
                  if ((spin & 3) == 0) {
                    Thread.yield(); // lets other attempts and ends interleave with this one
                  }
                  return i;
                } finally {
                  agent.inWork.decrementAndGet();
                }
              }).id(idOf(i)).build();
              TaskHandle<Integer> h;
              if (rnd.nextInt(4) == 0) {
                h = runtime.trySubmit(task, Duration.ZERO).orElse(null);
                if (h == null) {
                  queueFull.increment(); // the runtime counts it as a rejection
                  h = runtime.submit(task); // and waits for room
                }
              } else {
                h = runtime.submit(task);
              }
              long before = accepted.incrementAndGet();
              handles.accepted(i, h, (v, e) -> {
                if (e != null || v == null || v != i) {
                  return "completed with " + v + " / " + e;
                }
                if (listener && completedEvents.get(i) != 1) {
                  return "its future completed before its TaskCompleted event was published";
                }
                return null;
              }, violations);
              if (observers && (n & 15) == 0) {
                // this submit may have been left to another thread that holds the dispatch lock;
                // whatever runs under the lock next must still see it
                long seen = runtime.snapshot().submitted();
                snapshotsTaken.increment();
                if (seen < before) {
                  violations.add("submitter " + worker + ": a snapshot after " + before
                      + " returned submits shows only " + seen + " submitted");
                }
              }
            }
          } finally {
            submittersDone.countDown();
          }
        })));
      }
      if (observers) {
        threads.add(Thread.ofPlatform().name("observer").start(violations.guarded(() -> {
          long lastSubmitted = 0;
          long lastCompleted = 0;
          while (true) {
            boolean last = submittersDone.getCount() == 0 && handles.allSettled();
            long acceptedBefore = accepted.get();
            long settledBefore = handles.settled();
            RuntimeSnapshot s = runtime.snapshot();
            snapshotsTaken.increment();
            checkCounts(s, queueCapacity, violations);
            if (s.submitted() < acceptedBefore || s.completed() < settledBefore) {
              violations.add("snapshot " + s + " misses earlier submits (" + acceptedBefore
                  + ") or completions (" + settledBefore + ")");
            }
            if (s.submitted() < lastSubmitted || s.completed() < lastCompleted) {
              violations.add("snapshot counts went back: " + s);
            }
            lastSubmitted = s.submitted();
            lastCompleted = s.completed();
            if (last || submittersDone.getCount() == 0 && violations.count() > 0) {
              return;
            }
            Thread.yield();
          }
        })));
      }
      awaitEnd("every submitted task ends",
          () -> submittersDone.getCount() == 0 && handles.allSettled(),
          () -> handles.settled() + sum(executions), () -> handles.report(runtime), violations);
      joinAll(threads);

      violations.assertNone("submitters, seed " + seed);
      for (int i = 0; i < total; i++) {
        TaskHandle<Integer> h = handles.handle(i).join();
        assertThat(executions.get(i)).as("executions of %s", idOf(i)).isEqualTo(1);
        assertThat(h.join()).isEqualTo(i);
        int index = i;
        assertThat(h.outcome()).get().isInstanceOfSatisfying(TaskOutcome.Succeeded.class, s -> {
          assertThat(s.value()).isEqualTo(index);
          assertThat(s.attempts()).isEqualTo(1);
          assertThat(s.taskId()).isEqualTo(idOf(index));
        });
        if (listener) {
          assertThat(completedEvents.get(i)).as("TaskCompleted events of %s", idOf(i))
              .isEqualTo(1);
        }
      }
      // every future completed after its task was counted and its slot freed, under the lock
      RuntimeSnapshot end = runtime.snapshot();
      assertThat(end.submitted()).isEqualTo(total);
      assertThat(end.succeeded()).isEqualTo(total);
      assertThat(end.completed()).isEqualTo(total);
      assertThat(end.failed() + end.cancelled() + end.timedOut()).isZero();
      assertThat(end.rejected()).as("trySubmit calls that found the queue full")
          .isEqualTo(queueFull.sum());
      assertThat(end.queued() + end.running() + end.waitingToRetry()).isZero();
      assertThat(end.agents()).allSatisfy(a -> assertThat(a.inFlight()).isZero());
      assertThat(end.agents().stream().mapToLong(a -> a.succeeded() + a.failed()).sum())
          .isEqualTo(total);
      if (listener) {
        assertThat(startedEvents.sum()).isEqualTo(total);
      }
      for (Fixtures.AgentProbe probe : probes) {
        assertThat(probe.maxSeen.get()).isBetween(1, probe.capacity);
      }
      LOG.info("submitters (queueCapacity={}, listener={}, observers={}, seed {}): {} tasks, {} "
              + "snapshots, most at once per agent {}, in {} ms", queueCapacity, listener,
          observers, seed, total, snapshotsTaken.sum(),
          Stream.of(probes).map(p -> p.maxSeen.get()).toList(),
          (System.nanoTime() - t0) / 1_000_000);
    }
  }

  /** The counts of one snapshot agree with each other. */
  private static void checkCounts(RuntimeSnapshot s, int queueCapacity, Violations violations) {
    if (s.submitted() != s.queued() + s.running() + s.waitingToRetry() + s.completed()) {
      violations.add("snapshot counts do not add up: " + s);
    }
    int inFlight = 0;
    for (RuntimeSnapshot.AgentSnapshot a : s.agents()) {
      inFlight += a.inFlight();
      if (a.inFlight() < 0 || a.inFlight() > a.capacity()) {
        violations.add("agent " + a.id() + " has " + a.inFlight() + " in flight, capacity "
            + a.capacity());
      }
    }
    if (s.running() > inFlight) {
      violations.add(s.running() + " tasks running on " + inFlight + " taken slots: " + s);
    }
    if (queueCapacity > 0 && s.queued() > queueCapacity) {
      violations.add("queue held " + s.queued() + " tasks, capacity " + queueCapacity);
    }
  }

  // ===================================================== 3. submissions racing with close()

  private static final int CLOSE_ROUNDS = 40;
  private static final int CLOSE_SUBMITTERS = 6;
  /** Submissions per submitter before it waits for close() to begin (the queue never fills). */
  private static final int CLOSE_MAX_EARLY = 500;

  static Stream<Arguments> closeRounds() {
    return Stream.of(
        Arguments.of(Duration.ZERO, BASE_SEED * 1_000 + 301),
        Arguments.of(Duration.ofMillis(1), BASE_SEED * 1_000 + 302),
        Arguments.of(Duration.ofSeconds(30), BASE_SEED * 1_000 + 303));
  }

  /** One accepted submission of the close race, and what the closing thread saw of it. */
  private static final class Accepted {
    final TaskHandle<Integer> handle;
    final int value;
    final AtomicInteger completions = new AtomicInteger();
    /** Written by the submitter: its submit returned before close() was called. */
    volatile boolean beforeClose;
    /** Written by the closing thread right after close() returned. */
    volatile boolean seenByCloser;
    volatile boolean doneWhenCloseReturned;

    Accepted(TaskHandle<Integer> handle, int value) {
      this.handle = handle;
      this.value = value;
    }
  }

  private static final class CloseStats {
    long accepted;
    long succeeded;
    long cancelled;
    long cancelledUnstarted;
    long rejected;
  }

  @ParameterizedTest(name = "shutdownGrace={0}, seed={1}")
  @MethodSource("closeRounds")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aSubmissionRacingWithCloseIsRejectedOrGetsAHandleThatCompletes(Duration grace, long seed)
      throws Exception {
    long t0 = System.nanoTime();
    CloseStats stats = new CloseStats();
    for (int round = 0; round < CLOSE_ROUNDS; round++) {
      closeRace(grace, seed * 100 + round, stats);
    }
    LOG.info("close race (grace {}, seed {}): {} rounds, {} accepted ({} succeeded, {} cancelled, "
            + "{} of them taken in after close() ended the rest), {} rejected, in {} ms", grace,
        seed, CLOSE_ROUNDS, stats.accepted, stats.succeeded, stats.cancelled,
        stats.cancelledUnstarted, stats.rejected, (System.nanoTime() - t0) / 1_000_000);
    assertThat(stats.rejected).as("rejections").isEqualTo(2L * CLOSE_SUBMITTERS * CLOSE_ROUNDS);
    if (grace.isZero()) {
      assertThat(stats.cancelled).as("tasks close() cancelled").isPositive();
    }
  }

  private void closeRace(Duration grace, long seed, CloseStats stats) throws Exception {
    Violations violations = new Violations();
    AgentRuntime runtime = AgentRuntime.builder()
        .name("close-race")
        .shutdownGrace(grace)
        .agent(Agent.local("c2").capacity(2))
        .agent(Agent.local("c3").capacity(3))
        .build();
    ConcurrentLinkedQueue<Accepted> accepted = new ConcurrentLinkedQueue<>();
    AtomicInteger nextValue = new AtomicInteger();
    LongAdder rejections = new LongAdder();
    LongAdder queueFull = new LongAdder();
    CountDownLatch warmedUp = new CountDownLatch(CLOSE_SUBMITTERS);
    CountDownLatch closing = new CountDownLatch(1);
    AtomicInteger closeCalled = new AtomicInteger(); // 1 once the closer is about to call close()
    List<Thread> threads = new ArrayList<>();
    try (Closing closingAtLast = new Closing(runtime)) {
      for (int w = 0; w < CLOSE_SUBMITTERS; w++) {
        Random rnd = new Random(seed * 31 + w);
        int warm = 1 + rnd.nextInt(48);
        Thread.Builder builder = w % 2 == 0 ? Thread.ofPlatform() : Thread.ofVirtual();
        threads.add(builder.name("close-submitter-" + w).start(violations.guarded(() -> {
          int n = 0;
          try {
            while (true) {
              int value = nextValue.incrementAndGet();
              int spin = rnd.nextInt(20_000);
              Task<Integer> task = Task.of("race", ctx -> {
                spin(spin);
                return value;
              });
              TaskHandle<Integer> h;
              try {
                h = rnd.nextInt(4) == 0
                    ? runtime.trySubmit(task, Duration.ZERO).orElse(null)
                    : runtime.submit(task);
              } catch (RejectedTaskException e) {
                rejections.increment();
                if (closeCalled.get() == 0 || !runtime.isClosed()) {
                  violations.add("rejected before close(): " + e.getMessage());
                }
                try { // and so is every later one
                  runtime.submit(Task.of("late", ctx -> 0));
                  violations.add("a submission after a rejection by close() was accepted");
                } catch (RejectedTaskException again) {
                  rejections.increment();
                }
                return;
              }
              if (h == null) {
                // the queue is full: close() may take a while to get the dispatch lock from six
                // busy submitters, long enough for them to fill it (the runtime counts a rejection)
                queueFull.increment();
                continue;
              }
              Accepted a = new Accepted(h, value);
              accepted.add(a); // before reading closeCalled: the closer sees it if it says "before"
              a.beforeClose = closeCalled.get() == 0;
              h.toCompletableFuture().whenComplete((v, e) -> a.completions.incrementAndGet());
              if (++n == warm) {
                warmedUp.countDown();
              }
              if (n == CLOSE_MAX_EARLY) {
                closing.await(); // then submit again, right as close() begins
              } else if (n > warm) {
                Thread.yield(); // leave room for the closing thread on a machine with few cores
              }
            }
          } finally {
            if (n < warm) {
              warmedUp.countDown();
            }
          }
        })));
      }
      CompletableFuture<Void> closed = new CompletableFuture<>();
      Thread closer = Thread.ofPlatform().name("closer").start(() -> {
        try {
          if (!warmedUp.await(BOUND.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("submitters did not warm up");
          }
          closeCalled.set(1);
          closing.countDown();
          runtime.close();
          for (Accepted a : accepted) {
            a.doneWhenCloseReturned = a.handle.toCompletableFuture().isDone()
                && a.handle.outcome().isPresent();
            a.seenByCloser = true;
          }
          closed.complete(null);
        } catch (Throwable t) {
          closed.completeExceptionally(t);
        }
      });
      try {
        closed.get(BOUND.toSeconds(), TimeUnit.SECONDS); // a hang guard: close() must return
      } catch (java.util.concurrent.TimeoutException e) {
        closer.interrupt();
        fail("close() did not return within " + BOUND + " (grace " + grace + "); "
            + Handles.describe(accepted.stream().map(x -> x.handle).toList(), runtime));
      }
      joinAll(List.of(closer));
      joinAll(threads); // every submitter ends: it is rejected once close() began

      List<Accepted> all = List.copyOf(accepted);
      for (Accepted a : all) {
        if (a.beforeClose && !(a.seenByCloser && a.doneWhenCloseReturned)) {
          violations.add("task " + a.handle.id() + " was submitted before close() was called, "
              + "but was not complete when close() returned (seen by the closing thread: "
              + a.seenByCloser + ")");
        }
      }
      // submissions that raced with close() complete too, if not by the time close() returned
      awaitEnd("every accepted handle completes after close()",
          () -> all.stream().allMatch(a -> a.completions.get() > 0),
          () -> all.stream().mapToLong(a -> a.completions.get()).sum(),
          () -> Handles.describe(all.stream().map(a -> a.handle).toList(), runtime), violations);
      long succeeded = 0;
      long cancelled = 0;
      long cancelledUnstarted = 0;
      for (Accepted a : all) {
        if (a.completions.get() != 1) {
          violations.add(a.handle.id() + " completed " + a.completions.get() + " times");
        }
        TaskOutcome<Integer> outcome = a.handle.outcome().orElse(null);
        switch (outcome) {
          case null -> violations.add(a.handle.id() + ": future complete without an outcome");
          case TaskOutcome.Succeeded<Integer> s -> {
            succeeded++;
            if (s.value() == null || s.value() != a.value) {
              violations.add(a.handle.id() + " succeeded with " + s.value() + ", not " + a.value);
            }
          }
          case TaskOutcome.Cancelled<Integer> c -> {
            cancelled++;
            if (c.reason().contains("before the task started")) {
              cancelledUnstarted++;
            }
            // with a grace that suffices, only a task taken in after close() ended the rest
            if (!c.reason().contains("closed")
                || (grace.toSeconds() > 1 && !c.reason().contains("before the task started"))) {
              violations.add(a.handle.id() + " was cancelled: " + c.reason());
            }
          }
          default -> violations.add(a.handle.id() + " ended " + outcome);
        }
      }
      awaitAgentsIdle(runtime);
      RuntimeSnapshot snap = runtime.snapshot();
      violations.assertNone("close race, grace " + grace + ", seed " + seed);
      assertThat(snap.submitted()).as("submitted").isEqualTo(all.size());
      assertThat(snap.rejected()).as("rejected").isEqualTo(rejections.sum() + queueFull.sum());
      assertThat(snap.succeeded()).as("succeeded").isEqualTo(succeeded);
      assertThat(snap.cancelled()).as("cancelled").isEqualTo(cancelled);
      assertThat(snap.completed()).as("completed").isEqualTo(all.size());
      assertThat(snap.queued() + snap.running() + snap.waitingToRetry()).isZero();
      stats.accepted += all.size();
      stats.succeeded += succeeded;
      stats.cancelled += cancelled;
      stats.cancelledUnstarted += cancelledUnstarted;
      stats.rejected += rejections.sum();
    } finally {
      closing.countDown();
      for (Thread t : threads) {
        t.join(BOUND); // they end once rejected, which the close above guarantees
      }
    }
  }

  // ============================= 4. states, outcomes and snapshots seen while tasks end

  private static final int OBSERVED_TASKS = 20_000;

  static Stream<Arguments> observedRounds() {
    return Stream.of(1, 2, 3).map(round -> Arguments.of(BASE_SEED * 1_000 + 400 + round));
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("observedRounds")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aTaskSeenInATerminalStateAlwaysHasTheOutcomeThatAwaitReturns(long seed) throws Exception {
    long t0 = System.nanoTime();
    new ObservedScenario(seed).run();
    LOG.info("observed scenario (seed {}) took {} ms", seed, (System.nanoTime() - t0) / 1_000_000);
  }

  private static final class ObservedScenario {
    static final int SUCCEEDS = 0;
    static final int FAILS = 1;
    static final int CANCELLED = 2;
    static final int TIMES_OUT = 3;

    final long seed;
    final int[] kind = new int[OBSERVED_TASKS];
    final int[] spin = new int[OBSERVED_TASKS];
    final boolean[] cancelOnStart = new boolean[OBSERVED_TASKS];
    final Handles handles = new Handles(OBSERVED_TASKS, DispatchConcurrencyStressTest::idOf);
    final AtomicReferenceArray<TaskOutcome<Integer>> firstSeen =
        new AtomicReferenceArray<>(OBSERVED_TASKS);
    /** Set when an observer saw the task before it ended. */
    final AtomicIntegerArray seenLive = new AtomicIntegerArray(OBSERVED_TASKS);
    final AtomicIntegerArray executions = new AtomicIntegerArray(OBSERVED_TASKS);
    final AtomicIntegerArray cancelResult = new AtomicIntegerArray(OBSERVED_TASKS);
    final AtomicInteger terminalSeen = new AtomicInteger();
    final LongAdder observations = new LongAdder();
    final LinkedBlockingQueue<Integer> toCancel = new LinkedBlockingQueue<>();
    final Violations violations = new Violations();
    final AgentRuntime runtime;
    volatile boolean stop;

    ObservedScenario(long seed) {
      this.seed = seed;
      Random rnd = new Random(seed);
      for (int i = 0; i < OBSERVED_TASKS; i++) {
        int r = rnd.nextInt(100);
        kind[i] = r < 60 ? SUCCEEDS : r < 75 ? FAILS : r < 90 ? CANCELLED : TIMES_OUT;
        spin[i] = rnd.nextInt(kind[i] == TIMES_OUT ? 200_000 : 10_000);
        cancelOnStart[i] = rnd.nextBoolean();
      }
      this.runtime = AgentRuntime.builder()
          .name("observed")
          .queueCapacity(128)
          .backpressure(Backpressure.BLOCK)
          .shutdownGrace(Duration.ofSeconds(1))
          .agent(Agent.local("o2").capacity(2))
          .agent(Agent.local("o3").capacity(3))
          .build();
    }

    Task<Integer> task(int i) {
      Task.Builder<Integer> b = Task.<Integer>builder("observed", ctx -> {
        executions.incrementAndGet(i);
        if (kind[i] == CANCELLED && cancelOnStart[i]) {
          toCancel.add(i);
        }
        switch (kind[i]) {
          case FAILS -> {
            spin(spin[i]);
            throw new InjectedFailure(i);
          }
          case TIMES_OUT -> {
            waitForInterrupt(spin[i]);
            return -1;
          }
          default -> {
            spin(spin[i]);
            return i;
          }
        }
      }).id(idOf(i));
      return kind[i] == TIMES_OUT ? b.attemptTimeout(Duration.ofNanos(50_000 + spin[i])).build()
          : b.build();
    }

    void submitter(int first, int step) {
      for (int i = first; i < OBSERVED_TASKS; i += step) {
        TaskHandle<Integer> h = runtime.submit(task(i));
        handles.accepted(i, h, (v, e) -> null, violations);
        if (kind[i] == CANCELLED && !cancelOnStart[i]) {
          toCancel.add(i);
        }
      }
    }

    void canceller() throws Exception {
      while (true) {
        int i = toCancel.take();
        if (i < 0) {
          return;
        }
        TaskHandle<Integer> h = handles.handle(i).get(BOUND.toSeconds(), TimeUnit.SECONDS);
        cancelResult.set(i, h.cancel() ? 1 : 2);
      }
    }

    void observer(int worker) {
      Random rnd = new Random(seed * 17 + worker);
      TaskState[] last = new TaskState[OBSERVED_TASKS];
      long lastCompleted = 0;
      int sinceSnapshot = 0;
      while (!stop) {
        int start = rnd.nextInt(OBSERVED_TASKS);
        for (int k = 0; k < OBSERVED_TASKS && !stop; k++) {
          int i = (start + k) % OBSERVED_TASKS;
          TaskHandle<Integer> h = handles.handle(i).getNow(null);
          if (h == null) {
            continue;
          }
          observe(i, h, last);
          if (++sinceSnapshot == 256) {
            sinceSnapshot = 0;
            int terminalBefore = terminalSeen.get();
            RuntimeSnapshot s = runtime.snapshot();
            checkCounts(s, 128, violations);
            if (s.completed() < terminalBefore || s.completed() < lastCompleted) {
              violations.add("snapshot shows " + s.completed() + " completed after "
                  + terminalBefore + " tasks were seen ended (and " + lastCompleted + " before)");
            }
            lastCompleted = s.completed();
          }
        }
      }
    }

    /** One look at a handle from another thread, while the runtime may be ending its task. */
    void observe(int i, TaskHandle<Integer> h, TaskState[] last) {
      observations.increment();
      boolean futureDone = h.toCompletableFuture().isDone();
      TaskState before = h.state();
      Optional<TaskOutcome<Integer>> outcome = h.outcome();
      TaskState after = h.state();
      TaskState previous = last[i];
      last[i] = after;
      if (previous != null && (previous.isTerminal() ? before != previous
          : before.ordinal() < previous.ordinal())) {
        violations.add(idOf(i) + " went from " + previous + " back to " + before);
      }
      if (futureDone && (!before.isTerminal() || outcome.isEmpty())) {
        violations.add(idOf(i) + ": future complete while its state is " + before
            + " and its outcome " + outcome);
      }
      if (before.isTerminal() && (outcome.isEmpty() || outcome.get().state() != before
          || after != before)) {
        violations.add(idOf(i) + ": state " + before + " then " + after + " with outcome "
            + outcome);
      }
      if (outcome.isEmpty()) {
        if (!after.isTerminal()) {
          seenLive.set(i, 1);
        }
        return;
      }
      TaskOutcome<Integer> o = outcome.get();
      if (!after.isTerminal() || after != o.state() || !o.taskId().equals(idOf(i))
          || o.agents().size() != o.attempts()) {
        violations.add(idOf(i) + ": outcome " + o + " while its state is " + after);
      }
      if (o instanceof TaskOutcome.Succeeded<Integer> s && (s.value() == null || s.value() != i)) {
        violations.add(idOf(i) + " seen succeeded with " + s.value());
      }
      if (firstSeen.compareAndSet(i, null, o)) {
        terminalSeen.incrementAndGet();
      } else if (!firstSeen.get(i).equals(o)) {
        violations.add(idOf(i) + ": outcome changed from " + firstSeen.get(i) + " to " + o);
      }
    }

    void run() throws Exception {
      List<Thread> threads = new ArrayList<>();
      try (Closing closing = new Closing(runtime)) {
        for (int w = 0; w < 3; w++) { // platform threads: they never block, so no carrier for them
          int worker = w;
          threads.add(Thread.ofPlatform().name("observer-" + w).start(
              violations.guarded(() -> observer(worker))));
        }
        threads.add(Thread.ofPlatform().name("canceller").start(
            violations.guarded(this::canceller)));
        threads.add(Thread.ofPlatform().name("observed-submitter-0").start(
            violations.guarded(() -> submitter(0, 2))));
        threads.add(Thread.ofVirtual().name("observed-submitter-1").start(
            violations.guarded(() -> submitter(1, 2))));
        awaitEnd("every observed task ends", handles::allSettled,
            () -> handles.settled() + sum(executions), () -> handles.report(runtime), violations);
        stop = true;
        toCancel.add(-1);
        joinAll(threads);
        check();
      } finally {
        stop = true;
        toCancel.add(-1);
      }
    }

    void check() throws InterruptedException {
      int live = 0;
      long[] tally = new long[4];
      for (int i = 0; i < OBSERVED_TASKS; i++) {
        TaskHandle<Integer> h = handles.handle(i).join();
        TaskOutcome<Integer> awaited = h.await();
        TaskOutcome<Integer> seen = firstSeen.get(i);
        if (!awaited.equals(h.outcome().orElse(null)) || (seen != null && !seen.equals(awaited))) {
          violations.add(idOf(i) + ": await() gave " + awaited + ", outcome() " + h.outcome()
              + ", observers first saw " + seen);
        }
        if (seenLive.get(i) == 1 && seen != null) {
          live++;
        }
        Throwable joined = null;
        Integer value = null;
        try {
          value = h.join();
        } catch (RuntimeException e) {
          joined = e;
        }
        int cancel = cancelResult.get(i);
        boolean asExpected = switch (awaited) {
          case TaskOutcome.Succeeded<Integer> s -> {
            tally[0]++;
            yield (kind[i] == SUCCEEDS || (kind[i] == CANCELLED && cancel == 2))
                && value != null && value == i && s.value() != null && s.value() == i;
          }
          case TaskOutcome.Failed<Integer> f -> {
            tally[1]++;
            yield kind[i] == FAILS && f.cause() instanceof InjectedFailure e && e.index == i
                && joined instanceof TaskFailedException tfe && tfe.getCause() == f.cause();
          }
          case TaskOutcome.Cancelled<Integer> c -> {
            tally[2]++;
            yield kind[i] == CANCELLED && cancel == 1 && joined instanceof CancellationException;
          }
          case TaskOutcome.TimedOut<Integer> t -> {
            tally[3]++;
            yield kind[i] == TIMES_OUT && t.cause() instanceof TaskTimeoutException e
                && e.timeout().equals("attemptTimeout")
                && joined instanceof TaskFailedException tfe && tfe.getCause() == t.cause();
          }
        };
        if (!asExpected) {
          violations.add(idOf(i) + " (kind " + kind[i] + ", cancel " + cancel + ") ended "
              + awaited + "; join gave " + value + " / " + joined);
        }
      }
      awaitAgentsIdle(runtime);
      RuntimeSnapshot snap = runtime.snapshot();
      LOG.info("observed (seed {}): {} observations, {} tasks seen running then ended, outcomes "
              + "(succeeded, failed, cancelled, timed out) {}", seed, observations.sum(), live,
          tally);
      violations.assertNone("observed scenario, seed " + seed);
      assertThat(snap.submitted()).isEqualTo(OBSERVED_TASKS);
      assertThat(new long[] {snap.succeeded(), snap.failed(), snap.cancelled(), snap.timedOut()})
          .isEqualTo(tally);
      assertThat(snap.queued() + snap.running() + snap.waitingToRetry()).isZero();
      // the observers did watch tasks end: some were seen before and after their end
      assertThat(live).as("tasks seen both before and after they ended").isPositive();
      assertThat(tally).as("outcomes of each kind").doesNotContain(0L);
    }
  }

  // ==================================== 5. timers that fire while the attempts end on their own

  private static final int TIMER_TASKS = 20_000;

  static Stream<Arguments> timerRounds() {
    return Stream.of(1, 2).map(round -> Arguments.of(BASE_SEED * 1_000 + 500 + round));
  }

  /**
   * A timer's section under the dispatch lock first takes in the attempt ends and submits queued
   * for the lock; when the timer then finds it has nothing to do (the attempt or the task it was
   * set for ended meanwhile, often in that very catch-up), what the catch-up decided (completing
   * futures, launching the attempts it placed) must still happen.
   */
  @ParameterizedTest(name = "seed={0}")
  @MethodSource("timerRounds")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void timeoutsThatFireAsAttemptsEndLoseNoCompletionAndNoAttempt(long seed) throws Exception {
    long t0 = System.nanoTime();
    Violations violations = new Violations();
    Random rnd = new Random(seed);
    int[] which = new int[TIMER_TASKS]; // 0: attempt timeout, 1: deadline, 2: queue timeout
    long[] limit = new long[TIMER_TASKS];
    long[] spin = new long[TIMER_TASKS];
    for (int i = 0; i < TIMER_TASKS; i++) {
      which[i] = rnd.nextInt(3);
      spin[i] = rnd.nextInt(150_000);
      // about as long as the work (or, for the queue timeout, the wait in the short queue)
      limit[i] = 20_000 + rnd.nextInt(which[i] == 0 ? 150_000 : 600_000);
    }
    AtomicIntegerArray executions = new AtomicIntegerArray(TIMER_TASKS);
    Handles handles = new Handles(TIMER_TASKS, DispatchConcurrencyStressTest::idOf);
    AgentRuntime runtime = AgentRuntime.builder()
        .name("timers")
        .queueCapacity(32)
        .backpressure(Backpressure.BLOCK)
        .shutdownGrace(Duration.ofSeconds(1))
        .agent(Agent.local("t2").capacity(2))
        .agent(Agent.local("t3").capacity(3))
        .build();
    try (Closing closing = new Closing(runtime)) {
      ThrowingRunnable submitAll = () -> {
        for (int i = 0; i < TIMER_TASKS; i++) {
          int index = i;
          Task.Builder<Integer> b = Task.<Integer>builder("timed", ctx -> {
            executions.incrementAndGet(index);
            spin(spin[index]); // ignores interrupts: its end races with the timer
            return index;
          }).id(idOf(i));
          Duration d = Duration.ofNanos(limit[i]);
          Task<Integer> task = switch (which[i]) {
            case 0 -> b.attemptTimeout(d).build();
            case 1 -> b.deadline(d).build();
            default -> b.queueTimeout(d).build();
          };
          handles.accepted(i, runtime.submit(task), (v, e) -> null, violations);
        }
      };
      Thread submitter = Thread.ofPlatform().name("timer-submitter")
          .start(violations.guarded(submitAll));
      awaitEnd("every timed task ends", handles::allSettled,
          () -> handles.settled() + sum(executions), () -> handles.report(runtime), violations);
      joinAll(List.of(submitter));
      int[][] tally = new int[3][2];
      for (int i = 0; i < TIMER_TASKS; i++) {
        TaskOutcome<Integer> o = handles.handle(i).join().outcome().orElseThrow();
        String name = which[i] == 0 ? "attemptTimeout" : which[i] == 1 ? "deadline"
            : "queueTimeout";
        boolean ok = switch (o) {
          case TaskOutcome.Succeeded<Integer> s -> {
            tally[which[i]][0]++;
            yield s.value() != null && s.value() == i && executions.get(i) == 1;
          }
          case TaskOutcome.TimedOut<Integer> t -> {
            tally[which[i]][1]++;
            yield t.cause() instanceof TaskTimeoutException e && e.timeout().equals(name)
                && executions.get(i) <= 1 && (which[i] != 2 || t.attempts() == 0);
          }
          default -> false;
        };
        if (!ok) {
          violations.add(idOf(i) + " with a " + name + " of " + limit[i] + " ns ended " + o
              + " after " + executions.get(i) + " execution(s)");
        }
      }
      awaitAgentsIdle(runtime);
      RuntimeSnapshot snap = runtime.snapshot();
      violations.assertNone("timers, seed " + seed);
      assertThat(snap.completed()).isEqualTo(TIMER_TASKS);
      assertThat(snap.queued() + snap.running() + snap.waitingToRetry()).isZero();
      LOG.info("timers (seed {}): (succeeded, timed out) by attempt timeout {}, deadline {}, queue "
              + "timeout {}, in {} ms", seed, tally[0], tally[1], tally[2],
          (System.nanoTime() - t0) / 1_000_000);
      for (int w = 0; w < 3; w++) {
        assertThat(tally[w]).as("outcomes of timeout kind %d", w).doesNotContain(0);
      }
    }
  }

  // =================== 6. work left to a combining thread that then runs another task's callback

  private static final int CALLBACK_ROUNDS = 3_000;

  /**
   * The thread that completes a task's future runs its callbacks. When a submit (or an attempt
   * end) finds the dispatch lock held by a thread that takes in what others queued, it is left to
   * that thread; it must not wait for that thread's callbacks of other tasks. Here the callback of
   * task A waits until task X, submitted by another thread while A ends, has started: it must
   * start, as it would if the callback did not run on the thread that took X in.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aTaskSubmittedWhileAnotherEndsStartsWhileThatOnesCallbackRuns() throws Exception {
    long t0 = System.nanoTime();
    Random rnd = new Random(BASE_SEED * 1_000 + 601);
    AgentRuntime runtime = AgentRuntime.builder()
        .name("callbacks")
        .shutdownGrace(Duration.ofSeconds(1))
        .agent(Agent.local("f").capacity(4)) // room for X whatever else runs
        .build();
    try (Closing closing = new Closing(runtime)) {
      for (int round = 0; round < CALLBACK_ROUNDS; round++) {
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch aEnding = new CountDownLatch(1);
        CountDownLatch xStarted = new CountDownLatch(1);
        long aSpin = rnd.nextInt(2_000);
        long xDelay = rnd.nextInt(50_000);
        TaskHandle<Integer> a = runtime.submit(Task.of("a", ctx -> {
          go.await();
          aEnding.countDown();
          spin(aSpin);
          return 1;
        }));
        AtomicReference<String> callbackThread = new AtomicReference<>();
        CompletableFuture<Boolean> xStartedDuringCallback = a.toCompletableFuture()
            .handle((v, e) -> {
              callbackThread.set(Thread.currentThread().toString());
              try { // a callback that waits for another task, as a join() on its handle would
                return xStarted.await(STALL.toSeconds(), TimeUnit.SECONDS);
              } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return false;
              }
            });
        go.countDown(); // the callback is registered: A may end now
        long giveUpAt = System.nanoTime() + BOUND.toNanos();
        while (aEnding.getCount() > 0) { // not parked: a wake-up would take longer than A's end
          assertThat(System.nanoTime() - giveUpAt).as("A started").isNegative();
          Thread.onSpinWait();
        }
        spin(xDelay); // submit X around the moment A's end is taken in
        TaskHandle<Integer> x = runtime.submit(Task.of("x", ctx -> {
          xStarted.countDown();
          return 2;
        }));
        boolean started = xStartedDuringCallback.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        if (!started) {
          fail("round " + round + ": task X, submitted by " + Thread.currentThread() + " while "
              + "task A ended, did not start while A's completion callback waited for it on "
              + callbackThread.get() + " (" + STALL + ", with a free slot): X is now " + x.state()
              + ", A " + a.state() + "; " + runtime.snapshot());
        }
        assertThat(x.join()).isEqualTo(2);
      }
    }
    LOG.info("callbacks: {} rounds in {} ms", CALLBACK_ROUNDS,
        (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * Every placed local attempt gets a thread at once, also when the thread that placed it keeps
   * another to run next (D21). Each task waits at a barrier for as many tasks as the agent has
   * slots: all of them must be running at once, so an attempt placed but left without a thread
   * shows as a barrier that times out. (A combine round that placed attempts after the thread had
   * kept one counted the thread for one of them too, and left it without a thread.)
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everyPlacedAttemptGetsAThreadWhileItsPlacerRunsTheOneItKept() throws Exception {
    int capacity = 4;
    int tasks = 10_000;
    java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(capacity);
    AtomicInteger stalled = new AtomicInteger();
    AgentRuntime runtime = AgentRuntime.builder().name("barrier")
        .agent(Agent.local("b").capacity(capacity)).queueCapacity(tasks).build();
    try (Closing closing = new Closing(runtime)) {
      List<TaskHandle<Integer>> handles = new ArrayList<>(tasks);
      for (int i = 0; i < tasks; i++) {
        handles.add(runtime.submit(Task.of("meet", ctx -> {
          try {
            barrier.await(2, TimeUnit.SECONDS);
          } catch (java.util.concurrent.TimeoutException e) {
            stalled.incrementAndGet();
            barrier.reset();
          } catch (java.util.concurrent.BrokenBarrierException e) {
            // another party timed out; that one counted the stall
          }
          return 0;
        })));
      }
      for (TaskHandle<Integer> h : handles) {
        assertThat(h.toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS)).isZero();
      }
    }
    assertThat(stalled.get()).as("barriers that timed out: a placed attempt had no thread")
        .isZero();
  }

  // ================================================================================ helpers

  static String idOf(int i) {
    return "t" + i;
  }

  static int indexOf(String taskId) {
    return Integer.parseInt(taskId, 1, taskId.length(), 10);
  }

  /** Busy work for about {@code nanos}; ignores interrupts. */
  static void spin(long nanos) {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() - end < 0) {
      Thread.onSpinWait();
    }
  }

  /**
   * Busy work for up to {@code spinNanos}, then blocking, until the thread is interrupted; the
   * interrupt flag stays set (neither spinning nor {@link LockSupport#park} clears it). Returns
   * false if no interrupt came within the bound. The spin is short (see the class comment).
   */
  static boolean waitForInterrupt(long spinNanos) {
    long now = System.nanoTime();
    long stopSpinning = now + spinNanos;
    long giveUpAt = now + BOUND.toNanos();
    while (!Thread.currentThread().isInterrupted()) {
      now = System.nanoTime();
      if (now - giveUpAt > 0) {
        return false;
      }
      if (now - stopSpinning < 0) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(giveUpAt - now); // returns at once when the thread is interrupted
      }
    }
    return true;
  }

  static long sum(AtomicIntegerArray counts) {
    long sum = 0;
    for (int i = 0; i < counts.length(); i++) {
      sum += counts.get(i);
    }
    return sum;
  }

  static void joinAll(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      assertThat(t.join(BOUND)).as("%s ended", t.getName()).isTrue();
    }
  }

  /**
   * Waits until {@code done}: a hang guard. Fails, with the report, if {@code progress} (a count of
   * things that happened) stays the same for {@link #STALL}, or after {@link #BOUND}.
   */
  static void awaitEnd(String what, BooleanSupplier done, LongSupplier progress,
      java.util.function.Supplier<String> report, Violations violations) {
    long[] last = {progress.getAsLong(), System.nanoTime()};
    try {
      await(what).atMost(BOUND.plus(STALL)).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(1)).until(() -> {
            if (done.getAsBoolean()) {
              return true;
            }
            long p = progress.getAsLong();
            long now = System.nanoTime();
            if (p != last[0]) {
              last[0] = p;
              last[1] = now;
            }
            return now - last[1] > STALL.toNanos();
          });
    } catch (ConditionTimeoutException e) {
      // progress all along, but no end
    }
    if (!done.getAsBoolean()) {
      fail(what + ": stalled (nothing ended or started for " + STALL + ")\n" + report.get()
          + "\nviolations: " + violations.kept);
    }
  }

  /** Waits until every agent's slots are free (given-up work returns after its task ended). */
  static void awaitAgentsIdle(AgentRuntime runtime) {
    await("every attempt returns").atMost(BOUND).pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1))
        .until(() -> runtime.snapshot().agents().stream().allMatch(a -> a.inFlight() == 0));
  }

  /**
   * Closes the runtime, on another thread, at the end of a try-with-resources block: a close() that
   * does not return within the bound (it waits for every future to complete) is interrupted, which
   * makes it give up, and reported; as a suppressed exception if the block failed already.
   */
  private record Closing(AgentRuntime runtime) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      Thread closer = Thread.ofPlatform().name("close-" + runtime.name()).start(runtime::close);
      if (!closer.join(BOUND)) {
        closer.interrupt();
        closer.join(BOUND);
        fail("close() of " + runtime + " did not return within " + BOUND + "; "
            + runtime.snapshot());
      }
    }
  }

  /** The handles of a scenario, with one completion callback each that counts and checks. */
  private static final class Handles {
    final AtomicReferenceArray<CompletableFuture<TaskHandle<Integer>>> handles;
    final AtomicIntegerArray completions;
    final AtomicInteger settled = new AtomicInteger();
    final IntFunction<String> idOf;

    Handles(int n, IntFunction<String> idOf) {
      this.handles = new AtomicReferenceArray<>(n);
      this.completions = new AtomicIntegerArray(n);
      this.idOf = idOf;
      for (int i = 0; i < n; i++) {
        handles.set(i, new CompletableFuture<>());
      }
    }

    /** What a completion callback finds wrong, or null. */
    @FunctionalInterface
    interface Check {
      @Nullable String check(@Nullable Integer value, @Nullable Throwable failure);
    }

    void accepted(int i, TaskHandle<Integer> h, Check check, Violations violations) {
      h.toCompletableFuture().whenComplete((v, e) -> {
        if (completions.incrementAndGet(i) != 1) {
          violations.add(idOf.apply(i) + " completed its future " + completions.get(i) + " times");
        } else {
          settled.incrementAndGet();
        }
        String wrong = check.check(v, e);
        if (wrong != null) {
          violations.add(idOf.apply(i) + ": " + wrong);
        }
      });
      handles.get(i).complete(h);
    }

    CompletableFuture<TaskHandle<Integer>> handle(int i) {
      return handles.get(i);
    }

    int settled() {
      return settled.get();
    }

    boolean allSettled() {
      return settled.get() == handles.length();
    }

    String report(AgentRuntime runtime) {
      List<TaskHandle<Integer>> list = new ArrayList<>();
      int missing = 0;
      for (int i = 0; i < handles.length(); i++) {
        TaskHandle<Integer> h = handles.get(i).getNow(null);
        if (h == null) {
          missing++;
        } else {
          list.add(h);
        }
      }
      return missing + " task(s) not submitted yet; " + describe(list, runtime);
    }

    /**
     * What the unfinished handles are doing: how many per state, and a few of them, first those
     * whose state is terminal but whose future was never completed.
     */
    static String describe(List<TaskHandle<Integer>> list, AgentRuntime runtime) {
      Map<TaskState, Integer> incomplete = new EnumMap<>(TaskState.class);
      List<String> endedButNotSettled = new ArrayList<>();
      List<String> notEnded = new ArrayList<>();
      for (TaskHandle<Integer> h : list) {
        if (h.toCompletableFuture().isDone()) {
          continue;
        }
        TaskState s = h.state();
        incomplete.merge(s, 1, Integer::sum);
        List<String> examples = s.isTerminal() ? endedButNotSettled : notEnded;
        if (examples.size() < 8) {
          examples.add(h.id() + " " + s + (s.isTerminal() ? " " + h.outcome().orElse(null) : ""));
        }
      }
      return "incomplete futures by task state: " + incomplete
          + "\n  ended, but the future was never completed: " + endedButNotSettled
          + "\n  not ended: " + notEnded
          + "\n  snapshot: " + runtime.snapshot();
    }
  }

  /** Broken promises seen on any thread; a few are kept for the failure message. */
  private static final class Violations {
    private final ConcurrentLinkedQueue<String> kept = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();

    void add(String what) {
      if (count.incrementAndGet() <= 50) {
        kept.add(what);
      }
    }

    int count() {
      return count.get();
    }

    Runnable guarded(ThrowingRunnable body) {
      return () -> {
        try {
          body.run();
        } catch (Throwable t) {
          add(Thread.currentThread().getName() + " died: " + t);
          LOG.error("stress thread died", t);
        }
      };
    }

    void assertNone(String scenario) {
      assertThat(kept).as("%s: %d violation(s)", scenario, count.get()).isEmpty();
    }
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** What failing work throws; no stack trace, as there are thousands. */
  private static final class InjectedFailure extends Exception {
    private static final long serialVersionUID = 1L;
    final int index;

    InjectedFailure(int index) {
      super("injected failure of t" + index, null, false, false);
      this.index = index;
    }
  }
}
