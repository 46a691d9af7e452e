package io.agentry.benchmarks;

import io.agentry.core.AgentRuntime;
import io.agentry.core.Agent;
import io.agentry.core.Task;
import io.agentry.infinispan.AgentryCluster;
import io.agentry.infinispan.ClusterConfig;
import io.agentry.infinispan.Codec;
import io.agentry.infinispan.Handlers;
import io.agentry.infinispan.NamedHandler;
import io.agentry.infinispan.RemoteTasks;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.ClusterExecutor;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.manager.EmbeddedCacheManager;
import org.infinispan.protostream.FileDescriptorSource;
import org.infinispan.protostream.ProtobufTagMarshaller;
import org.infinispan.protostream.SerializationContext;
import org.infinispan.protostream.SerializationContextInitializer;
import org.infinispan.protostream.TagReader;
import org.infinispan.remoting.transport.Address;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;

/**
 * Remote dispatch of no-op tasks on a 2-member loopback cluster (this JVM submits, a worker JVM it
 * starts runs): Agentry ({@code runtime.submit(RemoteTasks.call(noop, payload)).join()}) against raw
 * {@code ClusterExecutor.submitConsumer} calls of an equivalent function, on the same cluster, with
 * the same number of concurrent submitters (virtual threads, each waiting for its call before the
 * next). A timed harness, not JMH: both paths warm up first; then each round runs each path twice
 * for a fixed time (a warm-up, then the measurement), raw first in odd rounds and Agentry first in
 * even ones; it prints throughput and p50/p99 of the per-call latency.
 *
 * <pre>
 * ./mvnw -q -pl benchmarks -am package dependency:build-classpath \
 *     -Dmdep.outputFile=$PWD/benchmarks/target/cp.txt -DskipTests
 * java -cp benchmarks/target/classes:$(cat benchmarks/target/cp.txt) \
 *     io.agentry.benchmarks.ClusterDispatchBenchmark [seconds=5] [submitters=16] [rounds=2]
 * </pre>
 *
 * <p>Not from {@code benchmarks.jar}: that shaded jar has no {@code Multi-Release} manifest
 * attribute, so Infinispan's virtual-thread support (a versioned class) is lost and its blocking
 * executor falls back to a platform thread pool, which is not how users run it.
 */
public final class ClusterDispatchBenchmark {
  private static final byte[] PAYLOAD = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  private ClusterDispatchBenchmark() {}

  /**
   * Runs the driver, or the worker when the first argument is {@code --worker}.
   *
   * @param args see the class comment
   * @throws Exception if the cluster cannot start
   */
  public static void main(String[] args) throws Exception {
    // Infinispan logs through JBoss Logging: send it to SLF4J (slf4j-simple, WARN) before it starts.
    System.setProperty("org.jboss.logging.provider", "slf4j");
    if (args.length > 0 && args[0].equals("--worker")) {
      worker(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      return;
    }
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int submitters = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    driver(seconds, submitters, rounds);
  }

  // ------------------------------------------------------------------ cluster

  static EmbeddedCacheManager manager(String cluster, String node, int port, List<Integer> ports) {
    ClusterConfig config = ClusterConfig.builder()
        .clusterName(cluster).nodeName(node).bindAddress("127.0.0.1").bindPort(port)
        .initialMembers(ports.stream().map(p -> "127.0.0.1[" + p + "]").toList())
        .membershipTimeouts(Duration.ofMillis(200), Duration.ofMillis(100))
        .build();
    GlobalConfigurationBuilder g = new GlobalConfigurationBuilder();
    g.transport().defaultTransport().clusterName(cluster).nodeName(node)
        .addProperty(JGroupsTransport.CONFIGURATION_XML, config.jgroupsXml());
    g.serialization().addContextInitializer(AgentryCluster.schema())
        .addContextInitializer(new NoopSchema());
    g.jmx().disable();
    return new DefaultCacheManager(g.build(), true);
  }

  static void worker(String cluster, int port, int driverPort) throws Exception {
    Handlers handlers = Handlers.create();
    handlers.register("noop", Codec.bytes(), (payload, ctx) -> payload);
    EmbeddedCacheManager m = manager(cluster, "worker", port, List.of(driverPort, port));
    try (AgentRuntime runtime = AgentRuntime.builder().name("worker").build();
         AgentryCluster member = AgentryCluster.builder(runtime, handlers).cacheManager(m)
             .offer(Agent.local("w").capacity(256)).join()) {
      System.out.println("READY " + member.memberAddresses());
      System.out.flush();
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        while (in.readLine() != null) {
          // runs until the driver closes stdin
        }
      }
    } finally {
      m.stop();
    }
  }

