package io.agentry.core;

import io.agentry.core.spi.QueuedTask;
import io.agentry.core.spi.TaskQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The default discipline: first in, first out. An intrusive doubly linked list through the task runs,
 * so add, poll at the head and remove from anywhere are O(1) and allocate nothing; poll skips (without
 * moving) tasks that no agent with room can run.
 */
final class FifoQueue implements TaskQueue {
  private @Nullable TaskRun<?> head;
  private @Nullable TaskRun<?> tail;
  private int size;

  @Override
  public void add(QueuedTask task) {
    TaskRun<?> run = (TaskRun<?>) task;
    if (run.inFifo) {
      throw new IllegalStateException("task " + run.taskId() + " is already queued");
    }
    run.inFifo = true;
    run.prev = tail;
    run.next = null;
    if (tail == null) {
      head = run;
    } else {
      tail.next = run;
    }
    tail = run;
    size++;
  }

  @Override
  public @Nullable QueuedTask poll(Predicate<? super QueuedTask> startable) {
    for (TaskRun<?> run = head; run != null; run = run.next) {
      if (startable.test(run)) {
        unlink(run);
        return run;
      }
    }
    return null;
  }

  @Override
  public boolean remove(QueuedTask task) {
    if (!(task instanceof TaskRun<?> run) || !run.inFifo) {
      return false;
    }
    unlink(run);
    return true;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public List<QueuedTask> drain() {
    List<QueuedTask> all = new ArrayList<>(size);
    while (head != null) {
      TaskRun<?> run = head;
      unlink(run);
      all.add(run);
    }
    return all;
  }

  private void unlink(TaskRun<?> run) {
    TaskRun<?> p = run.prev;
    TaskRun<?> n = run.next;
    if (p == null) {
      head = n;
    } else {
      p.next = n;
    }
    if (n == null) {
      tail = p;
    } else {
      n.prev = p;
    }
    run.prev = null;
    run.next = null;
    run.inFifo = false;
    size--;
  }
}
