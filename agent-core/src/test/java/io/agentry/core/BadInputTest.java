package io.agentry.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BadInputTest {

  @Test
  void blankOrNullNamesAreRejectedNamingTheField() {
    assertThatThrownBy(() -> Task.of(" ", ctx -> 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
    assertThatThrownBy(() -> Task.of(null, ctx -> 1))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("name");
    assertThatThrownBy(() -> Task.of("t", null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("work");
    assertThatThrownBy(() -> Agent.local(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agent id");
    assertThatThrownBy(() -> AgentRuntime.builder().name(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
    assertThatThrownBy(() -> Task.builder("t", ctx -> 1).requires("gpu", " "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tag");
  }

  @Test
  void capacityBelowOneIsRejectedWithTheValue() {
    assertThatThrownBy(() -> Agent.local("a1").capacity(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity").hasMessageContaining("'a1'").hasMessageContaining("0");
    assertThatThrownBy(() -> Agent.local("a1").weight(-2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight");
    assertThatThrownBy(() -> AgentRuntime.builder().queueCapacity(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queueCapacity");
  }

  @Test
  void duplicateAgentIdsAreRejectedAtOnce() {
    assertThatThrownBy(() -> AgentRuntime.builder().agent(Agent.local("a1")).agent(Agent.local("a1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a1'");
  }

  @Test
  void negativeOrZeroDurationsAreRejectedNamingTheTimeout() {
    assertThatThrownBy(() -> Task.builder("t", ctx -> 1).attemptTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("attemptTimeout").hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> Task.builder("t", ctx -> 1).deadline(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deadline");
    assertThatThrownBy(() -> Task.builder("t", ctx -> 1).queueTimeout(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queueTimeout");
    assertThatThrownBy(() -> Task.builder("t", ctx -> 1).heartbeatTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeatTimeout");
    assertThatThrownBy(() -> AgentRuntime.builder().shutdownGrace(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shutdownGrace");
    assertThatThrownBy(() -> AgentRuntime.builder().affinityWait(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("affinityWait");
  }

  @Test
  void badResourceAmountsAreRejected() {
    assertThatThrownBy(() -> Task.builder("t", ctx -> 1).resource("memoryGb", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memoryGb");
    assertThatThrownBy(() -> Agent.local("a1").resource("memoryGb", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memoryGb");
  }

  @Test
  void aNullTaskIsRejectedAtSubmit() {
    try (var runtime = AgentRuntime.builder().build()) {
      assertThatThrownBy(() -> runtime.submit(null))
          .isInstanceOf(NullPointerException.class).hasMessageContaining("task");
      assertThatThrownBy(() -> runtime.trySubmit(Task.of("t", ctx -> 1), Duration.ofSeconds(-1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    }
  }
}
