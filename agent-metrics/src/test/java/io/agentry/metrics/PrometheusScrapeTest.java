package io.agentry.metrics;

import static io.agentry.metrics.Workloads.awaitAll;
import static io.agentry.metrics.Workloads.retryUpTo;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.testing.ManualScheduler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrometheusScrapeTest {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?\\s+(\\S+)(?:\\s+\\S+)?$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final ManualScheduler clock = new ManualScheduler();
  private PrometheusMeterRegistry registry;
  private AgentRuntime runtime;
  private AgentryMetrics metrics;
  private HealthMonitor monitor;

  @BeforeEach
  void setUp() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    runtime = AgentRuntime.builder().name("rt").scheduler(clock).shutdownGrace(Duration.ZERO)
        .policy(retryUpTo(2)).agent(Agent.local("a1")).agent(Agent.local("a2")).build();
    metrics = AgentryMetrics.of(runtime);
    metrics.bindTo(registry);
    monitor = HealthMonitor.builder(runtime).scheduler(clock).interval(Duration.ofSeconds(1)).build();
    monitor.bindTo(registry);
  }

  @AfterEach
  void tearDown() {
    monitor.close();
    metrics.close();
    runtime.close();
    registry.close();
  }

  private void workload() throws InterruptedException {
    List<TaskHandle<?>> handles = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      handles.add(runtime.submit(Task.of("ok", ctx -> 1)));
    }
    for (int i = 0; i < 2; i++) {
      handles.add(runtime.submit(Task.of("bad", ctx -> {
        throw new IllegalStateException("no");
      })));
    }
    awaitAll(handles);
    clock.advance(Duration.ofSeconds(1)); // one health round
  }

  @Test
  void theScrapeHasTheExpectedSeries() throws Exception {
    workload();

    List<Sample> samples = parse(registry.scrape());

    assertThat(value(samples, "agentry_tasks_submitted_total", "runtime", "rt", "task", "ok"))
        .isEqualTo(3);
    assertThat(value(samples, "agentry_tasks_completed_total",
        "runtime", "rt", "task", "ok", "outcome", "succeeded", "cause", "none")).isEqualTo(3);
    assertThat(value(samples, "agentry_tasks_completed_total",
        "runtime", "rt", "task", "bad", "outcome", "failed", "cause", "exception")).isEqualTo(2);
    assertThat(value(samples, "agentry_attempts_total",
        "runtime", "rt", "task", "bad", "outcome", "failed")).isEqualTo(4);
    assertThat(value(samples, "agentry_retries_total", "runtime", "rt", "task", "bad")).isEqualTo(2);
    assertThat(value(samples, "agentry_failovers_total", "runtime", "rt", "task", "bad")).isEqualTo(2);
    assertThat(value(samples, "agentry_hedges_total", "runtime", "rt", "task", "ok")).isZero();
    assertThat(value(samples, "agentry_tasks_duration_seconds_count",
        "runtime", "rt", "task", "ok", "outcome", "succeeded")).isEqualTo(3);
    assertThat(value(samples, "agentry_tasks_queue_wait_seconds_count",
        "runtime", "rt", "task", "bad")).isEqualTo(4);
    assertThat(value(samples, "agentry_tasks_queued", "runtime", "rt")).isZero();
    assertThat(value(samples, "agentry_agents", "runtime", "rt", "state", "up")).isEqualTo(2);
    assertThat(value(samples, "agentry_agent_capacity", "runtime", "rt", "agent", "a1"))
        .isEqualTo(16);
    assertThat(value(samples, "agentry_agent_state",
        "runtime", "rt", "agent", "a2", "state", "up")).isEqualTo(1);
    assertThat(value(samples, "agentry_agent_attempts_total",
        "runtime", "rt", "agent", "a1", "outcome", "succeeded")).isNotNegative();
    assertThat(value(samples, "agentry_health_checks_total",
        "runtime", "rt", "agent", "a1", "result", "healthy")).isEqualTo(1);
    assertThat(value(samples, "agentry_health_transitions_total",
        "runtime", "rt", "agent", "a1", "status", "unhealthy")).isZero();
  }

  @Test
  void everySeriesOfOneNameHasTheSameLabelKeys() throws Exception {
    workload();
    runtime.addAgent(Agent.local("a3"));
    runtime.removeAgent("a1");
    runtime.submit(Task.builder("late", ctx -> 1).requires("gpu")
        .queueTimeout(Duration.ofSeconds(1)).build());
    clock.advance(Duration.ofSeconds(1));

    List<Sample> samples = parse(registry.scrape());

    Map<String, Set<Set<String>>> keysByName = new TreeMap<>();
    for (Sample s : samples) {
      keysByName.computeIfAbsent(s.name, n -> new HashSet<>()).add(s.labels.keySet());
    }
    assertThat(keysByName).isNotEmpty()
        .allSatisfy((name, keySets) -> assertThat(keySets).as(name).hasSize(1));
    assertThat(samples).filteredOn(s -> s.name.startsWith("agentry_"))
        .allSatisfy(s -> assertThat(s.labels).containsEntry("runtime", "rt"));
    assertThat(samples).noneMatch(s -> "a1".equals(s.labels.get("agent")));
    assertThat(samples).anyMatch(s -> "a3".equals(s.labels.get("agent")));
    assertThat(value(samples, "agentry_timeouts_total",
        "runtime", "rt", "task", "late", "cause", "no_eligible_agent")).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"task", "agent", "outcome", "cause", "state", "result", "status"})
  void noLabelHoldsATaskIdOrAMessage(String key) throws Exception {
    workload();

    List<Sample> samples = parse(registry.scrape());

    assertThat(samples).filteredOn(s -> s.labels.containsKey(key))
        .allSatisfy(s -> assertThat(s.labels.get(key)).matches("[a-z0-9_]+"));
  }

  @Test
  void timersHaveNoBucketsByDefault() throws Exception {
    workload();

    assertThat(registry.scrape()).contains("agentry_tasks_duration_seconds_count{")
        .doesNotContain("_bucket{");
  }

  @Test
  void histogramsAddBucketsWhenOptedIn() throws Exception {
    metrics.close();
    metrics = AgentryMetrics.builder(runtime).percentileHistograms(true).build();
    metrics.bindTo(registry);

    workload();

    assertThat(registry.scrape()).contains("agentry_tasks_duration_seconds_bucket{")
        .contains("agentry_tasks_queue_wait_seconds_bucket{");
  }

  private static double value(List<Sample> samples, String name, String... labels) {
    Map<String, String> want = new HashMap<>();
    for (int i = 0; i < labels.length; i += 2) {
      want.put(labels[i], labels[i + 1]);
    }
    List<Sample> found = samples.stream().filter(s -> s.name.equals(name) && s.labels.equals(want))
        .toList();
    assertThat(found).as("%s%s in the scrape", name, want).hasSize(1);
    return found.getFirst().value;
  }

  private static List<Sample> parse(String scrape) {
    List<Sample> samples = new ArrayList<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a sample line: %s", line).isTrue();
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      labels.remove("le");
      labels.remove("quantile");
      samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
    }
    return samples;
  }

  private record Sample(String name, Map<String, String> labels, double value) {}
}
