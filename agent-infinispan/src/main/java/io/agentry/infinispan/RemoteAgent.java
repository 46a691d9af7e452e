package io.agentry.infinispan;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * An agent another member offers, as this member last saw it: its description and the load its
 * member last published. The load counts the attempts of every submitter in the cluster, where
 * {@link io.agentry.core.spi.AgentView#inFlight()} counts only this runtime's own.
 *
 * @param id the agent's id in this runtime: {@code agentId@member}
 * @param member the name of the member that hosts it
 * @param capacity its slots
 * @param tags its tags
 * @param inFlight attempts running on it at {@code publishedAt}, from every submitter
 * @param queued remote attempts waiting on its member for a slot at {@code publishedAt}
 * @param publishedAt when its member published this (the member's clock)
 */
public record RemoteAgent(
    String id, String member, int capacity, Set<String> tags, int inFlight, int queued,
    Instant publishedAt) {

  /**
   * Checks and copies the components.
   *
   * @throws NullPointerException if a component is null
   */
  public RemoteAgent {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(member, "member");
    tags = Set.copyOf(tags);
    Objects.requireNonNull(publishedAt, "publishedAt");
  }
}
