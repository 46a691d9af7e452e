package io.agentry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.agentry.core.event.AttemptEnded;
import io.agentry.core.event.AttemptStarted;
import io.agentry.core.event.TaskCompleted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Concurrency stress tests of the runtime through its public API: many submitters, agents that come
 * and go, failures, cancels, backpressure and close, with every promise of the runtime checked at the
 * end (each handle ends exactly once, capacity is never exceeded, the counts add up).
 *
 * <p>Randomness is seeded: set {@code -Dagentry.stress.seed=N} to replay a logged seed (thread
 * interleavings still vary; the assertions hold for every interleaving). Nothing here sleeps to wait:
 * threads wait on latches, semaphores and futures, and the test thread on Awaitility with bounds.
 */
class RuntimeStressTest {
  private static final Logger LOG = LoggerFactory.getLogger(RuntimeStressTest.class);
  private static final long BASE_SEED = Long.getLong("agentry.stress.seed", 0x5EEDL);
  /** Never opened: work that waits on it runs until its attempt is interrupted. */
  private static final CountDownLatch NEVER = new CountDownLatch(1);
  private static final Duration BOUND = Duration.ofSeconds(30);

  // ===================================================================================== 1. churn

  private static final int TASKS = 200_000;
  private static final int[] CAPACITIES = {1, 4, 16, 64};
  private static final int SUBMITTERS = 4;
  /** The chaos thread changes the agents once per this many completed tasks. */
  private static final int CHAOS_EVERY = 1_000;

  // task kinds, as bits
  private static final int FAILS = 1;
  private static final int VICTIM = 2; // blocks until its attempt is interrupted; always cancelled
  private static final int CANCEL = 4; // cancelled from the canceller thread, wherever it then is
  private static final int TRY_NOW = 8; // trySubmit without waiting
  private static final int TRY_TIMED = 16; // trySubmit waiting briefly

  static Stream<Arguments> churnRounds() {
    return Stream.of(Backpressure.values()).flatMap(bp -> Stream.of(1, 2, 3).map(round ->
        Arguments.of(bp, bp == Backpressure.BLOCK ? 256 : 1_024,
            BASE_SEED * 1_000 + round * 10 + bp.ordinal())));
  }

  @ParameterizedTest(name = "{0}, queueCapacity={1}, seed={2}")
  @MethodSource("churnRounds")
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void everyTaskEndsExactlyOnceUnderChurnFailuresCancelsAndBackpressure(
      Backpressure backpressure, int queueCapacity, long seed) throws Exception {
    LOG.info("churn stress: backpressure={}, queueCapacity={}, seed={}", backpressure,
        queueCapacity, seed);
    long t0 = System.nanoTime();
    Churn churn = new Churn(seed, backpressure, queueCapacity);
    try {
      churn.run();
    } finally {
      churn.runtime.close();
    }
    LOG.info("churn stress (seed {}) took {} ms", seed, (System.nanoTime() - t0) / 1_000_000);
  }

  /** One run of the churn scenario: state shared by the submitters, canceller, chaos and checks. */
  private static final class Churn {
    final long seed;
    final Backpressure backpressure;
    final AgentRuntime runtime;
    final byte[] kind = new byte[TASKS];
    final byte[] spin = new byte[TASKS];
    final Probe[] probes = new Probe[TASKS];
    @SuppressWarnings({"unchecked", "rawtypes"})
    final TaskHandle<Integer>[] handles = new TaskHandle[TASKS];
    final boolean[] rejectedAt = new boolean[TASKS];
    /** The stage after each handle's completion callback, so waiting on it includes the callback. */
    final CompletableFuture<?>[] watched = new CompletableFuture<?>[TASKS];
    final AtomicIntegerArray futureCompletions = new AtomicIntegerArray(TASKS);
    final AtomicIntegerArray completedEvents = new AtomicIntegerArray(TASKS);
    final Map<String, Fixtures.AgentProbe> agentProbes = new ConcurrentHashMap<>();
    final Map<String, LongAdder> startedEvents = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    final LinkedBlockingQueue<Optional<TaskHandle<Integer>>> toCancel = new LinkedBlockingQueue<>();
    final Semaphore chaosTicks = new Semaphore(0);
    final AtomicInteger nextTask = new AtomicInteger();
    final AtomicInteger completions = new AtomicInteger();
    final LongAdder rejected = new LongAdder();
    final LongAdder cancelledByTest = new LongAdder();
    final LongAdder lostAttempts = new LongAdder();
    final LongAdder agentChanges = new LongAdder();
    final LongAdder overlaps = new LongAdder();
    volatile boolean stopChaos;

    Churn(long seed, Backpressure backpressure, int queueCapacity) {
      this.seed = seed;
      this.backpressure = backpressure;
      Random rnd = new Random(seed);
      for (int i = 0; i < TASKS; i++) {
        int k = 0;
        int r = rnd.nextInt(1_000);
        if (r < 50) {
          k |= FAILS;
        } else if (r < 54) {
          k |= VICTIM;
        } else if (r < 84) {
          k |= CANCEL;
        }
        int s = rnd.nextInt(100);
        if (s < 8) {
          k |= TRY_NOW;
        } else if (s < 10) {
          k |= TRY_TIMED;
        }
        kind[i] = (byte) k;
        spin[i] = (byte) rnd.nextInt(64);
        probes[i] = new Probe();
      }
      AgentRuntime.Builder b = AgentRuntime.builder()
          .name("churn")
          .queueCapacity(queueCapacity)
          .backpressure(backpressure)
          .shutdownGrace(Duration.ofSeconds(2))
          .listener(event -> {
            switch (event) {
              case TaskCompleted c -> completedEvents.incrementAndGet(indexOf(c.taskId()));
              case AttemptStarted s ->
                  startedEvents.computeIfAbsent(s.agentId(), id -> new LongAdder()).increment();
              case AttemptEnded e when e.status() == AttemptEnded.Status.LOST ->
                  lostAttempts.increment();
              default -> { }
            }
          });
      for (int capacity : CAPACITIES) {
        String id = "a" + capacity;
        agentProbes.put(id, new Fixtures.AgentProbe(capacity));
        b.agent(Agent.local(id).capacity(capacity));
      }
      this.runtime = b.build();
    }

