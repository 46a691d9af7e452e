package io.agentry.infinispan;

import io.agentry.infinispan.internal.CancelCall;
import io.agentry.infinispan.internal.ClusterSchemaImpl;
import io.agentry.infinispan.internal.MemberInfo;
import io.agentry.infinispan.internal.MembershipListener;
import io.agentry.infinispan.internal.OfferedAgent;
import io.agentry.infinispan.internal.RemoteCall;
import io.agentry.infinispan.internal.RemoteResult;
import io.agentry.core.Agent;
import io.agentry.core.AgentLostException;
import io.agentry.core.AgentRuntime;
import io.agentry.core.RuntimeSnapshot;
import io.agentry.core.Task;
import io.agentry.core.spi.AgentBackend;
import io.agentry.core.spi.Attempt;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.infinispan.Cache;
import org.infinispan.commons.dataconversion.MediaType;
import org.infinispan.lifecycle.ComponentStatus;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.context.Flag;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.ClusterExecutor;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.protostream.SerializationContextInitializer;
import org.infinispan.remoting.transport.Address;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: joins this member to an Infinispan (JGroups) cluster with an {@link AgentRuntime},
 * offers some of its local agents to the other members, and adds the agents they offer to the
 * runtime as remote agents, so that tasks submitted anywhere run on agents everywhere.
 *
 * <pre>{@code
 * Handlers handlers = Handlers.create();
 * NamedHandler<String, String> upper =
 *     handlers.register("upper", Codec.utf8(), (payload, ctx) -> payload.toUpperCase(Locale.ROOT));
 * try (AgentRuntime runtime = AgentRuntime.builder().build();
 *      AgentryCluster cluster = AgentryCluster.builder(runtime, handlers)
 *          .config(ClusterConfig.builder().nodeName("a").bindPort(7800)
 *              .initialMembers("127.0.0.1[7800]", "127.0.0.1[7801]").build())
 *          .offer(Agent.local("worker").capacity(8))
 *          .join()) {
 *   String r = runtime.submit(RemoteTasks.call(upper, "hello")).join();
 * }
 * }</pre>
 *
 * <p><b>Remote agents.</b> Each agent another member offers appears in this runtime as
 * {@code Agent.of(agentId + "@" + member, backend)} with the capacity, tags, resources and weight it
 * was offered with; ids are qualified by the member's name so that two members may offer agents of
 * the same id. Selectors, queues, policies and metrics treat them like local agents. A remote agent
 * runs only tasks made by {@link RemoteTasks} (its backend refuses others, so lambdas stay local).
 * When its member leaves the view (it closed, crashed, or was suspected by failure detection) its
 * agents are removed: their running attempts fail with {@link AgentLostException} and the policy
 * fails them over. When a member joins, or comes back after a merge, its agents are added. Attempts
 * this member hosts for a member that left its view are cancelled.
 *
 * <p><b>Offered agents</b> ({@link Builder#offer(Agent)}) are described as local agents; this
 * cluster adds them to the runtime with the same description plus one private tag each
 * ({@code agentry.offered:<id>}, not published), and a backend that runs attempts on virtual
 * threads of this JVM as a local agent does. A remote attempt runs here as a task of this runtime
 * pinned to its agent by that tag, on the virtual thread that received it, so the agent's capacity
 * holds across local and remote submitters; the runtime enforces the attempt timeout and the
 * deadline here too. Remote attempts waiting for a slot are bounded per agent
 * ({@link Builder#hostQueueLimit(int)}, {@link Builder#hostQueueTimeout(Duration)}): past the bound
 * the submitter gets a {@link RemoteAgentBusyException}, which fails over.
 *
 * <p><b>Load.</b> Every {@link Builder#loadPublishInterval(Duration) interval} (1 second by default)
 * each member publishes its offered agents' load (in flight, queued) in a replicated cache when it
 * changed. {@link io.agentry.core.spi.AgentView#inFlight()}, which selectors read, counts only this
 * runtime's own attempts on a remote agent; the cluster-wide load is in {@link #remoteAgents()}.
 *
 * <p><b>At-least-once.</b> A handler can run twice for one task; see {@code docs/cluster.md}.
 *
 * <p>Thread-safety: every method may be called from any thread. Membership changes are applied on
 * one internal thread, never on JGroups' threads.
 */
public final class AgentryCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentryCluster.class);
  /** The name of the replicated cache in which members publish their agents. */
  public static final String METADATA_CACHE = "agentry-members";
  /** How often load is published when no interval is set: 1 second. */
  public static final Duration DEFAULT_LOAD_PUBLISH_INTERVAL = Duration.ofSeconds(1);
  /** How many remote attempts may wait for a slot of one offered agent, when not set. */
  public static final int DEFAULT_HOST_QUEUE_LIMIT = 16;
  /** How long a remote attempt may wait here for a slot, when not set: 30 seconds. */
  public static final Duration DEFAULT_HOST_QUEUE_TIMEOUT = Duration.ofSeconds(30);
  /**
   * How long this member waits for the answer to a remote attempt that has neither attempt timeout
   * nor deadline, when not set: 30 minutes.
   */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofMinutes(30);
  /** Added to the time a bounded attempt may take, before this member stops waiting for its answer. */
  private static final Duration CALL_GRACE = Duration.ofSeconds(10);
  /** A member re-publishes its entry this often even when nothing changed (heals merges). */
  private static final int REPUBLISH_EVERY = 5;

  private final AgentRuntime runtime;
  private final EmbeddedCacheManager manager;
  private final boolean ownsManager;
  private final String self;
  private final Address selfAddress;
  private final Cache<String, MemberInfo> metadata;
  private final ScheduledExecutorService exec;
  private final Host host;
  private final List<Agent> offered;
  private final Duration hostQueueTimeout;
  private final Duration callTimeout;
  /** Remote agents registered in the runtime, by member; written on {@link #exec} only. */
  private final ConcurrentMap<String, Map<String, OfferedAgent>> registered = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, RemoteAgent> remoteView = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Pending> pending = new ConcurrentHashMap<>();
  private final ConcurrentMap<Address, ClusterExecutor> executors = new ConcurrentHashMap<>();
  private final AtomicBoolean reconcileQueued = new AtomicBoolean();
  private final LongAdder sent = new LongAdder();
  private final LongAdder lost = new LongAdder();
  private final LongAdder busy = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder cancels = new LongAdder();
  private final MembershipListener listener = new MembershipListener(
      this::scheduleReconcile,
      () -> {
        // This member's entry may have been lost in the merge: publish it again.
        submit(() -> publish(true));
        scheduleReconcile();
      },
      this::scheduleReconcile);
  private volatile boolean closed;
  private @Nullable MemberInfo lastPublished;
  private int ticks;

  private AgentryCluster(Builder b, EmbeddedCacheManager manager, boolean ownsManager) {
    this.runtime = b.runtime;
    this.manager = manager;
    this.ownsManager = ownsManager;
    this.selfAddress = Objects.requireNonNull(manager.getAddress(),
        "the cache manager is not clustered (it has no address)");
    this.self = selfAddress.toString();
    this.offered = List.copyOf(b.offered.values());
    this.hostQueueTimeout = b.hostQueueTimeout;
    this.callTimeout = b.callTimeout;
    Map<String, Host.Offered> hostAgents = new LinkedHashMap<>();
    for (Agent a : offered) {
      hostAgents.put(a.id(), new Host.Offered(a.id(), a.capacity()));
    }
    this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "agentry-cluster-" + self);
      t.setDaemon(true);
      return t;
    });
    this.host = new Host(runtime, b.handlers, self, hostAgents, b.hostQueueLimit, b.hostQueueTimeout,
        exec);
    for (Agent a : offered) {
      runtime.addAgent(hosted(a));
    }
    manager.defineConfiguration(METADATA_CACHE, new ConfigurationBuilder()
        .clustering().cacheMode(CacheMode.REPL_SYNC)
        .encoding().mediaType(MediaType.APPLICATION_PROTOSTREAM)
        .build());
    this.metadata = manager.getCache(METADATA_CACHE);
    host.register(selfAddress);
    manager.addListener(listener);
    metadata.addListener(listener);
    publish(true);
    long period = b.loadPublishInterval.toNanos();
    exec.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.NANOSECONDS);
    awaitFirstReconcile();
    LOG.info("member {} joined cluster '{}' ({} member(s)), offering {}", self,
        manager.getClusterName(), manager.getMembers().size(),
        offered.stream().map(Agent::id).toList());
  }

  /**
   * The agent as this runtime registers it: the same description, with the private tag that pins
   * remote attempts to it, and a backend that runs a remote attempt on the thread that received it.
   */
  private static Agent hosted(Agent a) {
    Agent agent = Agent.of(a.id(), Host.BACKEND).capacity(a.capacity()).weight(a.weight())
        .tags(a.tags().toArray(String[]::new)).tags(Host.tagOf(a.id()));
    for (Map.Entry<String, Double> r : a.resources().entrySet()) {
      agent = agent.resource(r.getKey(), r.getValue());
    }
    return agent;
  }

  /** Adds the agents the other members offer now before join() returns; on the membership thread. */
  private void awaitFirstReconcile() {
    try {
      exec.submit(this::reconcile).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warn("member {}: the first membership update failed; it is retried every interval", self, e);
    }
  }

  /**
   * Starts a builder for a member that runs tasks with {@code runtime} and runs remote attempts with
   * the handlers of {@code handlers}.
   *
   * @param runtime the runtime of this member
   * @param handlers the handlers this member runs (the same on every member)
   * @return a new builder
   * @throws NullPointerException if an argument is null
   */
  public static Builder builder(AgentRuntime runtime, Handlers handlers) {
    return new Builder(Objects.requireNonNull(runtime, "runtime"),
        Objects.requireNonNull(handlers, "handlers"));
  }

  /**
   * Returns the ProtoStream schema of the messages members exchange. A cache manager built elsewhere
   * and given to {@link Builder#cacheManager} must have it, through
   * {@code serialization().addContextInitializer(AgentryCluster.schema())}, unless it registers no
   * context initializer at all (Infinispan then finds this one by itself).
   *
   * @return the schema's initializer
   */
  public static SerializationContextInitializer schema() {
    return new ClusterSchemaImpl();
  }

  /**
   * Returns this member's name, which qualifies the ids of the agents it offers.
   *
   * @return the member name
   */
  public String memberName() {
    return self;
  }

  /**
   * Returns the names of the members in the current view, this one included.
   *
   * @return the member names, coordinator first
   */
  public List<String> members() {
    return manager.getMembers().stream().map(Object::toString).toList();
  }

  /**
   * Returns the physical addresses ({@code ip:port}) of the members in the current view, as the
   * transport sees them; used for example to check that a cluster stays on one network.
   *
   * @return the addresses
   */
  public List<String> memberAddresses() {
    return manager.getCacheManagerInfo().getClusterMembersPhysicalAddresses();
  }

  /**
   * Returns the remote agents currently registered in this runtime, with the load their members
   * last published.
   *
   * @return the remote agents, in no particular order
   */
  public List<RemoteAgent> remoteAgents() {
    return List.copyOf(remoteView.values());
  }

  /**
   * Returns the cache manager this member uses.
   *
   * @return the cache manager
   */
  public EmbeddedCacheManager cacheManager() {
    return manager;
  }

  /**
   * Returns this member's counts since it joined.
   *
   * @return a snapshot of the counts
   */
  public ClusterStats stats() {
    return new ClusterStats(sent.sum(), lost.sum(), busy.sum(), dropped.sum(), cancels.sum(),
        host.hosted.sum(), host.busy.sum());
  }

  /**
   * Leaves the cluster: stops publishing, withdraws this member's entry, answers remote attempts
   * still running here as lost (their submitters fail them over), removes the remote agents from
   * the runtime (their running attempts fail with {@link AgentLostException}), and stops the cache
   * manager if this cluster built it. The offered agents stay in the runtime and keep serving its
   * own tasks. The runtime itself is not closed. Calling it again does nothing.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      metadata.remove(self); // other members remove this member's agents and send it nothing more
    } catch (RuntimeException e) {
      LOG.debug("member {} could not withdraw its entry", self, e);
    }
    host.close();
    host.unregister(selfAddress);
    try {
      manager.removeListener(listener);
      metadata.removeListener(listener);
    } catch (RuntimeException e) {
      LOG.debug("member {} could not remove its listeners", self, e);
    }
    exec.shutdownNow();
    try {
      if (!exec.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("member {}: the membership thread did not stop within 10 s", self);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (String member : new ArrayList<>(registered.keySet())) {
      dropMember(member, "this member left the cluster");
    }
    failPending(p -> true, "this member left the cluster");
    if (ownsManager) {
      manager.stop();
    }
    LOG.info("member {} left the cluster", self);
  }

  @Override
  public String toString() {
    return "AgentryCluster[" + self + ", members=" + members() + "]";
  }

  // ---------------------------------------------------------------- membership

  private void submit(Runnable action) {
    if (closed) {
      return;
    }
    try {
      exec.execute(() -> {
        try {
          action.run();
        } catch (RuntimeException e) {
          LOG.warn("member {}: a membership update failed", self, e);
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.debug("member {} is closing; update dropped", self);
    }
  }

  private void scheduleReconcile() {
    if (reconcileQueued.compareAndSet(false, true)) {
      submit(() -> {
        reconcileQueued.set(false);
        reconcile();
      });
    }
  }

  private void tick() {
    try {
      publish(++ticks % REPUBLISH_EVERY == 0);
      reconcile();
    } catch (RuntimeException e) {
      LOG.warn("member {}: periodic publish failed", self, e);
    }
  }

  /** Publishes this member's offered agents and their load, when changed or when forced. */
  private void publish(boolean force) {
    if (closed) {
      return;
    }
    RuntimeSnapshot snapshot = runtime.snapshot();
    List<OfferedAgent> agents = new ArrayList<>(offered.size());
    for (Agent a : offered) {
      int inFlight = snapshot.agent(a.id()).map(RuntimeSnapshot.AgentSnapshot::inFlight).orElse(0);
      List<String> resources = new ArrayList<>();
      a.resources().forEach((k, v) -> resources.add(k + "=" + v));
      agents.add(new OfferedAgent(a.id(), a.capacity(), a.weight(), List.copyOf(a.tags()),
          resources, inFlight, host.queued(a.id())));
    }
    MemberInfo previous = lastPublished;
    if (!force && previous != null && previous.agents().equals(agents)) {
      return;
    }
    MemberInfo info = new MemberInfo(self, agents, System.currentTimeMillis());
    lastPublished = info;
    metadata.putAsync(self, info).whenComplete((v, e) -> {
      if (e != null) {
        LOG.debug("member {} could not publish its entry", self, e);
      }
    });
  }

  /** Brings the runtime's remote agents in line with the view and the published entries. */
  private void reconcile() {
    if (closed) {
      return;
    }
    Set<String> view = new HashSet<>();
    for (Address a : manager.getMembers()) {
      view.add(a.toString());
    }
    Map<String, MemberInfo> wanted = new HashMap<>();
    // A replicated cache holds every entry here: read locally, never waiting on the network.
    Cache<String, MemberInfo> local = metadata.getAdvancedCache().withFlags(Flag.CACHE_MODE_LOCAL);
    for (Map.Entry<String, MemberInfo> e : local.entrySet()) {
      String member = e.getKey();
      if (!member.equals(self) && view.contains(member)) {
        wanted.put(member, e.getValue());
      }
    }
    for (String member : new ArrayList<>(registered.keySet())) {
      if (!wanted.containsKey(member)) {
        dropMember(member, view.contains(member)
            ? "member " + member + " withdrew its agents" : "member " + member + " left the view");
      }
    }
    failPending(p -> !view.contains(p.member), "its member left the view");
    host.cancelOrphans(view);
    for (Map.Entry<String, MemberInfo> e : wanted.entrySet()) {
      addMember(e.getKey(), e.getValue());
    }
    if (manager.isCoordinator()) {
      for (String member : local.keySet()) {
        if (!view.contains(member)) {
          metadata.removeAsync(member);
        }
      }
    }
  }

  private void addMember(String member, MemberInfo info) {
    Map<String, OfferedAgent> have = registered.computeIfAbsent(member, m -> new ConcurrentHashMap<>());
    Set<String> now = new HashSet<>();
    for (OfferedAgent oa : info.agents()) {
      String id = oa.id() + "@" + member;
      now.add(id);
      if (!have.containsKey(id)) {
        try {
          runtime.addAgent(describe(id, member, oa));
          have.put(id, oa);
          LOG.info("member {}: remote agent {} joined (capacity {})", self, id, oa.capacity());
        } catch (IllegalArgumentException | IllegalStateException e) {
          LOG.warn("member {}: cannot add remote agent {}: {}", self, id, e.getMessage());
          continue;
        }
      } else {
        have.put(id, oa);
      }
      remoteView.put(id, new RemoteAgent(id, member, oa.capacity(), new LinkedHashSet<>(oa.tags()),
          oa.inFlight(), oa.queued(), Instant.ofEpochMilli(info.publishedAtMillis())));
    }
    for (String id : new ArrayList<>(have.keySet())) {
      if (!now.contains(id)) {
        removeAgent(id, "member " + member + " no longer offers it");
        have.remove(id);
      }
    }
  }

  private Agent describe(String id, String member, OfferedAgent oa) {
    Agent agent = Agent.of(id, new RemoteBackend(member, oa.id())).capacity(oa.capacity())
        .weight(Math.max(1, oa.weight()));
    // ProtoStream (proto3) may hand back empty strings for absent repeated entries: skip them.
    String[] tags = oa.tags().stream().filter(t -> t != null && !t.isBlank()).toArray(String[]::new);
    if (tags.length > 0) {
      agent = agent.tags(tags);
    }
    for (String r : oa.resources()) {
      int eq = r == null ? -1 : r.lastIndexOf('=');
      if (eq <= 0) {
        continue;
      }
      agent = agent.resource(r.substring(0, eq), Double.parseDouble(r.substring(eq + 1)));
    }
    return agent;
  }

  private void dropMember(String member, String why) {
    Map<String, OfferedAgent> agents = registered.remove(member);
    if (agents != null) {
      for (String id : agents.keySet()) {
        removeAgent(id, why);
      }
    }
    failPending(p -> p.member.equals(member), why);
  }

  private void removeAgent(String id, String why) {
    remoteView.remove(id);
    try {
      if (!runtime.isClosed()) {
        runtime.removeAgent(id);
      }
      LOG.info("member {}: remote agent {} removed: {}", self, id, why);
    } catch (IllegalArgumentException e) {
      LOG.debug("member {}: remote agent {} was already removed", self, id);
    }
  }

  private void failPending(java.util.function.Predicate<Pending> which, String why) {
    for (Map.Entry<String, Pending> e : pending.entrySet()) {
      Pending p = e.getValue();
      if (which.test(p) && pending.remove(e.getKey(), p)) {
        lost.increment();
        p.attempt.failed(new AgentLostException("attempt " + e.getKey() + " on agent " + p.agentId
            + "@" + p.member + " was lost: " + why));
      }
    }
  }

  // ---------------------------------------------------------------- remote attempts

  /** A remote attempt this member sent and is waiting for. */
  private record Pending(Attempt attempt, String member, String agentId, NamedHandler<?, ?> handler) {}

  /** How one remote agent runs attempts: it sends them to its member. */
  private final class RemoteBackend implements AgentBackend {
    private final String member;
    private final String agentId;

    RemoteBackend(String member, String agentId) {
      this.member = member;
      this.agentId = agentId;
    }

    @Override
    public boolean canRun(Task<?> task) {
      return task.work() instanceof HandlerCall<?>;
    }

    @Override
    public void start(Attempt attempt) {
      sendAttempt(this.member, this.agentId, attempt);
    }

    @Override
    public String toString() {
      return "remote(" + agentId + "@" + member + ")";
    }
  }

  private void sendAttempt(String member, String agentId, Attempt attempt) {
    String id = self + "/" + attempt.attemptId();
    if (!(attempt.task().work() instanceof HandlerCall<?> call)) {
      attempt.failed(new IllegalStateException("task " + attempt.task().name()
          + " is not a remote task (make it with RemoteTasks)"));
      return;
    }
    Address target = addressOf(member);
    if (target == null || closed) {
      lost.increment();
      attempt.failed(new AgentLostException("member " + member + " of agent " + agentId
          + " is not in the view"));
      return;
    }
    Optional<Duration> attemptTimeout = attempt.attemptTimeout();
    Optional<Instant> deadline = attempt.deadline();
    RemoteCall envelope = new RemoteCall(agentId, call.handler.name(), id,
        attempt.task().idempotencyKey().orElse(""),
        deadline.map(Instant::toEpochMilli).orElse(0L),
        attemptTimeout.map(Duration::toMillis).orElse(0L), self, call.payload);
    Pending p = new Pending(attempt, member, agentId, call.handler);
    pending.put(id, p);
    sent.increment();
    attempt.onCancel(() -> sendCancel(target, id));
    try {
      executorFor(target, attemptTimeout, deadline)
          .<RemoteResult>submitConsumer(envelope, (address, result, failure) -> answered(id, result, failure))
          .whenComplete((v, failure) -> {
            if (failure != null) {
              answered(id, null, failure);
            }
          });
    } catch (RuntimeException e) {
      answered(id, null, e);
    }
  }

  private ClusterExecutor executorFor(Address target, Optional<Duration> attemptTimeout,
      Optional<Instant> deadline) {
    if (attemptTimeout.isEmpty() && deadline.isEmpty()) {
      return executors.computeIfAbsent(target, t -> executor(t, callTimeout));
    }
    Duration bound = attemptTimeout.map(t -> t.plus(hostQueueTimeout)).orElse(callTimeout);
    if (deadline.isPresent()) {
      Duration left = Duration.between(Instant.now(), deadline.get());
      if (left.compareTo(bound) < 0) {
        bound = left.isNegative() ? Duration.ZERO : left;
      }
    }
    return executor(target, bound.plus(CALL_GRACE));
  }

  private ClusterExecutor executor(Address target, Duration timeout) {
    return manager.executor().filterTargets(List.of(target)).singleNodeSubmission()
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private @Nullable Address addressOf(String member) {
    for (Address a : manager.getMembers()) {
      if (a.toString().equals(member)) {
        return a;
      }
    }
    return null;
  }

  private void sendCancel(Address target, String id) {
    if (closed || !pending.containsKey(id)) {
      return;
    }
    cancels.increment();
    try {
      executors.computeIfAbsent(target, t -> executor(t, callTimeout))
          .<Boolean>submitConsumer(new CancelCall(id), (a, r, f) -> {})
          .whenComplete((v, f) -> {
            if (f != null) {
              LOG.debug("member {}: cancel of {} not delivered", self, id, f);
            }
          });
    } catch (RuntimeException e) {
      LOG.debug("member {}: cancel of {} not sent", self, id, e);
    }
  }

  /** An answer (or a transport failure) for a remote attempt; reports it unless already reported. */
  private void answered(String id, @Nullable RemoteResult result, @Nullable Throwable failure) {
    Pending p = pending.remove(id);
    if (p == null) {
      if (result != null) {
        dropped.increment();
        LOG.debug("member {}: dropped the late answer of attempt {}", self, id);
      }
      return;
    }
    Attempt attempt = p.attempt;
    if (attempt.isCancelled()) {
      dropped.increment();
    }
    if (failure != null || result == null) {
      Throwable cause = unwrap(failure);
      lost.increment();
      AgentLostException e = new AgentLostException("attempt " + id + " on agent " + p.agentId + "@"
          + p.member + " got no answer: " + (cause == null ? "no result" : cause.toString()));
      if (cause != null) {
        e.initCause(cause);
      }
      attempt.failed(e);
      return;
    }
    Throwable f = failureOf(p, result, id);
    if (f != null) {
      attempt.failed(f);
    }
  }

  /** Reports a result; returns null after reporting a success (kept in one place for clarity). */
  private @Nullable Throwable failureOf(Pending p, RemoteResult r, String id) {
    switch (r.status()) {
      case RemoteResult.OK -> {
        Object value;
        try {
          value = p.handler.resultCodec().decode(r.value());
        } catch (RuntimeException e) {
          return e instanceof CodecException ? e : new CodecException("the result of attempt " + id
              + " could not be decoded by " + p.handler.resultCodec(), e);
        }
        p.attempt.succeeded(value);
        return null;
      }
      case RemoteResult.FAILED -> {
        RemoteTaskException e = new RemoteTaskException(r.errorType(), p.member, r.message());
        e.setStackTrace(r.stackTrace());
        return e;
      }
      case RemoteResult.UNKNOWN_HANDLER -> {
        return new UnknownHandlerException(r.message());
      }
      case RemoteResult.REJECTED -> {
        return new CodecException(r.message());
      }
      case RemoteResult.BUSY -> {
        busy.increment();
        return new RemoteAgentBusyException(r.message());
      }
      case RemoteResult.TIMED_OUT -> {
        return new RemoteTaskException(io.agentry.core.TaskTimeoutException.class.getName(), p.member,
            r.message());
      }
      case RemoteResult.CANCELLED -> {
        return new java.util.concurrent.CancellationException(r.message());
      }
      default -> {
        lost.increment();
        // The member is leaving or no longer offers the agent: send it nothing more until the
        // membership thread catches up and removes the agent.
        markDown(p.agentId + "@" + p.member);
        return new AgentLostException(r.message());
      }
    }
  }

  private void markDown(String id) {
    try {
      runtime.markAgentDown(id);
    } catch (IllegalArgumentException | IllegalStateException e) {
      LOG.debug("member {}: remote agent {} is already gone", self, id);
    }
  }

  private static @Nullable Throwable unwrap(@Nullable Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  // ---------------------------------------------------------------- builder

  /**
   * Builds and joins an {@link AgentryCluster}. Each setter checks its value at once and names it
   * when it refuses it. Not thread-safe.
   */
  public static final class Builder {
    private final AgentRuntime runtime;
    private final Handlers handlers;
    private @Nullable ClusterConfig config;
    private @Nullable EmbeddedCacheManager manager;
    private final Map<String, Agent> offered = new LinkedHashMap<>();
    private int hostQueueLimit = DEFAULT_HOST_QUEUE_LIMIT;
    private Duration hostQueueTimeout = DEFAULT_HOST_QUEUE_TIMEOUT;
    private Duration loadPublishInterval = DEFAULT_LOAD_PUBLISH_INTERVAL;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;

    private Builder(AgentRuntime runtime, Handlers handlers) {
      this.runtime = runtime;
      this.handlers = handlers;
    }

    /**
     * Lets the cluster build its cache manager from this configuration (and stop it on close).
     * Default: {@link ClusterConfig#ofDefaults()}.
     *
     * @param value the configuration
     * @return this builder
     * @throws NullPointerException if the value is null
     */
    public Builder config(ClusterConfig value) {
      this.config = Objects.requireNonNull(value, "config");
      return this;
    }

    /**
     * Uses a clustered cache manager built and started elsewhere (it is not stopped on close). Its
     * transport, TLS and discovery are then the caller's; it must know {@link #schema()}.
     *
     * @param value a started, clustered cache manager
     * @return this builder
     * @throws NullPointerException if the value is null
     */
    public Builder cacheManager(EmbeddedCacheManager value) {
      this.manager = Objects.requireNonNull(value, "cacheManager");
      return this;
    }

    /**
     * Offers an agent to the cluster: the cluster adds it to the runtime on join (do not add it
     * yourself), and other members see it as {@code id@thisMember}. Describe it with
     * {@link Agent#local(String)}; its attempts run on virtual threads of this JVM.
     *
     * @param agent a local agent whose id is not registered in the runtime
     * @return this builder
     * @throws IllegalArgumentException if the agent is not local, or one with its id is already
     *     offered
     * @throws NullPointerException if the agent is null
     */
    public Builder offer(Agent agent) {
      Objects.requireNonNull(agent, "agent");
      if (!agent.isLocal()) {
        throw new IllegalArgumentException("offered agent '" + agent.id()
            + "' must be local (Agent.local), was " + agent);
      }
      if (offered.putIfAbsent(agent.id(), agent) != null) {
        throw new IllegalArgumentException("agent '" + agent.id() + "' is already offered");
      }
      return this;
    }

    /**
     * Sets how many remote attempts may wait on this member for a slot of one offered agent: it
     * admits at most its capacity plus this many remote attempts at once, and refuses the next as
     * busy (the submitter fails it over). Local attempts also take slots, so admitted remote
     * attempts may wait even below that bound, for at most the
     * {@link #hostQueueTimeout(Duration) host queue timeout}. Default
     * {@value AgentryCluster#DEFAULT_HOST_QUEUE_LIMIT}.
     *
     * @param limit zero or more
     * @return this builder
     * @throws IllegalArgumentException if the limit is negative
     */
    public Builder hostQueueLimit(int limit) {
      if (limit < 0) {
        throw new IllegalArgumentException("hostQueueLimit must not be negative, was " + limit);
      }
      this.hostQueueLimit = limit;
      return this;
    }

    /**
     * Sets how long a remote attempt may wait on this member for a slot before it is refused as
     * busy. Default 30 seconds.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public Builder hostQueueTimeout(Duration timeout) {
      this.hostQueueTimeout = positive(timeout, "hostQueueTimeout");
      return this;
    }

    /**
     * Sets how often this member publishes its offered agents' load (only when it changed, and at
     * least every fifth interval). Default 1 second.
     *
     * @param interval positive
     * @return this builder
     * @throws IllegalArgumentException if the interval is not positive
     */
    public Builder loadPublishInterval(Duration interval) {
      this.loadPublishInterval = positive(interval, "loadPublishInterval");
      return this;
    }

    /**
     * Sets how long this member waits for the answer to a remote attempt that has neither attempt
     * timeout nor deadline; then the attempt fails as lost. Default 30 minutes. Attempts with a
     * timeout or deadline wait that long (plus the host queue timeout and a 10-second grace).
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = positive(timeout, "callTimeout");
      return this;
    }

    /**
     * Joins the cluster: builds and starts the cache manager (unless one was given), which waits
     * for the configured initial cluster size, then adds the offered agents to the runtime and
     * publishes them.
     *
     * @return the joined cluster; close it to leave
     * @throws IllegalStateException if both a configuration and a cache manager are set, if the
     *     cache manager does not start (for example, the initial cluster size was not reached in
     *     time, as when TLS refuses this member), or if it is not clustered
     * @throws IllegalArgumentException if an offered agent's id is already in the runtime
     */
    public AgentryCluster join() {
      if (config != null && manager != null) {
        throw new IllegalStateException("set either config or cacheManager, not both");
      }
      if (System.getProperty("org.jboss.logging.provider") == null) {
        // Infinispan logs through JBoss Logging; route it to SLF4J so users get one stream.
        System.setProperty("org.jboss.logging.provider", "slf4j");
      }
      for (String id : offered.keySet()) {
        if (runtime.snapshot().agent(id).isPresent()) {
          throw new IllegalArgumentException("offered agent '" + id + "' is already registered in "
              + runtime + "; offer it instead of adding it");
        }
      }
      EmbeddedCacheManager m = manager;
      boolean owns = false;
      if (m == null) {
        ClusterConfig c = config != null ? config : ClusterConfig.ofDefaults();
        m = start(c);
        owns = true;
      } else if (m.getAddress() == null) {
        throw new IllegalStateException("cacheManager " + m + " is not clustered (no transport)");
      }
      try {
        return new AgentryCluster(this, m, owns);
      } catch (RuntimeException e) {
        if (owns) {
          m.stop();
        }
        throw e;
      }
    }

    private static EmbeddedCacheManager start(ClusterConfig c) {
      GlobalConfigurationBuilder g = new GlobalConfigurationBuilder();
      g.transport().defaultTransport()
          .clusterName(c.clusterName())
          .addProperty(JGroupsTransport.CONFIGURATION_XML, c.jgroupsXml())
          .initialClusterSize(c.initialClusterSize())
          .initialClusterTimeout(c.initialClusterTimeout().toMillis(), TimeUnit.MILLISECONDS);
      c.nodeName().ifPresent(n -> g.transport().nodeName(n));
      g.serialization().addContextInitializer(new ClusterSchemaImpl());
      g.jmx().disable();
      DefaultCacheManager m = new DefaultCacheManager(g.build(), false);
      try {
        m.start();
      } catch (RuntimeException e) {
        if (m.getStatus() != ComponentStatus.FAILED && !m.getStatus().isTerminated()) {
          try {
            m.stop();
          } catch (RuntimeException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw new IllegalStateException("member could not join cluster '" + c.clusterName()
            + "' (" + c + "): " + rootMessage(e), e);
      }
      return m;
    }

    private static String rootMessage(Throwable e) {
      Throwable c = e;
      while (c.getCause() != null && c.getCause() != c) {
        c = c.getCause();
      }
      return String.valueOf(c.getMessage());
    }

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }
  }
}
