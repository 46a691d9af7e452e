/**
 * Task graphs: tasks that depend on each other, run as a DAG on the runtime's agents.
 *
 * <pre>{@code
 * TaskGraph.Builder b = TaskGraph.builder("etl").failurePolicy(FailurePolicy.SKIP_DEPENDENTS);
 * NodeRef<List<String>> extract = b.node("extract", ctx -> readLines());
 * NodeRef<Integer> count = b.node("count", ctx -> ctx.resultOf(extract).size());
 * b.dependsOn(count, extract);
 * GraphOutcome outcome = runtime.execute(b.build()).join();
 * int lines = outcome.result(count);
 * }</pre>
 */
@NullMarked
package io.agentry.core.graph;

import org.jspecify.annotations.NullMarked;
