/**
 * The Agentry runtime: build an {@link io.agentry.core.AgentRuntime}, register
 * {@link io.agentry.core.Agent agents} (workers), submit {@link io.agentry.core.Task tasks} and read
 * their {@link io.agentry.core.TaskOutcome outcomes}.
 *
 * <pre>{@code
 * try (var runtime = AgentRuntime.builder()
 *         .agent(Agent.local("a1").capacity(8).tags("cpu"))
 *         .agent(Agent.local("a2").capacity(8))
 *         .build()) {
 *     TaskHandle<String> h = runtime.submit(Task.of("greet", ctx -> "hi from " + ctx.agent()));
 *     System.out.println(h.join());
 * }
 * }</pre>
 */
@NullMarked
package io.agentry.core;

import org.jspecify.annotations.NullMarked;
