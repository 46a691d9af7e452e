package io.agentry.core.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Task;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskGraphTest {

  @Test
  void buildRejectsAnEmptyGraph() {
    assertThatThrownBy(() -> TaskGraph.builder("empty").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'empty' has no nodes");
  }

  @Test
  void duplicateIdsAreRejectedAtOnce() {
    TaskGraph.Builder b = TaskGraph.builder("g");
    b.node("a", ctx -> 1);
    assertThatThrownBy(() -> b.node("a", ctx -> 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate node id 'a'");
  }

  @Test
  void anUnknownDependencyIsNamed() {
    TaskGraph.Builder b = TaskGraph.builder("g");
    b.node("a", ctx -> 1);
    b.dependsOn("a", "ghost");
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'a' depends on unknown node 'ghost'");
  }

  @Test
  void aCycleIsRejectedNamingItsNodes() {
    TaskGraph.Builder b = TaskGraph.builder("g");
    for (String id : List.of("start", "x", "y", "z", "tail")) {
      b.node(id, ctx -> id);
    }
    b.dependsOn("x", "start").dependsOn("y", "x").dependsOn("z", "y").dependsOn("x", "z")
        .dependsOn("tail", "z");

    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has a cycle")
        .satisfies(e -> assertThat(e.getMessage()).containsAnyOf(
            "x -> y -> z -> x", "y -> z -> x -> y", "z -> x -> y -> z"));
  }

  @Test
  void aSelfDependencyIsACycle() {
    TaskGraph.Builder b = TaskGraph.builder("g");
    NodeRef<Integer> a = b.node("a", ctx -> 1);
    b.dependsOn(a, a);
    assertThatThrownBy(b::build).hasMessageContaining("a -> a");
  }

  @Test
  void referencesFromAnotherBuilderAreRejected() {
    NodeRef<Integer> foreign = TaskGraph.builder("other").node("x", ctx -> 1);
    TaskGraph.Builder b = TaskGraph.builder("g");
    NodeRef<Integer> a = b.node("a", ctx -> 1);
    assertThatThrownBy(() -> b.dependsOn(a, foreign))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another graph builder");
  }

  @Test
  void nodeTasksMustNotCarryAUserId() {
    assertThatThrownBy(() -> TaskGraph.builder("g").node("a", Task.builder("t", ctx -> 1).id("fixed").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user-given id");
  }

  @Test
  void theStructureIsReadable() {
    TaskGraph.Builder b = TaskGraph.builder("g");
    NodeRef<Integer> a = b.node("a", ctx -> 1);
    NodeRef<Integer> c = b.node("c", ctx -> 3);
    NodeRef<Integer> bb = b.node("b", ctx -> 2);
    b.dependsOn(c, bb).dependsOn(bb, a).dependsOn(bb, a); // a duplicate edge counts once
    TaskGraph g = b.build();

    assertThat(g.size()).isEqualTo(3);
    assertThat(g.edgeCount()).isEqualTo(2);
    assertThat(g.upstreams(c)).containsExactly(bb);
    assertThat(g.downstreams(a)).containsExactly(bb);
    assertThat(g.topologicalOrder()).containsExactly(a, bb, c);
    assertThat(g.task(a).name()).isEqualTo("a");
  }

  @Test
  void exportsDotAndMermaid() {
    TaskGraph.Builder b = TaskGraph.builder("etl");
    NodeRef<Integer> extract = b.node("extract", ctx -> 1);
    NodeRef<Integer> load = b.node("load \"all\"", ctx -> 2);
    b.dependsOn(load, extract);
    TaskGraph g = b.build();

    assertThat(g.toDot()).contains("digraph \"etl\"", "\"extract\" -> \"load \\\"all\\\"\";");
    assertThat(g.toMermaid()).startsWith("flowchart LR").contains("n0[\"extract\"]",
        "n1[\"load #quot;all#quot;\"]", "n0 --> n1");
  }
}
