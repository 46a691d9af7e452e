/**
 * Agentry core: the embeddable runtime that runs tasks on agents (workers).
 *
 * <p>Exports the user API ({@code io.agentry.core}), task graphs ({@code io.agentry.core.graph}), the
 * event records ({@code io.agentry.core.event}) and the service provider interfaces that other
 * modules implement ({@code io.agentry.core.spi}).
 */
module io.agentry.core {
  requires org.slf4j;
  requires com.github.benmanes.caffeine;
  requires static org.jspecify;

  exports io.agentry.core;
  exports io.agentry.core.event;
  exports io.agentry.core.graph;
  exports io.agentry.core.spi;
}
