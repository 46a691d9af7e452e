package io.agentry.scheduler;

import io.agentry.core.Task;
import io.agentry.core.spi.QueuedTask;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A waiting task for direct queue and selector tests. Identity is the object, as for the runtime's
 * tasks (no equals override).
 */
final class FakeTask implements QueuedTask {
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final Task<?> task;
  private final String id;
  private final long sequence;
  long enqueuedNanos;
  long deadlineNanos = Long.MAX_VALUE;
  int attempts;

  FakeTask(Task<?> task) {
    this.task = task;
    this.sequence = SEQUENCE.incrementAndGet();
    this.id = task.name() + "#" + sequence;
  }

  static FakeTask named(String name) {
    return new FakeTask(Task.of(name, ctx -> null));
  }

  static FakeTask withPriority(String name, int priority) {
    return new FakeTask(Task.builder(name, ctx -> null).priority(priority).build());
  }

  static FakeTask withKey(String name, String key) {
    return new FakeTask(Task.builder(name, ctx -> null).key(key).build());
  }

  static FakeTask withLabel(String name, String label, String value) {
    return new FakeTask(Task.builder(name, ctx -> null).label(label, value).build());
  }

  static FakeTask withDeadline(String name, long deadlineNanos) {
    FakeTask t = named(name);
    t.deadlineNanos = deadlineNanos;
    return t;
  }

  FakeTask enqueuedAt(long nanos) {
    this.enqueuedNanos = nanos;
    return this;
  }

  @Override
  public Task<?> task() {
    return task;
  }

  @Override
  public String taskId() {
    return id;
  }

  @Override
  public long sequence() {
    return sequence;
  }

  @Override
  public int attempts() {
    return attempts;
  }

  @Override
  public long enqueuedNanos() {
    return enqueuedNanos;
  }

  @Override
  public long deadlineNanos() {
    return deadlineNanos;
  }

  @Override
  public String toString() {
    return id;
  }
}
