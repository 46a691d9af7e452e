package io.agentry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentry.core.AgentLostException;
import io.agentry.core.NoEligibleAgentException;
import io.agentry.core.TaskState;
import io.agentry.core.TaskTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TaskCauseTest {

  static Stream<Arguments> failures() {
    Duration s = Duration.ofSeconds(1);
    return Stream.of(
        Arguments.of(null, TaskCause.NONE, "none"),
        Arguments.of(new IllegalStateException("x"), TaskCause.EXCEPTION, "exception"),
        Arguments.of(new TimeoutException("the work's own"), TaskCause.EXCEPTION, "exception"),
        Arguments.of(new OutOfMemoryError(), TaskCause.ERROR, "error"),
        Arguments.of(new TaskTimeoutException("attemptTimeout", s), TaskCause.ATTEMPT_TIMEOUT,
            "attempt_timeout"),
        Arguments.of(new TaskTimeoutException("heartbeatTimeout", s), TaskCause.HEARTBEAT_TIMEOUT,
            "heartbeat_timeout"),
        Arguments.of(new TaskTimeoutException("queueTimeout", s), TaskCause.QUEUE_TIMEOUT,
            "queue_timeout"),
        Arguments.of(new TaskTimeoutException("deadline", s), TaskCause.DEADLINE, "deadline"),
        Arguments.of(new TaskTimeoutException("somethingNew", s), TaskCause.TIMEOUT, "timeout"),
        Arguments.of(new NoEligibleAgentException("none"), TaskCause.NO_ELIGIBLE_AGENT,
            "no_eligible_agent"),
        Arguments.of(new AgentLostException("gone"), TaskCause.AGENT_LOST, "agent_lost"),
        Arguments.of(new CancellationException(), TaskCause.CANCELLED, "cancelled"));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void classifiesAFailureIntoABoundedTagValue(Throwable failure, TaskCause cause, String tag) {
    assertThat(TaskCause.of(failure)).isEqualTo(cause);
    assertThat(cause.tagValue()).isEqualTo(tag);
  }

  @ParameterizedTest
  @MethodSource("failures")
  void aSuccessHasNoCauseAndACancellationIsCancelled(Throwable failure) {
    assertThat(TaskCause.of(TaskState.SUCCEEDED, failure)).isEqualTo(TaskCause.NONE);
    assertThat(TaskCause.of(TaskState.CANCELLED, failure)).isEqualTo(TaskCause.CANCELLED);
  }
}
