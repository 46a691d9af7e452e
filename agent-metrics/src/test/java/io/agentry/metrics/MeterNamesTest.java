package io.agentry.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MeterNamesTest {

  @Test
  void theDefaultsAreTheConstants() {
    MeterNames d = MeterNames.ofDefaults();

    assertThat(d.tasksCompleted()).isEqualTo(MeterNames.TASKS_COMPLETED)
        .isEqualTo("agentry.tasks.completed");
    assertThat(d.healthTransitions()).isEqualTo(MeterNames.HEALTH_TRANSITIONS);
    assertThat(d.toBuilder().build()).isEqualTo(d);
  }

  @Test
  void aBuilderChangesOnlyWhatIsSet() {
    MeterNames names = MeterNames.ofDefaults().toBuilder().tasksCompleted("jobs.completed").build();

    assertThat(names.tasksCompleted()).isEqualTo("jobs.completed");
    assertThat(names.tasksSubmitted()).isEqualTo(MeterNames.TASKS_SUBMITTED);
  }

  @Test
  void aBlankNameIsRejectedNamingTheSetting() {
    assertThatThrownBy(() -> MeterNames.ofDefaults().toBuilder().agentState(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("agentState");
  }

  @Test
  void twoMetersWithOneNameAreRejectedAtBuild() {
    MeterNames.Builder b = MeterNames.ofDefaults().toBuilder().retries(MeterNames.FAILOVERS);

    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("retries").hasMessageContaining("failovers");
  }
}
