package io.agentry.benchmarks;

import io.agentry.core.Agent;
import io.agentry.core.AgentState;
import io.agentry.core.Task;
import io.agentry.core.spi.AgentSelector;
import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;
import io.agentry.scheduler.ConsistentHashConfig;
import io.agentry.scheduler.Selectors;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one placement decision, {@link AgentSelector#select}, for every selector of
 * agent-scheduler, with 8, 64 and 1024 eligible agents. The agents are fakes with fixed loads, so the
 * score is the selector's own work, as the runtime pays it under its dispatch lock. The eligible list
 * is one immutable list, passed again and again, as the runtime does while its agents do not change.
 *
 * <p>{@code room=most}: every agent but one in eight has a free slot (a runtime with spare capacity).
 * {@code room=one}: a single agent has room (a saturated runtime, where late binding calls the
 * selector each time one slot frees), which is the worst case of the samplers. Tasks carry one of
 * 4096 keys (read by consistent hashing only).
 *
 * <p>Run with {@code java -jar benchmarks/target/benchmarks.jar SelectorBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SelectorBenchmark {
  private static final int TASKS = 4096;

  /** The number of eligible agents. */
  @Param({"8", "64", "1024"})
  public int agents;

  /** The selector, by its factory's name. */
  @Param({"roundRobin", "weightedRoundRobin", "random", "weightedRandom", "leastConnections",
      "powerOfTwoChoices", "peakEwma", "consistentHash", "consistentHashBounded"})
  public String selector;

  /** How many agents have room: {@code most} or {@code one}. */
  @Param({"most", "one"})
  public String room;

  private AgentSelector chosen;
  private List<AgentView> eligible;
  private QueuedTask[] tasks;
  private int next;

  /** Builds the agents, the tasks and the selector, and warms the selector's state. */
  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom random = new SplittableRandom(17);
    List<AgentView> list = new ArrayList<>(agents);
    int withRoom = random.nextInt(agents);
    for (int i = 0; i < agents; i++) {
      int capacity = 16;
      int inFlight;
      if (room.equals("one")) {
        inFlight = i == withRoom ? random.nextInt(capacity) : capacity;
      } else {
        inFlight = random.nextInt(8) == 0 ? capacity : random.nextInt(capacity);
      }
      list.add(new FakeAgent(Agent.local("agent-" + i).capacity(capacity)
          .weight(1 + random.nextInt(3)), inFlight));
    }
    eligible = List.copyOf(list);
    tasks = new QueuedTask[TASKS];
    for (int i = 0; i < TASKS; i++) {
      tasks[i] = new FakeTask(Task.builder("t", ctx -> null).key("key-" + i).build(), i);
    }
    chosen = switch (selector) {
      case "roundRobin" -> Selectors.roundRobin();
      case "weightedRoundRobin" -> Selectors.weightedRoundRobin();
      case "random" -> Selectors.random(new SplittableRandom(1));
      case "weightedRandom" -> Selectors.weightedRandom(new SplittableRandom(2));
      case "leastConnections" -> Selectors.leastConnections();
      case "powerOfTwoChoices" -> Selectors.powerOfTwoChoices(new SplittableRandom(3));
      case "peakEwma" -> Selectors.peakEwma(java.time.Duration.ofSeconds(10), new SplittableRandom(4));
      case "consistentHash" -> Selectors.consistentHash();
      case "consistentHashBounded" -> Selectors.consistentHash(
          ConsistentHashConfig.builder().boundedLoad(0.25).build());
      default -> throw new IllegalArgumentException("unknown selector " + selector);
    };
    for (AgentView agent : eligible) {
      chosen.attemptEnded(agent.id(), 1_000_000 + random.nextInt(10_000_000), true);
    }
    chosen.select(tasks[0], eligible); // builds per-list state (ring, weights) outside measurement
  }

  /**
   * One placement decision.
   *
   * @return the chosen agent
   */
  @Benchmark
  public AgentView select() {
    QueuedTask task = tasks[next++ & (TASKS - 1)];
    return chosen.select(task, eligible);
  }

  /** An agent with a fixed load. */
  static final class FakeAgent implements AgentView {
    private final Agent agent;
    private final int inFlight;

    FakeAgent(Agent agent, int inFlight) {
      this.agent = agent;
      this.inFlight = inFlight;
    }

    @Override
    public String id() {
      return agent.id();
    }

    @Override
    public Agent agent() {
      return agent;
    }

    @Override
    public AgentState state() {
      return AgentState.UP;
    }

    @Override
    public int inFlight() {
      return inFlight;
    }

    @Override
    public boolean hasRoomFor(QueuedTask task) {
      return inFlight < agent.capacity();
    }
  }

  /** A waiting task. */
  static final class FakeTask implements QueuedTask {
    private final Task<?> task;
    private final long sequence;

    FakeTask(Task<?> task, long sequence) {
      this.task = task;
      this.sequence = sequence;
    }

    @Override
    public Task<?> task() {
      return task;
    }

    @Override
    public String taskId() {
      return "task-" + sequence;
    }

    @Override
    public long sequence() {
      return sequence;
    }

    @Override
    public int attempts() {
      return 0;
    }

    @Override
    public long enqueuedNanos() {
      return 0;
    }

    @Override
    public long deadlineNanos() {
      return Long.MAX_VALUE;
    }
  }
}