    static String idOf(int i) {
      return "t" + i;
    }

    static int indexOf(String taskId) {
      return Integer.parseInt(taskId, 1, taskId.length(), 10);
    }

    void violation(String what) {
      if (violations.size() < 100) {
        violations.add(what);
      }
    }

    // ---- the work

    Integer work(int i, TaskContext ctx) throws Exception {
      int attempt = ctx.attempt();
      Fixtures.AgentProbe agent = agentProbes.get(ctx.agent());
      if (agent == null) {
        violation(idOf(i) + " ran on unknown agent " + ctx.agent());
        throw new IllegalStateException("unknown agent");
      }
      int load = agent.inWork.incrementAndGet();
      agent.maxSeen.accumulateAndGet(load, Math::max);
      if (load > agent.capacity) {
        violation("agent " + ctx.agent() + " ran " + load + " attempts at once, capacity "
            + agent.capacity);
      }
      Probe probe = probes[i];
      String clash = probe.enter(ctx, overlaps);
      if (clash != null) {
        violation(idOf(i) + ": " + clash);
      }
      if (!ctx.taskId().equals(idOf(i))) {
        violation(idOf(i) + " saw task id " + ctx.taskId());
      }
      try {
        if ((kind[i] & VICTIM) != 0) {
          NEVER.await(); // ends only by the interrupt of a cancel or of a lost agent
          violation(idOf(i) + ": a victim's wait ended without an interrupt");
          throw new IllegalStateException("unreachable");
        }
        int s = spin[i];
        long x = i;
        for (int k = 0; k < s * 8; k++) {
          x = x * 6364136223846793005L + 1442695040888963407L;
        }
        for (int k = 0; k < (s & 3); k++) {
          Thread.yield(); // lets other attempts interleave, so agents fill up to their capacity
        }
        if ((kind[i] & FAILS) != 0) {
          probe.threw(attempt);
          throw new InjectedFailure(i, attempt, x);
        }
        probe.returned(attempt);
        return attempt;
      } finally {
        probe.exit(ctx);
        agent.inWork.decrementAndGet();
      }
    }

    // ---- the threads

    void submitter(int worker) {
      int i;
      while ((i = nextTask.getAndIncrement()) < TASKS) {
        int index = i;
        Task<Integer> task = Task.<Integer>builder("stress", ctx -> work(index, ctx))
            .id(idOf(i))
            .build();
        TaskHandle<Integer> h;
        try {
          if ((kind[i] & TRY_NOW) != 0) {
            h = runtime.trySubmit(task, Duration.ZERO).orElse(null);
          } else if ((kind[i] & TRY_TIMED) != 0) {
            h = runtime.trySubmit(task, Duration.ofMillis(1)).orElse(null);
          } else {
            h = runtime.submit(task);
          }
        } catch (RejectedTaskException e) {
          if (backpressure != Backpressure.REJECT) {
            violation("submitter " + worker + ": " + idOf(i) + " rejected under " + backpressure
                + ": " + e.getMessage());
          }
          h = null;
        }
        if (h == null) {
          rejectedAt[i] = true;
          rejected.increment();
          continue;
        }
        handles[i] = h;
        TaskHandle<Integer> handle = h;
        watched[i] = h.toCompletableFuture().whenComplete((v, e) -> {
          futureCompletions.incrementAndGet(index);
          Optional<TaskOutcome<Integer>> outcome = handle.outcome();
          if (outcome.isEmpty() || !outcome.get().state().isTerminal()) {
            violation(idOf(index) + ": future completed without a terminal outcome");
          }
          if (completions.incrementAndGet() % CHAOS_EVERY == 0) {
            chaosTicks.release();
          }
        });
        if ((kind[i] & (VICTIM | CANCEL)) != 0) {
          toCancel.add(Optional.of(h));
        }
      }
    }

    void canceller() throws InterruptedException {
      while (true) {
        Optional<TaskHandle<Integer>> next = toCancel.take();
        if (next.isEmpty()) {
          return;
        }
        if (next.get().cancel()) {
          cancelledByTest.increment();
        }
      }
    }

