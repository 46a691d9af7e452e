package io.agentry.scheduler;

import io.agentry.core.Task;
import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import io.agentry.core.spi.Scheduler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Soft affinity: the preferred agents when one of them has room, otherwise the fallback over every
 * eligible agent. Never pins a task by itself (the fallback may).
 */
abstract class PreferringSelector extends BaseSelector {
  final AgentSelector fallback;

  PreferringSelector(AgentSelector fallback) {
    this.fallback = fallback;
  }

  @Override
  final void bound(Scheduler clock) {
    fallback.bind(clock);
  }

  @Override
  public final void attemptEnded(String agentId, long nanos, boolean succeeded) {
    fallback.attemptEnded(agentId, nanos, succeeded);
  }

  /** Prefers the agent of a given id, or the one a function of the task names. */
  static final class ById extends PreferringSelector {
    private final Function<? super Task<?>, Optional<String>> preferred;
    private final String description;

    ById(Function<? super Task<?>, Optional<String>> preferred, AgentSelector fallback,
        String description) {
      super(fallback);
      this.preferred = preferred;
      this.description = description;
    }

    @Override
    public AgentView select(QueuedTask task, List<AgentView> eligible) {
      Optional<String> id = preferred.apply(task.task());
      if (id != null && id.isPresent()) {
        String wanted = id.get();
        for (int i = 0, n = eligible.size(); i < n; i++) {
          AgentView agent = eligible.get(i);
          if (agent.id().equals(wanted)) {
            if (agent.hasRoomFor(task)) {
              return agent;
            }
            break;
          }
        }
      }
      return fallback.select(task, eligible);
    }

    @Override
    public String toString() {
      return description + " else " + fallback;
    }
  }

  /** Prefers the agents that have every one of some tags; the fallback chooses among them. */
  static final class ByTags extends PreferringSelector {
    private final Set<String> tags;
    private @Nullable List<AgentView> list;
    private List<AgentView> preferred = List.of();

    ByTags(Set<String> tags, AgentSelector fallback) {
      super(fallback);
      this.tags = tags;
    }

    @Override
    public AgentView select(QueuedTask task, List<AgentView> eligible) {
      if (eligible != list) {
        List<AgentView> some = new ArrayList<>();
        for (AgentView agent : eligible) {
          if (agent.agent().tags().containsAll(tags)) {
            some.add(agent);
          }
        }
        preferred = some.size() == eligible.size() ? eligible : Collections.unmodifiableList(some);
        list = eligible;
      }
      for (int i = 0, n = preferred.size(); i < n; i++) {
        if (preferred.get(i).hasRoomFor(task)) {
          return fallback.select(task, preferred);
        }
      }
      return fallback.select(task, eligible);
    }

    @Override
    public String toString() {
      return "Selectors.preferringTags(" + tags + ") else " + fallback;
    }
  }
}
