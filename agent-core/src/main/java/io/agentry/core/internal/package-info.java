/**
 * Not API: what the runtime's packages share with each other and with no one else. The module does
 * not export this package; on the class path its types are public only because Java has no other
 * way to reach across packages. Do not use them.
 */
@NullMarked
package io.agentry.core.internal;

import org.jspecify.annotations.NullMarked;
