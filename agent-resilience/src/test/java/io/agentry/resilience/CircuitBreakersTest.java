package io.agentry.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.Agent;
import io.agentry.core.AgentState;
import io.agentry.core.Subscription;
import io.agentry.core.event.AttemptEnded.Status;
import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import io.agentry.core.testing.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CircuitBreakersTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AgentView A1 = new View("a1");

  private final ManualScheduler clock = new ManualScheduler();
  private final AtomicInteger wakeUps = new AtomicInteger();
  private final List<CircuitStateChanged> events = new CopyOnWriteArrayList<>();

  /** The circuit breakers under test, bound as a runtime would bind them. */
  private CircuitBreakers bound(CircuitBreakerConfig config) {
    CircuitBreakers breakers = CircuitBreakers.of(config);
    breakers.bind(clock, wakeUps::incrementAndGet);
    breakers.onStateChange(events::add);
    return breakers;
  }

  private static CircuitBreakerConfig.Builder consecutive(int failures) {
    return CircuitBreakerConfig.builder().consecutiveFailures(failures).waitInOpen(WAIT)
        .halfOpenProbes(2);
  }

  private static void attempts(CircuitBreakers b, Status status, int times) {
    for (int i = 0; i < times; i++) {
      b.attemptStarted(A1);
      b.attemptEnded("a1", status, 1_000);
    }
  }

  /** Opens a1's circuit, then lets its wait pass. */
  private CircuitBreakers halfOpen() {
    CircuitBreakers b = bound(consecutive(3).build());
    attempts(b, Status.FAILED, 3);
    clock.advance(WAIT);
    assertThat(b.state("a1")).isEqualTo(CircuitState.HALF_OPEN);
    return b;
  }

  @Test
  void opensAfterTheConfiguredConsecutiveFailures() {
    CircuitBreakers b = bound(consecutive(3).build());

    attempts(b, Status.FAILED, 2);
    assertThat(b.admits(A1)).isTrue();
    attempts(b, Status.TIMED_OUT, 1);

    assertThat(b.state("a1")).isEqualTo(CircuitState.OPEN);
    assertThat(b.admits(A1)).isFalse();
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.from()).isEqualTo(CircuitState.CLOSED);
      assertThat(e.to()).isEqualTo(CircuitState.OPEN);
      assertThat(e.reason()).isEqualTo("3 consecutive failures");
      assertThat(e.agentId()).isEqualTo("a1");
      assertThat(e.at()).isEqualTo(clock.now());
    });
  }

  @Test
  void aSuccessResetsTheConsecutiveCount() {
    CircuitBreakers b = bound(consecutive(3).build());

    attempts(b, Status.FAILED, 2);
    attempts(b, Status.SUCCEEDED, 1);
    attempts(b, Status.FAILED, 2);

    assertThat(b.state("a1")).isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void cancelledAndLostAttemptsSayNothingAboutTheAgent() {
    CircuitBreakers b = bound(consecutive(2).build());

    attempts(b, Status.FAILED, 1);
    attempts(b, Status.CANCELLED, 5);
    attempts(b, Status.LOST, 5);

    assertThat(b.state("a1")).isEqualTo(CircuitState.CLOSED);
    attempts(b, Status.FAILED, 1);
    assertThat(b.state("a1")).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void opensOnAFailureRateOverTheLastAttemptsOnceTheWindowHoldsEnough() {
    CircuitBreakers b = bound(CircuitBreakerConfig.builder().consecutiveFailures(0)
        .failureRateThreshold(0.5).slidingWindow(SlidingWindow.ofCount(10)).minimumAttempts(6)
        .build());

    for (int i = 0; i < 2; i++) {
      attempts(b, Status.FAILED, 1);
      attempts(b, Status.SUCCEEDED, 1);
    }
    assertThat(b.state("a1")).as("50%% but only 4 attempts").isEqualTo(CircuitState.CLOSED);
    attempts(b, Status.SUCCEEDED, 1);
    attempts(b, Status.FAILED, 1);

    assertThat(b.state("a1")).isEqualTo(CircuitState.OPEN);
    assertThat(events.get(0).reason())
        .isEqualTo("failure rate 50.0% reached the threshold of 50.0% (3 of the last 6 attempts)");
  }

  @Test
  void theCountWindowForgetsOutcomesOlderThanItsSize() {
    CircuitBreakers b = bound(CircuitBreakerConfig.builder().consecutiveFailures(0)
        .failureRateThreshold(0.5).slidingWindow(SlidingWindow.ofCount(4)).minimumAttempts(4)
        .build());

    attempts(b, Status.FAILED, 1);
    attempts(b, Status.SUCCEEDED, 4); // the failure has left the window
    attempts(b, Status.FAILED, 1);

    assertThat(b.state("a1")).as("1 of the last 4").isEqualTo(CircuitState.CLOSED);
  }

  @Test
  void theTimeWindowForgetsOutcomesOlderThanItsLength() {
    CircuitBreakers b = bound(CircuitBreakerConfig.builder().consecutiveFailures(0)
        .failureRateThreshold(0.6).slidingWindow(SlidingWindow.ofTime(Duration.ofSeconds(10)))
        .minimumAttempts(3).build());

    attempts(b, Status.FAILED, 2);
    attempts(b, Status.SUCCEEDED, 2);
    clock.advance(Duration.ofSeconds(11));
    attempts(b, Status.SUCCEEDED, 1);
    attempts(b, Status.FAILED, 1);
    assertThat(b.state("a1")).as("1 failure of 2 in the window").isEqualTo(CircuitState.CLOSED);
    attempts(b, Status.FAILED, 1);

    assertThat(b.state("a1")).as("2 failures of 3").isEqualTo(CircuitState.OPEN);
  }

  @Test
  void anOpenCircuitTurnsHalfOpenAfterItsWaitOnTheClockAndWakesTheRuntime() {
    CircuitBreakers b = bound(consecutive(3).build());
    attempts(b, Status.FAILED, 3);
    int before = wakeUps.get();

    clock.advance(WAIT.minusMillis(1));
    assertThat(b.state("a1")).isEqualTo(CircuitState.OPEN);
    clock.advance(Duration.ofMillis(1));

    assertThat(b.state("a1")).isEqualTo(CircuitState.HALF_OPEN);
    assertThat(wakeUps.get()).isEqualTo(before + 1);
    assertThat(events.get(1).reason()).isEqualTo("waited PT30S in the open state");
  }

  @Test
  void aHalfOpenCircuitAdmitsOnlyItsProbes() {
    CircuitBreakers b = halfOpen();

    assertThat(b.admits(A1)).isTrue();
    b.attemptStarted(A1);
    assertThat(b.admits(A1)).isTrue();
    b.attemptStarted(A1);

    assertThat(b.admits(A1)).isFalse();
  }

  @Test
  void itClosesWhenEveryProbeSucceeds() {
    CircuitBreakers b = halfOpen();
    b.attemptStarted(A1);
    b.attemptStarted(A1);

    b.attemptEnded("a1", Status.SUCCEEDED, 1);
    assertThat(b.state("a1")).isEqualTo(CircuitState.HALF_OPEN);
    b.attemptEnded("a1", Status.SUCCEEDED, 1);

    assertThat(b.state("a1")).isEqualTo(CircuitState.CLOSED);
    assertThat(b.admits(A1)).isTrue();
    assertThat(events).extracting(CircuitStateChanged::to)
        .containsExactly(CircuitState.OPEN, CircuitState.HALF_OPEN, CircuitState.CLOSED);
  }

  @Test
  void itReopensWhenAProbeFailsAndWaitsAgain() {
    CircuitBreakers b = halfOpen();
    b.attemptStarted(A1);

    b.attemptEnded("a1", Status.FAILED, 1);

    assertThat(b.state("a1")).isEqualTo(CircuitState.OPEN);
    assertThat(events.get(2).reason()).isEqualTo("a probe failed in the half-open state");
    clock.advance(WAIT);
    assertThat(b.state("a1")).isEqualTo(CircuitState.HALF_OPEN);
  }

  @Test
  void aCancelledProbeGivesItsPlaceBack() {
    CircuitBreakers b = halfOpen();
    b.attemptStarted(A1);
    b.attemptStarted(A1);
    assertThat(b.admits(A1)).isFalse();
    int before = wakeUps.get();

    b.attemptEnded("a1", Status.CANCELLED, 1);

    assertThat(b.admits(A1)).isTrue();
    assertThat(wakeUps.get()).isEqualTo(before + 1);
    assertThat(b.state("a1")).isEqualTo(CircuitState.HALF_OPEN);
  }

  @Test
  void anAttemptThatStartedBeforeTheCircuitOpenedIsNoProbe() {
    CircuitBreakers b = halfOpen();

    b.attemptEnded("a1", Status.FAILED, 1); // no probe started: an old attempt

    assertThat(b.state("a1")).isEqualTo(CircuitState.HALF_OPEN);
  }

  @Test
  void statesReadsEveryCircuitAndUnknownAgentsAreClosed() {
    CircuitBreakers b = bound(consecutive(1).build());
    b.attemptEnded("b", Status.SUCCEEDED, 1);
    b.attemptEnded("a", Status.FAILED, 1);

    assertThat(b.states()).containsExactly(
        java.util.Map.entry("a", CircuitState.OPEN), java.util.Map.entry("b", CircuitState.CLOSED));
    assertThat(b.state("never-seen")).isEqualTo(CircuitState.CLOSED);
    assertThat(b.admits(new View("never-seen"))).isTrue();
  }

  @Test
  void closingTheSubscriptionStopsTheEvents() {
    CircuitBreakers b = CircuitBreakers.of(consecutive(1).build());
    b.bind(clock, () -> {});
    List<CircuitStateChanged> seen = new CopyOnWriteArrayList<>();
    Subscription s = b.onStateChange(seen::add);
    b.attemptEnded("a1", Status.FAILED, 1);

    s.close();
    clock.advance(WAIT);

    assertThat(seen).hasSize(1);
  }

  @Test
  void aThrowingListenerIsCountedAndTheOthersStillHear() {
    CircuitBreakers b = CircuitBreakers.of(consecutive(1).build());
    b.bind(clock, () -> {});
    b.onStateChange(e -> {
      throw new IllegalStateException("listener bug");
    });
    List<CircuitStateChanged> seen = new CopyOnWriteArrayList<>();
    b.onStateChange(seen::add);

    b.attemptEnded("a1", Status.FAILED, 1);

    assertThat(seen).hasSize(1);
    assertThat(b.listenerFailures()).isEqualTo(1);
    assertThat(b.state("a1")).isEqualTo(CircuitState.OPEN);
  }

  @Test
  void resetClosesAnOpenCircuitAndForgetDropsIt() {
    CircuitBreakers b = bound(consecutive(1).build());
    b.attemptEnded("a1", Status.FAILED, 1);

    b.reset("a1");
    assertThat(b.state("a1")).isEqualTo(CircuitState.CLOSED);
    assertThat(events.get(1).reason()).isEqualTo("reset by an operator");
    b.attemptEnded("a1", Status.FAILED, 1);
    b.forget("a1");

    assertThat(b.states()).isEmpty();
    assertThat(clock.pending()).isZero();
  }

  @Test
  void bindingToASecondRuntimeIsRefused() {
    CircuitBreakers b = bound(CircuitBreakerConfig.ofDefaults());

    assertThatThrownBy(() -> b.bind(clock, () -> {})).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("one CircuitBreakers per runtime");
  }

  @Test
  void configNeedsATriggerAndNamesBadValues() {
    CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder().consecutiveFailures(0);

    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a trigger");
    assertThatThrownBy(() -> b.failureRateThreshold(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("failureRateThreshold");
    assertThatThrownBy(() -> b.waitInOpen(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("waitInOpen");
    assertThatThrownBy(() -> b.halfOpenProbes(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("halfOpenProbes");
    assertThatThrownBy(() -> SlidingWindow.ofCount(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("window size");
  }

  /** An agent as the runtime shows it to guards. */
  record View(String id) implements AgentView {
    @Override
    public Agent agent() {
      return Agent.local(id);
    }

    @Override
    public AgentState state() {
      return AgentState.UP;
    }

    @Override
    public int inFlight() {
      return 0;
    }

    @Override
    public boolean hasRoomFor(QueuedTask task) {
      return true;
    }
  }
}
