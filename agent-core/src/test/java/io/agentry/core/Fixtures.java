package io.agentry.core;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Small helpers shared by the behaviour tests. */
final class Fixtures {
  private Fixtures() {}

  /** A gate that work waits on, so tests decide when an attempt returns. */
  static final class Gate {
    private final CountDownLatch open = new CountDownLatch(1);

    void open() {
      open.countDown();
    }

    /** Waits for the gate; an interrupt propagates, as blocking work should. */
    void pass() throws InterruptedException {
      if (!open.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gate never opened");
      }
    }

    /** Waits for the gate, ignoring interrupts (work that does not answer them). */
    void passIgnoringInterrupts() {
      boolean interrupted = false;
      while (true) {
        try {
          if (!open.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("gate never opened");
          }
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static void awaitState(TaskHandle<?> handle, TaskState state) {
    await().atMost(Duration.ofSeconds(10)).until(() -> handle.state() == state);
  }

  /** The capacity of one agent and how many attempts ran its work at once (stress tests). */
  static final class AgentProbe {
    final int capacity;
    final java.util.concurrent.atomic.AtomicInteger inWork =
        new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger maxSeen =
        new java.util.concurrent.atomic.AtomicInteger();

    AgentProbe(int capacity) {
      this.capacity = capacity;
    }
  }
}
