package io.agentry.infinispan;

import io.agentry.infinispan.internal.CallHost;
import io.agentry.infinispan.internal.CancelCall;
import io.agentry.infinispan.internal.ClusterSchemaImpl;
import io.agentry.infinispan.internal.MemberInfo;
import io.agentry.infinispan.internal.OfferedAgent;
import io.agentry.infinispan.internal.RemoteCall;
import io.agentry.infinispan.internal.RemoteResult;
import io.agentry.core.AgentRuntime;
import io.agentry.core.NoEligibleAgentException;
import io.agentry.core.RejectedTaskException;
import io.agentry.core.Task;
import io.agentry.core.TaskContext;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import io.agentry.core.TaskTimeoutException;
import io.agentry.core.TaskWork;
import io.agentry.core.spi.AgentBackend;
import io.agentry.core.spi.Attempt;
import io.agentry.core.spi.Decision;
import io.agentry.core.spi.ExecutionPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.infinispan.remoting.transport.Address;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hosting side of remote attempts on one member: it runs each {@link RemoteCall} as a task of
 * this member's own runtime, pinned to the offered agent by a private tag, so the agent's capacity
 * is counted once for local and remote submitters alike, and the runtime enforces the attempt
 * timeout and the deadline here. Remote attempts waiting for a slot are bounded per agent; past the
 * bound, or after waiting too long, the answer is {@link RemoteResult#BUSY}.
 */
final class Host implements CallHost {
  private static final Logger LOG = LoggerFactory.getLogger(Host.class);
  /** A host task runs once: the submitting member's policy decides retries and failover. */
  private static final ExecutionPolicy ONE_ATTEMPT = report -> Decision.complete();
  private static final int TOMBSTONES = 4096;
  static final String TAG_PREFIX = "agentry.offered:";

  private final AgentRuntime runtime;
  private final Handlers handlers;
  private final String member;
  private final int queueLimit;
  private final Duration queueTimeout;
  private final ScheduledExecutorService timer;
  private final Map<String, Offered> offered;
  private final ConcurrentMap<String, Hosted> running = new ConcurrentHashMap<>();
  /** Cancels that arrived before their call, kept briefly (bounded) so the call is cancelled on arrival. */
  private final Set<String> earlyCancels = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<String> earlyCancelOrder = new ConcurrentLinkedQueue<>();
  private volatile boolean closing;
  final LongAdder hosted = new LongAdder();
  final LongAdder busy = new LongAdder();

  Host(AgentRuntime runtime, Handlers handlers, String member, Map<String, Offered> offered,
      int queueLimit, Duration queueTimeout, ScheduledExecutorService timer) {
    this.runtime = runtime;
    this.timer = timer;
    this.handlers = handlers;
    this.member = member;
    this.offered = Map.copyOf(offered);
    this.queueLimit = queueLimit;
    this.queueTimeout = queueTimeout;
  }

  void register(Address address) {
    CallHost.register(address, this);
  }

  void unregister(Address address) {
    CallHost.unregister(address, this);
  }

  static String tagOf(String agentId) {
    return TAG_PREFIX + agentId;
  }

  /** One offered agent and its remote attempts waiting for a slot here. */
  static final class Offered {
    final String id;
    final int capacity;
    /** Remote attempts admitted here and not yet ended (running or waiting). */
    final AtomicInteger admitted = new AtomicInteger();
    /** Remote attempts admitted here and not yet started. */
    final AtomicInteger waiting = new AtomicInteger();

    Offered(String id, int capacity) {
      this.id = id;
      this.capacity = capacity;
    }
  }

  /**
   * The work of a hosted attempt. When the runtime starts it, {@link #backend} hands the attempt to
   * the thread that received the call, which runs it: no second thread per remote attempt.
   */
  static final class HostWork implements TaskWork<byte[]> {
    final CompletableFuture<@Nullable Attempt> handover = new CompletableFuture<>();
    /** Set when the runtime starts the attempt. */
    volatile boolean launched;
    private final TaskWork<byte[]> body;

    HostWork(TaskWork<byte[]> body) {
      this.body = body;
      if (!Thread.currentThread().isVirtual()) {
        // Infinispan's virtual threads are off: the receiving thread only waits for the outcome,
        // and the attempt runs on a virtual thread of its own.
        handover.complete(null);
      }
    }

    @Override
    public byte[] run(TaskContext ctx) throws Exception {
      return body.run(ctx);
    }
  }

  /**
   * The backend of the offered agents: a hosted attempt runs on the virtual thread that received
   * the call, any other task on a new virtual thread, as on a local agent.
   */
  static final AgentBackend BACKEND = new AgentBackend() {
    @Override
    public void start(Attempt attempt) {
      if (attempt.task().work() instanceof HostWork w) {
        w.launched = true;
        if (w.handover.complete(attempt)) {
          return;
        }
      }
      Thread.ofVirtual().name("agentry-offered-", 0).start(attempt::runHere);
    }

    @Override
    public String toString() {
      return "offered";
    }
  };

  /** A remote attempt running or waiting here. */
  private static final class Hosted {
    final String origin;
    volatile @Nullable TaskHandle<byte[]> handle;
    volatile boolean cancelled;
    /** Cancelled by the host queue timer: answered as busy. */
    volatile boolean waitedTooLong;

    Hosted(String origin) {
      this.origin = origin;
    }
  }

  int queued(String agentId) {
    Offered o = offered.get(agentId);
    return o == null ? 0 : o.waiting.get();
  }

  /** Runs one remote attempt and waits for its end; called on Infinispan's blocking executor. */
  @Override
  public RemoteResult run(RemoteCall call) {
    if (closing) {
      return RemoteResult.of(RemoteResult.LOST, "member " + member + " is leaving the cluster");
    }
    Offered agent = offered.get(call.agent());
    if (agent == null) {
      return RemoteResult.of(RemoteResult.LOST,
          "member " + member + " does not offer agent '" + call.agent() + "'");
    }
    NamedHandler<?, ?> handler = handlers.find(call.handler()).orElse(null);
    if (handler == null) {
      return RemoteResult.of(RemoteResult.UNKNOWN_HANDLER, "member " + member
          + " has no handler named '" + call.handler() + "' (it has " + handlers + ")");
    }
    return run(call, agent, handler);
  }

  private <P extends @Nullable Object, R extends @Nullable Object> RemoteResult run(
      RemoteCall call, Offered agent, NamedHandler<P, R> handler) {
    P payload;
    try {
      payload = handler.payloadCodec().decode(call.payload());
    } catch (RuntimeException e) { // CodecException, or whatever a user codec throws
      return RemoteResult.of(RemoteResult.REJECTED, "member " + member + " refused the payload of '"
          + handler.name() + "': " + e.getMessage());
    }
    Duration remaining = null;
    if (call.deadlineEpochMillis() != 0) {
      remaining = Duration.ofMillis(call.deadlineEpochMillis() - System.currentTimeMillis());
      if (remaining.isNegative() || remaining.isZero()) {
        return RemoteResult.of(RemoteResult.TIMED_OUT, "the deadline of attempt " + call.attemptId()
            + " passed before it reached member " + member);
      }
    }
    if (agent.admitted.incrementAndGet() > agent.capacity + queueLimit) {
      agent.admitted.decrementAndGet();
      busy.increment();
      return RemoteResult.of(RemoteResult.BUSY, "agent '" + agent.id + "' on member " + member
          + " is full: " + agent.capacity + " slot(s) and " + queueLimit
          + " waiting remote attempt(s) taken");
    }
    agent.waiting.incrementAndGet();
    AtomicBoolean started = new AtomicBoolean();
    HostedContext context = new HostedContext(handler.name(), call);
    HostWork work = new HostWork(ctx -> {
      if (started.compareAndSet(false, true)) {
        agent.waiting.decrementAndGet();
      }
      context.ctx = ctx;
      R result = handler.body().handle(payload, context);
      return handler.resultCodec().encode(result);
    });
    // No queueTimeout on the task: most attempts start at once, and a timer per attempt costs;
    // one is scheduled below only for an attempt that has to wait.
    Task.Builder<byte[]> builder = Task.builder(handler.name(), work)
        .requires(tagOf(agent.id))
        .policy(ONE_ATTEMPT)
        .label("agentry.attempt", call.attemptId());
    if (call.attemptTimeoutMillis() > 0) {
      builder.attemptTimeout(Duration.ofMillis(call.attemptTimeoutMillis()));
    }
    if (remaining != null) {
      builder.deadline(remaining);
    }
    Hosted hostedAttempt = new Hosted(call.origin());
    running.put(call.attemptId(), hostedAttempt);
    ScheduledFuture<?> queueTimer = null;
    try {
      Optional<TaskHandle<byte[]>> submitted;
      try {
        submitted = runtime.trySubmit(builder.build(), Duration.ZERO);
      } catch (RejectedTaskException e) {
        return RemoteResult.of(RemoteResult.LOST, "member " + member + " cannot take attempt "
            + call.attemptId() + ": " + e.getMessage());
      }
      if (submitted.isEmpty()) {
        busy.increment();
        return RemoteResult.of(RemoteResult.BUSY, "the runtime of member " + member
            + " has a full queue");
      }
      TaskHandle<byte[]> handle = submitted.get();
      hosted.increment();
      hostedAttempt.handle = handle;
      if (hostedAttempt.cancelled || earlyCancels.remove(call.attemptId()) || closing) {
        handle.cancel();
      }
      if (!work.launched) {
        queueTimer = timer.schedule(() -> {
          if (!work.launched) {
            hostedAttempt.waitedTooLong = true; // before the cancel, which wakes this thread up
            handle.cancel();
          }
        }, queueTimeout.toNanos(), TimeUnit.NANOSECONDS);
      }
      // Run the attempt on this thread (one of Infinispan's virtual threads) once the runtime
      // starts it, unless the task ends first (queue timeout, cancel).
      if (!work.handover.isDone()) { // usually started (and handed over) within trySubmit
        handle.toCompletableFuture().whenComplete((v, e) -> work.handover.complete(null));
      }
      Attempt attempt;
      try {
        attempt = work.handover.get();
      } catch (InterruptedException e) {
        handle.cancel();
        Thread.currentThread().interrupt();
        return RemoteResult.of(RemoteResult.LOST, "member " + member + " was interrupted (stopping)");
      } catch (ExecutionException e) {
        attempt = null;
      }
      if (attempt != null) {
        attempt.runHere();
      }
      TaskOutcome<byte[]> outcome;
      try {
        outcome = handle.await();
      } catch (InterruptedException e) {
        handle.cancel();
        Thread.currentThread().interrupt();
        return RemoteResult.of(RemoteResult.LOST, "member " + member + " was interrupted (stopping)");
      }
      return toResult(call, agent, outcome, hostedAttempt.waitedTooLong);
    } finally {
      if (queueTimer != null) {
        queueTimer.cancel(false);
      }
      running.remove(call.attemptId());
      if (started.compareAndSet(false, true)) {
        agent.waiting.decrementAndGet();
      }
      agent.admitted.decrementAndGet();
    }
  }

  private RemoteResult toResult(RemoteCall call, Offered agent, TaskOutcome<byte[]> outcome,
      boolean waitedTooLong) {
    if (waitedTooLong && outcome instanceof TaskOutcome.Cancelled<byte[]>) {
      busy.increment();
      return RemoteResult.of(RemoteResult.BUSY, "attempt " + call.attemptId() + " waited "
          + queueTimeout + " for a slot of agent '" + agent.id + "' on member " + member);
    }
    return switch (outcome) {
      case TaskOutcome.Succeeded<byte[]> s -> RemoteResult.ok(s.value());
      case TaskOutcome.Failed<byte[]> f -> {
        Throwable cause = f.cause();
        if (cause instanceof CodecException) {
          yield RemoteResult.of(RemoteResult.REJECTED, "member " + member + ": " + cause.getMessage());
        }
        if (cause instanceof NoEligibleAgentException) {
          busy.increment();
          yield RemoteResult.of(RemoteResult.BUSY, "agent '" + agent.id + "' on member " + member
              + " is not taking attempts: " + cause.getMessage());
        }
        yield RemoteResult.failed(cause);
      }
      case TaskOutcome.TimedOut<byte[]> t -> {
        if (t.cause() instanceof TaskTimeoutException tte && "queueTimeout".equals(tte.timeout())) {
          busy.increment();
          yield RemoteResult.of(RemoteResult.BUSY, "attempt " + call.attemptId() + " waited "
              + queueTimeout + " for a slot of agent '" + agent.id + "' on member " + member);
        }
        yield RemoteResult.of(RemoteResult.TIMED_OUT, "attempt " + call.attemptId() + " on member "
            + member + ": " + t.cause().getMessage());
      }
      case TaskOutcome.Cancelled<byte[]> c -> closing
          ? RemoteResult.of(RemoteResult.LOST, "member " + member + " left while attempt "
              + call.attemptId() + " ran")
          : RemoteResult.of(RemoteResult.CANCELLED, "attempt " + call.attemptId() + " was cancelled");
    };
  }

  /** A best-effort cancel from the submitting member. */
  @Override
  public boolean cancel(String attemptId) {
    Hosted h = running.get(attemptId);
    if (h == null) {
      earlyCancels.add(attemptId);
      earlyCancelOrder.add(attemptId);
      while (earlyCancelOrder.size() > TOMBSTONES) {
        String old = earlyCancelOrder.poll();
        if (old != null) {
          earlyCancels.remove(old);
        }
      }
      return false;
    }
    h.cancelled = true;
    TaskHandle<byte[]> handle = h.handle;
    return handle != null && handle.cancel();
  }

  /**
   * Cancels the attempts hosted for members that left the view: nobody waits for their answers (the
   * submitter failed them over, or died).
   */
  void cancelOrphans(Set<String> view) {
    for (Map.Entry<String, Hosted> e : running.entrySet()) {
      Hosted h = e.getValue();
      TaskHandle<byte[]> handle = h.handle;
      if (!view.contains(h.origin) && handle != null && handle.cancel()) {
        LOG.info("member {}: cancelled attempt {} of member {}, which left", member, e.getKey(), h.origin);
      }
    }
  }

  /** Stops taking attempts and cancels the ones here; their callers see them lost and fail over. */
  void close() {
    closing = true;
    for (Hosted h : running.values()) {
      TaskHandle<byte[]> handle = h.handle;
      if (handle != null) {
        handle.cancel();
      }
    }
    LOG.debug("host of member {} closed", member);
  }

  /** The handler's view of a hosted attempt: the call's ids over this runtime's task context. */
  private static final class HostedContext implements HandlerContext {
    private final String handler;
    private final RemoteCall call;
    volatile @Nullable TaskContext ctx;

    HostedContext(String handler, RemoteCall call) {
      this.handler = handler;
      this.call = call;
    }

    @Override
    public String handler() {
      return handler;
    }

    @Override
    public String attemptId() {
      return call.attemptId();
    }

    @Override
    public Optional<String> idempotencyKey() {
      return call.idempotencyKey().isEmpty() ? Optional.empty() : Optional.of(call.idempotencyKey());
    }

    @Override
    public String origin() {
      return call.origin();
    }

    @Override
    public Optional<Instant> deadline() {
      return call.deadlineEpochMillis() == 0
          ? Optional.empty() : Optional.of(Instant.ofEpochMilli(call.deadlineEpochMillis()));
    }

    @Override
    public boolean isCancelled() {
      TaskContext c = ctx;
      return c != null && c.isCancelled();
    }

    @Override
    public void heartbeat() {
      TaskContext c = ctx;
      if (c != null) {
        c.heartbeat();
      }
    }
  }
}
