package io.agentry.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.graph.FailurePolicy;
import io.agentry.core.graph.GraphHandle;
import io.agentry.core.graph.GraphOutcome;
import io.agentry.core.graph.NodeOutcome;
import io.agentry.core.graph.NodeRef;
import io.agentry.core.graph.NodeStatus;
import io.agentry.core.graph.TaskGraph;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Random DAGs with random failures, checked against what each failure policy implies. */
class GraphPropertiesTest {
  private static AgentRuntime runtime;

  @BeforeContainer
  static void start() {
    runtime = AgentRuntime.builder()
        .agent(Agent.local("a1").capacity(64)).agent(Agent.local("a2").capacity(64)).build();
  }

  @AfterContainer
  static void stop() {
    runtime.close();
  }

  /** A random DAG: node i depends on up to three earlier nodes. */
  private record Dag(int size, List<int[]> upstreams, Set<Integer> failing) {
    static Dag random(long seed, int size, double failureRate) {
      Random random = new Random(seed);
      List<int[]> ups = new ArrayList<>(size);
      Set<Integer> failing = new HashSet<>();
      for (int i = 0; i < size; i++) {
        int k = i == 0 ? 0 : random.nextInt(Math.min(i, 3) + 1);
        Set<Integer> chosen = new HashSet<>();
        while (chosen.size() < k) {
          chosen.add(random.nextInt(i));
        }
        ups.add(chosen.stream().mapToInt(Integer::intValue).toArray());
        if (random.nextDouble() < failureRate) {
          failing.add(i);
        }
      }
      return new Dag(size, ups, failing);
    }
  }

  private static final class Probe {
    final AtomicLong clock = new AtomicLong();
    final AtomicLongArray started;
    final AtomicLongArray ended;
    final AtomicIntegerArray runs;

    Probe(int size) {
      started = new AtomicLongArray(size);
      ended = new AtomicLongArray(size);
      runs = new AtomicIntegerArray(size);
    }
  }

  private static TaskGraph build(Dag dag, FailurePolicy policy, Probe probe) {
    TaskGraph.Builder b = TaskGraph.builder("random").failurePolicy(policy);
    List<NodeRef<Integer>> refs = new ArrayList<>();
    for (int i = 0; i < dag.size(); i++) {
      int node = i;
      refs.add(b.node("n" + i, Task.of("node", ctx -> {
        probe.runs.incrementAndGet(node);
        probe.started.set(node, probe.clock.incrementAndGet());
        try {
          if (dag.failing().contains(node)) {
            throw new IllegalStateException("planned failure of n" + node);
          }
          return node;
        } finally {
          probe.ended.set(node, probe.clock.incrementAndGet());
        }
      })));
    }
    for (int i = 0; i < dag.size(); i++) {
      for (int u : dag.upstreams().get(i)) {
        b.dependsOn(refs.get(i), refs.get(u));
      }
    }
    return b.build();
  }

