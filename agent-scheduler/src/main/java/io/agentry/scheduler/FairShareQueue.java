package io.agentry.scheduler;

import io.agentry.core.spi.QueuedTask;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Weighted fair sharing across fairness keys: one FIFO lane per key, and smooth weighted round-robin
 * (as in nginx) across the keys that have tasks waiting. Each poll adds every candidate key's weight
 * to its credit, takes the key with the most credit and charges it the candidates' total weight, so
 * keys with tasks waiting get starts in proportion to their weights, interleaved. A key none of whose
 * tasks is startable sits the round out (gains no credit). A key's credit is forgotten when its lane
 * empties, so a key that was idle does not come back with a burst.
 */
final class FairShareQueue extends BaseQueue {
  private static final Logger LOG = LoggerFactory.getLogger(FairShareQueue.class);

  private static final class Group {
    final @Nullable String key;
    final int weight;
    final Lane lane;
    long credit;
    long skipped;

    Group(@Nullable String key, int weight) {
      this.key = key;
      this.weight = weight;
      this.lane = new Lane(this);
    }
  }

  private final FairShareConfig config;
  private final Map<String, Group> groups = new HashMap<>();
  private @Nullable Group unkeyed;
  /** Groups with tasks waiting, in the order they became active. */
  private final List<Group> active = new ArrayList<>();
  private long round;

  FairShareQueue(FairShareConfig config) {
    this.config = config;
  }

  @Override
  Lane.Node enqueue(QueuedTask task) {
    String key = keyOf(task);
    Group group;
    if (key == null) {
      group = unkeyed;
      if (group == null) {
        group = new Group(null, config.defaultWeight());
        unkeyed = group;
      }
    } else {
      group = groups.computeIfAbsent(key, k -> new Group(k, config.weightOf(k)));
    }
    if (group.lane.isEmpty()) {
      group.credit = 0;
      active.add(group);
    }
    Lane.Node node = new Lane.Node(task, 0);
    group.lane.addLast(node);
    return node;
  }

  private @Nullable String keyOf(QueuedTask task) {
    try {
      Optional<String> key = config.keyOf().apply(task.task());
      return key == null ? null : key.orElse(null);
    } catch (RuntimeException e) {
      // User code under the dispatch lock: a failure must not break the runtime's bookkeeping.
      LOG.warn("fairness key function failed for task {}; the task joins the group without a key",
          task.taskId(), e);
      return null;
    }
  }

  @Override
  Lane.@Nullable Node next(Predicate<? super QueuedTask> startable) {
    long stamp = ++round;
    while (true) {
      Group best = null;
      for (int i = 0, n = active.size(); i < n; i++) {
        Group g = active.get(i);
        if (g.skipped != stamp && (best == null || g.credit + g.weight > best.credit + best.weight)) {
          best = g;
        }
      }
      if (best == null) {
        return null;
      }
      Lane.Node node = best.lane.firstStartable(startable);
      if (node == null) {
        best.skipped = stamp;
        continue;
      }
      long total = 0;
      for (int i = 0, n = active.size(); i < n; i++) {
        Group g = active.get(i);
        if (g.skipped != stamp) {
          g.credit += g.weight;
          total += g.weight;
        }
      }
      best.credit -= total;
      return node;
    }
  }

  @Override
  void unlink(Lane.Node node) {
    Lane lane = Objects.requireNonNull(node.lane);
    lane.unlink(node);
    if (lane.isEmpty()) {
      Group group = (Group) Objects.requireNonNull(lane.owner);
      active.remove(group);
      if (group.key == null) {
        unkeyed = null;
      } else {
        groups.remove(group.key);
      }
    }
  }

  @Override
  public String toString() {
    return "Queues.fairShare(" + config + ")";
  }
}
