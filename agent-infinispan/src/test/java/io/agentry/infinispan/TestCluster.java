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

  /**
   * Finds {@code n} free TCP ports on 127.0.0.1 (their FD_SOCK2 ports, +100, free as well), below the
   * system's ephemeral port range. A port the system hands out with {@code new ServerSocket(0)} is in
   * that range, and a member that connects to a port nobody listens on yet can be given that very
   * port as its own source port (a TCP self-connect on loopback), which then keeps the port from the
   * member meant to bind it: a cluster test failed with "No available port to bind to" that way.
   */
  static List<Integer> freePorts(int n) {
    int low = 20_000;
    int high = ephemeralLow() - 101; // the port and its FD_SOCK2 port both below the range
    if (high - low < 2_000) { // an unusual range: fall back to the upper registered ports
      low = 10_000;
      high = 20_000;
    }
    java.util.Random random = new java.util.Random();
    List<Integer> ports = new ArrayList<>();
    try {
      InetAddress loopback = InetAddress.getByName(LOOPBACK);
      while (ports.size() < n) {
        int p = low + random.nextInt(high - low);
        if (ports.contains(p) || ports.contains(p + 100) || ports.contains(p - 100)) {
          continue;
        }
        try (ServerSocket s = new ServerSocket(p, 50, loopback);
            ServerSocket fd = new ServerSocket(p + 100, 50, loopback)) {
          ports.add(p);
        } catch (IOException busy) {
          // taken; try another
        }
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first port of the system's ephemeral range (Linux), or 32768 when it cannot be read. */
  private static int ephemeralLow() {
    try {
      // readAllLines, not readString: on this kernel readString gave only the first byte of the
      // /proc file (which reports a size of 0)
      List<String> lines = java.nio.file.Files.readAllLines(
          java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
      return Integer.parseInt(lines.get(0).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
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
