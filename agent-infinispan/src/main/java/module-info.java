/**
 * Agentry cluster mode on Infinispan: agents on other JVMs, named handlers, failover on member loss
 * and TLS between members.
 *
 * <p>Exports {@code io.agentry.infinispan} only. Infinispan 16.1 cannot be on the module path: its
 * {@code infinispan-core} and {@code infinispan-commons} jars have no module descriptor, and the JDK
 * refuses to derive automatic modules from them (their {@code META-INF/services} name a provider
 * class that is in another jar). So this module reads Infinispan, JGroups and ProtoStream from the
 * class path: compile and run it on the class path (the usual case), or put Agentry on the module
 * path, Infinispan on the class path, and add {@code --add-reads io.agentry.infinispan=ALL-UNNAMED}.
 * The internal package is opened (not exported) because Infinispan calls its listener by
 * reflection.
 */
module io.agentry.infinispan {
  requires transitive io.agentry.core;
  requires org.slf4j;
  requires static org.jspecify;

  exports io.agentry.infinispan;
  // Infinispan calls the membership listener by reflection.
  opens io.agentry.infinispan.internal;
}
