/**
 * Runtime events: immutable records of the sealed {@link io.agentry.core.event.RuntimeEvent}
 * hierarchy, delivered to {@link io.agentry.core.spi.RuntimeListener}s.
 *
 * <pre>{@code
 * runtime.subscribe(event -> {
 *     if (event instanceof TaskCompleted done) {
 *         log.info("{} ended {}", done.taskId(), done.state());
 *     }
 * });
 * }</pre>
 */
@NullMarked
package io.agentry.core.event;

import org.jspecify.annotations.NullMarked;
