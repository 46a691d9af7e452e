package io.agentry.infinispan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {

  @Test
  void defaultsBindToLoopbackWithoutMulticast() {
    ClusterConfig c = ClusterConfig.ofDefaults();
    assertThat(c.bindAddress()).isEqualTo("127.0.0.1");
    assertThat(c.bindPort()).isEqualTo(7800);
    assertThat(c.isTlsEnabled()).isFalse();
    String xml = c.jgroupsXml();
    assertThat(xml).contains("<TCP bind_addr=\"127.0.0.1\" bind_port=\"7800\"")
        .contains("<TCPPING initial_hosts=\"127.0.0.1[7800]\"")
        .contains("<FD_SOCK2 bind_addr=\"127.0.0.1\"")
        .contains("<FD_ALL3 timeout=\"10000\" interval=\"2000\"/>")
        .contains("<VERIFY_SUSPECT2").contains("<pbcast.NAKACK2 use_mcast_xmit=\"false\"")
        .contains("<UNICAST3").contains("<pbcast.STABLE").contains("<pbcast.GMS")
        .contains("<UFC").contains("<MFC").contains("<FRAG4").contains("diag.enabled=\"false\"")
        .doesNotContain("UDP").doesNotContain("MPING").doesNotContain("mcast_addr")
        .doesNotContain("tls.");
  }

  @Test
  void tlsSettingsGoOnTheTransport() {
    String xml = ClusterConfig.builder()
        .tls(Path.of("/k/member.p12"), "ks&pw", Path.of("/k/trust.p12"), "ts\"pw")
        .build().jgroupsXml();
    assertThat(xml).contains("tls.enabled=\"true\"").contains("tls.client_auth=\"NEED\"")
        .contains("tls.protocols=\"TLSv1.3\"").contains("tls.keystore_path=\"/k/member.p12\"")
        .contains("tls.keystore_password=\"ks&amp;pw\"").contains("tls.truststore_password=\"ts&quot;pw\"");
    assertThat(ClusterConfig.builder()
        .tls(Path.of("/k/member.p12"), "secret", Path.of("/k/trust.p12"), "secret").build().toString())
        .doesNotContain("secret");
  }

  @Test
  void dnsDiscoveryReplacesTcpPing() {
    String xml = ClusterConfig.builder().dnsQuery("orders-ping.default.svc.cluster.local").build()
        .jgroupsXml();
    assertThat(xml).contains("<dns.DNS_PING dns_query=\"orders-ping.default.svc.cluster.local\"")
        .doesNotContain("TCPPING");
  }

  @Test
  void settersNameTheBadFieldAndValue() {
    ClusterConfig.Builder b = ClusterConfig.builder();
    assertThatThrownBy(() -> b.bindPort(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bindPort must be between 1 and 65535, was 0");
    assertThatThrownBy(() -> b.initialMembers("10.0.0.1:7800"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialMembers entries must look like host[port], was '10.0.0.1:7800'");
    assertThatThrownBy(() -> b.initialMembers("h[70000]")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has port 70000");
    assertThatThrownBy(() -> b.clusterName(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clusterName must not be blank, was ' '");
    assertThatThrownBy(() -> b.nodeName("a@b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodeName");
    assertThatThrownBy(() -> b.failureDetection(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("failureDetectionTimeout must be positive, was PT0S");
    assertThatThrownBy(() -> b.initialClusterSize(0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialClusterSize must be at least 1, was 0");
    assertThatThrownBy(() -> b.tls(Path.of("k"), "", Path.of("t"), "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("keystorePassword must not be empty");
    assertThatThrownBy(() -> b.tls(Path.of("k"), "a${x}", Path.of("t"), "x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'${'");
  }

  @Test
  void buildChecksCombinationsAndLeavesTheBuilderUsable() {
    ClusterConfig.Builder b = ClusterConfig.builder().initialMembers("h[1]").dnsQuery("x");
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not both");
    ClusterConfig.Builder fd = ClusterConfig.builder()
        .failureDetection(Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertThatThrownBy(fd::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("heartbeatInterval PT1S must be shorter than failureDetectionTimeout PT1S");
    ClusterConfig ok = ClusterConfig.builder().nodeName("n").build();
    assertThat(ok.toBuilder().bindPort(9000).build().nodeName()).contains("n");
    assertThat(ok.bindPort()).isEqualTo(7800);
  }
}
