/**
 * Agentry scheduler: agent selectors ({@link io.agentry.scheduler.Selectors}) and queue disciplines
 * ({@link io.agentry.scheduler.Queues}) for the Agentry runtime.
 *
 * <p>Exports {@code io.agentry.scheduler} only; every implementation class is package-private.
 */
module io.agentry.scheduler {
  requires transitive io.agentry.core;
  requires org.slf4j;
  requires static org.jspecify;

  exports io.agentry.scheduler;
}
