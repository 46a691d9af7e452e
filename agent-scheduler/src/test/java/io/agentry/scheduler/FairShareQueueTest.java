package io.agentry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.agentry.core.Task;
import io.agentry.core.spi.QueuedTask;
import io.agentry.core.spi.TaskQueue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FairShareQueueTest extends TaskQueueContract {

  private static final FairShareConfig BY_TENANT = FairShareConfig.builder()
      .keyedByLabel("tenant").weight("gold", 3).weight("bronze", 1).build();

  @Override
  TaskQueue newQueue() {
    return bound(Queues.fairShare(BY_TENANT));
  }

  private TaskQueue bound(TaskQueue queue) {
    queue.bind(clock);
    return queue;
  }

  private static FakeTask of(String tenant) {
    return FakeTask.withLabel("t", "tenant", tenant);
  }

  private static String tenantOf(QueuedTask t) {
    return t.task().labels().get("tenant");
  }

  @Test
  void weightsThreeToOneGiveSeventyFiveToTwentyFivePercent() {
    TaskQueue queue = newQueue();
    for (int i = 0; i < 40_000; i++) {
      queue.add(of("gold"));
      queue.add(of("bronze"));
    }

    Map<String, Integer> starts = new HashMap<>();
    for (int i = 0; i < 40_000; i++) {
      starts.merge(tenantOf(queue.poll(ANY)), 1, Integer::sum);
    }

    assertThat(starts.get("gold") / 40_000.0).isCloseTo(0.75, within(0.02));
    assertThat(starts.get("bronze") / 40_000.0).isCloseTo(0.25, within(0.02));
  }

  @Test
  void sharesAreInterleavedNotInBursts() {
    TaskQueue queue = newQueue();
    for (int i = 0; i < 8; i++) {
      queue.add(of("gold"));
      queue.add(of("bronze"));
    }

    List<String> order = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      order.add(tenantOf(queue.poll(ANY)));
    }

    assertThat(order).containsExactly("gold", "gold", "bronze", "gold", "gold", "gold", "bronze",
        "gold");
  }

  @Test
  void keysWithoutTheirOwnWeightShareEquallyByDefault() {
    TaskQueue queue = newQueue();
    for (int i = 0; i < 300; i++) {
      queue.add(of("a"));
      queue.add(of("b"));
      queue.add(of("c"));
    }

    Map<String, Integer> starts = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      starts.merge(tenantOf(queue.poll(ANY)), 1, Integer::sum);
    }

    assertThat(starts).containsEntry("a", 100).containsEntry("b", 100).containsEntry("c", 100);
  }

  @Test
  void aTenantThatCannotStartSitsOutWithoutGainingCredit() {
    TaskQueue queue = newQueue();
    for (int i = 0; i < 100; i++) {
      queue.add(of("gold"));
      queue.add(of("bronze"));
    }
    for (int i = 0; i < 50; i++) {
      assertThat(tenantOf(queue.poll(t -> tenantOf(t).equals("bronze")))).isEqualTo("bronze");
    }

    List<String> next = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      next.add(tenantOf(queue.poll(ANY)));
    }

    assertThat(next).filteredOn("gold"::equals).hasSize(3);
  }

  @Test
  void aTenantThatWasIdleComesBackWithoutABurst() {
    TaskQueue queue = newQueue();
    for (int i = 0; i < 100; i++) {
      queue.add(of("bronze"));
    }
    for (int i = 0; i < 50; i++) {
      queue.poll(ANY);
    }
    for (int i = 0; i < 100; i++) {
      queue.add(of("gold"));
    }

    Map<String, Integer> starts = new HashMap<>();
    for (int i = 0; i < 8; i++) {
      starts.merge(tenantOf(queue.poll(ANY)), 1, Integer::sum);
    }

    assertThat(starts).containsEntry("gold", 6).containsEntry("bronze", 2);
  }

  @Test
  void tasksWithoutAKeyShareOneGroupWithTheDefaultWeight() {
    TaskQueue queue = bound(Queues.fairShare(
        FairShareConfig.builder().keyedByLabel("tenant").weight("gold", 2).build()));
    for (int i = 0; i < 30; i++) {
      queue.add(of("gold"));
      queue.add(FakeTask.named("anonymous"));
    }

    int anonymous = 0;
    for (int i = 0; i < 30; i++) {
      if (tenantOf(queue.poll(ANY)) == null) {
        anonymous++;
      }
    }

    assertThat(anonymous).isEqualTo(10);
  }

  @Test
  void aFailingKeyFunctionPutsTheTaskInTheGroupWithoutAKey() {
    TaskQueue queue = bound(Queues.fairShare(FairShareConfig.builder()
        .keyedBy(task -> {
          throw new IllegalStateException("broken key function");
        }).build()));
    FakeTask a = FakeTask.named("a");
    FakeTask b = FakeTask.named("b");

    queue.add(a);
    queue.add(b);

    assertThat(queue.drain()).containsExactly(a, b);
  }

  @Test
  void theDefaultKeyIsTheTasksRoutingKey() {
    TaskQueue queue = bound(Queues.fairShare());
    for (int i = 0; i < 10; i++) {
      queue.add(FakeTask.withKey("t", "busy"));
    }
    FakeTask other = FakeTask.withKey("t", "other");
    queue.add(other);

    queue.poll(ANY);

    assertThat(queue.poll(ANY)).isSameAs(other);
  }

  @Test
  void configRejectsBadWeightsNamingThem() {
    assertThatThrownBy(() -> FairShareConfig.builder().weight("a", 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight of key 'a'")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> FairShareConfig.builder().defaultWeight(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultWeight");
    assertThatThrownBy(() -> FairShareConfig.builder().weight(" ", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key");
    assertThatThrownBy(() -> FairShareConfig.builder().keyedByLabel(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label");
    assertThatThrownBy(() -> new FairShareConfig(Task::key, Map.of("a", 0), 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void configBuildsVariantsWithoutChangingTheOriginal() {
    FairShareConfig base = FairShareConfig.builder().weight("a", 2).build();

    FairShareConfig variant = base.toBuilder().weight("b", 5).defaultWeight(3).build();

    assertThat(base.weightOf("b")).isEqualTo(1);
    assertThat(variant.weightOf("a")).isEqualTo(2);
    assertThat(variant.weightOf("b")).isEqualTo(5);
    assertThat(variant.weightOf("zzz")).isEqualTo(3);
    assertThat(FairShareConfig.ofDefaults().keyOf().apply(Task.builder("t", ctx -> 1).key("k").build()))
        .isEqualTo(Optional.of("k"));
  }
}
