package io.agentry.resilience;

import static io.agentry.resilience.Reports.failed;
import static io.agentry.resilience.Reports.succeeded;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.AgentLostException;
import io.agentry.core.Task;
import io.agentry.core.TaskTimeoutException;
import io.agentry.core.TaskTimeouts;
import io.agentry.core.spi.Decision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResiliencePolicyTest {
  private static final Duration MS100 = Duration.ofMillis(100);
  private static final RuntimeException BOOM = new IllegalStateException("boom");

  private static ResiliencePolicy.Builder noWait() {
    return ResiliencePolicy.builder().backoff(Backoff.none());
  }

  @Test
  void aSuccessCompletesTheTask() {
    assertThat(ResiliencePolicy.ofDefaults().afterAttempt(succeeded(1, "ok")))
        .isEqualTo(Decision.complete());
  }

  @Test
  void retriesUntilMaxAttemptsThenCompletesWithTheLastFailureUnchanged() {
    ResiliencePolicy policy = noWait().maxAttempts(3).build();

    assertThat(policy.afterAttempt(failed(1, BOOM))).isEqualTo(Decision.retry(Duration.ZERO));
    assertThat(policy.afterAttempt(failed(2, BOOM))).isEqualTo(Decision.retry(Duration.ZERO));
    assertThat(policy.afterAttempt(failed(3, BOOM))).isEqualTo(Decision.complete());
  }

  @Test
  void retryDelaysAreWhatTheBackoffSays() {
    ResiliencePolicy policy = ResiliencePolicy.builder().maxAttempts(5)
        .backoff(Backoff.exponential(MS100, Duration.ofMillis(300))).build();

    List<Decision> decisions = new ArrayList<>();
    for (int attempt = 1; attempt <= 4; attempt++) {
      decisions.add(policy.afterAttempt(failed(attempt, BOOM)));
    }

    assertThat(decisions).containsExactly(Decision.retry(Duration.ofMillis(100)),
        Decision.retry(Duration.ofMillis(200)), Decision.retry(Duration.ofMillis(300)),
        Decision.retry(Duration.ofMillis(300)));
  }

  @Test
  void decorrelatedJitterReplaysTheTasksOwnDrawsWhateverOtherTasksDid() {
    ResiliencePolicy policy = ResiliencePolicy.builder().maxAttempts(6)
        .backoff(Backoff.decorrelatedJitter(MS100, Duration.ofSeconds(30)))
        .random(RandomSource.seeded(1)).build();
    Duration third = policy.delayBefore("task-a", 3);

    for (int i = 0; i < 50; i++) {
      policy.delayBefore("task-" + i, 1 + i % 5); // other tasks' decisions in between
    }

    assertThat(policy.delayBefore("task-a", 3)).isEqualTo(third);
    Duration previous = Duration.ZERO;
    for (int retry = 1; retry <= 5; retry++) {
      Duration d = policy.delayBefore("task-a", retry);
      long high = 3 * Math.max(previous.toNanos(), MS100.toNanos());
      assertThat(d.toNanos()).as("retry %d", retry).isBetween(MS100.toNanos(), high);
      previous = d;
    }
  }

  @Test
  void aSeededRandomSourceMakesJitterReproducibleAndTasksDrawApart() {
    Backoff jitter = Backoff.fullJitter(Duration.ofSeconds(1), Duration.ofSeconds(1));
    ResiliencePolicy one = ResiliencePolicy.builder().backoff(jitter)
        .random(RandomSource.seeded(99)).build();
    ResiliencePolicy two = ResiliencePolicy.builder().backoff(jitter)
        .random(RandomSource.seeded(99)).build();

    assertThat(one.delayBefore("x", 2)).isEqualTo(two.delayBefore("x", 2));
    assertThat(one.delayBefore("x", 1)).isNotEqualTo(one.delayBefore("y", 1));
  }

  @Test
  void errorsAreNotRetriedByDefault() {
    Decision d = noWait().build().afterAttempt(failed(1, new AssertionError("bug")));

    assertThat(d).isEqualTo(Decision.complete());
  }

  @Test
  void anErrorIsRetriedWhenRetryOnNamesItsType() {
    ResiliencePolicy policy = noWait().retryOn(StackOverflowError.class).build();

    assertThat(policy.afterAttempt(failed(1, new StackOverflowError())))
        .isEqualTo(Decision.retry(Duration.ZERO));
    assertThat(policy.afterAttempt(failed(1, new OutOfMemoryError())))
        .isEqualTo(Decision.complete());
  }

  @Test
  void retryOnThrowableStillLeavesErrorsAlone() {
    ResiliencePolicy policy = noWait().retryOn(Throwable.class).retryIf(t -> true).build();

    assertThat(policy.afterAttempt(failed(1, new OutOfMemoryError())))
        .isEqualTo(Decision.complete());
  }

  @Test
  void retryOnNarrowsTheRetriedFailuresToItsTypes() {
    ResiliencePolicy policy = noWait().retryOn(IOException.class, TimeoutException.class).build();

    assertThat(policy.afterAttempt(failed(1, new IOException("net"))))
        .isEqualTo(Decision.retry(Duration.ZERO));
    assertThat(policy.afterAttempt(failed(1, new TaskTimeoutException("attemptTimeout", MS100))))
        .isEqualTo(Decision.retry(Duration.ZERO));
    assertThat(policy.afterAttempt(failed(1, BOOM))).isEqualTo(Decision.complete());
  }

  @Test
  void retryIfAddsFailuresItAccepts() {
    ResiliencePolicy policy = noWait().retryOn(IOException.class)
        .retryIf(t -> t.getMessage() != null && t.getMessage().contains("transient")).build();

    assertThat(policy.afterAttempt(failed(1, new IllegalStateException("transient glitch"))))
        .isEqualTo(Decision.retry(Duration.ZERO));
    assertThat(policy.afterAttempt(failed(1, new IllegalStateException("bad input"))))
        .isEqualTo(Decision.complete());
  }

  @Test
  void abortOnAndAbortIfWinOverRetryOn() {
    ResiliencePolicy policy = noWait().retryOn(RuntimeException.class)
        .abortOn(IllegalArgumentException.class)
        .abortIf(t -> t instanceof UncheckedIOException).build();

    assertThat(policy.afterAttempt(failed(1, new IllegalArgumentException("bad"))))
        .isEqualTo(Decision.complete());
    assertThat(policy.afterAttempt(failed(1, new UncheckedIOException(new IOException()))))
        .isEqualTo(Decision.complete());
    assertThat(policy.afterAttempt(failed(1, BOOM))).isEqualTo(Decision.retry(Duration.ZERO));
  }

  @Test
  void aRejectedResultIsRetried() {
    ResiliencePolicy policy = noWait().retryIfResult(r -> "not yet".equals(r)).build();

    assertThat(policy.afterAttempt(succeeded(1, "not yet"))).isEqualTo(Decision.retry(Duration.ZERO));
    assertThat(policy.afterAttempt(succeeded(2, "ready"))).isEqualTo(Decision.complete());
  }

  @Test
  void aRejectedResultWhenAttemptsRunOutFailsWithRetriesExhaustedHoldingIt() {
    ResiliencePolicy policy = noWait().maxAttempts(2).retryIfResult(r -> r == null).build();

    Decision d = policy.afterAttempt(succeeded(2, null));

    assertThat(d).isInstanceOfSatisfying(Decision.Fail.class, f -> {
      assertThat(f.cause()).isInstanceOfSatisfying(RetriesExhaustedException.class, e -> {
        assertThat(e.attempts()).isEqualTo(2);
        assertThat(e.isResultRejected()).isTrue();
        assertThat(e.lastResult()).isNull();
        assertThat(e.lastFailure()).isEmpty();
        assertThat(e).hasMessageContaining("retries exhausted after 2 attempt(s)");
      });
    });
  }

  @Test
  void aLostAgentFailsOverAtOnceEvenPastMaxAttempts() {
    ResiliencePolicy policy = ResiliencePolicy.builder().maxAttempts(1)
        .backoff(Backoff.fixed(Duration.ofSeconds(5))).build();
    AgentLostException lost = new AgentLostException("agent 'a1' was removed");

    assertThat(policy.afterAttempt(failed(1, lost))).isEqualTo(Decision.retry(Duration.ZERO));
    assertThat(policy.afterAttempt(failed(2, lost))).isEqualTo(Decision.retry(Duration.ZERO));
    assertThat(policy.afterAttempt(failed(3, lost))).isEqualTo(Decision.complete());
  }

  @Test
  void abortOnStopsEvenTheFailoverOfALostAgent() {
    ResiliencePolicy policy = noWait().abortOn(AgentLostException.class).build();

    assertThat(policy.afterAttempt(failed(1, new AgentLostException("gone"))))
        .isEqualTo(Decision.complete());
  }

  @Test
  void aRetryWhoseWaitEndsAtTheDeadlineIsNotScheduled() {
    ResiliencePolicy policy = ResiliencePolicy.builder()
        .backoff(Backoff.fixed(Duration.ofSeconds(2))).deadline(Duration.ofSeconds(10)).build();

    Decision early = policy.afterAttempt(failed(Reports.TASK, "t", 1, BOOM, Duration.ofSeconds(7)));
    Decision late = policy.afterAttempt(failed(Reports.TASK, "t", 1, BOOM, Duration.ofSeconds(8)));

    assertThat(early).isEqualTo(Decision.retry(Duration.ofSeconds(2)));
    assertThat(late).isInstanceOfSatisfying(Decision.Fail.class, f ->
        assertThat(f.cause()).isInstanceOfSatisfying(RetryPastDeadlineException.class, e -> {
          assertThat(e.deadline()).isEqualTo(Duration.ofSeconds(10));
          assertThat(e.getCause()).isSameAs(BOOM);
          assertThat(e).hasMessageContaining("deadline of PT10S");
        }));
  }

  @Test
  void theTasksOwnDeadlineWinsOverThePolicys() {
    ResiliencePolicy policy = ResiliencePolicy.builder()
        .backoff(Backoff.fixed(Duration.ofSeconds(2))).deadline(Duration.ofSeconds(100)).build();
    Task<Object> tight = Task.builder("tight", ctx -> null).deadline(Duration.ofSeconds(3)).build();

    Decision d = policy.afterAttempt(failed(tight, "t", 1, BOOM, Duration.ofSeconds(1)));

    assertThat(d).isInstanceOfSatisfying(Decision.Fail.class,
        f -> assertThat(f.cause()).isInstanceOf(RetryPastDeadlineException.class));
  }

  @Test
  void aFallbackValueReplacesTheFinalFailure() {
    ResiliencePolicy policy = noWait().maxAttempts(2).fallbackValue("cached").build();

    assertThat(policy.afterAttempt(failed(1, BOOM))).isEqualTo(Decision.retry(Duration.ZERO));
    assertThat(policy.afterAttempt(failed(2, BOOM))).isEqualTo(Decision.succeed("cached"));
  }

  @Test
  void aFallbackFunctionSeesTheFailureTheTaskWouldHaveFailedWith() {
    ResiliencePolicy policy = noWait().maxAttempts(1).retryIfResult(r -> r == null)
        .fallback(t -> "fallback for " + t.getClass().getSimpleName()).build();

    assertThat(policy.afterAttempt(failed(1, BOOM)))
        .isEqualTo(Decision.succeed("fallback for IllegalStateException"));
    assertThat(policy.afterAttempt(succeeded(1, null)))
        .isEqualTo(Decision.succeed("fallback for RetriesExhaustedException"));
  }

  @Test
  void noFallbackForAnError() {
    ResiliencePolicy policy = noWait().fallbackValue("x").build();

    assertThat(policy.afterAttempt(failed(1, new OutOfMemoryError()))).isEqualTo(Decision.complete());
  }

  @Test
  void aThrowingFallbackFailsTheTaskWithWhatItThrew() {
    IllegalStateException broken = new IllegalStateException("fallback broke");
    ResiliencePolicy policy = noWait().maxAttempts(1).fallback(t -> {
      throw broken;
    }).build();

    Decision d = policy.afterAttempt(failed(1, BOOM));

    assertThat(d).isEqualTo(Decision.fail(broken));
    assertThat(broken.getSuppressed()).containsExactly(BOOM);
  }

  @Test
  void suppliesItsTimeoutsToTasksThatDoNotSetTheirOwn() {
    ResiliencePolicy policy = ResiliencePolicy.builder()
        .queueTimeout(Duration.ofSeconds(1)).attemptTimeout(Duration.ofSeconds(2))
        .heartbeatTimeout(Duration.ofMillis(500)).deadline(Duration.ofSeconds(10)).build();

    TaskTimeouts t = policy.timeouts(Reports.TASK);

    assertThat(t.queueTimeout()).contains(Duration.ofSeconds(1));
    assertThat(t.attemptTimeout()).contains(Duration.ofSeconds(2));
    assertThat(t.heartbeatTimeout()).contains(Duration.ofMillis(500));
    assertThat(t.deadline()).contains(Duration.ofSeconds(10));
  }

  @Test
  void defaultsAreThreeAttemptsWithFullJitterAndNothingElse() {
    ResiliencePolicy d = ResiliencePolicy.ofDefaults();

    assertThat(d.maxAttempts()).isEqualTo(3);
    assertThat(d.backoff()).isEqualTo(ResiliencePolicy.DEFAULT_BACKOFF);
    assertThat(d.taskTimeouts()).isEqualTo(TaskTimeouts.none());
    assertThat(d.budget()).isEmpty();
    assertThat(d.hedging()).isEmpty();
  }

  @Test
  void toBuilderDerivesAVariantAndLeavesTheOriginal() {
    ResiliencePolicy base = noWait().maxAttempts(4).attemptTimeout(Duration.ofSeconds(1)).build();

    ResiliencePolicy variant = base.toBuilder().maxAttempts(2).build();

    assertThat(variant.maxAttempts()).isEqualTo(2);
    assertThat(variant.taskTimeouts()).isEqualTo(base.taskTimeouts());
    assertThat(base.maxAttempts()).isEqualTo(4);
  }

  @Test
  void buildCanBeCalledAgain() {
    ResiliencePolicy.Builder b = noWait().maxAttempts(2);

    assertThat(b.build().maxAttempts()).isEqualTo(b.build().maxAttempts());
  }

  @ParameterizedTest
  @ValueSource(strings = {"maxAttempts", "queueTimeout", "attemptTimeout", "deadline",
      "heartbeatTimeout", "retryOn"})
  void settersRejectBadValuesNamingTheField(String field) {
    ResiliencePolicy.Builder b = ResiliencePolicy.builder();
    Executable call = switch (field) {
      case "maxAttempts" -> () -> b.maxAttempts(0);
      case "queueTimeout" -> () -> b.queueTimeout(Duration.ZERO);
      case "attemptTimeout" -> () -> b.attemptTimeout(Duration.ofSeconds(-1));
      case "deadline" -> () -> b.deadline(Duration.ZERO);
      case "heartbeatTimeout" -> () -> b.heartbeatTimeout(Duration.ofMillis(-5));
      default -> () -> b.retryOn();
    };

    assertThatThrownBy(call::execute).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(field);
  }

  @Test
  void buildRejectsAnAttemptTimeoutLongerThanTheDeadline() {
    ResiliencePolicy.Builder b = ResiliencePolicy.builder()
        .attemptTimeout(Duration.ofSeconds(20)).deadline(Duration.ofSeconds(10));

    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("attemptTimeout (PT20S) is longer than the deadline (PT10S)");
  }

  @Test
  void aBackoffThatReturnsANegativeWaitIsReported() {
    ResiliencePolicy policy = ResiliencePolicy.builder()
        .backoff((retry, previous, random) -> Duration.ofMillis(-1)).build();

    assertThatThrownBy(() -> policy.delayBefore("t", 1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("returned PT-0.001S for retry 1");
  }
}
