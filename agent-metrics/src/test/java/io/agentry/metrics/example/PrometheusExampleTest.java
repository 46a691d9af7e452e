package io.agentry.metrics.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrometheusExampleTest {

  @Test
  void servesTheMetricsOfItsWorkloadOnLoopback() throws Exception {
    try (PrometheusExample example = PrometheusExample.start(0)) {
      example.runBatch(60, new Random(7));

      Response metrics = get(example.metricsUri());
      Response health = get(example.healthUri());

      assertThat(example.metricsUri().getHost()).isEqualTo("127.0.0.1");
      assertThat(metrics.status()).isEqualTo(200);
      assertThat(metrics.body())
          .contains("agentry_tasks_submitted_total{runtime=\"example\",task=\"resize\"}")
          .contains("agentry_tasks_completed_total{")
          .contains("agentry_tasks_duration_seconds_count{")
          .contains("agentry_agent_inflight{agent=\"a3\",runtime=\"example\"}")
          .contains("jvm_memory_used_bytes{");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.body()).contains("a1").contains("a3");
    }
  }

  private static Response get(URI uri) throws IOException {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    c.setConnectTimeout(5_000);
    c.setReadTimeout(5_000);
    try (InputStream in = c.getInputStream()) {
      return new Response(c.getResponseCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } finally {
      c.disconnect();
    }
  }

  private record Response(int status, String body) {}
}
