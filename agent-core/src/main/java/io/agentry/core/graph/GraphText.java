package io.agentry.core.graph;

import org.jspecify.annotations.Nullable;

/** DOT and Mermaid renderings of a graph, optionally coloured by an outcome. */
final class GraphText {
  private GraphText() {}

  static String dot(TaskGraph graph, @Nullable GraphOutcome outcome) {
    StringBuilder sb = new StringBuilder();
    sb.append("digraph ").append(quote(graph.name())).append(" {\n  rankdir=LR;\n");
    if (outcome != null) {
      sb.append("  node [style=filled];\n");
    }
    for (NodeRef<?> n : graph.nodes()) {
      sb.append("  ").append(quote(n.id()));
      if (outcome != null) {
        NodeStatus status = outcome.node(n).status();
        sb.append(" [fillcolor=").append(dotColour(status)).append(", tooltip=")
            .append(quote(status.name())).append(']');
      }
      sb.append(";\n");
    }
    for (NodeRef<?> n : graph.nodes()) {
      for (NodeRef<?> d : graph.downstreams(n)) {
        sb.append("  ").append(quote(n.id())).append(" -> ").append(quote(d.id())).append(";\n");
      }
    }
    return sb.append("}\n").toString();
  }

  static String mermaid(TaskGraph graph, @Nullable GraphOutcome outcome) {
    StringBuilder sb = new StringBuilder("flowchart LR\n");
    for (NodeRef<?> n : graph.nodes()) {
      sb.append("  n").append(n.index()).append("[\"").append(mermaidText(n.id())).append("\"]");
      if (outcome != null) {
        sb.append(":::").append(outcome.node(n).status().name().toLowerCase(java.util.Locale.ROOT));
      }
      sb.append('\n');
    }
    for (NodeRef<?> n : graph.nodes()) {
      for (NodeRef<?> d : graph.downstreams(n)) {
        sb.append("  n").append(n.index()).append(" --> n").append(d.index()).append('\n');
      }
    }
    if (outcome != null) {
      sb.append("  classDef succeeded fill:#b7e4c7,stroke:#2d6a4f\n")
          .append("  classDef failed fill:#f4a3a3,stroke:#9d0208\n")
          .append("  classDef skipped fill:#e0e0e0,stroke:#6c757d\n")
          .append("  classDef cancelled fill:#ffe8a3,stroke:#b08900\n");
    }
    return sb.toString();
  }

  private static String dotColour(NodeStatus status) {
    return switch (status) {
      case SUCCEEDED -> "palegreen";
      case FAILED -> "salmon";
      case SKIPPED -> "lightgrey";
      case CANCELLED -> "khaki";
    };
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static String mermaidText(String s) {
    return s.replace("\"", "#quot;");
  }
}
