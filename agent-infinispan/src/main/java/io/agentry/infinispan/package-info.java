/**
 * Cluster mode: agents on other JVMs, through an embedded Infinispan (JGroups) cluster. Each member
 * embeds an {@link io.agentry.core.AgentRuntime}; {@link io.agentry.infinispan.AgentryCluster} joins
 * it to the cluster, offers some of its local agents to the other members and adds theirs as remote
 * agents. Remote work is a named {@link io.agentry.infinispan.Handler} registered on every member
 * ({@link io.agentry.infinispan.Handlers}) with a payload in a {@link io.agentry.infinispan.Codec};
 * {@link io.agentry.infinispan.RemoteTasks} makes the tasks.
 *
 * <pre>{@code
 * Handlers handlers = Handlers.create();
 * NamedHandler<String, String> upper =
 *     handlers.register("upper", Codec.utf8(), (payload, ctx) -> payload.toUpperCase(Locale.ROOT));
 * ClusterConfig config = ClusterConfig.builder()
 *     .nodeName("a").bindAddress("10.0.0.5").bindPort(7800)
 *     .initialMembers("10.0.0.5[7800]", "10.0.0.6[7800]")
 *     .build();
 * try (AgentRuntime runtime = AgentRuntime.builder().build();
 *      AgentryCluster cluster = AgentryCluster.builder(runtime, handlers)
 *          .config(config)
 *          .offer(Agent.local("worker").capacity(8))
 *          .join()) {
 *   String shout = runtime.submit(RemoteTasks.call(upper, "hello")).join();
 * }
 * }</pre>
 *
 * <p>Dispatch is at-least-once: see {@code docs/cluster.md} for when a handler runs twice, TLS
 * setup, discovery and failure detection.
 */
@NullMarked
package io.agentry.infinispan;

import org.jspecify.annotations.NullMarked;