  static void driver(int seconds, int submitters, int rounds) throws Exception {
    List<Integer> ports = freePorts(2);
    String cluster = "bench-" + ports.get(0);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process worker = new ProcessBuilder(java, "-Xmx1g", "--enable-native-access=ALL-UNNAMED",
        "-Dorg.jboss.logging.provider=slf4j",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
        ClusterDispatchBenchmark.class.getName(), "--worker", cluster, String.valueOf(ports.get(1)),
        String.valueOf(ports.get(0))).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    EmbeddedCacheManager m = null;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8));
      m = manager(cluster, "driver", ports.get(0), ports);
      String ready;
      while ((ready = out.readLine()) != null && !ready.startsWith("READY")) {
        System.out.println("[worker] " + ready);
      }
      if (ready == null) {
        throw new IllegalStateException("the worker JVM exited");
      }
      Handlers handlers = Handlers.create();
      NamedHandler<byte[], byte[]> noop = handlers.register("noop", Codec.bytes(), (p, ctx) -> p);
      try (AgentRuntime runtime = AgentRuntime.builder().name("driver").build();
           AgentryCluster member = AgentryCluster.builder(runtime, handlers).cacheManager(m).join()) {
        // The first task waits in the queue until the worker's agent appears (late binding).
        runtime.submit(RemoteTasks.call(noop, PAYLOAD)).join();
        Address target = m.getMembers().stream().filter(a -> a.toString().equals("worker"))
            .findFirst().orElseThrow();
        for (String a : member.memberAddresses()) {
          if (!a.startsWith("127.0.0.1:")) {
            throw new IllegalStateException("member address " + a + " is not on 127.0.0.1");
          }
        }
        ClusterExecutor raw = m.executor().filterTargets(List.of(target)).singleNodeSubmission()
            .timeout(30, TimeUnit.SECONDS);
        Call rawCall = () -> {
          CompletableFuture<byte[]> result = new CompletableFuture<>();
          raw.<byte[]>submitConsumer(new NoopCall(PAYLOAD), (a, v, t) -> {
            if (t != null) {
              result.completeExceptionally(t);
            } else {
              result.complete(v);
            }
          }).whenComplete((v, t) -> {
            if (t != null) {
              result.completeExceptionally(t);
            }
          });
          result.join();
        };
        Task<byte[]> task = RemoteTasks.call(noop, PAYLOAD);
        Call agentryCall = () -> runtime.submit(task).join();

        System.out.printf(Locale.ROOT, "%d submitters, %d s per measurement, JDK %s, %d CPUs%n",
            submitters, seconds, Runtime.version(), Runtime.getRuntime().availableProcessors());
        System.out.println("| round | path | calls/s | p50 µs | p99 µs |");
        System.out.println("|---|---|---|---|---|");
        // Warm both paths up once (not reported), then alternate which goes first in each round.
        measure(rawCall, submitters, seconds);
        measure(agentryCall, submitters, seconds);
        for (int r = 1; r <= rounds; r++) {
          Result rawResult;
          Result agentryResult;
          if (r % 2 == 1) {
            rawResult = measure(rawCall, submitters, seconds);
            agentryResult = measure(agentryCall, submitters, seconds);
          } else {
            agentryResult = measure(agentryCall, submitters, seconds);
            rawResult = measure(rawCall, submitters, seconds);
          }
          rawResult.print(r, "raw ClusterExecutor");
          agentryResult.print(r, "Agentry");
          System.out.printf(Locale.ROOT, "| %d | Agentry / raw | %.2f | | |%n", r,
              agentryResult.throughput / rawResult.throughput);
        }
        System.out.println("attempts sent " + member.stats().attemptsSent() + ", lost "
            + member.stats().attemptsLost());
      }
    } finally {
      worker.getOutputStream().close();
      if (!worker.waitFor(30, TimeUnit.SECONDS)) {
        worker.destroyForcibly();
      }
      if (m != null) {
        m.stop();
      }
    }
  }

  // ------------------------------------------------------------------ measuring

  @FunctionalInterface
  interface Call {
    void run() throws Exception;
  }

  record Result(double throughput, long p50Nanos, long p99Nanos) {
    void print(int round, String path) {
      System.out.printf(Locale.ROOT, "| %d | %s | %,.0f | %.0f | %.0f |%n", round, path, throughput,
          p50Nanos / 1e3, p99Nanos / 1e3);
    }
  }

  /** Warms up for the same time, then measures: each submitter calls in a loop until the end. */
  static Result measure(Call call, int submitters, int seconds) throws Exception {
    run(call, submitters, seconds);
    return run(call, submitters, seconds);
  }

  private static Result run(Call call, int submitters, int seconds) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<CompletableFuture<long[]>> parts = new ArrayList<>();
    for (int i = 0; i < submitters; i++) {
      CompletableFuture<long[]> part = new CompletableFuture<>();
      parts.add(part);
      Thread.ofVirtual().start(() -> {
        long[] lat = new long[1 << 16];
        int n = 0;
        try {
          long now = System.nanoTime();
          while (now < end) {
            call.run();
            long after = System.nanoTime();
            if (n == lat.length) {
              lat = Arrays.copyOf(lat, n * 2);
            }
            lat[n++] = after - now;
            now = after;
          }
          part.complete(Arrays.copyOf(lat, n));
        } catch (Throwable t) {
          part.completeExceptionally(t);
        }
      });
    }
    long total = 0;
    List<long[]> all = new ArrayList<>();
    for (CompletableFuture<long[]> p : parts) {
      long[] l = p.get();
      all.add(l);
      total += l.length;
    }
    long[] merged = new long[(int) total];
    int at = 0;
    for (long[] l : all) {
      System.arraycopy(l, 0, merged, at, l.length);
      at += l.length;
    }
    Arrays.sort(merged);
    return new Result(total / (double) seconds, merged[(int) (merged.length * 0.50)],
        merged[Math.min(merged.length - 1, (int) (merged.length * 0.99))]);
  }

  private static List<Integer> freePorts(int n) throws IOException {
    List<Integer> ports = new ArrayList<>();
    List<ServerSocket> held = new ArrayList<>();
    try {
      while (ports.size() < n) {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
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

  // ------------------------------------------------------------------ the raw function

  /**
   * The raw baseline's function: returns its payload, like the Agentry handler.
   *
   * @param payload the payload
   */
  public record NoopCall(byte[] payload) implements Function<EmbeddedCacheManager, byte[]> {
    @Override
    public byte[] apply(EmbeddedCacheManager manager) {
      return payload;
    }
  }

  /** A hand-written ProtoStream schema and marshaller for {@link NoopCall}. */
  static final class NoopSchema implements SerializationContextInitializer {
    private static final String FILE = "agentry-bench.proto";
    private static final String PROTO = "syntax = \"proto3\";\npackage agentry.bench;\n"
        + "message NoopCall { bytes payload = 1; }\n";

    @Override
    public void registerSchema(SerializationContext ctx) {
      ctx.registerProtoFiles(FileDescriptorSource.fromString(FILE, PROTO));
    }

    @Override
    public void registerMarshallers(SerializationContext ctx) {
      ctx.registerMarshaller(new ProtobufTagMarshaller<NoopCall>() {
        @Override
        public Class<? extends NoopCall> getJavaClass() {
          return NoopCall.class;
        }

        @Override
        public String getTypeName() {
          return "agentry.bench.NoopCall";
        }

        @Override
        public NoopCall read(ReadContext ctx) throws IOException {
          TagReader in = ctx.getReader();
          byte[] payload = new byte[0];
          while (true) {
            int tag = in.readTag();
            if (tag == 0) {
              break;
            }
            if (tag == (1 << 3 | 2)) {
              payload = in.readByteArray();
            } else if (!in.skipField(tag)) {
              break;
            }
          }
          return new NoopCall(payload);
        }

        @Override
        public void write(WriteContext ctx, NoopCall call) throws IOException {
          ctx.getWriter().writeBytes(1, call.payload());
        }
      });
    }
  }
}
