package io.pagureci.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A throw-away TLS identity for 127.0.0.1 (keytool), and a trust store = the JDK's cacerts plus
 * that certificate, so the function under test verifies the stand-ins the way it verifies AWS: with
 * a full default trust store, not a one-certificate one.
 */
record Tls(Path keyStore, Path trustStore, String password) {

  static Tls create(Path dir) throws IOException, InterruptedException {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Path ks = dir.resolve("standin.p12");
    Path cert = dir.resolve("standin.crt");
    Path ts = dir.resolve("truststore.p12");
    String pw = "changeit";
    Files.deleteIfExists(ks);
    Files.deleteIfExists(ts);
    RepoGen.run(
        dir,
        keytool,
        "-genkeypair",
        "-alias",
        "standin",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-validity",
        "7",
        "-keystore",
        ks.toString(),
        "-storepass",
        pw,
        "-keypass",
        pw,
        "-storetype",
        "PKCS12");
    RepoGen.run(
        dir,
        keytool,
        "-exportcert",
        "-alias",
        "standin",
        "-keystore",
        ks.toString(),
        "-storepass",
        pw,
        "-rfc",
        "-file",
        cert.toString());
    RepoGen.run(
        dir,
        keytool,
        "-importkeystore",
        "-srckeystore",
        Path.of(System.getProperty("java.home"), "lib", "security", "cacerts").toString(),
        "-srcstorepass",
        "changeit",
        "-destkeystore",
        ts.toString(),
        "-deststoretype",
        "PKCS12",
        "-deststorepass",
        pw,
        "-noprompt");
    RepoGen.run(
        dir,
        keytool,
        "-importcert",
        "-noprompt",
        "-alias",
        "standin",
        "-file",
        cert.toString(),
        "-keystore",
        ts.toString(),
        "-storepass",
        pw);
    return new Tls(ks, ts, pw);
  }
}
