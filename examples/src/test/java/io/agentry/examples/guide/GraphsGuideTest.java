package io.agentry.examples.guide;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.graph.GraphOutcome;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Checks what the guide's "Task graphs" section says its snippets do. */
class GraphsGuideTest {
  private final AgentRuntime runtime = AgentRuntime.builder()
      .agent(Agent.local("a1").capacity(8)).agent(Agent.local("a2").capacity(8)).build();

  @AfterEach
  void close() {
    runtime.close();
  }

  @Test
  void theDiamondReportsLinesAndChars() {
    GraphOutcome outcome = GraphsGuide.diamond(runtime);
    assertThat(outcome.result(outcome.graph().node("report").orElseThrow()))
        .isEqualTo("3 lines, 6 chars");
  }

  @Test
  void skipDependentsSkipsOnlyTheIndex() {
    assertThat(GraphsGuide.skipDependents(runtime)).containsExactly("index");
  }

  @Test
  void theSagaUndoesInReverseOrder() {
    List<String> log = new CopyOnWriteArrayList<>();
    GraphOutcome outcome = GraphsGuide.saga(runtime, log);
    assertThat(outcome.status()).isEqualTo(GraphOutcome.Status.FAILED);
    assertThat(log).containsExactly("refunded payment-881", "released seat-12A");
    assertThat(outcome.compensations()).allMatch(c -> c.succeeded());
  }

  @Test
  void fanOutSumsTheSquares() {
    assertThat(GraphsGuide.fanOut(runtime)).isEqualTo(30);
  }

  @Test
  void aCancelledGraphRendersItsNodesAsCancelled() {
    assertThat(GraphsGuide.cancelAndExport(runtime))
        .startsWith("flowchart LR").contains(":::cancelled");
  }
}
