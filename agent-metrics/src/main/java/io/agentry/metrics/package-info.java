/**
 * Observability for an Agentry runtime: Micrometer meters ({@link io.agentry.metrics.AgentryMetrics}),
 * a health monitor that marks agents down and up ({@link io.agentry.metrics.HealthMonitor}), the JVM
 * and system meters of the host, and one structured log line per task
 * ({@link io.agentry.metrics.TaskLogListener}).
 *
 * <pre>{@code
 * AgentRuntime runtime = AgentRuntime.builder().agent(Agent.local("a1")).build();
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 *
 * AgentryMetrics metrics = AgentryMetrics.of(runtime);
 * metrics.bindTo(registry);
 * Subscription host = AgentryMetrics.bindHostMetrics(registry);
 * runtime.subscribe(TaskLogListener.ofDefaults());
 *
 * HealthMonitor health = HealthMonitor.builder(runtime)
 *     .check(HealthCheck.noAttemptRunningLongerThan(Duration.ofMinutes(10)))
 *     .build();
 * health.bindTo(registry);
 * boolean ready = health.health().isReady();
 * }</pre>
 *
 * <p>docs/metrics.md lists every meter with its type, unit and tags.
 */
@NullMarked
package io.agentry.metrics;

import org.jspecify.annotations.NullMarked;
