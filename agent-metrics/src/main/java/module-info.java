/**
 * Agentry metrics: Micrometer meters for a runtime, a health monitor that marks agents down and up,
 * the host's JVM and system meters, and structured task logs.
 *
 * <p>Exports the API ({@code io.agentry.metrics}) and the health events
 * ({@code io.agentry.metrics.event}). Micrometer's core jar has no module descriptor; it is read as the
 * automatic module {@code micrometer.core}.
 */
@SuppressWarnings("requires-automatic")
module io.agentry.metrics {
  requires transitive io.agentry.core;
  requires transitive micrometer.core;
  requires transitive org.slf4j;
  requires static org.jspecify;

  exports io.agentry.metrics;
  exports io.agentry.metrics.event;
}
