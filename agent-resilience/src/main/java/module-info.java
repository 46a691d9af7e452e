/**
 * Agentry resilience: retry with backoff and jitter, timeouts, deadline-aware retries, a retry
 * budget, fallback, hedging and per-agent circuit breaking for the Agentry runtime.
 *
 * <p>Exports {@code io.agentry.resilience} only; every implementation class is package-private.
 */
module io.agentry.resilience {
  requires transitive io.agentry.core;
  requires org.slf4j;
  requires static org.jspecify;

  exports io.agentry.resilience;
}