    /** Adds, drains, marks down and up, and removes agents; keeps at least two agents up. */
    void chaos() throws InterruptedException {
      Random rnd = new Random(seed * 31 + 7);
      List<String> up = new ArrayList<>();
      for (int capacity : CAPACITIES) {
        up.add("a" + capacity);
      }
      Map<String, CompletableFuture<Void>> parked = new LinkedHashMap<>(); // draining or down
      int added = 0;
      while (!stopChaos) {
        if (!chaosTicks.tryAcquire(50, TimeUnit.MILLISECONDS)) {
          continue; // no progress event yet; look at the stop flag again
        }
        int action = rnd.nextInt(10);
        if (action <= 2 && up.size() + parked.size() < 8) {
          int capacity = CAPACITIES[rnd.nextInt(CAPACITIES.length)];
          String id = "x" + (++added) + "-" + capacity; // never reuse an id: capacity is per agent
          agentProbes.put(id, new Fixtures.AgentProbe(capacity));
          runtime.addAgent(Agent.local(id).capacity(capacity));
          up.add(id);
        } else if (action <= 4 && up.size() > 2) {
          String id = up.remove(rnd.nextInt(up.size()));
          parked.put(id, runtime.drainAgent(id));
        } else if (action == 5 && up.size() > 2) {
          String id = up.remove(rnd.nextInt(up.size()));
          runtime.markAgentDown(id);
          parked.put(id, null);
        } else if (action == 6 && up.size() > 2) {
          String id = up.remove(rnd.nextInt(up.size()));
          runtime.removeAgent(id); // its running attempts are lost and retried elsewhere
        } else if (action == 7 && !parked.isEmpty()) {
          String id = pick(parked, rnd);
          parked.remove(id);
          runtime.markAgentUp(id);
          up.add(id);
        } else if (!parked.isEmpty()) {
          String id = parked.entrySet().stream()
              .filter(e -> e.getValue() != null && e.getValue().isDone())
              .map(Map.Entry::getKey)
              .findFirst()
              .orElseGet(() -> pick(parked, rnd)); // not drained yet: its attempts are lost
          parked.remove(id);
          runtime.removeAgent(id);
        } else {
          continue;
        }
        agentChanges.increment();
      }
    }

    private static String pick(Map<String, ?> map, Random rnd) {
      return new ArrayList<>(map.keySet()).get(rnd.nextInt(map.size()));
    }

    // ---- the run and the checks

    void run() throws Exception {
      List<Thread> submitters = new ArrayList<>();
      for (int w = 0; w < SUBMITTERS; w++) {
        int worker = w;
        Thread.Builder builder = w % 2 == 0 ? Thread.ofPlatform() : Thread.ofVirtual();
        submitters.add(builder.name("submitter-" + w).unstarted(guarded(() -> submitter(worker))));
      }
      Thread canceller = Thread.ofPlatform().name("canceller").start(guarded(this::canceller));
      Thread chaos = Thread.ofPlatform().name("chaos").start(guarded(this::chaos));
      submitters.forEach(Thread::start);
      for (Thread t : submitters) {
        assertThat(t.join(BOUND)).as("submitter %s ended", t.getName()).isTrue();
      }
      toCancel.add(Optional.empty());
      assertThat(canceller.join(BOUND)).as("canceller ended").isTrue();

      List<CompletableFuture<?>> futures = new ArrayList<>();
      for (CompletableFuture<?> f : watched) {
        if (f != null) {
          futures.add(f);
        }
      }
      CompletableFuture<Void> all =
          CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).handle((v, e) -> null);
      await("every accepted task ends").atMost(BOUND).until(all::isDone);
      stopChaos = true;
      chaosTicks.release();
      assertThat(chaos.join(BOUND)).as("chaos ended").isTrue();

      check();
    }

    private Runnable guarded(ThrowingRunnable body) {
      return () -> {
        try {
          body.run();
        } catch (Throwable t) {
          violation(Thread.currentThread().getName() + " died: " + t);
          LOG.error("stress thread died", t);
        }
      };
    }

