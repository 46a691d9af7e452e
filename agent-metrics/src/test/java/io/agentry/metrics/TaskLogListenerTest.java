package io.agentry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.Task;
import io.agentry.core.TaskHandle;
import io.agentry.core.testing.ManualScheduler;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

class TaskLogListenerTest {
  private final Logger logger = (Logger) LoggerFactory.getLogger(TaskLogListener.DEFAULT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private AgentRuntime runtime;

  @BeforeEach
  void setUp() {
    lines.start();
    logger.addAppender(lines);
    logger.setLevel(Level.DEBUG);
    logger.setAdditive(false); // the lines go to the list only, not to the console
    runtime = AgentRuntime.builder().name("rt").scheduler(new ManualScheduler())
        .listener(TaskLogListener.ofDefaults()).agent(Agent.local("a1")).build();
  }

  @AfterEach
  void tearDown() {
    runtime.close();
    logger.detachAppender(lines);
    logger.setLevel(null);
    logger.setAdditive(true);
  }

  @Test
  void logsASucceededTaskAtDebugWithKeyValues() {
    TaskHandle<String> h = runtime.submit(Task.of("greet", ctx -> "hi"));
    h.join();
    String id = h.id();

    ILoggingEvent line = lines.list.getFirst();
    assertThat(line.getLevel()).isEqualTo(Level.DEBUG);
    assertThat(keyValues(line)).containsExactly(
        Map.entry("task", id), Map.entry("name", "greet"), Map.entry("agent", "a1"),
        Map.entry("outcome", "succeeded"), Map.entry("attempts", 1),
        Map.entry("wait", Duration.ZERO), Map.entry("duration", Duration.ZERO));
    assertThat(line.getFormattedMessage())
        .isEqualTo("task " + id + " (greet) succeeded after 1 attempt(s) on a1: wait PT0S, duration PT0S");
  }

  @Test
  void logsAFailedTaskAtWarnWithItsCause() throws Exception {
    TaskHandle<Object> h = runtime.submit(Task.of("boom", ctx -> {
      throw new IllegalStateException("broken");
    }));
    h.await();
    String id = h.id();

    ILoggingEvent line = lines.list.getFirst();
    assertThat(line.getLevel()).isEqualTo(Level.WARN);
    assertThat(keyValues(line)).containsEntry("task", id).containsEntry("outcome", "failed")
        .containsEntry("cause", "exception")
        .containsEntry("error", "java.lang.IllegalStateException: broken");
    assertThat(line.getFormattedMessage()).contains("failed").contains("broken");
    assertThat(line.getThrowableProxy()).isNull();
  }

  @Test
  void writesOneLinePerTaskAndNothingForOtherEvents() {
    for (int i = 0; i < 3; i++) {
      runtime.submit(Task.of("t", ctx -> 1)).join();
    }

    assertThat(lines.list).hasSize(3);
  }

  @Test
  void writesNothingBelowItsLevel() {
    logger.setLevel(Level.INFO);

    runtime.submit(Task.of("t", ctx -> 1)).join();

    assertThat(lines.list).isEmpty();
  }

  private static Map<String, Object> keyValues(ILoggingEvent line) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (KeyValuePair kv : line.getKeyValuePairs()) {
      map.put(kv.key, kv.value);
    }
    return map;
  }
}
