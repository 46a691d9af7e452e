/**
 * Internals of cluster mode, not exported: the ProtoStream messages members exchange (and the code
 * the ProtoStream processor generates for them, which must be public) and the registry through which
 * cluster functions reach their member.
 */
@NullMarked
package io.agentry.infinispan.internal;

import org.jspecify.annotations.NullMarked;
