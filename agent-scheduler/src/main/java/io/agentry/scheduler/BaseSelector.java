package io.agentry.scheduler;

import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.Scheduler;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What every selector of this module shares: it is bound once to one runtime's clock. Until it is
 * bound (direct use in tests and benchmarks) time comes from {@link System#nanoTime()}.
 */
abstract class BaseSelector implements AgentSelector {
  /** Volatile: bound at build on the building thread, read later under the lock and in attemptEnded. */
  private volatile @Nullable Scheduler clock;

  @Override
  public final void bind(Scheduler clock) {
    Objects.requireNonNull(clock, "clock");
    if (this.clock != null) {
      throw new IllegalStateException(this + " is already bound to a runtime; a selector belongs to"
          + " one runtime, so make a new one with Selectors for each runtime");
    }
    this.clock = clock;
    bound(clock);
  }

  /** Called once by {@link #bind}, for selectors that delegate to others. */
  void bound(Scheduler clock) {}

  final long nanoTime() {
    Scheduler c = clock;
    return c == null ? System.nanoTime() : c.nanoTime();
  }
}
