package io.agentry.infinispan.internal;

import java.util.List;
import org.infinispan.protostream.annotations.Proto;

/**
 * One agent a member offers to the cluster, with its load when last published.
 *
 * @param id the agent's id on its member
 * @param capacity its slots
 * @param weight its weight
 * @param tags its tags
 * @param resources its resources, each as {@code name=amount}
 * @param inFlight attempts running on it (local and remote submitters)
 * @param queued remote attempts waiting on its member for a slot
 */
@Proto
public record OfferedAgent(
    String id, int capacity, int weight, List<String> tags, List<String> resources, int inFlight,
    int queued) {}
