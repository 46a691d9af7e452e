package io.agentry.infinispan;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How a member joins the cluster when {@link AgentryCluster} builds the Infinispan cache manager
 * itself: cluster name, bind address and port, discovery (a list of initial members, or DNS), TLS,
 * the initial cluster size, and the failure-detection timeouts. Immutable and thread-safe; made by
 * {@link #builder()}.
 *
 * <p>It builds a JGroups stack of its own, on TCP only, with no multicast anywhere:
 * {@code TCP} (with TLS when a keystore is set) + {@code TCPPING} (or {@code dns.DNS_PING}) +
 * {@code MERGE3} + {@code FD_SOCK2} + {@code FD_ALL3} + {@code VERIFY_SUSPECT2} +
 * {@code pbcast.NAKACK2} + {@code UNICAST3} + {@code pbcast.STABLE} + {@code pbcast.GMS} +
 * {@code UFC} + {@code MFC} + {@code FRAG4}; see {@link #jgroupsXml()}. Every socket binds to
 * {@link #bindAddress()}.
 *
 * <pre>{@code
 * ClusterConfig config = ClusterConfig.builder()
 *     .clusterName("orders")
 *     .bindAddress("10.0.0.5").bindPort(7800)
 *     .initialMembers("10.0.0.5[7800]", "10.0.0.6[7800]", "10.0.0.7[7800]")
 *     .tls(Path.of("member.p12"), "changeit", Path.of("truststore.p12"), "changeit")
 *     .build();
 * }</pre>
 */
public final class ClusterConfig {
  /** The cluster name when none is set. */
  public static final String DEFAULT_CLUSTER_NAME = "agentry";
  /** The bind address when none is set: loopback, so that nothing leaves the machine by accident. */
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
  /** The TCP port when none is set. */
  public static final int DEFAULT_BIND_PORT = 7800;
  /** How long a silent member lives before FD_ALL3 suspects it, when not set: 10 seconds. */
  public static final Duration DEFAULT_FAILURE_DETECTION_TIMEOUT = Duration.ofSeconds(10);
  /** How often members send FD_ALL3 heartbeats, when not set: 2 seconds. */
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);
  /** How long VERIFY_SUSPECT2 double-checks a suspect, when not set: 1 second. */
  public static final Duration DEFAULT_VERIFY_SUSPECT_TIMEOUT = Duration.ofSeconds(1);
  /** How long a joining member waits for the coordinator's answer, when not set: 2 seconds. */
  public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ofSeconds(2);
  /** How long a leaving member waits for the coordinator's answer, when not set: 1 second. */
  public static final Duration DEFAULT_LEAVE_TIMEOUT = Duration.ofSeconds(1);
  /** The shortest interval of MERGE3's partition checks, when not set: 10 seconds. */
  public static final Duration DEFAULT_MERGE_INTERVAL = Duration.ofSeconds(10);
  /** How long startup waits for {@link #initialClusterSize()} members, when not set: 60 seconds. */
  public static final Duration DEFAULT_INITIAL_CLUSTER_TIMEOUT = Duration.ofSeconds(60);
  /** FD_SOCK2 listens on the bind port plus this offset, when not set. */
  public static final int DEFAULT_FAILURE_DETECTION_PORT_OFFSET = 100;

  private static final Pattern MEMBER = Pattern.compile("[^\\s\\[\\],]+\\[\\d{1,5}]");

  private final String clusterName;
  private final @Nullable String nodeName;
  private final String bindAddress;
  private final int bindPort;
  private final List<String> initialMembers;
  private final @Nullable String dnsQuery;
  private final @Nullable Path keystore;
  private final @Nullable String keystorePassword;
  private final @Nullable Path truststore;
  private final @Nullable String truststorePassword;
  private final int initialClusterSize;
  private final Duration initialClusterTimeout;
  private final Duration failureDetectionTimeout;
  private final Duration heartbeatInterval;
  private final Duration verifySuspectTimeout;
  private final Duration joinTimeout;
  private final Duration leaveTimeout;
  private final Duration mergeInterval;
  private final int failureDetectionPortOffset;

  private ClusterConfig(Builder b) {
    this.clusterName = b.clusterName;
    this.nodeName = b.nodeName;
    this.bindAddress = b.bindAddress;
    this.bindPort = b.bindPort;
    this.initialMembers = List.copyOf(b.initialMembers);
    this.dnsQuery = b.dnsQuery;
    this.keystore = b.keystore;
    this.keystorePassword = b.keystorePassword;
    this.truststore = b.truststore;
    this.truststorePassword = b.truststorePassword;
    this.initialClusterSize = b.initialClusterSize;
    this.initialClusterTimeout = b.initialClusterTimeout;
    this.failureDetectionTimeout = b.failureDetectionTimeout;
    this.heartbeatInterval = b.heartbeatInterval;
    this.verifySuspectTimeout = b.verifySuspectTimeout;
    this.joinTimeout = b.joinTimeout;
    this.leaveTimeout = b.leaveTimeout;
    this.mergeInterval = b.mergeInterval;
    this.failureDetectionPortOffset = b.failureDetectionPortOffset;
  }

  /**
   * Starts a builder with every setting at its default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the configuration with every setting at its default: a one-member cluster named
   * {@value #DEFAULT_CLUSTER_NAME} on 127.0.0.1 port {@value #DEFAULT_BIND_PORT}, without TLS.
   *
   * @return the default configuration
   */
  public static ClusterConfig ofDefaults() {
    return builder().build();
  }

  /**
   * Returns a builder holding this configuration's settings, to derive a variant.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.clusterName = clusterName;
    b.nodeName = nodeName;
    b.bindAddress = bindAddress;
    b.bindPort = bindPort;
    b.initialMembers.addAll(initialMembers);
    b.dnsQuery = dnsQuery;
    b.keystore = keystore;
    b.keystorePassword = keystorePassword;
    b.truststore = truststore;
    b.truststorePassword = truststorePassword;
    b.initialClusterSize = initialClusterSize;
    b.initialClusterTimeout = initialClusterTimeout;
    b.failureDetectionTimeout = failureDetectionTimeout;
    b.heartbeatInterval = heartbeatInterval;
    b.verifySuspectTimeout = verifySuspectTimeout;
    b.joinTimeout = joinTimeout;
    b.leaveTimeout = leaveTimeout;
    b.mergeInterval = mergeInterval;
    b.failureDetectionPortOffset = failureDetectionPortOffset;
    return b;
  }

  /**
   * Returns the cluster name: members join only a cluster of the same name.
   *
   * @return the cluster name
   */
  public String clusterName() {
    return clusterName;
  }

  /**
   * Returns this member's name, which qualifies the ids of the agents it offers
   * ({@code agentId@nodeName}).
   *
   * @return the node name, or empty to let Infinispan derive one from the host name
   */
  public Optional<String> nodeName() {
    return Optional.ofNullable(nodeName);
  }

  /**
   * Returns the address every socket of the stack binds to.
   *
   * @return the bind address
   */
  public String bindAddress() {
    return bindAddress;
  }

  /**
   * Returns the TCP port of the transport.
   *
   * @return the port
   */
  public int bindPort() {
    return bindPort;
  }

  /**
   * Returns the members TCPPING contacts to join, as {@code host[port]}.
   *
   * @return the initial members; empty means this member alone (or DNS discovery)
   */
  public List<String> initialMembers() {
    return initialMembers;
  }

  /**
   * Returns the DNS query of {@code DNS_PING} discovery (for example a Kubernetes headless service).
   *
   * @return the query, or empty when discovery uses {@link #initialMembers()}
   */
  public Optional<String> dnsQuery() {
    return Optional.ofNullable(dnsQuery);
  }

  /**
   * Tells whether members talk over TLS (with client authentication).
   *
   * @return {@code true} when a keystore and a truststore are set
   */
  public boolean isTlsEnabled() {
    return keystore != null;
  }

  /**
   * Returns the PKCS12 keystore holding this member's key and certificate.
   *
   * @return the keystore path, or empty without TLS
   */
  public Optional<Path> keystore() {
    return Optional.ofNullable(keystore);
  }

  /**
   * Returns the PKCS12 truststore holding the cluster's CA certificate.
   *
   * @return the truststore path, or empty without TLS
   */
  public Optional<Path> truststore() {
    return Optional.ofNullable(truststore);
  }

  /**
   * Returns how many members must be in the cluster before startup completes. With TLS, set it to
   * the expected size: a member that cannot complete the TLS handshake would otherwise start alone.
   *
   * @return at least 1
   */
  public int initialClusterSize() {
    return initialClusterSize;
  }

  /**
   * Returns how long startup waits for {@link #initialClusterSize()} members before it fails.
   *
   * @return the timeout
   */
  public Duration initialClusterTimeout() {
    return initialClusterTimeout;
  }

  /**
   * Returns how long a member may stay silent before FD_ALL3 suspects it (a crashed process is found
   * sooner, by FD_SOCK2, when its sockets close).
   *
   * @return the timeout
   */
  public Duration failureDetectionTimeout() {
    return failureDetectionTimeout;
  }

  /**
   * Returns how often each member sends FD_ALL3 heartbeats.
   *
   * @return the interval, shorter than the failure-detection timeout
   */
  public Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  /**
   * Returns how long VERIFY_SUSPECT2 double-checks a suspected member before excluding it.
   *
   * @return the timeout
   */
  public Duration verifySuspectTimeout() {
    return verifySuspectTimeout;
  }

  /**
   * Returns how long a joining member waits for the coordinator (GMS {@code join_timeout}).
   *
   * @return the timeout
   */
  public Duration joinTimeout() {
    return joinTimeout;
  }

  /**
   * Returns how long a leaving member waits for the coordinator (GMS {@code leave_timeout}).
   *
   * @return the timeout
   */
  public Duration leaveTimeout() {
    return leaveTimeout;
  }

  /**
   * Returns the shortest interval between MERGE3's checks for split clusters (the longest is three
   * times as long): how soon a member that was excluded while it was paused comes back.
   *
   * @return the interval
   */
  public Duration mergeInterval() {
    return mergeInterval;
  }

  /**
   * Returns the offset from the bind port at which FD_SOCK2 listens.
   *
   * @return the offset
   */
  public int failureDetectionPortOffset() {
    return failureDetectionPortOffset;
  }

  /**
   * Returns the JGroups stack this configuration builds, as the XML JGroups reads. It holds the
   * keystore passwords when TLS is on: do not log it.
   *
   * @return the XML
   */
  public String jgroupsXml() {
    String addr = xml(bindAddress);
    StringBuilder x = new StringBuilder(2048);
    x.append("<config xmlns=\"urn:org:jgroups\">\n");
    x.append("  <TCP bind_addr=\"").append(addr).append("\" bind_port=\"").append(bindPort)
        .append("\" port_range=\"0\" diag.enabled=\"false\" thread_naming_pattern=\"pl\"")
        .append(" send_buf_size=\"640k\" sock_conn_timeout=\"300ms\" tcp_nodelay=\"true\"")
        .append(" bundler_type=\"transfer-queue\" thread_pool.min_threads=\"0\"")
        .append(" thread_pool.max_threads=\"200\" thread_pool.keep_alive_time=\"1m\"")
        .append(" use_vthreads=\"true\"");
    if (keystore != null) {
      x.append("\n       tls.enabled=\"true\" tls.client_auth=\"NEED\" tls.protocols=\"TLSv1.3\"")
          .append("\n       tls.keystore_path=\"").append(xml(keystore.toString()))
          .append("\" tls.keystore_password=\"").append(xml(Objects.requireNonNull(keystorePassword)))
          .append("\" tls.keystore_type=\"PKCS12\"")
          .append("\n       tls.truststore_path=\"").append(xml(Objects.requireNonNull(truststore).toString()))
          .append("\" tls.truststore_password=\"").append(xml(Objects.requireNonNull(truststorePassword)))
          .append("\" tls.truststore_type=\"PKCS12\"");
    }
    x.append("/>\n");
    if (dnsQuery != null) {
      x.append("  <dns.DNS_PING dns_query=\"").append(xml(dnsQuery))
          .append("\" dns_record_type=\"A\" num_discovery_runs=\"3\"/>\n");
    } else {
      List<String> hosts = initialMembers.isEmpty()
          ? List.of(bindAddress + "[" + bindPort + "]") : initialMembers;
      x.append("  <TCPPING initial_hosts=\"").append(xml(String.join(",", hosts)))
          .append("\" port_range=\"0\" send_cache_on_join=\"true\"/>\n");
    }
    x.append("  <MERGE3 min_interval=\"").append(mergeInterval.toMillis())
        .append("\" max_interval=\"").append(mergeInterval.toMillis() * 3).append("\"/>\n");
    x.append("  <FD_SOCK2 bind_addr=\"").append(addr).append("\" offset=\"")
        .append(failureDetectionPortOffset).append("\"/>\n");
    x.append("  <FD_ALL3 timeout=\"").append(failureDetectionTimeout.toMillis())
        .append("\" interval=\"").append(heartbeatInterval.toMillis()).append("\"/>\n");
    x.append("  <VERIFY_SUSPECT2 timeout=\"").append(verifySuspectTimeout.toMillis()).append("\"/>\n");
    x.append("  <pbcast.NAKACK2 use_mcast_xmit=\"false\" xmit_interval=\"200\"")
        .append(" xmit_table_num_rows=\"50\" xmit_table_msgs_per_row=\"1024\"")
        .append(" xmit_table_max_compaction_time=\"30000\" resend_last_seqno=\"true\"/>\n");
    x.append("  <UNICAST3 conn_close_timeout=\"5000\" xmit_interval=\"200\"")
        .append(" xmit_table_num_rows=\"50\" xmit_table_msgs_per_row=\"1024\"")
        .append(" xmit_table_max_compaction_time=\"30000\"/>\n");
    x.append("  <pbcast.STABLE desired_avg_gossip=\"5000\" max_bytes=\"1M\"/>\n");
    x.append("  <pbcast.GMS print_local_addr=\"false\" join_timeout=\"").append(joinTimeout.toMillis())
        .append("\" leave_timeout=\"").append(leaveTimeout.toMillis()).append("\"/>\n");
    x.append("  <UFC max_credits=\"4m\" min_threshold=\"0.40\"/>\n");
    x.append("  <MFC max_credits=\"4m\" min_threshold=\"0.40\"/>\n");
    x.append("  <FRAG4 frag_size=\"60k\"/>\n");
    x.append("</config>\n");
    return x.toString();
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("'", "&apos;");
  }

  @Override
  public String toString() {
    return "ClusterConfig[cluster=" + clusterName + (nodeName == null ? "" : ", node=" + nodeName)
        + ", bind=" + bindAddress + ":" + bindPort
        + (dnsQuery == null ? ", initialMembers=" + initialMembers : ", dnsQuery=" + dnsQuery)
        + ", tls=" + isTlsEnabled() + ", initialClusterSize=" + initialClusterSize
        + ", failureDetectionTimeout=" + failureDetectionTimeout + "]";
  }

  /**
   * Builds a {@link ClusterConfig}. Each setter checks its value at once and names it when it
   * refuses it; {@link #build()} checks the combination. Not thread-safe.
   */
  public static final class Builder {
    private String clusterName = DEFAULT_CLUSTER_NAME;
    private @Nullable String nodeName;
    private String bindAddress = DEFAULT_BIND_ADDRESS;
    private int bindPort = DEFAULT_BIND_PORT;
    private final List<String> initialMembers = new ArrayList<>();
    private @Nullable String dnsQuery;
    private @Nullable Path keystore;
    private @Nullable String keystorePassword;
    private @Nullable Path truststore;
    private @Nullable String truststorePassword;
    private int initialClusterSize = 1;
    private Duration initialClusterTimeout = DEFAULT_INITIAL_CLUSTER_TIMEOUT;
    private Duration failureDetectionTimeout = DEFAULT_FAILURE_DETECTION_TIMEOUT;
    private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
    private Duration verifySuspectTimeout = DEFAULT_VERIFY_SUSPECT_TIMEOUT;
    private Duration joinTimeout = DEFAULT_JOIN_TIMEOUT;
    private Duration leaveTimeout = DEFAULT_LEAVE_TIMEOUT;
    private Duration mergeInterval = DEFAULT_MERGE_INTERVAL;
    private int failureDetectionPortOffset = DEFAULT_FAILURE_DETECTION_PORT_OFFSET;

    private Builder() {}

    /**
     * Sets the cluster name. Default {@value ClusterConfig#DEFAULT_CLUSTER_NAME}.
     *
     * @param name not blank
     * @return this builder
     * @throws IllegalArgumentException if the name is blank
     */
    public Builder clusterName(String name) {
      this.clusterName = text(name, "clusterName");
      return this;
    }

    /**
     * Sets this member's name, unique in the cluster. Default: derived by Infinispan from the host
     * name. Agent ids offered by this member are qualified with it.
     *
     * @param name not blank, without {@code @} or {@code /}
     * @return this builder
     * @throws IllegalArgumentException if the name is blank or holds {@code @} or {@code /}
     */
    public Builder nodeName(String name) {
      String n = text(name, "nodeName");
      if (n.contains("@") || n.contains("/")) {
        throw new IllegalArgumentException("nodeName must not contain '@' or '/', was '" + n + "'");
      }
      this.nodeName = n;
      return this;
    }

    /**
     * Sets the address every socket binds to. Default {@value ClusterConfig#DEFAULT_BIND_ADDRESS}:
     * set the address of the network the members share.
     *
     * @param address an IP address or host name; not blank
     * @return this builder
     * @throws IllegalArgumentException if the address is blank
     */
    public Builder bindAddress(String address) {
      this.bindAddress = text(address, "bindAddress");
      return this;
    }

    /**
     * Sets the TCP port. Default {@value ClusterConfig#DEFAULT_BIND_PORT}. The port must be free:
     * the transport does not probe for another one.
     *
     * @param port between 1 and 65535
     * @return this builder
     * @throws IllegalArgumentException if the port is out of range
     */
    public Builder bindPort(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("bindPort must be between 1 and 65535, was " + port);
      }
      this.bindPort = port;
      return this;
    }

    /**
     * Sets the members TCPPING contacts to join (this member may be among them). Replaces earlier
     * values. Default: none, so this member starts a cluster of its own unless others list it.
     *
     * @param members each as {@code host[port]}, for example {@code 10.0.0.6[7800]}
     * @return this builder
     * @throws IllegalArgumentException if a member is not of the form {@code host[port]}
     */
    public Builder initialMembers(String... members) {
      return initialMembers(List.of(members));
    }

    /**
     * Sets the members TCPPING contacts to join. Replaces earlier values.
     *
     * @param members each as {@code host[port]}
     * @return this builder
     * @throws IllegalArgumentException if a member is not of the form {@code host[port]}
     */
    public Builder initialMembers(List<String> members) {
      Objects.requireNonNull(members, "initialMembers");
      List<String> checked = new ArrayList<>();
      for (String m : members) {
        if (m == null || !MEMBER.matcher(m).matches()) {
          throw new IllegalArgumentException(
              "initialMembers entries must look like host[port], was '" + m + "'");
        }
        int port = Integer.parseInt(m.substring(m.indexOf('[') + 1, m.length() - 1));
        if (port < 1 || port > 65535) {
          throw new IllegalArgumentException("initialMembers entry '" + m + "' has port " + port
              + ", outside 1 to 65535");
        }
        checked.add(m);
      }
      initialMembers.clear();
      initialMembers.addAll(checked);
      return this;
    }

    /**
     * Discovers members with {@code DNS_PING} instead of a list: every address the query returns is
     * contacted on the bind port. On Kubernetes, use a headless service, for example
     * {@code orders-ping.default.svc.cluster.local}. Default: none.
     *
     * @param query the DNS name; not blank
     * @return this builder
     * @throws IllegalArgumentException if the query is blank
     */
    public Builder dnsQuery(String query) {
      this.dnsQuery = text(query, "dnsQuery");
      return this;
    }

    /**
     * Turns TLS on between members, with client authentication: a member joins only if its
     * certificate is signed by a CA in the others' truststore (one CA per cluster; host names are
     * not checked). Default: off.
     *
     * @param keystorePath a PKCS12 keystore with this member's key and certificate
     * @param keystorePassword its password
     * @param truststorePath a PKCS12 truststore with the cluster's CA certificate
     * @param truststorePassword its password
     * @return this builder
     * @throws IllegalArgumentException if a password is empty or contains <code>${</code>
     * @throws NullPointerException if an argument is null
     */
    public Builder tls(Path keystorePath, String keystorePassword, Path truststorePath,
        String truststorePassword) {
      Objects.requireNonNull(keystorePath, "keystorePath");
      Objects.requireNonNull(truststorePath, "truststorePath");
      if (Objects.requireNonNull(keystorePassword, "keystorePassword").isEmpty()) {
        throw new IllegalArgumentException("keystorePassword must not be empty");
      }
      if (Objects.requireNonNull(truststorePassword, "truststorePassword").isEmpty()) {
        throw new IllegalArgumentException("truststorePassword must not be empty");
      }
      // JGroups expands ${...} in its XML attributes, so such a password would be altered.
      if (keystorePassword.contains("${") || truststorePassword.contains("${")) {
        throw new IllegalArgumentException("keystorePassword and truststorePassword must not contain '${'");
      }
      this.keystore = keystorePath.toAbsolutePath();
      this.keystorePassword = keystorePassword;
      this.truststore = truststorePath.toAbsolutePath();
      this.truststorePassword = truststorePassword;
      return this;
    }

    /**
     * Sets how many members the cluster must have before startup completes, and how long to wait
     * for them; startup fails after that. Default 1 member, 60 seconds.
     *
     * @param members at least 1
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if {@code members} is below 1 or the timeout is not positive
     */
    public Builder initialClusterSize(int members, Duration timeout) {
      if (members < 1) {
        throw new IllegalArgumentException("initialClusterSize must be at least 1, was " + members);
      }
      this.initialClusterSize = members;
      this.initialClusterTimeout = positive(timeout, "initialClusterTimeout");
      return this;
    }

    /**
     * Sets failure detection: how long a member may stay silent before it is suspected, and how
     * often heartbeats go out. Shorter finds a paused or cut-off member sooner, and also excludes a
     * member that merely paused (a long GC) sooner; its attempts then run again elsewhere. Defaults
     * 10 seconds and 2 seconds.
     *
     * @param timeout positive
     * @param heartbeatInterval positive, shorter than the timeout
     * @return this builder
     * @throws IllegalArgumentException if a value is not positive
     */
    public Builder failureDetection(Duration timeout, Duration heartbeatInterval) {
      this.failureDetectionTimeout = positive(timeout, "failureDetectionTimeout");
      this.heartbeatInterval = positive(heartbeatInterval, "heartbeatInterval");
      return this;
    }

    /**
     * Sets how long VERIFY_SUSPECT2 double-checks a suspect. Default 1 second.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public Builder verifySuspectTimeout(Duration timeout) {
      this.verifySuspectTimeout = positive(timeout, "verifySuspectTimeout");
      return this;
    }

    /**
     * Sets the GMS join and leave timeouts. Defaults 2 seconds and 1 second; on a fast network
     * (tests) 200 and 100 milliseconds make joining and leaving quicker.
     *
     * @param join positive
     * @param leave positive
     * @return this builder
     * @throws IllegalArgumentException if a value is not positive
     */
    public Builder membershipTimeouts(Duration join, Duration leave) {
      this.joinTimeout = positive(join, "joinTimeout");
      this.leaveTimeout = positive(leave, "leaveTimeout");
      return this;
    }

    /**
     * Sets the shortest interval of MERGE3's checks for split clusters. Default 10 seconds.
     *
     * @param interval positive
     * @return this builder
     * @throws IllegalArgumentException if the interval is not positive
     */
    public Builder mergeInterval(Duration interval) {
      this.mergeInterval = positive(interval, "mergeInterval");
      return this;
    }

    /**
     * Sets the offset from the bind port at which FD_SOCK2 listens. Default
     * {@value ClusterConfig#DEFAULT_FAILURE_DETECTION_PORT_OFFSET}.
     *
     * @param offset between 1 and 65535
     * @return this builder
     * @throws IllegalArgumentException if the offset is out of range
     */
    public Builder failureDetectionPortOffset(int offset) {
      if (offset < 1 || offset > 65535) {
        throw new IllegalArgumentException(
            "failureDetectionPortOffset must be between 1 and 65535, was " + offset);
      }
      this.failureDetectionPortOffset = offset;
      return this;
    }

    /**
     * Builds the configuration. The builder is left unchanged and may build again.
     *
     * @return the configuration
     * @throws IllegalStateException if both initial members and a DNS query are set, or the
     *     heartbeat interval is not shorter than the failure-detection timeout
     */
    public ClusterConfig build() {
      if (dnsQuery != null && !initialMembers.isEmpty()) {
        throw new IllegalStateException("set either initialMembers " + initialMembers
            + " or dnsQuery '" + dnsQuery + "', not both");
      }
      if (heartbeatInterval.compareTo(failureDetectionTimeout) >= 0) {
        throw new IllegalStateException("heartbeatInterval " + heartbeatInterval
            + " must be shorter than failureDetectionTimeout " + failureDetectionTimeout);
      }
      return new ClusterConfig(this);
    }

    private static String text(String value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank, was '" + value + "'");
      }
      return value;
    }

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
      return value;
    }
  }
}
