package io.agentry.infinispan.internal;

import org.infinispan.protostream.GeneratedSchema;
import org.infinispan.protostream.annotations.ProtoSchema;
import org.infinispan.protostream.annotations.ProtoSyntax;

/**
 * The ProtoStream schema of everything members send each other: the call envelope, its result, the
 * cancel message and the member metadata. The annotation processor generates {@code ClusterSchemaImpl}.
 */
@ProtoSchema(
    syntax = ProtoSyntax.PROTO3,
    includeClasses = {
        RemoteCall.class, RemoteResult.class, CancelCall.class, MemberInfo.class, OfferedAgent.class
    },
    schemaPackageName = "io.agentry.cluster",
    schemaFileName = "agentry-cluster.proto",
    schemaFilePath = "proto/")
public interface ClusterSchema extends GeneratedSchema {}
