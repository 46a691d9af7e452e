package io.agentry.infinispan;

/**
 * Counts of one member's cluster activity since it joined.
 *
 * @param attemptsSent remote attempts this member's runtime sent to other members
 * @param attemptsLost sent attempts that failed because their member left, was suspected or did not
 *     answer (each failed with {@link io.agentry.core.AgentLostException})
 * @param attemptsBusy sent attempts refused by a full agent ({@link RemoteAgentBusyException})
 * @param lateResultsDropped answers that came after their attempt was given up (cancelled, timed out
 *     or already failed as lost) and were dropped
 * @param cancelsSent best-effort cancels sent to hosting members
 * @param attemptsHosted attempts from other members that this member ran or queued
 * @param busyRefusals attempts from other members that this member refused as busy
 */
public record ClusterStats(
    long attemptsSent, long attemptsLost, long attemptsBusy, long lateResultsDropped,
    long cancelsSent, long attemptsHosted, long busyRefusals) {}
