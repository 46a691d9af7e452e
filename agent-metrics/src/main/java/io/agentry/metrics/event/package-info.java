/**
 * Health events: immutable records of the sealed {@link io.agentry.metrics.event.HealthEvent}
 * hierarchy, delivered to the listeners of a {@link io.agentry.metrics.HealthMonitor}.
 *
 * <pre>{@code
 * monitor.subscribe(event -> {
 *     switch (event) {
 *         case AgentUnhealthy u -> alerts.page(u.agentId() + ": " + u.message());
 *         case AgentHealthy h -> alerts.resolve(h.agentId());
 *     }
 * });
 * }</pre>
 */
@NullMarked
package io.agentry.metrics.event;

import org.jspecify.annotations.NullMarked;