  @Property(tries = 40)
  void nodesRunOnceAfterTheirUpstreamsAndSkipsFollowThePolicy(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 2000) int size,
      @ForAll @DoubleRange(min = 0, max = 0.05) double failureRate, @ForAll FailurePolicy policy) {
    Dag dag = Dag.random(seed, size, failureRate);
    Probe probe = new Probe(size);
    TaskGraph graph = build(dag, policy, probe);

    GraphOutcome outcome = runtime.execute(graph).join();

    List<NodeOutcome> nodes = new ArrayList<>(outcome.nodes().values());
    assertThat(nodes).hasSize(size);
    assertThat(outcome.counts().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(size);
    for (int i = 0; i < size; i++) {
      assertThat(probe.runs.get(i)).as("runs of n%d", i).isLessThanOrEqualTo(1);
      NodeStatus status = nodes.get(i).status();
      boolean ran = probe.runs.get(i) == 1;
      if (status == NodeStatus.SKIPPED) {
        assertThat(ran).as("skipped n%d never ran", i).isFalse();
      } else if (status != NodeStatus.CANCELLED) {
        assertThat(ran).as("n%d ended %s so it ran", i, status).isTrue();
      }
      if (ran) {
        for (int u : dag.upstreams().get(i)) {
          assertThat(probe.runs.get(u)).as("upstream n%d of n%d ran", u, i).isEqualTo(1);
          assertThat(probe.ended.get(u)).as("n%d ended before n%d started", u, i)
              .isLessThan(probe.started.get(i));
        }
      }
      if (status == NodeStatus.FAILED) {
        assertThat(dag.failing()).contains(i);
      }
    }
    Set<Integer> failed = new HashSet<>();
    for (int i = 0; i < size; i++) {
      if (nodes.get(i).status() == NodeStatus.FAILED) {
        failed.add(i);
      }
    }
    assertThat(outcome.status()).isEqualTo(failed.isEmpty()
        ? GraphOutcome.Status.SUCCEEDED : GraphOutcome.Status.FAILED);
    switch (policy) {
      case CONTINUE_ALL -> {
        assertThat(outcome.nodesWith(NodeStatus.SKIPPED)).isEmpty();
        assertThat(failed).isEqualTo(dag.failing());
      }
      case SKIP_DEPENDENTS -> {
        Set<Integer> expectedSkipped = descendants(dag, failed);
        Set<Integer> skipped = new HashSet<>();
        for (int i = 0; i < size; i++) {
          if (nodes.get(i).status() == NodeStatus.SKIPPED) {
            skipped.add(i);
          }
        }
        assertThat(skipped).isEqualTo(expectedSkipped);
        assertThat(outcome.nodesWith(NodeStatus.CANCELLED)).isEmpty();
      }
      case FAIL_FAST -> {
        if (failed.isEmpty()) {
          assertThat(outcome.nodesWith(NodeStatus.SKIPPED)).isEmpty();
        } else {
          // every descendant of a failure is skipped or cancelled, never succeeded
          for (int d : descendants(dag, failed)) {
            assertThat(nodes.get(d).status()).isIn(NodeStatus.SKIPPED, NodeStatus.CANCELLED);
          }
        }
      }
    }
  }

  @Property(tries = 15)
  void cancellingMidRunEndsEveryNode(@ForAll long seed,
      @ForAll @IntRange(min = 50, max = 2000) int size) {
    Dag dag = Dag.random(seed, size, 0);
    Probe probe = new Probe(size);
    GraphHandle handle = runtime.execute(build(dag, FailurePolicy.FAIL_FAST, probe));

    handle.cancel();

    GraphOutcome outcome = handle.join();
    assertThat(outcome.counts().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(size);
    assertThat(outcome.status()).isIn(GraphOutcome.Status.CANCELLED, GraphOutcome.Status.SUCCEEDED);
    for (int i = 0; i < size; i++) {
      assertThat(probe.runs.get(i)).isLessThanOrEqualTo(1);
    }
    assertThat(runtime.snapshot().running()).isZero();
  }

  /** Every node reachable downstream from the given ones, themselves excluded. */
  private static Set<Integer> descendants(Dag dag, Set<Integer> from) {
    List<List<Integer>> down = new ArrayList<>();
    for (int i = 0; i < dag.size(); i++) {
      down.add(new ArrayList<>());
    }
    for (int i = 0; i < dag.size(); i++) {
      for (int u : dag.upstreams().get(i)) {
        down.get(u).add(i);
      }
    }
    Set<Integer> seen = new HashSet<>();
    List<Integer> stack = new ArrayList<>(from);
    while (!stack.isEmpty()) {
      int v = stack.remove(stack.size() - 1);
      for (int d : down.get(v)) {
        if (seen.add(d)) {
          stack.add(d);
        }
      }
    }
    seen.removeAll(from);
    return seen;
  }
}
