package io.agentry.infinispan.examples;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import io.agentry.core.TaskHandle;
import io.agentry.core.TaskOutcome;
import io.agentry.infinispan.AgentryCluster;
import io.agentry.infinispan.ClusterConfig;
import io.agentry.infinispan.Codec;
import io.agentry.infinispan.Handlers;
import io.agentry.infinispan.NamedHandler;
import io.agentry.infinispan.RemoteTasks;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts a 3-member cluster on 127.0.0.1 in one JVM, runs tasks on the agents of members b and c,
 * stops member c while two of its attempts run, and shows them failing over to b.
 *
 * <p>Run it with:
 * <pre>
 * ./mvnw -q -pl agent-infinispan -am -Pcluster-example test-compile exec:java
 * </pre>
 */
public final class ClusterFailoverExample {
  private ClusterFailoverExample() {}

  /**
   * Runs the example.
   *
   * @param args none
   * @throws Exception if the cluster cannot start
   */
  public static void main(String[] args) throws Exception {
    List<String> lines = run();
    lines.forEach(System.out::println);
  }

  /**
   * Runs the example and returns what it prints: one line per task, then the counts.
   *
   * @return the report
   * @throws Exception if the cluster cannot start
   */
  public static List<String> run() throws Exception {
    List<Integer> ports = freePorts(3);
    List<String> initial = ports.stream().map(p -> "127.0.0.1[" + p + "]").toList();
    String[] names = {"a", "b", "c"};
    CountDownLatch jobsMayFinish = new CountDownLatch(1);
    CountDownLatch twoRunningOnC = new CountDownLatch(2);

    List<AgentRuntime> runtimes = new ArrayList<>();
    List<AgentryCluster> members = new ArrayList<>();
    NamedHandler<String, String> resize = null;
    List<String> report = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        String name = names[i];
        // Every member registers the same handler; here it waits for a signal, standing for a
        // long job.
        Handlers handlers = Handlers.create();
        NamedHandler<String, String> h = handlers.register("resize", Codec.utf8(), (image, ctx) -> {
          if (name.equals("c")) {
            twoRunningOnC.countDown();
          }
          jobsMayFinish.await();
          return image.toUpperCase(Locale.ROOT) + " resized on " + name;
        });
        if (i == 0) {
          resize = h;
        }
        AgentRuntime runtime = AgentRuntime.builder().name(name).build();
        runtimes.add(runtime);
        ClusterConfig config = ClusterConfig.builder()
            .clusterName("example-" + ports.get(0))
            .nodeName(name)
            .bindAddress("127.0.0.1")
            .bindPort(ports.get(i))
            .initialMembers(initial)
            .membershipTimeouts(Duration.ofMillis(200), Duration.ofMillis(100))
            .build();
        AgentryCluster.Builder member = AgentryCluster.builder(runtime, handlers).config(config);
        if (i > 0) {
          member.offer(Agent.local("worker").capacity(2)); // a submits; b and c run
        }
        members.add(member.join());
      }
      AgentryCluster a = members.get(0);
      // No need to wait for b's and c's agents to appear: tasks wait in a's queue until an agent
      // has room (late binding).
      report.add("members " + a.members() + " at " + a.memberAddresses());

      List<TaskHandle<String>> handles = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        handles.add(runtimes.get(0).submit(RemoteTasks.call(resize, "image-" + i)));
      }
      if (!twoRunningOnC.await(1, TimeUnit.MINUTES)) {
        throw new IllegalStateException("member c never started two jobs");
      }
      report.add("stopping member c while it runs two jobs");
      members.get(2).close();
      runtimes.get(2).close();
      jobsMayFinish.countDown();

      for (TaskHandle<String> h : handles) {
        TaskOutcome<String> outcome = h.await();
        String value = outcome instanceof TaskOutcome.Succeeded<String> s ? s.value() : outcome.toString();
        report.add(value + "  (agents " + outcome.agents() + ")");
      }
      report.add("succeeded " + runtimes.get(0).snapshot().succeeded() + " of " + handles.size()
          + "; attempts lost and failed over: " + a.stats().attemptsLost());
      return report;
    } finally {
      jobsMayFinish.countDown();
      for (int i = members.size() - 1; i >= 0; i--) {
        members.get(i).close();
      }
      for (AgentRuntime r : runtimes) {
        r.close();
      }
    }
  }

  private static List<Integer> freePorts(int n) throws IOException {
    List<Integer> ports = new ArrayList<>();
    List<ServerSocket> held = new ArrayList<>();
    try {
      while (ports.size() < n) {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        held.add(s);
        if (s.getLocalPort() + 100 <= 65535) {
          ports.add(s.getLocalPort());
        }
      }
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
    return ports;
  }
}
