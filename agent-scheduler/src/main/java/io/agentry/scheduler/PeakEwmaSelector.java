package io.agentry.scheduler;

import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;

/**
 * Latency-aware selection after Finagle's peak EWMA balancer. Each agent has a cost: a moving average
 * of its attempt latencies that jumps up to any slower sample at once (peak-sensitive) and otherwise
 * decays towards newer samples with weight {@code exp(-elapsed / decay)}, on the runtime's clock;
 * reading it also decays it towards zero, so an agent that was slow long ago is tried again. An
 * agent's load is {@code cost × (inFlight + 1)}; an agent with no sample yet but attempts in flight
 * counts as very loaded, so a new agent is not flooded before its speed is known. Selection is the
 * less loaded of two random eligible agents with room.
 *
 * <p>A failed attempt counts as at least as slow as the agent's cost so far: a fast failure does not
 * make an agent look fast. The costs are updated
 * from {@link #attemptEnded} on any thread, lock-free; {@link #select} runs under the dispatch lock.
 */
final class PeakEwmaSelector extends BaseSelector {
  /** Load of an agent with attempts in flight and no latency sample yet (Finagle's penalty). */
  static final double PENALTY = (double) (Long.MAX_VALUE >> 16);
  /** Selections between sweeps that drop the costs of long-silent agents. */
  private static final int SWEEP_EVERY = 4096;
  /** An agent silent for this many decay periods has a cost of e^-40 of its last: nothing. */
  private static final int FORGET_AFTER_DECAYS = 40;

  private record Sample(double cost, long stamp) {}

  /** One agent's cost; updated by compare-and-set on an immutable sample. */
  static final class Cost {
    private final AtomicReference<Sample> sample;

    Cost(long now) {
      sample = new AtomicReference<>(new Sample(0.0, now));
    }

    void observe(double rtt, boolean succeeded, long now, double decayNanos) {
      while (true) {
        Sample s = sample.get();
        double observed = succeeded ? rtt : Math.max(rtt, s.cost);
        double cost;
        if (observed > s.cost) {
          cost = observed;
        } else {
          double w = weight(s, now, decayNanos);
          cost = s.cost * w + observed * (1 - w);
        }
        if (sample.compareAndSet(s, new Sample(cost, Math.max(now, s.stamp)))) {
          return;
        }
      }
    }

    double at(long now, double decayNanos) {
      return decayed(sample.get(), now, decayNanos);
    }

    long stamp() {
      return sample.get().stamp;
    }

    private static double weight(Sample s, long now, double decayNanos) {
      long elapsed = Math.max(now - s.stamp, 0);
      return Math.exp(-elapsed / decayNanos);
    }

    private static double decayed(Sample s, long now, double decayNanos) {
      return s.cost * weight(s, now, decayNanos);
    }
  }

  private final double decayNanos;
  private final RandomGenerator random;
  private final ConcurrentHashMap<String, Cost> costs = new ConcurrentHashMap<>();
  private final Loads.RoomIndex room = new Loads.RoomIndex();
  private int sinceSweep;

  PeakEwmaSelector(long decayNanos, RandomGenerator random) {
    this.decayNanos = decayNanos;
    this.random = random;
  }

  @Override
  public AgentView select(QueuedTask task, List<AgentView> eligible) {
    long now = nanoTime();
    if (++sinceSweep >= SWEEP_EVERY) {
      sinceSweep = 0;
      sweep(now);
    }
    int first = Loads.tryRandomWithRoom(eligible, task, random, -1);
    int second = first < 0 ? -1 : Loads.tryRandomWithRoom(eligible, task, random, first);
    if (second < 0) {
      int count = room.collect(eligible, task);
      if (count < 2) {
        return eligible.get(count == 0 ? 0 : room.get(0));
      }
      int i = random.nextInt(count);
      int j = random.nextInt(count - 1);
      first = room.get(i);
      second = room.get(j < i ? j : j + 1);
    }
    AgentView a = eligible.get(first);
    AgentView b = eligible.get(second);
    return load(b, now) < load(a, now) ? b : a;
  }

  /** The agent's load: its decayed cost times (in flight + 1), or the penalty while it is unknown. */
  double load(AgentView agent, long now) {
    Cost cost = costs.get(agent.id());
    double c = cost == null ? 0.0 : cost.at(now, decayNanos);
    int inFlight = agent.inFlight();
    if (c == 0.0 && inFlight != 0) {
      return PENALTY + inFlight;
    }
    return c * (inFlight + 1);
  }

  @Override
  public void attemptEnded(String agentId, long nanos, boolean succeeded) {
    long now = nanoTime();
    costs.computeIfAbsent(agentId, id -> new Cost(now))
        .observe(Math.max(nanos, 0), succeeded, now, decayNanos);
  }

  private void sweep(long now) {
    double horizon = FORGET_AFTER_DECAYS * decayNanos;
    costs.entrySet().removeIf(e -> now - e.getValue().stamp() > horizon);
  }

  @Override
  public String toString() {
    return "Selectors.peakEwma(decay=" + java.time.Duration.ofNanos((long) decayNanos) + ")";
  }
}
