package io.agentry.examples;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.graph.GraphOutcome;
import io.agentry.core.graph.NodeOutcome;
import io.agentry.core.graph.NodeRef;
import io.agentry.core.graph.TaskGraph;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An ETL-like pipeline as a task graph: extract once, transform each partition in parallel (one node
 * per partition, each fanning its rows out into shards across agents), merge the partitions, then
 * load. Prints the outcome table and the graph in Mermaid.
 *
 * <p>Run it with {@code ./mvnw -q -pl examples -am compile exec:java
 * -Dexec.mainClass=io.agentry.examples.EtlPipeline}.
 */
public final class EtlPipeline {
  static final int PARTITIONS = 4;

  private EtlPipeline() {}

  /**
   * Runs the example and prints what happened.
   *
   * @param args unused
   */
  public static void main(String[] args) {
    run(System.out);
  }

  /**
   * Runs the pipeline on a fresh runtime and prints what happened.
   *
   * @param out where to print
   * @return the graph's outcome
   */
  public static GraphOutcome run(PrintStream out) {
    try (AgentRuntime runtime = AgentRuntime.builder().name("etl")
        .agent(Agent.local("io-1").capacity(4).tags("io"))
        .agent(Agent.local("cpu-1").capacity(8).tags("cpu"))
        .agent(Agent.local("cpu-2").capacity(8).tags("cpu"))
        .build()) {
      TaskGraph graph = graph();
      GraphOutcome outcome = runtime.execute(graph).join();
      print(outcome, out);
      return outcome;
    }
  }

  /**
   * Builds the pipeline's graph.
   *
   * @return the graph
   */
  public static TaskGraph graph() {
    TaskGraph.Builder b = TaskGraph.builder("etl");
    NodeRef<List<String>> extract = b.node("extract", Task.builder("extract", ctx -> {
      List<String> rows = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        rows.add("order-" + i + "," + (i % 7) * 10);
      }
      return rows;
    }).requires("io").build());

    List<NodeRef<Map<String, Integer>>> transforms = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      int partition = p;
      NodeRef<Map<String, Integer>> t = b.node("transform-" + p, Task.builder("transform", ctx -> {
        List<String> mine = new ArrayList<>();
        List<String> all = ctx.resultOf(extract);
        for (int i = partition; i < all.size(); i += PARTITIONS) {
          mine.add(all.get(i));
        }
        // each row parsed in a shard, spread over the agents
        List<Integer> amounts = ctx.fanOut("parse-row", mine,
            (row, shard) -> Integer.parseInt(row.substring(row.indexOf(',') + 1)));
        Map<String, Integer> totals = new TreeMap<>();
        totals.put("rows", mine.size());
        totals.put("amount", amounts.stream().mapToInt(Integer::intValue).sum());
        return totals;
      }).requires("cpu").build());
      b.dependsOn(t, extract);
      transforms.add(t);
    }

    NodeRef<Map<String, Integer>> merge = b.node("merge", Task.builder("merge", ctx -> {
      Map<String, Integer> sum = new TreeMap<>();
      for (NodeRef<Map<String, Integer>> t : transforms) {
        ctx.resultOf(t).forEach((k, v) -> sum.merge(k, v, Integer::sum));
      }
      return sum;
    }).requires("cpu").build());
    b.dependsOn(merge, transforms.toArray(NodeRef<?>[]::new));

    NodeRef<String> load = b.node("load", Task.builder("load",
        ctx -> "loaded " + ctx.resultOf(merge)).requires("io").attemptTimeout(Duration.ofSeconds(10))
        .build());
    b.dependsOn(load, merge);
    return b.build();
  }

  private static void print(GraphOutcome outcome, PrintStream out) {
    out.printf("graph '%s' %s in %d ms%n%n", outcome.graph().name(), outcome.status(),
        outcome.duration().toMillis());
    out.printf("%-12s %-10s %-8s %-9s %s%n", "node", "status", "agent", "attempts", "result");
    for (NodeOutcome n : outcome.nodes().values()) {
      String agent = n.taskOutcome().map(t -> t.agents().isEmpty() ? "-"
          : t.agents().get(t.agents().size() - 1)).orElse("-");
      String shown = String.valueOf(n.result() == null ? (n.cause() == null ? "" : n.cause())
          : n.result());
      out.printf("%-12s %-10s %-8s %-9d %s%n", n.id(), n.status(), agent, n.attempts(),
          shown.length() > 60 ? shown.substring(0, 57) + "..." : shown);
    }
    out.println();
    out.println(outcome.toMermaid());
  }
}
