package io.agentry.scheduler;

import io.agentry.core.Agent;
import io.agentry.core.AgentState;
import io.agentry.core.spi.AgentView;
import io.agentry.core.spi.QueuedTask;

/** An agent view for direct selector tests: capacity and load set by the test. */
final class FakeAgent implements AgentView {
  private final Agent agent;
  int inFlight;
  /** When set, the agent has no room although a slot is free (as when a resource is used up). */
  boolean noRoom;

  private FakeAgent(Agent agent) {
    this.agent = agent;
  }

  static FakeAgent of(String id) {
    return new FakeAgent(Agent.local(id));
  }

  static FakeAgent of(Agent agent) {
    return new FakeAgent(agent);
  }

  static FakeAgent of(String id, int capacity, int inFlight) {
    FakeAgent a = new FakeAgent(Agent.local(id).capacity(capacity));
    a.inFlight = inFlight;
    return a;
  }

  FakeAgent full() {
    inFlight = agent.capacity();
    return this;
  }

  @Override
  public String id() {
    return agent.id();
  }

  @Override
  public Agent agent() {
    return agent;
  }

  @Override
  public AgentState state() {
    return AgentState.UP;
  }

  @Override
  public int inFlight() {
    return inFlight;
  }

  @Override
  public boolean hasRoomFor(QueuedTask task) {
    return !noRoom && inFlight < agent.capacity();
  }

  /** Takes a slot, as the runtime does when it starts an attempt here. */
  void take() {
    inFlight++;
  }

  void give() {
    inFlight--;
  }

  @Override
  public String toString() {
    return id() + "(" + inFlight + "/" + agent.capacity() + (noRoom ? ", no room" : "") + ")";
  }
}
