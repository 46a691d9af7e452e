package io.agentry.infinispan;

import static io.agentry.infinispan.TestCluster.assertLoopbackOnly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.agentry.core.Agent;
import io.agentry.core.AgentRuntime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TLS between members: only members whose certificate the cluster CA signed can join. */
class TlsClusterTest {
  private static Keystores keys;
  private static Path keystoreA;
  private static Path keystoreB;
  private static Path[] rogue;

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private List<Integer> ports;
  private String cluster;
  private AgentRuntime runtimeA;
  private AgentryCluster memberA;
  private NamedHandler<String, String> echo;

  @BeforeAll
  static void makeKeystores() {
    keys = Keystores.create();
    keystoreA = keys.member("a");
    keystoreB = keys.member("b");
    rogue = keys.rogue("rogue");
  }

  @BeforeEach
  void startFirstMember() {
    ports = TestCluster.freePorts(2);
    cluster = "tls-" + ports.get(0);
    Handlers handlers = Handlers.create();
    echo = handlers.register("echo", Codec.utf8(), (p, ctx) -> p + "@a");
    runtimeA = track(AgentRuntime.builder().name("a").build());
    memberA = track(AgentryCluster.builder(runtimeA, handlers)
        .config(TestCluster.config(cluster, "a", ports.get(0), ports)
            .tls(keystoreA, Keystores.PASSWORD, keys.truststore, Keystores.PASSWORD)
            .build())
        .join());
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private <T extends AutoCloseable> T track(T c) {
    closeables.add(c);
    return c;
  }

  private AgentryCluster.Builder memberB(ClusterConfig.Builder config) {
    Handlers handlers = Handlers.create();
    handlers.register("echo", Codec.utf8(), (p, ctx) -> p + "@b");
    AgentRuntime runtime = track(AgentRuntime.builder().name("b").build());
    return AgentryCluster.builder(runtime, handlers)
        .config(config.initialClusterSize(2, Duration.ofSeconds(4)).build())
        .offer(Agent.local("w"));
  }

  private ClusterConfig.Builder configB() {
    return TestCluster.config(cluster, "b", ports.get(1), ports);
  }

  @Test
  void aMemberWithACertificateFromTheClusterCaJoinsAndRunsTasks() {
    AgentryCluster b = track(memberB(configB()
        .tls(keystoreB, Keystores.PASSWORD, keys.truststore, Keystores.PASSWORD))
        .join());
    assertThat(b.members()).containsExactlyInAnyOrder("a", "b");
    assertLoopbackOnly(b);
    await().atMost(Duration.ofSeconds(60)).until(() -> memberA.remoteAgents().size() == 1);
    assertThat(runtimeA.submit(RemoteTasks.call(echo, "hi")).join()).isEqualTo("hi@b");
  }

  @Test
  void aMemberWithoutTheKeystoreCannotJoin() {
    assertThatThrownBy(() -> memberB(configB()).join())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not join cluster '" + cluster + "'");
    assertThat(memberA.members()).containsExactly("a");
  }

  @Test
  void aMemberWithACertificateFromAnotherCaCannotJoin() {
    assertThatThrownBy(() -> memberB(configB()
        .tls(rogue[0], Keystores.PASSWORD, rogue[1], Keystores.PASSWORD)).join())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("could not join cluster '" + cluster + "'");
    assertThat(memberA.members()).containsExactly("a");
  }
}
