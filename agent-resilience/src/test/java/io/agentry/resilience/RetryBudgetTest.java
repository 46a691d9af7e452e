package io.agentry.resilience;

import static io.agentry.resilience.Reports.failed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentry.core.spi.Decision;
import io.agentry.core.testing.ManualScheduler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
  private final ManualScheduler clock = new ManualScheduler();

  private RetryBudget budget(double ratio, double minPerSecond, Duration window) {
    return RetryBudget.of(RetryBudgetConfig.builder().ratio(ratio).minPerSecond(minPerSecond)
        .window(window).build(), clock);
  }

  private static int grants(RetryBudget budget, int asks) {
    int granted = 0;
    for (int i = 0; i < asks; i++) {
      if (budget.tryAcquire()) {
        granted++;
      }
    }
    return granted;
  }

  @Test
  void withoutAttemptsOnlyTheFloorIsGranted() {
    RetryBudget b = budget(0.2, 1, Duration.ofSeconds(10));

    assertThat(grants(b, 15)).isEqualTo(10);
    assertThat(b.hasRoom()).isFalse();
  }

  @Test
  void grantsTheRatioOfRecentAttempts() {
    RetryBudget b = budget(0.5, 0, Duration.ofSeconds(10));
    for (int i = 0; i < 10; i++) {
      b.recordAttempt();
    }

    assertThat(grants(b, 8)).isEqualTo(5);
  }

  @Test
  void attemptsAndRetriesOutsideTheWindowNoLongerCount() {
    RetryBudget b = budget(0.5, 0, Duration.ofSeconds(10));
    for (int i = 0; i < 10; i++) {
      b.recordAttempt();
    }
    assertThat(grants(b, 5)).isEqualTo(5);

    clock.advance(Duration.ofSeconds(11));

    assertThat(b.tryAcquire()).isFalse();
    b.recordAttempt();
    b.recordAttempt();
    assertThat(b.tryAcquire()).isTrue();
  }

  @Test
  void theWindowSlidesInTenthsOfItsLength() {
    RetryBudget b = budget(1, 0, Duration.ofSeconds(10));
    b.recordAttempt();
    clock.advance(Duration.ofSeconds(5));
    b.recordAttempt();

    clock.advance(Duration.ofMillis(5_500)); // the first attempt's tenth has left the window

    assertThat(b.snapshot().attemptsInWindow()).isEqualTo(1);
    assertThat(grants(b, 3)).isEqualTo(1);
  }

  @Test
  void theSnapshotCountsGrantsAndRefusals() {
    RetryBudget b = budget(0, 0.5, Duration.ofSeconds(4));
    b.recordAttempt();

    grants(b, 3);

    RetryBudget.Snapshot s = b.snapshot();
    assertThat(s.attemptsInWindow()).isEqualTo(1);
    assertThat(s.spentInWindow()).isEqualTo(2);
    assertThat(s.allowance()).isEqualTo(2.0);
    assertThat(s.grantedTotal()).isEqualTo(2);
    assertThat(s.refusedTotal()).isEqualTo(1);
    assertThat(s.attemptsTotal()).isEqualTo(1);
  }

  @Test
  void aRefusedRetryFailsTheTaskWithACauseThatSaysSo() {
    RetryBudget b = budget(0, 0, Duration.ofSeconds(10));
    ResiliencePolicy policy = ResiliencePolicy.builder().backoff(Backoff.none()).budget(b).build();
    IllegalStateException boom = new IllegalStateException("boom");

    Decision d = policy.afterAttempt(failed(1, boom));

    assertThat(d).isInstanceOfSatisfying(Decision.Fail.class, f ->
        assertThat(f.cause()).isInstanceOfSatisfying(RetryBudgetExhaustedException.class, e -> {
          assertThat(e).hasMessageStartingWith("retry budget exhausted: retry refused after attempt 1");
          assertThat(e.getCause()).isSameAs(boom);
          assertThat(e.attempts()).isEqualTo(1);
        }));
  }

  @Test
  void aPolicyRecordsEveryAttemptItSees() {
    RetryBudget b = budget(0.5, 0, Duration.ofSeconds(10));
    ResiliencePolicy policy = ResiliencePolicy.builder().backoff(Backoff.none()).budget(b).build();

    policy.afterAttempt(Reports.succeeded(1, "ok"));
    Decision d = policy.afterAttempt(failed(1, new IllegalStateException()));

    assertThat(b.snapshot().attemptsInWindow()).isEqualTo(2);
    assertThat(d).isEqualTo(Decision.retry(Duration.ZERO));
  }

  @Test
  void configSettersRejectBadValuesNamingTheField() {
    RetryBudgetConfig.Builder b = RetryBudgetConfig.builder();

    assertThatThrownBy(() -> b.ratio(1.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("ratio");
    assertThatThrownBy(() -> b.minPerSecond(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("minPerSecond");
    assertThatThrownBy(() -> b.window(Duration.ofMillis(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("window");
  }

  @Test
  void configDefaultsAreFinaglesAndToBuilderDerivesAVariant() {
    RetryBudgetConfig d = RetryBudgetConfig.ofDefaults();

    assertThat(d.ratio()).isEqualTo(0.2);
    assertThat(d.minPerSecond()).isEqualTo(10);
    assertThat(d.window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.toBuilder().ratio(0.1).build()).isEqualTo(new RetryBudgetConfig(0.1, 10,
        Duration.ofSeconds(10)));
  }
}
