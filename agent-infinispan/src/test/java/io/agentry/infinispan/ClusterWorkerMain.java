package io.agentry.infinispan;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A worker member in its own JVM, started by {@link MultiProcessClusterTest}. Arguments: cluster name,
 * node name, own port, all ports (comma-separated), capacity, and "hold" or "run". It offers agent
 * {@code w} and registers handler {@code work}, which answers {@code payload@node}; with "hold" it
 * first prints {@code STARTED <attemptId>} and waits until a {@code release} line comes on stdin,
 * then prints {@code FINISHED <attemptId>} (or {@code INTERRUPTED <attemptId>} if it was cancelled). It prints {@code READY} once joined and leaves when stdin
 * ends.
 */
public final class ClusterWorkerMain {
  private ClusterWorkerMain() {}

  /**
   * Runs the worker.
   *
   * @param args see the class comment
   * @throws Exception if it cannot join
   */
  public static void main(String[] args) throws Exception {
    String cluster = args[0];
    String node = args[1];
    int port = Integer.parseInt(args[2]);
    List<Integer> ports = Arrays.stream(args[3].split(",")).map(Integer::valueOf).toList();
    int capacity = Integer.parseInt(args[4]);
    boolean hold = args[5].equals("hold");
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch stdinClosed = new CountDownLatch(1);
    Thread.ofVirtual().start(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.equals("release")) {
            release.countDown();
          }
        }
      } catch (java.io.IOException e) {
        // stdin closed abruptly: leave
      }
      stdinClosed.countDown();
    });
    Handlers handlers = Handlers.create();
    handlers.register("work", Codec.utf8(), (payload, ctx) -> {
      if (hold) {
        say("STARTED " + ctx.attemptId());
        try {
          release.await();
        } catch (InterruptedException e) {
          // cancelled here, for example because its submitter left this member's view
          say("INTERRUPTED " + ctx.attemptId());
          throw e;
        }
        say("FINISHED " + ctx.attemptId());
      }
      return payload + "@" + node;
    });
    try (AgentRuntime runtime = AgentRuntime.builder().name(node).build();
         AgentryCluster member = AgentryCluster.builder(runtime, handlers)
             .config(TestCluster.config(cluster, node, port, ports).build())
             .offer(Agent.local("w").capacity(capacity))
             .loadPublishInterval(Duration.ofMillis(200))
             .join()) {
      say("READY " + member.memberName() + " " + member.memberAddresses());
      stdinClosed.await();
    }
  }

  private static void say(String line) {
    System.out.println(line); // one println per line keeps lines whole
    System.out.flush();
  }
}
