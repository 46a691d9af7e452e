package io.agentry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Parked idle attempt threads: woken for work, ended by close, bounded. */
class IdleThreadsTest {

  private static CompletableFuture<Boolean> parkOn(IdleThreads idle) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> result.complete(idle.await()));
    return result;
  }

  @Test
  void wakeOneGivesAParkedThreadWork() throws Exception {
    IdleThreads idle = new IdleThreads(4);
    assertThat(idle.wakeOne()).as("nobody parked yet").isFalse();
    CompletableFuture<Boolean> parked = parkOn(idle);
    await().atMost(Duration.ofSeconds(10)).until(idle::wakeOne);
    assertThat(parked.get(10, TimeUnit.SECONDS)).as("woken for work").isTrue();
    assertThat(idle.wakeOne()).as("the only parked thread was taken").isFalse();
  }

  @Test
  void closeEndsParkedThreadsAndNothingParksAfterIt() throws Exception {
    IdleThreads idle = new IdleThreads(4);
    CompletableFuture<Boolean> first = parkOn(idle);
    CompletableFuture<Boolean> second = parkOn(idle);
    await().atMost(Duration.ofSeconds(10)).until(() -> idle.parkedCount() == 2);

    idle.close();

    assertThat(first.get(10, TimeUnit.SECONDS)).as("ended by close").isFalse();
    assertThat(second.get(10, TimeUnit.SECONDS)).as("ended by close").isFalse();
    assertThat(idle.parkedCount()).isZero();
    assertThat(idle.await()).as("no park after close").isFalse();
    assertThat(idle.wakeOne()).isFalse();
  }

  @Test
  void atMostMaxThreadsPark() throws Exception {
    IdleThreads idle = new IdleThreads(1);
    CompletableFuture<Boolean> parked = parkOn(idle);
    await().atMost(Duration.ofSeconds(10)).until(() -> idle.parkedCount() == 1);

    assertThat(idle.await()).as("the pool is full: this thread ends at once").isFalse();
    assertThat(idle.parkedCount()).isEqualTo(1);
    assertThat(parked).isNotDone();

    await().atMost(Duration.ofSeconds(10)).until(idle::wakeOne); // once it is on the stack
    assertThat(parked.get(10, TimeUnit.SECONDS)).isTrue();
  }
}
