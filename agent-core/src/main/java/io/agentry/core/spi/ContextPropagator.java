package io.agentry.core.spi;

import org.jspecify.annotations.Nullable;

/**
 * Carries thread-bound context (logging MDC, tracing spans, security) from the submitting thread into
 * every attempt of the task, retries and failovers included. SLF4J's MDC is built in; register others
 * on the runtime builder.
 *
 * @param <C> the captured context
 */
public interface ContextPropagator<C> {

  /**
   * Captures the current thread's context at submission.
   *
   * @return the context, or {@code null} when there is nothing to carry
   */
  @Nullable C capture();

  /**
   * Installs a captured context on the current thread before an attempt runs.
   *
   * @param captured what {@link #capture()} returned
   * @return what puts the thread back as it was, closed after the attempt
   */
  Scope restore(C captured);

  /** Undoes one {@link #restore}. */
  @FunctionalInterface
  interface Scope extends AutoCloseable {
    /** Puts the thread's context back as it was before the restore. */
    @Override
    void close();
  }
}