    void check() {
      long succeeded = 0;
      long failed = 0;
      long cancelled = 0;
      long cancelledRunning = 0;
      long retried = 0;
      long lostFailures = 0;
      long accepted = 0;
      for (int i = 0; i < TASKS; i++) {
        TaskHandle<Integer> h = handles[i];
        Probe probe = probes[i];
        if (h == null) {
          if (!rejectedAt[i]) {
            violation(idOf(i) + " has neither a handle nor a rejection");
          }
          if (probe.startedMask != 0) {
            violation(idOf(i) + " was rejected but its work ran");
          }
          continue;
        }
        accepted++;
        if (futureCompletions.get(i) != 1 || completedEvents.get(i) != 1) {
          violation(idOf(i) + " completed its future " + futureCompletions.get(i)
              + " time(s) and published " + completedEvents.get(i) + " TaskCompleted event(s)");
        }
        TaskOutcome<Integer> outcome = h.outcome().orElse(null);
        if (outcome == null) {
          violation(idOf(i) + " has no outcome");
          continue;
        }
        if (h.state() != outcome.state() || !outcome.taskId().equals(idOf(i))
            || outcome.agents().size() != outcome.attempts()) {
          violation(idOf(i) + ": inconsistent outcome " + outcome + " for state " + h.state());
        }
        int last = 1 << outcome.attempts();
        if (Integer.highestOneBit(probe.startedMask) > last) {
          violation(idOf(i) + ": work of attempt " + Integer.toBinaryString(probe.startedMask)
              + " ran beyond the " + outcome.attempts() + " attempts of " + outcome);
        }
        if (outcome.attempts() > 1) {
          retried++;
        }
        CompletableFuture<Integer> future = h.toCompletableFuture();
        switch (outcome) {
          case TaskOutcome.Succeeded<Integer> s -> {
            succeeded++;
            if ((kind[i] & (FAILS | VICTIM)) != 0) {
              violation(idOf(i) + " of kind " + kind[i] + " succeeded: " + s);
            }
            if (s.value() == null || s.value() != s.attempts() || (probe.okMask & last) == 0) {
              violation(idOf(i) + " succeeded with " + s.value() + " but its work of attempt "
                  + s.attempts() + " did not return it: " + s);
            }
            if (s.attempts() == 1 && (probe.okMask != last || probe.startedMask != last)) {
              violation(idOf(i) + ": work ran " + Integer.bitCount(probe.startedMask)
                  + " time(s), returned " + Integer.bitCount(probe.okMask) + " time(s) for "
                  + s);
            }
            if (future.isCompletedExceptionally() || !s.value().equals(future.join())) {
              violation(idOf(i) + ": future disagrees with " + s);
            }
          }
          case TaskOutcome.Failed<Integer> f -> {
            failed++;
            if (f.cause() instanceof InjectedFailure injected) {
              if ((kind[i] & FAILS) == 0 || injected.index != i
                  || injected.attempt != f.attempts() || (probe.threwMask & last) == 0) {
                violation(idOf(i) + ": unexpected injected failure " + f);
              }
            } else if (f.cause() instanceof AgentLostException) {
              lostFailures++;
              if (f.attempts() != 3) {
                violation(idOf(i) + " failed as lost after " + f.attempts() + " attempts: " + f);
              }
            } else {
              violation(idOf(i) + " failed with an unexpected cause: " + f);
            }
            Throwable seen = catchThrowable(future::join);
            if (!(seen != null && seen.getCause() instanceof TaskFailedException tfe
                && tfe.getCause() == f.cause())) {
              violation(idOf(i) + ": future disagrees with " + f + ": " + seen);
            }
          }
          case TaskOutcome.Cancelled<Integer> c -> {
            cancelled++;
            if (c.attempts() > 0) {
              cancelledRunning++;
            }
            if ((kind[i] & (VICTIM | CANCEL)) == 0 || !c.reason().equals("cancelled by its handle")) {
              violation(idOf(i) + " cancelled but never cancelled by the test: " + c);
            }
            if (!future.isCancelled()) {
              violation(idOf(i) + ": future is not cancelled for " + c);
            }
          }
          case TaskOutcome.TimedOut<Integer> t -> violation(idOf(i) + " timed out: " + t);
        }
        if ((kind[i] & VICTIM) != 0 && !(outcome instanceof TaskOutcome.Cancelled<Integer>)
            && !(outcome instanceof TaskOutcome.Failed<Integer> f
                && f.cause() instanceof AgentLostException)) {
          violation(idOf(i) + ": a victim ended " + outcome);
        }
      }

      // the agents' works all return (cancelled and lost ones a little after their task ended)
      await("every attempt returns").atMost(BOUND).until(
          () -> runtime.snapshot().agents().stream().allMatch(a -> a.inFlight() == 0));
      RuntimeSnapshot snap = runtime.snapshot();
      Map<String, Integer> maxSeen = new LinkedHashMap<>();
      agentProbes.forEach((id, p) -> maxSeen.put(id, p.maxSeen.get()));
      LOG.info("seed {}: accepted {}, rejected {}, succeeded {}, failed {} ({} lost 3 times), "
              + "cancelled {} ({} while running), retried {}, lost attempts {} ({} overlapped by "
              + "their retry), agent changes {}; agents at the end {}; most attempts at once per "
              + "agent {}", seed, accepted,
          rejected.sum(), succeeded, failed, lostFailures, cancelled, cancelledRunning, retried,
          lostAttempts.sum(), overlaps.sum(), agentChanges.sum(), snap.agents(), maxSeen);

      assertThat(violations).as("violations (seed %d)", seed).isEmpty();
      assertThat(accepted + rejected.sum()).as("submitted = accepted + rejected").isEqualTo(TASKS);
      assertThat(succeeded + failed + cancelled + rejected.sum())
          .as("submitted = succeeded + failed + cancelled + rejected").isEqualTo(TASKS);
      assertThat(cancelled).as("cancelled = successful cancel() calls")
          .isEqualTo(cancelledByTest.sum());
      assertThat(snap.submitted()).as("snapshot submitted").isEqualTo(accepted);
      assertThat(snap.rejected()).as("snapshot rejected").isEqualTo(rejected.sum());
      assertThat(snap.succeeded()).as("snapshot succeeded").isEqualTo(succeeded);
      assertThat(snap.failed()).as("snapshot failed").isEqualTo(failed);
      assertThat(snap.cancelled()).as("snapshot cancelled").isEqualTo(cancelled);
      assertThat(snap.timedOut()).as("snapshot timedOut").isZero();
      assertThat(snap.completed()).as("snapshot completed").isEqualTo(accepted);
      assertThat(snap.queued()).as("snapshot queued").isZero();
      assertThat(snap.running()).as("snapshot running").isZero();
      assertThat(snap.waitingToRetry()).as("snapshot waitingToRetry").isZero();
      for (RuntimeSnapshot.AgentSnapshot a : snap.agents()) {
        long started = startedEvents.getOrDefault(a.id(), new LongAdder()).sum();
        assertThat(a.succeeded() + a.failed())
            .as("attempts ended on %s = AttemptStarted events for it", a.id()).isEqualTo(started);
        assertThat(a.capacity()).isEqualTo(agentProbes.get(a.id()).capacity);
      }
      assertThat(snap.agents()).filteredOn(a -> a.state() == AgentState.UP).hasSizeGreaterThan(1);
      // the scenario did what it claims: some of everything happened
      assertThat(rejected.sum()).as("rejections").isPositive();
      assertThat(failed).as("failures").isPositive();
      assertThat(cancelledRunning).as("cancels of running tasks").isPositive();
      assertThat(cancelled - cancelledRunning).as("cancels of queued tasks").isPositive();
      assertThat(agentChanges.sum()).as("agent changes").isGreaterThan(20);
      assertThat(lostAttempts.sum()).as("attempts lost with their agent").isPositive();
      assertThat(retried).as("tasks retried after a lost attempt").isPositive();
    }
  }

  /** What the work of one task saw, across its attempts. */
  private static final class Probe {
    private @Nullable List<TaskContext> live;
    volatile int startedMask;
    volatile int okMask;
    volatile int threwMask;

    /** Records a start; returns what is wrong with it, or null. */
    synchronized @Nullable String enter(TaskContext ctx, LongAdder overlaps) {
      String wrong = null;
      int bit = 1 << ctx.attempt();
      if ((startedMask & bit) != 0) {
        wrong = "the work of attempt " + ctx.attempt() + " started twice";
      }
      startedMask |= bit;
      if (live == null) {
        live = new ArrayList<>(2);
      }
      if (!live.isEmpty()) {
        overlaps.increment();
      }
      for (TaskContext other : live) {
        // Two attempts may overlap only when one was given up (a lost agent: at-least-once).
        if (!other.isCancelled() && !ctx.isCancelled()) {
          wrong = "attempt " + ctx.attempt() + " on " + ctx.agent() + " started while attempt "
              + other.attempt() + " on " + other.agent() + " still ran and was not given up";
        }
      }
      live.add(ctx);
      return wrong;
    }

    synchronized void exit(TaskContext ctx) {
      if (live != null) {
        live.remove(ctx);
      }
    }

    synchronized void returned(int attempt) {
      okMask |= 1 << attempt;
    }

    synchronized void threw(int attempt) {
      threwMask |= 1 << attempt;
    }
  }

  /** What failing work throws; no stack trace, as there are thousands. */
  private static final class InjectedFailure extends Exception {
    private static final long serialVersionUID = 1L;
    final int index;
    final int attempt;

    InjectedFailure(int index, int attempt, long noise) {
      super("injected failure of t" + index + " attempt " + attempt + " (" + (noise & 7) + ")",
          null, false, false);
      this.index = index;
      this.attempt = attempt;
    }
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  // ======================================================================= 2. blocking backpressure

  @RepeatedTest(3)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void blockingBackpressureAdmitsEverySubmissionOfManySubmitters(RepetitionInfo repetition)
      throws Exception {
    int submitters = 16;
    int perSubmitter = 2_500;
    int total = submitters * perSubmitter;
    int queueCapacity = 8;
    int slots = 5;
    Map<String, Fixtures.AgentProbe> agents = Map.of("b2", new Fixtures.AgentProbe(2), "b3", new Fixtures.AgentProbe(3));
    long t0 = System.nanoTime();
    SwitchableGate gate = new SwitchableGate();
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    AtomicIntegerArray completions = new AtomicIntegerArray(total);
    @SuppressWarnings({"unchecked", "rawtypes"})
    TaskHandle<Integer>[] handles = new TaskHandle[total];
    CompletableFuture<?>[] watched = new CompletableFuture<?>[total]; // after the callbacks
    AtomicLong queueSamples = new AtomicLong();

    try (AgentRuntime runtime = AgentRuntime.builder()
        .name("block")
        .queueCapacity(queueCapacity)
        .backpressure(Backpressure.BLOCK)
        .agent(Agent.local("b2").capacity(2))
        .agent(Agent.local("b3").capacity(3))
        .build()) {
      gate.close();
      try {
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < submitters; w++) {
          int first = w * perSubmitter;
          Thread.Builder builder = w % 2 == 0 ? Thread.ofPlatform() : Thread.ofVirtual();
          threads.add(builder.name("blocking-submitter-" + w).start(() -> {
            for (int i = first; i < first + perSubmitter; i++) {
              int index = i;
              try {
                TaskHandle<Integer> h = runtime.submit(Task.of("blocked", ctx -> {
                  Fixtures.AgentProbe agent = agents.get(ctx.agent());
                  int load = agent.inWork.incrementAndGet();
                  try {
                    if (load > agent.capacity) {
                      violations.add(ctx.agent() + " ran " + load + " attempts at once");
                    }
                    gate.pass();
                    Thread.yield();
                    return index;
                  } finally {
                    agent.inWork.decrementAndGet();
                  }
                }));
                handles[index] = h;
                watched[index] = h.toCompletableFuture()
                    .whenComplete((v, e) -> completions.incrementAndGet(index));
                if ((index & 255) == 0) {
                  RuntimeSnapshot s = runtime.snapshot();
                  queueSamples.incrementAndGet();
                  if (s.queued() > queueCapacity) {
                    violations.add("queue held " + s.queued() + " tasks, capacity " + queueCapacity);
                  }
                }
              } catch (RuntimeException e) {
                violations.add("submission " + index + " threw " + e);
              }
            }
          }));
        }

        // given a closed gate: the agents fill, the queue fills, and then every submitter waits
        await("every submitter blocks on the full queue").atMost(BOUND).until(() ->
            runtime.snapshot().submitted() == slots + queueCapacity
                && threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
        RuntimeSnapshot stalled = runtime.snapshot();
        assertThat(stalled.running()).isEqualTo(slots);
        assertThat(stalled.queued()).isEqualTo(queueCapacity);
        assertThat(stalled.rejected()).isZero();

        // when the gate opens, every blocked submission is admitted in turn
        gate.open();
        for (Thread t : threads) {
          assertThat(t.join(BOUND)).as("%s ended", t.getName()).isTrue();
        }
        assertThat(violations).isEmpty();
        assertThat(watched).doesNotContainNull();
        CompletableFuture.allOf(watched).get(BOUND.toSeconds(), TimeUnit.SECONDS);
      } finally {
        gate.open(); // also when an assertion failed: nothing stays blocked at the gate
      }

      assertThat(violations).isEmpty();
      for (int i = 0; i < total; i++) {
        assertThat(handles[i].join()).isEqualTo(i);
        assertThat(handles[i].outcome()).get().isInstanceOf(TaskOutcome.Succeeded.class);
        assertThat(completions.get(i)).as("completions of task %d", i).isEqualTo(1);
      }
      RuntimeSnapshot end = runtime.snapshot();
      assertThat(end.submitted()).isEqualTo(total);
      assertThat(end.succeeded()).isEqualTo(total);
      assertThat(end.rejected()).isZero();
      assertThat(end.failed() + end.cancelled() + end.timedOut()).isZero();
      assertThat(end.queued()).isZero();
      assertThat(end.running()).isZero();
      assertThat(queueSamples.get()).isPositive();
    }
    LOG.info("blocking backpressure round {}: {} tasks from {} submitters in {} ms",
        repetition.getCurrentRepetition(), total, submitters, (System.nanoTime() - t0) / 1_000_000);
  }

  /** A gate that work passes while open and waits at while closed (interruptibly). */
  private static final class SwitchableGate {
    private volatile @Nullable CountDownLatch latch; // null when open

    void close() {
      latch = new CountDownLatch(1);
    }

    void open() {
      CountDownLatch l = latch;
      latch = null;
      if (l != null) {
        l.countDown();
      }
    }

    boolean isClosed() {
      return latch != null;
    }

    void pass() throws InterruptedException {
      CountDownLatch l = latch;
      if (l != null) {
        l.await();
      }
    }

    /** Waits while closed, ignoring interrupts (work that does not answer them); keeps the flag. */
    void passIgnoringInterrupts() {
      CountDownLatch l = latch;
      if (l == null) {
        return;
      }
      boolean interrupted = false;
      while (true) {
        try {
          l.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ========================================================================= 3. close under load

  enum CloseCase {
    /** The running tasks end within the grace period: every accepted task succeeds. */
    GRACE_SUFFICES(Duration.ofSeconds(30)),
    /** The grace period passes: queued and running tasks are cancelled, some work ignores it. */
    GRACE_ELAPSES(Duration.ofMillis(200));

    final Duration grace;

    CloseCase(Duration grace) {
      this.grace = grace;
    }
  }

  static Stream<Arguments> closeRounds() {
    return Stream.of(CloseCase.values()).flatMap(c -> Stream.of(1, 2, 3).map(round ->
        Arguments.of(c, BASE_SEED * 1_000 + 500 + round * 10 + c.ordinal())));
  }

  @ParameterizedTest(name = "{0}, seed={1}")
  @MethodSource("closeRounds")
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void closeUnderLoadEndsEveryAcceptedTaskAndRejectsTheRest(CloseCase closeCase, long seed)
      throws Exception {
    LOG.info("close under load: {}, seed={}", closeCase, seed);
    long t0 = System.nanoTime();
    int submitters = 6;
    int queueCapacity = 64;
    int slots = 6;
    int stubbornWanted = 2;
    SwitchableGate gate = new SwitchableGate();
    AtomicInteger gated = new AtomicInteger();
    AtomicInteger stubbornInWork = new AtomicInteger();
    AtomicInteger nextId = new AtomicInteger();
    ConcurrentLinkedQueue<TaskHandle<Integer>> accepted = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    Map<String, AtomicInteger> completions = new ConcurrentHashMap<>();
    LongAdder rejections = new LongAdder();
    LongAdder rejectedAfterClose = new LongAdder();
    Map<String, Fixtures.AgentProbe> agents = Map.of("c2", new Fixtures.AgentProbe(2), "c4", new Fixtures.AgentProbe(4));

    AgentRuntime runtime = AgentRuntime.builder()
        .name("closing")
        .queueCapacity(queueCapacity)
        .backpressure(Backpressure.BLOCK)
        .shutdownGrace(closeCase.grace)
        .agent(Agent.local("c2").capacity(2))
        .agent(Agent.local("c4").capacity(4))
        .build();
    Function<Integer, Task<Integer>> newTask = n -> Task.of("closing", ctx -> {
      Fixtures.AgentProbe agent = agents.get(ctx.agent());
      int load = agent.inWork.incrementAndGet();
      try {
        if (load > agent.capacity) {
          violations.add(ctx.agent() + " ran " + load + " attempts at once");
        }
        if (gate.isClosed()) {
          if (closeCase == CloseCase.GRACE_ELAPSES && gated.getAndIncrement() < stubbornWanted) {
            stubbornInWork.incrementAndGet();
            try {
              gate.passIgnoringInterrupts();
            } finally {
              stubbornInWork.decrementAndGet();
            }
          } else {
            gate.pass();
          }
        }
        Thread.yield();
        return n;
      } finally {
        agent.inWork.decrementAndGet();
      }
    });

    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < submitters; w++) {
      Random rnd = new Random(seed + w);
      Thread.Builder builder = w % 2 == 0 ? Thread.ofPlatform() : Thread.ofVirtual();
      threads.add(builder.name("closing-submitter-" + w).start(() -> {
        while (true) {
          Task<Integer> task = newTask.apply(nextId.incrementAndGet());
          boolean timed = rnd.nextInt(4) == 0;
          try {
            Optional<TaskHandle<Integer>> h = timed
                ? runtime.trySubmit(task, Duration.ofMillis(1))
                : Optional.of(runtime.submit(task));
            if (h.isEmpty()) {
              rejections.increment(); // the queue stayed full for a millisecond
              continue;
            }
            TaskHandle<Integer> handle = h.get();
            accepted.add(handle);
            handle.toCompletableFuture().whenComplete((v, e) -> completions
                .computeIfAbsent(handle.id(), id -> new AtomicInteger()).incrementAndGet());
          } catch (RejectedTaskException e) {
            rejections.increment();
            if (!runtime.isClosed()) {
              violations.add("rejected before close: " + e.getMessage());
            }
            // after close, every further submission is refused as well, in both ways
            for (int k = 0; k < 3; k++) {
              Task<Integer> late = newTask.apply(-1);
              Throwable thrown = catchThrowable(() -> {
                if (rnd.nextBoolean()) {
                  runtime.submit(late);
                } else {
                  runtime.trySubmit(late, Duration.ofMillis(1));
                }
              });
              if (thrown instanceof RejectedTaskException) {
                rejections.increment();
                rejectedAfterClose.increment();
              } else {
                violations.add("a submission after close gave " + thrown);
              }
            }
            return;
          } catch (RuntimeException e) {
            violations.add("submission threw " + e);
            return;
          }
        }
      }));
    }

    try {
      // let the tasks flow for a while, then hold every new attempt at the gate: the agents fill,
      // the queue fills and the submitters wait for room
      await("tasks flow").atMost(BOUND).until(() -> runtime.snapshot().submitted() >= 2_000);
      gate.close();
      await("agents and queue full").atMost(BOUND).until(() -> {
        RuntimeSnapshot s = runtime.snapshot();
        return s.running() == slots && s.queued() == queueCapacity
            && agents.values().stream().allMatch(a -> a.inWork.get() == a.capacity);
      });

      CompletableFuture<Void> closing = new CompletableFuture<>();
      Thread closer = Thread.ofPlatform().name("closer").start(() -> {
        try {
          runtime.close();
          closing.complete(null);
        } catch (Throwable t) {
          closing.completeExceptionally(t);
        }
      });
      await("closing begins").atMost(BOUND).until(runtime::isClosed);
      // the submitters that waited for room are woken and refused (with a grace that suffices,
      // while close still waits for the held tasks)
      for (Thread t : threads) {
        assertThat(t.join(BOUND)).as("%s ended", t.getName()).isTrue();
      }
      if (closeCase == CloseCase.GRACE_SUFFICES) {
        assertThat(closing).as("close waits for the running and queued tasks").isNotDone();
        gate.open();
      }
      closing.get(BOUND.toSeconds(), TimeUnit.SECONDS);
      assertThat(closer.join(BOUND)).isTrue();

      // every accepted handle is complete by the time close returns, future included
      List<TaskHandle<Integer>> handles = List.copyOf(accepted);
      assertThat(handles).allSatisfy(h -> {
        assertThat(h.outcome()).isPresent();
        assertThat(h.toCompletableFuture()).isDone();
      });
      long succeeded = 0;
      long cancelled = 0;
      for (TaskHandle<Integer> h : handles) {
        TaskOutcome<Integer> outcome = h.outcome().orElseThrow();
        switch (outcome) {
          case TaskOutcome.Succeeded<Integer> s -> succeeded++;
          case TaskOutcome.Cancelled<Integer> c -> {
            cancelled++;
            assertThat(c.reason()).contains("closed");
            assertThatThrownBy(h::join).isInstanceOf(CancellationException.class);
          }
          default -> violations.add(h.id() + " ended " + outcome);
        }
      }
      await("callbacks ran").atMost(BOUND).until(() -> completions.size() == handles.size());
      assertThat(completions.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
      assertThat(violations).isEmpty();

      RuntimeSnapshot snap = runtime.snapshot();
      assertThat(snap.submitted()).isEqualTo(handles.size());
      assertThat(snap.rejected()).isEqualTo(rejections.sum());
      assertThat(snap.succeeded()).isEqualTo(succeeded);
      assertThat(snap.cancelled()).isEqualTo(cancelled);
      assertThat(snap.failed() + snap.timedOut()).isZero();
      assertThat(snap.queued() + snap.running() + snap.waitingToRetry()).isZero();
      assertThat(rejectedAfterClose.sum()).isEqualTo(3L * submitters);
      if (closeCase == CloseCase.GRACE_SUFFICES) {
        assertThat(cancelled).isZero();
      } else {
        // exactly what was held at the gate or waiting in the queue when close began
        assertThat(cancelled).isEqualTo(slots + queueCapacity);
        // work that ignores the interrupt keeps its slot until it really returns
        await("interruptible work returns").atMost(BOUND).until(() ->
            runtime.snapshot().agents().stream().mapToInt(RuntimeSnapshot.AgentSnapshot::inFlight)
                .sum() == stubbornWanted);
        assertThat(stubbornInWork.get()).isEqualTo(stubbornWanted);
        gate.open();
      }
      await("every attempt returns").atMost(BOUND).until(() ->
          runtime.snapshot().agents().stream().allMatch(a -> a.inFlight() == 0));
      runtime.close(); // again: harmless
      assertThat(runtime.snapshot().completed()).isEqualTo(handles.size());
      LOG.info("close under load {} (seed {}): {} accepted ({} succeeded, {} cancelled), {} "
              + "rejected, in {} ms", closeCase, seed, handles.size(), succeeded, cancelled,
          rejections.sum(), (System.nanoTime() - t0) / 1_000_000);
    } finally {
      gate.open();
      runtime.close();
    }
  }

  // ================================================================== regressions

  /**
   * Minimal reproductions of agent-core bugs found while writing the stress tests (close() returning
   * before every future completed or hanging, lost drain futures, interrupts leaking onto other
   * tasks' callbacks, join() after a user completed the future). Kept as regression tests.
   */
  @Nested
  class Regressions {

    /** close() promises every handle complete on return; the future is settled after active hits 0. */
    @Test
    void closeReturnsOnlyOnceEveryFutureIsComplete() {
      CountDownLatch closeReturned = new CountDownLatch(1);
      AgentRuntime runtime = AgentRuntime.builder()
          .agent(Agent.local("a").capacity(1))
          .listener(event -> {
            if (event instanceof TaskCompleted) {
              try { // a slow listener (a log appender, a metrics push) widens the window; a close()
                // that waits for the future waits these 200 ms, one that does not returns at once
                closeReturned.await(200, TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          })
          .build();
      TaskHandle<Integer> h = runtime.submit(Task.of("quick", ctx -> 1));

      runtime.close();
      boolean doneWhenCloseReturned = h.toCompletableFuture().isDone();
      closeReturned.countDown();

      assertThat(doneWhenCloseReturned).as("future complete when close() returned").isTrue();
    }

    /**
     * A close() that cancels tasks itself must not wait for ever for a task that another thread
     * ended and is still settling (settled() signals only when the unsettled count reaches zero,
     * but close() waits for it to reach the number of futures it will settle itself).
     */
    @Test
    void closeThatCancelsDoesNotHangWhileAnotherTaskIsBeingSettled() throws Exception {
      CountDownLatch listenerEntered = new CountDownLatch(1);
      CountDownLatch releaseListener = new CountDownLatch(1);
      AgentRuntime runtime = AgentRuntime.builder()
          .agent(Agent.local("a").capacity(2))
          .shutdownGrace(Duration.ofMillis(100))
          .listener(event -> {
            if (event instanceof TaskCompleted c && c.taskId().equals("B")) {
              listenerEntered.countDown();
              try { // B has ended; its future is settled once its listeners have run
                releaseListener.await(BOUND.toSeconds(), TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          })
          .build();
      TaskHandle<Integer> a = runtime.submit(Task.<Integer>builder("held", ctx -> {
        NEVER.await(); // ends when close() cancels it
        return 0;
      }).id("A").build());
      runtime.submit(Task.<Integer>builder("quick", ctx -> 1).id("B").build());
      assertThat(listenerEntered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> closing = new CompletableFuture<>();
      Thread closer = Thread.ofPlatform().name("closer").start(() -> {
        runtime.close();
        closing.complete(null);
      });
      // the grace passes, close() cancels A and then waits (untimed) for B's future
      await().atMost(BOUND).until(() -> a.state() == TaskState.CANCELLED
          && (closer.getState() == Thread.State.WAITING
              || closer.getState() == Thread.State.TIMED_WAITING || closing.isDone()));
      releaseListener.countDown();

      try {
        await("close returns").atMost(Duration.ofSeconds(5)).until(closing::isDone);
      } finally {
        closer.interrupt(); // do not leave the closer parked for ever when this fails
      }
    }

    /** drainAgent's future must complete once the agent has no attempt running. */
    @Test
    void aDrainFutureCompletesEvenIfTheAgentIsMarkedUpBeforeItIsIdle() throws Exception {
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      try (AgentRuntime runtime = AgentRuntime.builder().agent(Agent.local("d").capacity(1)).build()) {
        TaskHandle<Integer> h = runtime.submit(Task.of("long", ctx -> {
          started.countDown();
          release.await();
          return 1;
        }));
        assertThat(started.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> drained = runtime.drainAgent("d");

        runtime.markAgentUp("d");
        release.countDown();
        assertThat(h.join()).isEqualTo(1);
        await().atMost(BOUND).until(() -> runtime.snapshot().agent("d").orElseThrow().inFlight() == 0);

        // "a future completed when the agent has no attempt running": it must complete (normally,
        // or exceptionally to say the drain was abandoned), not stay pending for ever
        await().atMost(Duration.ofSeconds(2)).until(drained::isDone);
      }
    }

    /**
     * Work that restores the interrupt flag (as the style guide asks) leaves it set on its thread,
     * and the runtime then runs other tasks' listener events (and drain callbacks) on that thread.
     */
    @Test
    void listenersDoNotRunWithTheInterruptOfACancelledAttempt() throws Exception {
      CountDownLatch started = new CountDownLatch(1);
      Map<String, Boolean> interruptedAtStart = new ConcurrentHashMap<>();
      try (AgentRuntime runtime = AgentRuntime.builder()
          .agent(Agent.local("i").capacity(1))
          .listener(event -> {
            if (event instanceof AttemptStarted s) {
              interruptedAtStart.put(s.taskId(), Thread.currentThread().isInterrupted());
            }
          })
          .build()) {
        TaskHandle<Integer> a = runtime.submit(Task.<Integer>builder("a", ctx -> {
          started.countDown();
          try {
            NEVER.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // restore the flag and return
          }
          return 0;
        }).id("A").build());
        assertThat(started.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        TaskHandle<Integer> b = runtime.submit(Task.<Integer>builder("b", ctx -> 1).id("B").build());

        a.cancel(); // A's work returns, frees the slot, and B starts from A's thread
        assertThat(b.join()).isEqualTo(1);

        assertThat(interruptedAtStart).containsEntry("B", false);
      }
    }

    /**
     * "Completing it yourself (for example through orTimeout) completes only the future, not the
     * task: outcome() stays the truth." But join() and await() wait on that same future, so once
     * the user has completed it they return at once and throw IllegalStateException ("completed its
     * future without an outcome") instead of waiting for the task.
     */
    @Test
    void joinWaitsForTheTaskEvenWhenTheUserCompletedItsFuture() throws Exception {
      CountDownLatch release = new CountDownLatch(1);
      try (AgentRuntime runtime = AgentRuntime.builder().agent(Agent.local("f").capacity(1)).build()) {
        TaskHandle<String> h = runtime.submit(Task.of("real", ctx -> {
          release.await();
          return "real";
        }));
        h.toCompletableFuture().complete("forged"); // allowed: it completes only the future

        CompletableFuture<String> joined = new CompletableFuture<>();
        Thread joiner = Thread.ofVirtual().start(() -> {
          try {
            joined.complete(h.join());
          } catch (Throwable t) {
            joined.completeExceptionally(t);
          }
        });
        // join() either waits for the task (parks) or has already returned
        await().atMost(BOUND).until(
            () -> joined.isDone() || joiner.getState() == Thread.State.WAITING);
        release.countDown();

        assertThat(joined).succeedsWithin(BOUND).isEqualTo("real");
      }
    }
  }
}
