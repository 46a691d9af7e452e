/**
 * Placement strategies and queue disciplines for the Agentry runtime: which agent runs a task
 * ({@link io.agentry.scheduler.Selectors}) and in what order waiting tasks start
 * ({@link io.agentry.scheduler.Queues}). Each one is a single builder call:
 *
 * {@snippet file="io/agentry/scheduler/SchedulingSnippetsTest.java" region="quick-start"}
 *
 * <p>Every selector and queue made here belongs to one runtime: the runtime binds it to its clock when
 * it is built, and binding it to a second runtime throws {@link java.lang.IllegalStateException}.
 * The runtime calls them under its dispatch lock, one call at a time, so they hold no locks of their
 * own; the only exception is {@link io.agentry.core.spi.AgentSelector#attemptEnded}, which the
 * runtime calls from any thread and which the latency-aware selector handles with atomics.
 *
 * <p>Which selector and which discipline to pick, with measurements, is in {@code docs/scheduling.md}.
 */
@NullMarked
package io.agentry.scheduler;

import org.jspecify.annotations.NullMarked;
