package io.agentry.infinispan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Shared test fixtures: free loopback ports and a fast, loopback-only cluster configuration. */
final class TestCluster {
  static final String LOOPBACK = "127.0.0.1";

  private TestCluster() {}

  /** Finds {@code n} free TCP ports on 127.0.0.1 (their FD_SOCK2 ports, +100, free as well). */
  static List<Integer> freePorts(int n) {
    List<Integer> ports = new ArrayList<>();
    List<ServerSocket> held = new ArrayList<>();
    try {
      while (ports.size() < n) {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName(LOOPBACK));
        held.add(s);
        int p = s.getLocalPort();
        if (p + 100 > 65535 || ports.contains(p) || ports.contains(p + 100) || ports.contains(p - 100)) {
          continue;
        }
        try (ServerSocket fd = new ServerSocket(p + 100, 50, InetAddress.getByName(LOOPBACK))) {
          ports.add(p);
        } catch (IOException busy) {
          // its failure-detection port is taken; try another
        }
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a probe socket
        }
      }
    }
  }

  static List<String> hosts(List<Integer> ports) {
    return ports.stream().map(p -> LOOPBACK + "[" + p + "]").toList();
  }

  /** A fast configuration for member {@code name} on {@code port}, listing every port as initial member. */
  static ClusterConfig.Builder config(String cluster, String name, int port, List<Integer> all) {
    return ClusterConfig.builder()
        .clusterName(cluster)
        .nodeName(name)
        .bindAddress(LOOPBACK)
        .bindPort(port)
        .initialMembers(hosts(all))
        .membershipTimeouts(Duration.ofMillis(200), Duration.ofMillis(100))
        .failureDetection(Duration.ofSeconds(3), Duration.ofMillis(500))
        .verifySuspectTimeout(Duration.ofMillis(500))
        .mergeInterval(Duration.ofSeconds(1));
  }

  /** Fails unless every member of the cluster's view is on 127.0.0.1. */
  static void assertLoopbackOnly(AgentryCluster cluster) {
    List<String> addresses = cluster.memberAddresses();
    assertThat(addresses).isNotEmpty();
    for (String a : addresses) {
      assertThat(a).as("every member's address must be on 127.0.0.1 (network rule)")
          .startsWith(LOOPBACK + ":");
    }
  }
}
