package io.agentry.infinispan;

import static io.agentry.infinispan.TestCluster.assertLoopbackOnly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentry.core.AgentRuntime;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * This JVM submits; two worker JVMs offer agent {@code w} each. Worker w1 holds every task until
 * released; worker w2 answers at once.
 */
class MultiProcessClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private AgentRuntime runtime;
  private AgentryCluster caller;
  private NamedHandler<String, String> work;
  private WorkerProcess w1;
  private WorkerProcess w2;

  @BeforeEach
  void startCluster() {
    List<Integer> ports = TestCluster.freePorts(3);
    String cluster = "multi-" + ports.get(0);
    Handlers handlers = Handlers.create();
    work = handlers.register("work", Codec.utf8(), (payload, ctx) -> payload + "@caller");
    runtime = AgentRuntime.builder().name("caller").build();
    closeables.add(runtime);
    caller = AgentryCluster.builder(runtime, handlers)
        .config(TestCluster.config(cluster, "caller", ports.get(0), ports).build())
        .join();
    closeables.add(caller);
    w1 = WorkerProcess.start(cluster, "w1", ports.get(1), ports, 2, true);
    closeables.add(w1);
    w2 = WorkerProcess.start(cluster, "w2", ports.get(2), ports, 4, false);
    closeables.add(w2);
    await().atMost(WAIT).until(() -> caller.remoteAgents().size() == 2);
    assertLoopbackOnly(caller);
    assertThat(caller.members()).containsExactlyInAnyOrder("caller", "w1", "w2");
  }

  @AfterEach
  void stopAll() throws Exception {
    // Workers first and always: a worker left running would outlive the build.
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private List<TaskHandle<String>> submit(int n) {
    List<TaskHandle<String>> handles = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      handles.add(runtime.submit(RemoteTasks.call(work, "t" + i)));
    }
    return handles;
  }

  private Set<String> startedOnW1() {
    return w1.linesStartingWith("STARTED ").stream().map(l -> l.substring(8))
        .collect(Collectors.toSet());
  }

  private List<String> ended() {
    List<String> ids = new ArrayList<>();
    w1.linesStartingWith("FINISHED ").forEach(l -> ids.add(l.substring(9)));
    w1.linesStartingWith("INTERRUPTED ").forEach(l -> ids.add(l.substring(12)));
    return ids;
  }

  @Test
  void killNineOfAWorkerMidTaskFailsItsAttemptsOverAndEveryTaskCompletes() throws Exception {
    List<TaskHandle<String>> handles = submit(20);
    w1.awaitLines(lines -> startedOnW1().size() == 2, WAIT);

    w1.killNine();

    for (int i = 0; i < handles.size(); i++) {
      TaskOutcome<String> outcome = handles.get(i).await();
      assertThat(outcome).isInstanceOf(TaskOutcome.Succeeded.class);
      assertThat(((TaskOutcome.Succeeded<String>) outcome).value()).isEqualTo("t" + i + "@w2");
    }
    long failedOver = handles.stream().map(h -> h.outcome().orElseThrow())
        .filter(o -> o.agents().contains("w@w1")).count();
    assertThat(failedOver).isGreaterThanOrEqualTo(2);
    assertThat(caller.stats().attemptsLost()).isGreaterThanOrEqualTo(2);
    await().atMost(WAIT).until(() -> caller.remoteAgents().size() == 1);
    assertThat(caller.members()).containsExactlyInAnyOrder("caller", "w2");
  }

  @Test
  void aStoppedWorkersAttemptsFailOverAndItsLateResultsAreDropped() throws Exception {
    List<TaskHandle<String>> handles = submit(8);
    w1.awaitLines(lines -> startedOnW1().size() == 2, WAIT);
    Set<String> held = startedOnW1();

    w1.signal("STOP");
    // Failure detection (3 s here) excludes w1; its two attempts fail over to w2.
    for (int i = 0; i < handles.size(); i++) {
      assertThat(handles.get(i).join()).isEqualTo("t" + i + "@w2");
    }
    assertThat(caller.remoteAgents()).extracting(RemoteAgent::id).containsExactly("w@w2");

    w1.signal("CONT");
    w1.send("release");
    // w1 ends the held attempts: it finishes them and answers (too late: the answers are dropped),
    // or, if its own view lost the caller meanwhile, it cancels them as orphans. Either way the
    // outcomes do not change.
    w1.awaitLines(lines -> ended().size() == 2, WAIT);
    assertThat(ended()).containsExactlyInAnyOrderElementsOf(held);
    for (int i = 0; i < handles.size(); i++) {
      TaskOutcome<String> outcome = handles.get(i).outcome().orElseThrow();
      assertThat(((TaskOutcome.Succeeded<String>) outcome).value()).isEqualTo("t" + i + "@w2");
    }
    long failedOver = handles.stream().map(h -> h.outcome().orElseThrow())
        .filter(o -> o.agents().contains("w@w1")).count();
    assertThat(failedOver).isEqualTo(2);
    assertThat(runtime.snapshot().succeeded()).isEqualTo(8);
  }
}
