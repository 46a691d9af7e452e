package io.agentry.resilience;

import static org.awaitility.Awaitility.await;

import io.agentry.core.TaskHandle;
import io.agentry.core.TaskState;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Small helpers shared by the tests that go through a runtime. */
final class Fixtures {
  private Fixtures() {}

  /** A gate that work waits on, so tests decide when an attempt returns. */
  static final class Gate {
    private final CountDownLatch open = new CountDownLatch(1);

    void open() {
      open.countDown();
    }

    /** Waits for the gate; an interrupt (a timeout or a cancel) propagates, as blocking work should. */
    void pass() throws InterruptedException {
      if (!open.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gate never opened");
      }
    }
  }

  static void awaitState(TaskHandle<?> handle, TaskState state) {
    await().atMost(Duration.ofSeconds(10)).until(() -> handle.state() == state);
  }

  static void awaitTrue(BooleanSupplier condition) {
    await().atMost(Duration.ofSeconds(10)).until(condition::getAsBoolean);
  }
}
