package io.agentry.metrics.example;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Subscription;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.spi.Decision;
import io.agentry.metrics.AgentryMetrics;
import io.agentry.metrics.HealthCheck;
import io.agentry.metrics.HealthMonitor;
import io.agentry.metrics.HealthReport;
import io.agentry.metrics.TaskLogListener;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Serves a runtime's meters to Prometheus while the runtime runs a workload: {@code /metrics} in the
 * Prometheus text format and {@code /health} (200 when ready, 503 when not), on 127.0.0.1 only.
 *
 * <p>Run it from the repository root (arguments: how long, as an ISO-8601 duration, and the port):
 *
 * <pre>
 * ./mvnw -q -pl agent-metrics -am -Pprometheus-example test-compile exec:java -Dexec.args="PT1M 9464"
 * curl -s http://127.0.0.1:9464/metrics | grep agentry_
 * </pre>
 *
 * <p>It lives in the test sources so that the published jar carries no HTTP server and no Prometheus
 * client; {@code PrometheusExampleTest} runs it in CI.
 */
public final class PrometheusExample implements AutoCloseable {
  private static final String[] NAMES = {"resize", "index", "fetch"};

  private final AgentRuntime runtime;
  private final PrometheusMeterRegistry registry;
  private final AgentryMetrics metrics;
  private final Subscription hostMetrics;
  private final HealthMonitor health;
  private final HttpServer server;

  private PrometheusExample(int port) throws IOException {
    runtime = AgentRuntime.builder()
        .name("example")
        .agent(Agent.local("a1").capacity(8))
        .agent(Agent.local("a2").capacity(8))
        .agent(Agent.local("a3").capacity(4).tags("big"))
        // one retry, at once, for failed attempts
        .policy(r -> r.succeeded() || r.attempt() >= 2 ? Decision.complete()
            : Decision.retry(Duration.ZERO))
        .listener(TaskLogListener.ofDefaults())
        .build();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics = AgentryMetrics.of(runtime);
    metrics.bindTo(registry);
    hostMetrics = AgentryMetrics.bindHostMetrics(registry);
    health = HealthMonitor.builder(runtime)
        .interval(Duration.ofSeconds(5))
        .check(HealthCheck.noHeartbeatTimeouts())
        .check(HealthCheck.noAttemptRunningLongerThan(Duration.ofSeconds(30)))
        .build();
    health.bindTo(registry);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/metrics", exchange -> respond(exchange, 200,
        "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.createContext("/health", exchange -> {
      HealthReport report = health.health();
      respond(exchange, report.isReady() ? 200 : 503, "text/plain; charset=utf-8",
          report.toString());
    });
    server.start();
  }

  /**
   * Starts the runtime, binds the meters and serves them.
   *
   * @param port the port on 127.0.0.1; 0 for any free one
   * @return the running example; close it to stop everything
   * @throws IOException if the port cannot be bound
   */
  public static PrometheusExample start(int port) throws IOException {
    return new PrometheusExample(port);
  }

  /**
   * Returns the address of the metrics endpoint.
   *
   * @return the URI of {@code /metrics}
   */
  public URI metricsUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
  }

  /**
   * Returns the address of the health endpoint.
   *
   * @return the URI of {@code /health}
   */
  public URI healthUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/health");
  }

  /**
   * Submits a batch of tasks of a few kinds, about one in ten of which fails once, and waits for all.
   *
   * @param tasks how many tasks
   * @param random the source of sizes and failures
   * @throws InterruptedException if interrupted while waiting
   */
  public void runBatch(int tasks, Random random) throws InterruptedException {
    List<TaskHandle<Long>> handles = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      String name = NAMES[random.nextInt(NAMES.length)];
      int size = 1_000 + random.nextInt(20_000);
      boolean failsOnce = random.nextInt(10) == 0;
      Task.Builder<Long> task = Task.builder(name, ctx -> {
        if (failsOnce && ctx.attempt() == 1) {
          throw new IOException("transient failure of " + ctx.taskName());
        }
        return primesBelow(size);
      });
      if (name.equals("index")) {
        task.requires("big");
      }
      handles.add(runtime.submit(task.build()));
    }
    for (TaskHandle<Long> h : handles) {
      h.await();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    health.close();
    runtime.close();
    metrics.close();
    hostMetrics.close();
    registry.close();
  }

  private static long primesBelow(int n) {
    long count = 0;
    for (int i = 2; i < n; i++) {
      boolean prime = true;
      for (int d = 2; (long) d * d <= i; d++) {
        if (i % d == 0) {
          prime = false;
          break;
        }
      }
      if (prime) {
        count++;
      }
    }
    return count;
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /**
   * Runs the example.
   *
   * @param args how long to run (ISO-8601, default {@code PT1M}) and the port (default 9464)
   * @throws Exception if the server cannot start or the run is interrupted
   */
  public static void main(String[] args) throws Exception {
    Duration runFor = args.length > 0 ? Duration.parse(args[0]) : Duration.ofMinutes(1);
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 9464;
    try (PrometheusExample example = start(port)) {
      System.out.println("serving " + example.metricsUri() + " and " + example.healthUri()
          + " for " + runFor);
      Random random = new Random(42);
      long end = System.nanoTime() + runFor.toNanos();
      int batches = 0;
      while (System.nanoTime() < end) {
        example.runBatch(200, random);
        batches++;
      }
      System.out.println("ran " + batches + " batches of 200 tasks; stopping");
    }
  }
}
