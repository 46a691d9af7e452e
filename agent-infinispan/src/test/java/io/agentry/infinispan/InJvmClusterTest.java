package io.agentry.infinispan;

import static io.agentry.infinispan.TestCluster.assertLoopbackOnly;
import static io.agentry.infinispan.TestCluster.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskFailedException;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Three members in one JVM, on 127.0.0.1: m0 submits, m1 and m2 offer one agent each. */
class InJvmClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<AgentRuntime> runtimes = new ArrayList<>();
  private final List<AgentryCluster> members = new ArrayList<>();
  private final ConcurrentMap<String, AtomicInteger> ranOn = new ConcurrentHashMap<>();
  /** Handlers of "hold" wait for this latch. */
  private final CountDownLatch release = new CountDownLatch(1);
  private final ConcurrentMap<String, CountDownLatch> started = new ConcurrentHashMap<>();
  private final AtomicInteger interrupted = new AtomicInteger();

  /** A payload class that only some members allow. */
  record Order(String id) implements Serializable {}

  @AfterEach
  void closeAll() throws Exception {
    release.countDown();
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private <T extends AutoCloseable> T track(T c) {
    closeables.add(c);
    return c;
  }

  private Handlers registry0 = Handlers.create();

  /** Handlers every member registers; m0 also has one the others lack, and allows orders. */
  private Handlers handlers(String name, boolean allowOrders) {
    Handlers h = Handlers.create();
    if (allowOrders) {
      h.register("only-here", Codec.utf8(), (payload, ctx) -> payload);
    }
    h.register("boom", Codec.utf8(), (payload, ctx) -> {
      throw new IllegalArgumentException("bad payload " + payload);
    });
    h.register("echo", Codec.utf8(), (payload, ctx) -> {
      ranOn.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
      return payload + "@" + name;
    });
    h.register("hold", Codec.utf8(), (payload, ctx) -> {
      started.computeIfAbsent(name, k -> new CountDownLatch(1)).countDown();
      ranOn.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
      try {
        if (!release.await(2, TimeUnit.MINUTES)) {
          throw new IllegalStateException("never released");
        }
      } catch (InterruptedException e) {
        interrupted.incrementAndGet();
        throw e;
      }
      return payload + "@" + name;
    });
    h.register("stubborn", Codec.utf8(), (payload, ctx) -> {
      started.computeIfAbsent(name, k -> new CountDownLatch(1)).countDown();
      // Ignores interrupts on purpose: it finishes after its attempt was given up.
      boolean interrupted = false;
      while (true) {
        try {
          if (release.await(2, TimeUnit.MINUTES)) {
            break;
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return payload + "@" + name;
    });
    if (allowOrders) {
      h.register("order", Codec.serialized(Order.class), (payload, ctx) -> payload);
    } else {
      h.register("order", Codec.serialized(Serializable.class, String.class), (payload, ctx) -> payload);
    }
    return h;
  }

  /** Starts m0 (submitter, no agents) and m1, m2 (one agent each). */
  private void startCluster(int capacity, Consumer<AgentryCluster.Builder> tune) {
    List<Integer> ports = TestCluster.freePorts(3);
    for (int i = 0; i < 3; i++) {
      String name = "m" + i;
      AgentRuntime runtime = track(AgentRuntime.builder().name(name).build());
      Handlers registry = handlers(name, i == 0);
      if (i == 0) {
        registry0 = registry;
      }
      AgentryCluster.Builder b = AgentryCluster.builder(runtime, registry)
          .config(config("injvm-" + ports.get(0), name, ports.get(i), ports).build())
          .loadPublishInterval(Duration.ofMillis(200));
      if (i > 0) {
        b.offer(Agent.local("w").capacity(capacity));
        tune.accept(b);
      }
      runtimes.add(runtime);
      members.add(track(b.join()));
    }
    await().atMost(WAIT).until(() -> members.get(0).remoteAgents().size() == 2
        && members.get(1).remoteAgents().size() == 1 && members.get(2).remoteAgents().size() == 1);
    for (AgentryCluster m : members) {
      assertLoopbackOnly(m);
    }
  }

  @SuppressWarnings("unchecked")
  private <P, R> NamedHandler<P, R> named(String name) {
    return (NamedHandler<P, R>) registry0.find(name).orElseThrow();
  }

  @Test
  void tasksSpreadOverRemoteAgentsAndEveryOneCompletes() {
    startCluster(4, b -> {});
    assertThat(members.get(0).remoteAgents()).extracting(RemoteAgent::id)
        .containsExactlyInAnyOrder("w@m1", "w@m2");
    NamedHandler<String, String> echo = named("echo");

    List<TaskHandle<String>> handles = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      handles.add(runtimes.get(0).submit(RemoteTasks.call(echo, "t" + i)));
    }
    for (int i = 0; i < 200; i++) {
      assertThat(handles.get(i).join()).matches("t" + i + "@m[12]");
    }
    assertThat(ranOn.get("m1").get() + ranOn.get("m2").get()).isEqualTo(200);
    assertThat(ranOn.get("m1").get()).isPositive();
    assertThat(ranOn.get("m2").get()).isPositive();
    assertThat(members.get(0).stats().attemptsSent()).isEqualTo(200);
    assertThat(members.get(1).stats().attemptsHosted() + members.get(2).stats().attemptsHosted())
        .isEqualTo(200);
  }

  @Test
  void attemptsOfAMemberThatLeavesFailOverAndCountsAddUp() throws Exception {
    startCluster(2, b -> {});
    NamedHandler<String, String> hold = named("hold");
    List<TaskHandle<String>> handles = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      handles.add(runtimes.get(0).submit(RemoteTasks.call(hold, "t" + i)));
    }
    started.computeIfAbsent("m1", k -> new CountDownLatch(1)).await(1, TimeUnit.MINUTES);
    started.computeIfAbsent("m2", k -> new CountDownLatch(1)).await(1, TimeUnit.MINUTES);
    await().atMost(WAIT).until(() -> ranOn.get("m2").get() == 2);

    members.get(2).close(); // m2 leaves with two attempts running
    await().atMost(WAIT).until(() -> members.get(0).remoteAgents().size() == 1);
    assertThat(runtimes.get(0).snapshot().agent("w@m2")).isEmpty();
    release.countDown();

    Set<String> results = new HashSet<>();
    int failedOver = 0;
    for (TaskHandle<String> h : handles) {
      TaskOutcome<String> outcome = h.await();
      assertThat(outcome).isInstanceOf(TaskOutcome.Succeeded.class);
      results.add(((TaskOutcome.Succeeded<String>) outcome).value());
      if (outcome.agents().contains("w@m2")) {
        failedOver++;
        assertThat(outcome.agents()).last().isEqualTo("w@m1");
      }
    }
    assertThat(results).hasSize(10).allMatch(r -> r.endsWith("@m1"));
    assertThat(failedOver).isGreaterThanOrEqualTo(2);
    assertThat(ranOn.get("m1").get()).isEqualTo(10);
    assertThat(ranOn.get("m2").get()).isEqualTo(2);
    assertThat(runtimes.get(0).snapshot().succeeded()).isEqualTo(10);
  }

  @Test
  void attemptsHostedForASubmitterThatLeavesAreCancelled() throws Exception {
    startCluster(2, b -> {});
    TaskHandle<String> h = runtimes.get(0).submit(RemoteTasks.call(named("hold"), "x"));
    await().atMost(WAIT).until(() -> started.containsKey("m1") || started.containsKey("m2"));

    members.get(0).close(); // the submitter leaves; nobody waits for the answer any more

    await().atMost(WAIT).until(() -> interrupted.get() == 1);
    assertThat(ranOn.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(1);
    h.cancel(); // m0's runtime has no agent left to retry it on
  }

  @Test
  void anUnknownHandlerFailsAtOnceWithAClearCause() throws Exception {
    startCluster(2, b -> {});
    TaskHandle<String> h = runtimes.get(0).submit(RemoteTasks.call(named("only-here"), "x"));
    TaskOutcome<String> outcome = h.await();
    assertThat(outcome).isInstanceOf(TaskOutcome.Failed.class);
    assertThat(outcome.attempts()).isEqualTo(1);
    assertThat(((TaskOutcome.Failed<String>) outcome).cause())
        .isInstanceOf(UnknownHandlerException.class)
        .hasMessageContaining("no handler named 'only-here'")
        .hasMessageMatching(".*member m[12].*");
  }

  @Test
  void aClassOutsideTheHostsAllowlistFailsAtOnceWithAClearCause() throws Exception {
    startCluster(2, b -> {});
    NamedHandler<Order, Order> order = named("order");
    TaskHandle<Order> h = runtimes.get(0).submit(RemoteTasks.call(order, new Order("42")));
    assertThatThrownBy(h::join).isInstanceOf(TaskFailedException.class)
        .cause().isInstanceOf(CodecException.class)
        .hasMessageContaining(Order.class.getName())
        .hasMessageContaining("not in the allowlist");
    assertThat(h.outcome().orElseThrow().attempts()).isEqualTo(1);
  }

  @Test
  void aHandlerFailureReachesTheSubmitterWithItsType() {
    startCluster(2, b -> {});
    TaskHandle<String> h = runtimes.get(0).submit(RemoteTasks.call(named("boom"), "x"));
    assertThatThrownBy(h::join).isInstanceOf(TaskFailedException.class)
        .cause().isInstanceOf(RemoteTaskException.class)
        .hasMessageContaining("bad payload x")
        .satisfies(e -> assertThat(((RemoteTaskException) e).remoteType())
            .isEqualTo(IllegalArgumentException.class.getName()));
  }

  @Test
  void lambdasNeverGoToRemoteAgents() throws Exception {
    startCluster(2, b -> {});
    TaskHandle<String> h = runtimes.get(0).submit(Task.builder("lambda", ctx -> "ran")
        .queueTimeout(Duration.ofMillis(300)).build());
    TaskOutcome<String> outcome = h.await();
    assertThat(outcome.attempts()).isZero();
    assertThat(outcome).isNotInstanceOf(TaskOutcome.Succeeded.class);
  }

  @Test
  void aBusyAgentRefusesAndTheAttemptFailsOver() throws Exception {
    startCluster(1, b -> b.hostQueueLimit(0).hostQueueTimeout(Duration.ofMillis(300)));
    // m1's own local work fills its agent; m0 does not see that load in its own counts.
    CountDownLatch localRunning = new CountDownLatch(1);
    TaskHandle<String> local = runtimes.get(1).submit(Task.of("local", ctx -> {
      localRunning.countDown();
      release.await();
      return "done";
    }));
    assertThat(localRunning.await(1, TimeUnit.MINUTES)).isTrue();

    NamedHandler<String, String> echo = named("echo");
    for (int i = 0; i < 4; i++) { // one at a time: round-robin sends some to the full agent on m1
      assertThat(runtimes.get(0).submit(RemoteTasks.call(echo, "t" + i)).join()).isEqualTo("t" + i + "@m2");
    }
    assertThat(members.get(0).stats().attemptsBusy()).isPositive();
    assertThat(members.get(1).stats().busyRefusals()).isPositive();
    release.countDown();
    assertThat(local.join()).isEqualTo("done");
  }

  @Test
  void theLateAnswerOfACancelledAttemptIsDroppedAndItsSlotFreedOnlyWhenTheWorkReturns() throws Exception {
    startCluster(2, b -> {});
    TaskHandle<String> h = runtimes.get(0).submit(RemoteTasks.call(named("stubborn"), "x"));
    await().atMost(WAIT).until(() -> started.containsKey("m1") || started.containsKey("m2"));
    String agent = started.containsKey("m1") ? "w@m1" : "w@m2";

    assertThat(h.cancel()).isTrue();
    assertThat(h.await()).isInstanceOf(TaskOutcome.Cancelled.class);
    assertThat(members.get(0).stats().cancelsSent()).isEqualTo(1);
    // The handler ignores the interrupt: its slot stays taken until it returns, here and there.
    assertThat(runtimes.get(0).snapshot().agent(agent).orElseThrow().inFlight()).isEqualTo(1);
    assertThat(members.get(0).stats().lateResultsDropped()).isZero();

    release.countDown();
    await().atMost(WAIT).until(() -> members.get(0).stats().lateResultsDropped() == 1);
    await().atMost(WAIT).until(() -> runtimes.get(0).snapshot().agent(agent).orElseThrow().inFlight() == 0);
    assertThat(h.outcome().orElseThrow()).isInstanceOf(TaskOutcome.Cancelled.class);
  }
}
