package io.agentry.infinispan.internal;

import java.util.List;
import org.infinispan.protostream.annotations.Proto;

/**
 * What a member publishes in the replicated metadata cache, under its own name.
 *
 * @param member the member's name
 * @param agents the agents it offers
 * @param publishedAtMillis when it was published (epoch millis, the member's clock)
 */
@Proto
public record MemberInfo(String member, List<OfferedAgent> agents, long publishedAtMillis) {}
