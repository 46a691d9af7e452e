package io.agentry.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.graph.GraphOutcome;
import io.agentry.core.graph.NodeStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EtlPipelineTest {

  @Test
  void thePipelineFansOutFansInAndPrintsItsOutcome() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    GraphOutcome outcome = EtlPipeline.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String printed = bytes.toString(StandardCharsets.UTF_8);

    assertThat(outcome.status()).isEqualTo(GraphOutcome.Status.SUCCEEDED);
    assertThat(outcome.counts()).containsEntry(NodeStatus.SUCCEEDED, 7);
    int expectedAmount = 0;
    for (int i = 0; i < 40; i++) {
      expectedAmount += (i % 7) * 10;
    }
    assertThat(outcome.result(outcome.graph().node("merge").orElseThrow()))
        .isEqualTo(Map.of("amount", expectedAmount, "rows", 40));
    assertThat(outcome.nodes().get("extract").taskOutcome().orElseThrow().agents()).containsOnly("io-1");
    assertThat(printed).contains("graph 'etl' SUCCEEDED", "transform-3", "flowchart LR",
        "loaded {amount=" + expectedAmount + ", rows=40}");
  }
}
