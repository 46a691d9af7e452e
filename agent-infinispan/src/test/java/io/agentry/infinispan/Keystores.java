package io.agentry.infinispan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes PKCS12 keystores with the JDK's keytool, as {@code docs/cluster.md} describes: a cluster CA,
 * member keystores signed by it, a truststore holding the CA, and a self-signed "rogue" keystore.
 */
final class Keystores {
  static final String PASSWORD = "test-secret";

  final Path dir;
  final Path truststore;

  private Keystores(Path dir) {
    this.dir = dir;
    this.truststore = dir.resolve("truststore.p12");
  }

  /** Creates the CA and the truststore in a fresh folder under target/. */
  static Keystores create() {
    try {
      Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tls-");
      Keystores k = new Keystores(dir);
      k.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
          "-dname", "CN=agentry-test-ca", "-ext", "bc:c", "-validity", "2",
          "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
      k.keytool("-exportcert", "-alias", "ca", "-rfc", "-file", "ca.pem",
          "-keystore", "ca.p12", "-storepass", PASSWORD);
      k.keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem",
          "-keystore", "truststore.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
      return k;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A member keystore whose certificate the cluster CA signed. */
  Path member(String name) {
    String ks = name + ".p12";
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + name, "-validity", "2", "-keystore", ks, "-storetype", "PKCS12",
        "-storepass", PASSWORD);
    keytool("-certreq", "-alias", name, "-file", name + ".csr", "-keystore", ks,
        "-storepass", PASSWORD);
    keytool("-gencert", "-alias", "ca", "-infile", name + ".csr", "-outfile", name + ".pem",
        "-rfc", "-validity", "2", "-keystore", "ca.p12", "-storepass", PASSWORD);
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", "ca.pem", "-keystore", ks,
        "-storepass", PASSWORD);
    keytool("-importcert", "-alias", name, "-file", name + ".pem", "-keystore", ks,
        "-storepass", PASSWORD);
    return dir.resolve(ks);
  }

  /** A self-signed keystore, and a truststore that trusts only it: a member from another CA. */
  Path[] rogue(String name) {
    String ks = name + ".p12";
    keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + name, "-validity", "2", "-keystore", ks, "-storetype", "PKCS12",
        "-storepass", PASSWORD);
    keytool("-exportcert", "-alias", name, "-rfc", "-file", name + ".pem", "-keystore", ks,
        "-storepass", PASSWORD);
    keytool("-importcert", "-noprompt", "-alias", name, "-file", name + ".pem",
        "-keystore", name + "-trust.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
    return new Path[] {dir.resolve(ks), dir.resolve(name + "-trust.p12")};
  }

  private void keytool(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool " + command + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
