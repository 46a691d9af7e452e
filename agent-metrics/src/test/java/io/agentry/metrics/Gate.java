package io.agentry.metrics;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A gate that work waits on, so that a test decides when an attempt returns. */
final class Gate {
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
}
