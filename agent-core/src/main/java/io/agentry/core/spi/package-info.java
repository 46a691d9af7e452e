/**
 * Service provider interfaces: the seams through which modules and integrators change how the runtime
 * queues ({@link io.agentry.core.spi.TaskQueue}), places ({@link io.agentry.core.spi.AgentSelector}),
 * retries ({@link io.agentry.core.spi.ExecutionPolicy}), observes
 * ({@link io.agentry.core.spi.RuntimeListener}), propagates context
 * ({@link io.agentry.core.spi.ContextPropagator}), runs attempts
 * ({@link io.agentry.core.spi.AgentBackend}) and keeps time ({@link io.agentry.core.spi.Scheduler}).
 *
 * <p>Queues and selectors are called by the runtime under its dispatch lock, one call at a time, so
 * they need no synchronization of their own; in return they must never block.
 */
@NullMarked
package io.agentry.core.spi;

import org.jspecify.annotations.NullMarked;
