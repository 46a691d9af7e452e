package io.agentry.core;

import io.agentry.core.spi.ContextPropagator;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/** Carries the submitter's SLF4J MDC into every attempt. */
final class MdcPropagator implements ContextPropagator<Map<String, String>> {
  static final MdcPropagator INSTANCE = new MdcPropagator();

  @Override
  public @Nullable Map<String, String> capture() {
    Map<String, String> map = MDC.getCopyOfContextMap();
    return map == null || map.isEmpty() ? null : map;
  }

  @Override
  public Scope restore(Map<String, String> captured) {
    Map<String, String> previous = MDC.getCopyOfContextMap();
    MDC.setContextMap(captured);
    return () -> {
      if (previous == null) {
        MDC.clear();
      } else {
        MDC.setContextMap(previous);
      }
    };
  }
}
