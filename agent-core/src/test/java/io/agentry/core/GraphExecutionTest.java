package io.agentry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Fixtures.Gate;
import io.agentry.core.graph.FailurePolicy;
import io.agentry.core.graph.GraphHandle;
import io.agentry.core.graph.GraphOutcome;
import io.agentry.core.graph.NodeRef;
import io.agentry.core.graph.NodeStatus;
import io.agentry.core.graph.TaskGraph;
import io.agentry.core.graph.UpstreamFailedException;
import io.agentry.core.spi.Decision;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GraphExecutionTest {

  private static AgentRuntime runtime() {
    return AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(8)).agent(Agent.local("a2").capacity(8)).build();
  }

  @Test
  void resultsFlowDownTheGraphAndBranchesRunInParallel() {
    CountDownLatch bothBranches = new CountDownLatch(2);
    try (var runtime = runtime()) {
      TaskGraph.Builder b = TaskGraph.builder("diamond");
      NodeRef<Integer> source = b.node("source", ctx -> 10);
      NodeRef<Integer> left = b.node("left", ctx -> {
        bothBranches.countDown();
        bothBranches.await(10, TimeUnit.SECONDS); // only passes if right runs at the same time
        return ctx.resultOf(source) + 1;
      });
      NodeRef<Integer> right = b.node("right", ctx -> {
        bothBranches.countDown();
        bothBranches.await(10, TimeUnit.SECONDS);
        return ctx.resultOf(source) * 2;
      });
      NodeRef<String> sink = b.node("sink", ctx -> ctx.resultOf(left) + "+" + ctx.resultOf(right));
      b.dependsOn(left, source).dependsOn(right, source).dependsOn(sink, left, right);

      GraphOutcome outcome = runtime.execute(b.build()).join();

      assertThat(outcome.status()).isEqualTo(GraphOutcome.Status.SUCCEEDED);
      assertThat(outcome.result(sink)).isEqualTo("11+20");
      assertThat(bothBranches.getCount()).isZero();
      assertThat(outcome.node(left).attempts()).isEqualTo(1);
      assertThat(outcome.node(sink).taskOutcome()).isPresent();
    }
  }

  @Test
  void aNodeStartsOnlyAfterAllItsUpstreamsEnded() {
    List<String> events = new CopyOnWriteArrayList<>();
    try (var runtime = runtime()) {
      TaskGraph.Builder b = TaskGraph.builder("order");
      for (String id : List.of("a", "b", "c", "d")) {
        b.node(id, ctx -> {
          events.add("start " + id);
          events.add("end " + id);
          return id;
        });
      }
      b.dependsOn("c", "a", "b").dependsOn("d", "c");

      runtime.execute(b.build()).join();

      assertThat(events.indexOf("start c")).isGreaterThan(events.indexOf("end a"))
          .isGreaterThan(events.indexOf("end b"));
      assertThat(events.indexOf("start d")).isGreaterThan(events.indexOf("end c"));
    }
  }

  @Test
  void failFastCancelsRunningNodesAndSkipsTheRest() throws Exception {
    CountDownLatch slowStarted = new CountDownLatch(1);
    try (var runtime = runtime()) {
      TaskGraph.Builder b = TaskGraph.builder("ff").failurePolicy(FailurePolicy.FAIL_FAST);
      NodeRef<Integer> slow = b.node("slow", ctx -> {
        slowStarted.countDown();
        new CountDownLatch(1).await();
        return 1;
      });
      NodeRef<Integer> bad = b.node("bad", ctx -> {
        slowStarted.await();
        throw new IllegalStateException("bad");
      });
      NodeRef<Integer> after = b.node("after", ctx -> 3);
      NodeRef<Integer> independent = b.node("independent-later", ctx -> 4);
      b.dependsOn(after, bad).dependsOn(independent, slow);

      GraphOutcome outcome = runtime.execute(b.build()).join();

      assertThat(outcome.status()).isEqualTo(GraphOutcome.Status.FAILED);
      assertThat(outcome.node(bad).status()).isEqualTo(NodeStatus.FAILED);
      assertThat(outcome.node(bad).cause()).hasMessage("bad");
      assertThat(outcome.node(slow).status()).isEqualTo(NodeStatus.CANCELLED);
      assertThat(outcome.nodesWith(NodeStatus.SKIPPED)).containsExactly("after", "independent-later");
    }
  }

  @Test
  void skipDependentsSkipsExactlyWhatDependsOnTheFailure() {
    try (var runtime = runtime()) {
      TaskGraph.Builder b = TaskGraph.builder("skip").failurePolicy(FailurePolicy.SKIP_DEPENDENTS);
      b.node("root", ctx -> 0);
      b.node("bad", ctx -> {
        throw new IllegalStateException("bad");
      });
      b.node("child", ctx -> 1);
      b.node("grandchild", ctx -> 2);
      b.node("sibling", ctx -> 3);
      b.node("join", ctx -> 4);
      b.dependsOn("bad", "root").dependsOn("child", "bad").dependsOn("grandchild", "child")
          .dependsOn("sibling", "root").dependsOn("join", "sibling", "grandchild");

      GraphOutcome outcome = runtime.execute(b.build()).join();

      assertThat(outcome.status()).isEqualTo(GraphOutcome.Status.FAILED);
      assertThat(outcome.nodesWith(NodeStatus.SKIPPED)).containsExactly("child", "grandchild", "join");
      assertThat(outcome.nodesWith(NodeStatus.SUCCEEDED)).containsExactly("root", "sibling");
      assertThat(outcome.node(outcome.graph().node("child").orElseThrow()).cause())
          .isInstanceOf(UpstreamFailedException.class);
    }
  }

  @Test
  void continueAllRunsDependentsThatSeeTheFailure() {
    IllegalStateException boom = new IllegalStateException("boom");
    try (var runtime = runtime()) {
      TaskGraph.Builder b = TaskGraph.builder("ca").failurePolicy(FailurePolicy.CONTINUE_ALL);
      NodeRef<Integer> bad = b.node("bad", ctx -> {
        throw boom;
      });
      NodeRef<String> reader = b.node("reader", ctx -> {
        try {
          ctx.resultOf(bad);
          return "no failure seen";
        } catch (UpstreamFailedException e) {
          return "saw " + e.upstream() + ": " + e.getCause().getMessage();
        }
      });
      b.dependsOn(reader, bad);

      GraphOutcome outcome = runtime.execute(b.build()).join();

      assertThat(outcome.status()).isEqualTo(GraphOutcome.Status.FAILED);
      assertThat(outcome.result(reader)).isEqualTo("saw bad: boom");
      assertThatThrownBy(() -> outcome.result(bad)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("FAILED");
    }
  }

  /**
   * A node that ends on the timer's thread (an attempt timeout) makes its dependents ready there:
   * they are handed in and taken in by the effects of that section, not left in the queue.
   */
  @Test
  void dependentsOfANodeEndedByATimerRun() throws Exception {
    try (var runtime = runtime()) {
      TaskGraph.Builder b = TaskGraph.builder("timer").failurePolicy(FailurePolicy.CONTINUE_ALL);
      NodeRef<Integer> slow = b.node("slow", Task.builder("slow", ctx -> {
        new CountDownLatch(1).await(); // until the attempt timeout interrupts it
        return 0;
      }).attemptTimeout(Duration.ofMillis(5)).build());
      List<NodeRef<Integer>> dependents = IntStream.range(0, 5)
          .mapToObj(i -> b.node("d" + i, ctx -> i)).toList();
      for (NodeRef<Integer> d : dependents) {
        b.dependsOn(d, slow);
      }

      // a bound, so that dependents left untaken fail the test instead of hanging it
      GraphOutcome outcome =
          runtime.execute(b.build()).toCompletableFuture().get(30, TimeUnit.SECONDS);

      assertThat(outcome.status()).isEqualTo(GraphOutcome.Status.FAILED);
      assertThat(outcome.node(slow).status()).isEqualTo(NodeStatus.FAILED);
      for (int i = 0; i < dependents.size(); i++) {
        assertThat(outcome.result(dependents.get(i))).isEqualTo(i);
      }
    }
  }

  @Test
  void cancellingTheGraphEndsEveryNode() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    try (var runtime = runtime()) {
      TaskGraph.Builder b = TaskGraph.builder("cancel");
      NodeRef<Integer> first = b.node("first", ctx -> {
        running.countDown();
        new CountDownLatch(1).await();
        return 1;
      });
      NodeRef<Integer> second = b.node("second", ctx -> 2);
      b.dependsOn(second, first);
      GraphHandle handle = runtime.execute(b.build());
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

      assertThat(handle.cancel()).isTrue();

      GraphOutcome outcome = handle.join();
      assertThat(outcome.status()).isEqualTo(GraphOutcome.Status.CANCELLED);
      assertThat(outcome.nodesWith(NodeStatus.CANCELLED)).containsExactly("first", "second");
      assertThat(handle.cancel()).isFalse();
    }
  }

  @Test
  void compensationsRunInReverseDependencyOrderAndFailuresAreRecorded() {
    List<String> undone = new CopyOnWriteArrayList<>();
    try (var runtime = runtime()) {
      TaskGraph.Builder b = TaskGraph.builder("saga").compensateOnFailure();
      NodeRef<String> reserve = b.node("reserve", ctx -> "seat-7");
      NodeRef<String> charge = b.node("charge", ctx -> "payment-9");
      NodeRef<String> notify = b.node("notify", ctx -> "mail-1");
      NodeRef<String> ship = b.node("ship", ctx -> {
        throw new IllegalStateException("warehouse closed");
      });
      b.dependsOn(charge, reserve).dependsOn(notify, charge).dependsOn(ship, notify);
      b.compensate(reserve, r -> undone.add("release " + r));
      b.compensate(charge, c -> {
        throw new IllegalStateException("refund failed");
      });
      b.compensate(notify, m -> undone.add("retract " + m));

      GraphOutcome outcome = runtime.execute(b.build()).join();

      assertThat(outcome.status()).isEqualTo(GraphOutcome.Status.FAILED);
      assertThat(undone).containsExactly("retract mail-1", "release seat-7");
      assertThat(outcome.compensations()).extracting(c -> c.nodeId())
          .containsExactly("notify", "charge", "reserve");
      assertThat(outcome.compensations().get(1).failureCause()).get()
          .satisfies(e -> assertThat(e).hasMessage("refund failed"));
      assertThat(outcome.compensations().get(0).succeeded()).isTrue();
    }
  }

  @Test
  void nodesAreRetriedByTheRuntimesPolicy() {
    AtomicInteger calls = new AtomicInteger();
    try (var runtime = AgentRuntime.builder()
        .policy(r -> r.succeeded() || r.attempt() >= 3 ? Decision.complete() : Decision.retry(Duration.ZERO))
        .agent(Agent.local("a1")).agent(Agent.local("a2")).build()) {
      TaskGraph.Builder b = TaskGraph.builder("retry");
      NodeRef<Integer> flaky = b.node("flaky", ctx -> {
        if (calls.incrementAndGet() < 3) {
          throw new IllegalStateException("not yet");
        }
        return ctx.attempt();
      });

      GraphOutcome outcome = runtime.execute(b.build()).join();

      assertThat(outcome.result(flaky)).isEqualTo(3);
      assertThat(outcome.node(flaky).attempts()).isEqualTo(3);
    }
  }

  @Test
  void fanOutRunsShardsAcrossAgentsAndReturnsResultsInOrder() {
    try (var runtime = runtime()) {
      TaskGraph.Builder b = TaskGraph.builder("fan");
      NodeRef<List<Integer>> squares = b.node("squares",
          ctx -> ctx.fanOut("square", IntStream.range(0, 50).boxed().toList(), (i, c) -> i * i));
      NodeRef<Integer> sum = b.node("sum", ctx -> ctx.resultOf(squares).stream().mapToInt(x -> x).sum());
      b.dependsOn(sum, squares);

      GraphOutcome outcome = runtime.execute(b.build()).join();

      assertThat(outcome.result(squares)).hasSize(50).startsWith(0, 1, 4, 9);
      assertThat(outcome.result(sum)).isEqualTo(IntStream.range(0, 50).map(i -> i * i).sum());
    }
  }

  @Test
  void aFailingShardFailsTheFanOutAndCancelsTheOthers() {
    Gate never = new Gate();
    try (var runtime = runtime()) {
      TaskHandle<List<Integer>> h = runtime.submit(Task.of("fan", ctx ->
          ctx.fanOut("shard", List.of(0, 1, 2), (i, c) -> {
            if (i == 1) {
              throw new IllegalArgumentException("shard 1 broke");
            }
            never.pass();
            return i;
          })));

      assertThatThrownBy(h::join).isInstanceOf(TaskFailedException.class)
          .cause().isInstanceOf(TaskFailedException.class)
          .cause().hasMessage("shard 1 broke");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> runtime.snapshot().running() == 0 && runtime.snapshot().queued() == 0);
      assertThat(runtime.snapshot().cancelled()).isEqualTo(2);
    }
  }

  @Test
  void cancellingAFanningOutTaskCancelsItsShards() throws Exception {
    CountDownLatch shardsRunning = new CountDownLatch(2);
    try (var runtime = runtime()) {
      TaskHandle<List<Integer>> h = runtime.submit(Task.of("fan", ctx ->
          ctx.fanOut("shard", List.of(0, 1), (i, c) -> {
            shardsRunning.countDown();
            new CountDownLatch(1).await();
            return i;
          })));
      assertThat(shardsRunning.await(10, TimeUnit.SECONDS)).isTrue();

      h.cancel();

      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> runtime.snapshot().cancelled() == 3 && runtime.snapshot().running() == 0);
    }
  }

  @Test
  void resultOfIsOnlyForUpstreamsOfAGraphNode() {
    try (var runtime = runtime()) {
      TaskGraph.Builder b = TaskGraph.builder("g");
      NodeRef<Integer> a = b.node("a", ctx -> 1);
      NodeRef<Integer> c = b.node("c", ctx -> ctx.resultOf(a)); // no edge declared
      GraphOutcome outcome = runtime.execute(b.build()).join();
      assertThat(outcome.node(c).cause()).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("does not depend on node 'a'");

      TaskHandle<Integer> plain = runtime.submit(Task.of("plain", ctx -> ctx.resultOf(a)));
      assertThatThrownBy(plain::join).cause().isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("only for graph nodes");
    }
  }

  @Test
  void everyNodeSeesTheMdcOfTheThreadThatExecutedTheGraph() {
    try (var runtime = runtime()) {
      TaskGraph.Builder b = TaskGraph.builder("mdc");
      NodeRef<String> first = b.node("first", ctx -> org.slf4j.MDC.get("requestId"));
      NodeRef<String> second = b.node("second", ctx -> org.slf4j.MDC.get("requestId"));
      NodeRef<String> third = b.node("third", ctx -> org.slf4j.MDC.get("requestId"));
      b.dependsOn(second, first).dependsOn(third, second);
      TaskGraph graph = b.build();

      org.slf4j.MDC.put("requestId", "req-7");
      GraphHandle handle;
      try {
        handle = runtime.execute(graph);
      } finally {
        org.slf4j.MDC.remove("requestId");
      }
      GraphOutcome outcome = handle.join();

      assertThat(List.of(outcome.result(first), outcome.result(second), outcome.result(third)))
          .containsOnly("req-7");
    }
  }

  @Test
  void nodesThatBecomeReadyAfterCloseBeganEndCancelledWithTheReason() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    var runtime = runtime();
    TaskGraph.Builder b = TaskGraph.builder("closing");
    NodeRef<Integer> first = b.node("first", ctx -> {
      entered.countDown();
      release.await(10, TimeUnit.SECONDS);
      return 1;
    });
    NodeRef<Integer> second = b.node("second", ctx -> 2);
    NodeRef<Integer> third = b.node("third", ctx -> 3);
    b.dependsOn(second, first).dependsOn(third, first);
    GraphHandle handle = runtime.execute(b.build());
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    Thread closer = Thread.ofPlatform().start(runtime::close); // waits for "first" to end
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(runtime::isClosed);
    release.countDown();

    GraphOutcome outcome = handle.join();
    closer.join();

    assertThat(outcome.node(first).status()).isEqualTo(NodeStatus.SUCCEEDED);
    for (NodeRef<Integer> late : List.of(second, third)) {
      assertThat(outcome.node(late).status()).isEqualTo(NodeStatus.CANCELLED);
      assertThat(outcome.node(late).cause()).isInstanceOf(RejectedTaskException.class)
          .hasMessageContaining("is closed");
    }
    assertThat(outcome.status()).isNotEqualTo(GraphOutcome.Status.SUCCEEDED);
  }

  @Test
  void aGraphCanRunManyTimes() {
    try (var runtime = runtime()) {
      TaskGraph.Builder b = TaskGraph.builder("again");
      NodeRef<Integer> one = b.node("one", ctx -> 1);
      TaskGraph graph = b.build();

      assertThat(runtime.execute(graph).join().result(one)).isEqualTo(1);
      assertThat(runtime.execute(graph).join().result(one)).isEqualTo(1);
    }
  }

  @Test
  void aHundredThousandNodeGraphCompletesWithLinearBookkeeping() {
    int layers = 1000;
    int width = 100;
    try (var runtime = AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(256)).agent(Agent.local("a2").capacity(256)).build()) {
      TaskGraph.Builder b = TaskGraph.builder("big");
      NodeRef<?>[] previous = null;
      for (int l = 0; l < layers; l++) {
        NodeRef<?>[] layer = new NodeRef<?>[width];
        for (int w = 0; w < width; w++) {
          layer[w] = b.node("n" + l + "-" + w, Task.of("noop", ctx -> null));
          if (previous != null) {
            b.dependsOn(layer[w], previous[w], previous[(w + 1) % width], previous[(w + 7) % width]);
          }
        }
        previous = layer;
      }
      TaskGraph graph = b.build();

      GraphRun run = (GraphRun) runtime.execute(graph);
      GraphOutcome outcome = run.join();

      assertThat(outcome.status()).isEqualTo(GraphOutcome.Status.SUCCEEDED);
      assertThat(graph.size()).isEqualTo(100_000);
      assertThat(run.submissions).isEqualTo(graph.size());
      assertThat(run.edgeVisits).isEqualTo(graph.edgeCount());
    }
  }
}
