/**
 * Resilience for the Agentry runtime: retry with backoff and jitter, timeouts, deadline-aware retries,
 * a retry budget, fallback and hedging ({@link io.agentry.resilience.ResiliencePolicy}), and per-agent
 * circuit breaking ({@link io.agentry.resilience.CircuitBreakers}).
 *
 * {@snippet file="io/agentry/resilience/examples/ResilienceExamplesTest.java" region="quick-start"}
 *
 * <p>The runtime enforces every timeout itself and asks the policy after each attempt; the policy
 * only decides. The one order in which the parts apply (timeouts, retry decision, deadline, budget,
 * circuit, hedging, fallback) is on {@link io.agentry.resilience.ResiliencePolicy}; which knob answers
 * which failure is in {@code docs/resilience.md}.
 */
@NullMarked
package io.agentry.resilience;

import org.jspecify.annotations.NullMarked;
