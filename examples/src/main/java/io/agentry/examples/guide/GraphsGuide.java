package io.agentry.examples.guide;

import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.graph.FailurePolicy;
import io.agentry.core.graph.GraphHandle;
import io.agentry.core.graph.GraphOutcome;
import io.agentry.core.graph.NodeRef;
import io.agentry.core.graph.NodeStatus;
import io.agentry.core.graph.TaskGraph;
import java.util.List;
import java.util.Map;

/** Guide section "Task graphs". */
public final class GraphsGuide {

  private GraphsGuide() {}

  /**
   * Builds and runs a small graph.
   *
   * @param runtime the runtime
   * @return the graph's outcome
   */
  public static GraphOutcome diamond(AgentRuntime runtime) {
    // tag::diamond[]
    TaskGraph.Builder b = TaskGraph.builder("report");
    NodeRef<List<String>> fetch = b.node("fetch", ctx -> List.of("a", "bb", "ccc"));
    NodeRef<Integer> count = b.node("count", ctx -> ctx.resultOf(fetch).size());
    NodeRef<Integer> chars = b.node("chars",
        ctx -> ctx.resultOf(fetch).stream().mapToInt(String::length).sum());
    NodeRef<String> report = b.node("report",
        ctx -> ctx.resultOf(count) + " lines, " + ctx.resultOf(chars) + " chars");
    b.dependsOn(count, fetch).dependsOn(chars, fetch).dependsOn(report, count, chars);

    GraphOutcome outcome = runtime.execute(b.build()).join();
    String text = outcome.result(report);  // "3 lines, 6 chars"
    // end::diamond[]
    return text.isEmpty() ? outcome : outcome;
  }

  /**
   * Declares dependencies by id and picks a failure policy.
   *
   * @param runtime the runtime
   * @return the ids of the skipped nodes
   */
  public static List<String> skipDependents(AgentRuntime runtime) {
    // tag::policy[]
    TaskGraph.Builder b = TaskGraph.builder("nightly")
        .failurePolicy(FailurePolicy.SKIP_DEPENDENTS); // default: FAIL_FAST
    b.node("clean", ctx -> "ok");
    b.node("import", ctx -> {
      throw new IllegalStateException("source offline");
    });
    b.node("index", ctx -> "indexed");
    b.node("thumbnails", ctx -> "done");
    b.dependsOn("import", "clean").dependsOn("index", "import").dependsOn("thumbnails", "clean");

    GraphOutcome outcome = runtime.execute(b.build()).join();
    List<String> skipped = outcome.nodesWith(NodeStatus.SKIPPED);       // [index]
    Map<NodeStatus, Integer> counts = outcome.counts(); // SUCCEEDED=2, FAILED=1, SKIPPED=1, ...
    // end::policy[]
    return counts.isEmpty() ? List.of() : skipped;
  }

  /**
   * Compensates succeeded steps when a later step fails.
   *
   * @param runtime the runtime
   * @param log where the compensations write
   * @return the outcome
   */
  public static GraphOutcome saga(AgentRuntime runtime, List<String> log) {
    // tag::saga[]
    TaskGraph.Builder b = TaskGraph.builder("booking").compensateOnFailure();
    NodeRef<String> seat = b.node("reserve-seat", ctx -> "seat-12A");
    NodeRef<String> payment = b.node("charge-card", ctx -> "payment-881");
    NodeRef<String> ticket = b.node("issue-ticket", ctx -> {
      throw new IllegalStateException("ticketing down");
    });
    b.dependsOn(payment, seat).dependsOn(ticket, payment);
    b.compensate(seat, id -> log.add("released " + id));
    b.compensate(payment, id -> log.add("refunded " + id));

    GraphOutcome outcome = runtime.execute(b.build()).join();
    // log: [refunded payment-881, released seat-12A]; outcome.compensations() says how each went
    // end::saga[]
    return outcome;
  }

  /**
   * Splits a node's work into shards across agents.
   *
   * @param runtime the runtime
   * @return the sum of squares
   */
  public static int fanOut(AgentRuntime runtime) {
    // tag::fanout[]
    TaskGraph.Builder b = TaskGraph.builder("squares");
    NodeRef<Integer> sum = b.node("sum-of-squares", ctx -> {
      List<Integer> squares = ctx.fanOut("square", List.of(1, 2, 3, 4), (n, shardCtx) -> n * n);
      return squares.stream().mapToInt(Integer::intValue).sum();   // 30
    });
    int total = runtime.execute(b.build()).join().result(sum);
    // end::fanout[]
    return total;
  }

  /**
   * Cancels a graph and renders it.
   *
   * @param runtime the runtime
   * @return the Mermaid text of the cancelled graph's outcome
   */
  public static String cancelAndExport(AgentRuntime runtime) {
    // tag::cancel[]
    TaskGraph.Builder b = TaskGraph.builder("long");
    NodeRef<String> wait = b.node("wait", Task.of("wait", ctx -> {
      Thread.sleep(60_000); // interrupted by cancel()
      return "waited";
    }));
    NodeRef<String> after = b.node("after", ctx -> "after " + ctx.resultOf(wait));
    b.dependsOn(after, wait);
    TaskGraph graph = b.build();
    String dot = graph.toDot();                 // Graphviz: dot -Tsvg

    GraphHandle handle = runtime.execute(graph);
    handle.cancel();                            // running nodes interrupted, the rest CANCELLED
    String mermaid = handle.join().toMermaid(); // nodes styled by how they ended
    // end::cancel[]
    return dot.isEmpty() ? dot : mermaid;
  }
}
