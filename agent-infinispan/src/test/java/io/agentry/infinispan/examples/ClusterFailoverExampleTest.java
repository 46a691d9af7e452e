package io.agentry.infinispan.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterFailoverExampleTest {

  @Test
  void everyTaskSucceedsAndCsJobsFailOverToB() throws Exception {
    List<String> report = ClusterFailoverExample.run();
    assertThat(report.getFirst()).contains("127.0.0.1:").doesNotContainPattern("\\b(?!127\\.0\\.0\\.1)\\d+\\.\\d+\\.\\d+\\.\\d+:");
    assertThat(report).filteredOn(l -> l.startsWith("IMAGE-")).hasSize(8)
        .allMatch(l -> l.contains("resized on b"));
    assertThat(report).filteredOn(l -> l.contains("worker@c, worker@b")).hasSizeGreaterThanOrEqualTo(2);
    assertThat(report.getLast()).startsWith("succeeded 8 of 8");
  }
}
