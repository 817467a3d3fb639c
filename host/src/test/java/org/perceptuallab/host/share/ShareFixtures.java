package org.perceptuallab.host.share;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;
import org.perceptuallab.api.LossFamily;
import org.perceptuallab.host.TestPlugins;
import org.perceptuallab.host.provenance.Coordinates;
import org.perceptuallab.testkit.Fixtures;

/**
 * What the sharing tests are built from: a real loss plugin compiled in the test (jars of any version and
 * group), real OpenPGP keys made with Bouncy Castle, a real web server (Debian's nginx) on loopback, and a
 * server that answers one byte at a time.
 */
final class ShareFixtures {
    /** The test plugin's loss: the mean absolute difference, under an id no shipped plugin uses. */
    static final String LOSS_ID = "shared-l1";

    private static final String SOURCE = """
            package sharedloss;
            import ai.djl.ndarray.NDArray;
            import org.perceptuallab.api.*;
            public final class SharedL1 implements LossFamily {
                public String id() { return "shared-l1"; }
                public String summary() { return "mean absolute difference, from a shared plugin"; }
                public ParamSpec params() { return ParamSpec.of(); }
                public Loss create(Params p, LossContext c) {
                    LossFamily family = this;
                    return new Loss() {
                        public LossSpec spec() { return LossSpec.of(family.id()); }
                        public NDArray distance(NDArray x, NDArray y) { return x.sub(y).abs().reshape(x.getShape().get(0), -1).mean(new int[] {1}); }
                    };
                }
            }
            """;

    private static Path classes;

    private ShareFixtures() {
    }

    /** A published-key pair: the armoured public key (what another lab trusts) and the secret key (what signs). */
    record TestKey(Path publicKey, Path secretKey) {
        DetachedSigner signer() {
            return new DetachedSigner(secretKey, new char[0]);
        }
    }

    /** An Ed25519 OpenPGP key (unprotected secret key) with this user id, written into {@code dir}. */
    static TestKey key(Path dir, String userId) throws IOException, PGPException {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        PGPKeyPair pair = new BcPGPKeyPair(PublicKeyAlgorithmTags.EDDSA_LEGACY, generator.generateKeyPair(), new Date());
        PGPKeyRingGenerator rings = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair, userId,
                new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1), null, null,
                new BcPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256), null);
        Files.createDirectories(dir);
        String name = userId.replaceAll("[^A-Za-z0-9]+", "-");
        Path publicKey = dir.resolve(name + ".asc");
        Path secretKey = dir.resolve(name + "-secret.asc");
        try (OutputStream out = new ArmoredOutputStream(Files.newOutputStream(publicKey))) {
            rings.generatePublicKeyRing().encode(out);
        }
        try (OutputStream out = new ArmoredOutputStream(Files.newOutputStream(secretKey))) {
            rings.generateSecretKeyRing().encode(out);
        }
        return new TestKey(publicKey, secretKey);
    }

    /**
     * The test plugin as a jar in {@code dir} as Maven builds one: named {@code ARTIFACT-VERSION.jar}, with the
     * pom.properties naming {@code group:artifact:version} (what sharing reads; {@link TestPlugins#jar} writes
     * neither), and a manifest of plugin id {@code id} and that version, requiring api {@code requires} (null:
     * no requirement).
     */
    static Path pluginJar(Path dir, String id, Coordinates c, String requires) throws IOException {
        return pluginJar(dir, id, c, requires, Map.of());
    }

    /** The same, with extra entries (name to content) in the jar. */
    static synchronized Path pluginJar(Path dir, String id, Coordinates c, String requires, Map<String, String> extra)
            throws IOException {
        if (classes == null) {
            classes = TestPlugins.compile(Files.createTempDirectory("plab-shared-plugin-"), "sharedloss/SharedL1.java",
                    SOURCE);
        }
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Plugin-Id", id);
        main.putValue("Plugin-Version", c.version());
        if (requires != null) {
            main.putValue("Plugin-Requires", requires);
        }
        Files.createDirectories(dir);
        Path jar = dir.resolve(c.artifactId() + "-" + c.version() + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + LossFamily.class.getName()));
            out.write("sharedloss.SharedL1\n".getBytes(StandardCharsets.UTF_8));
            out.putNextEntry(new JarEntry("META-INF/maven/" + c.groupId() + "/" + c.artifactId() + "/pom.properties"));
            out.write(("groupId=" + c.groupId() + "\nartifactId=" + c.artifactId() + "\nversion=" + c.version() + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, String> e : extra.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return jar;
    }

    /** The path of a published jar in a Maven-layout folder. */
    static Path published(Path repository, Coordinates c, String extension) {
        return repository.resolve(c.groupId().replace('.', '/')).resolve(c.artifactId()).resolve(c.version())
                .resolve(c.artifactId() + "-" + c.version() + "." + extension);
    }

    /**
     * A web server on loopback that answers every request slowly: the status line, headers and body of a
     * large jar one byte every {@code interval} (never a byte when null), as a repository on a failing link.
     */
    static final class SlowServer implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> connections = new CopyOnWriteArrayList<>();
        final String url;

        SlowServer(Duration interval) throws IOException {
            server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            url = "http://127.0.0.1:" + server.getLocalPort() + "/";
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket connection = server.accept();
                        connections.add(connection);
                        Thread answer = new Thread(() -> trickle(connection, interval), "slow-server-answer");
                        answer.setDaemon(true);
                        answer.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "slow-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private static void trickle(Socket connection, Duration interval) {
            byte[] answer = ("HTTP/1.1 200 OK\r\nContent-Type: application/java-archive\r\nContent-Length: 1000000"
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                OutputStream out = connection.getOutputStream();
                for (int sent = 0; interval != null && sent < 1_000_000 + answer.length; sent++) {
                    out.write(sent < answer.length ? answer[sent] : 0);
                    out.flush();
                    Thread.sleep(interval.toMillis());
                }
                // Silent from here on: read the request until the connection is closed.
                while (connection.getInputStream().read() >= 0) {
                    Thread.onSpinWait();
                }
            } catch (IOException | InterruptedException closed) {
                // The client gave up, or the test ended.
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : connections) {
                s.close();
            }
        }
    }

    /**
     * Debian's nginx serving {@code root} on a free loopback port, as the current user (no master process, so no
     * worker changes user), with its config, logs and temporary files in {@code dir}. Missing nginx: the test is
     * skipped (failed under CI=true) by the kit's Fixtures, naming the package.
     */
    static final class Nginx implements AutoCloseable {
        private final Process process;
        final String url;

        Nginx(Path root, Path dir) throws IOException, InterruptedException {
            Path nginx = Fixtures.externalProgram(Path.of("/usr/sbin/nginx"),
                    "install Debian's nginx (apt-get install -y nginx); .ci/run does");
            int port;
            try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = free.getLocalPort();
            }
            Files.createDirectories(dir.resolve("temp"));
            String temp = dir.resolve("temp").toString();
            Files.writeString(dir.resolve("nginx.conf"), """
                    daemon off;
                    master_process off;
                    pid %1$s/nginx.pid;
                    error_log %1$s/error.log;
                    events {}
                    http {
                      access_log off;
                      client_body_temp_path %2$s/body; proxy_temp_path %2$s/proxy; fastcgi_temp_path %2$s/fastcgi;
                      uwsgi_temp_path %2$s/uwsgi; scgi_temp_path %2$s/scgi;
                      types { application/java-archive jar; text/xml xml pom; }
                      server { listen 127.0.0.1:%3$d; root %4$s; }
                    }
                    """.formatted(dir, temp, port, root.toAbsolutePath()));
            process = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
                    "-c", dir.resolve("nginx.conf").toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("nginx.out").toFile()).start();
            url = "http://127.0.0.1:" + port + "/";
            for (int attempt = 0; ; attempt++) {
                try (Socket probe = new Socket()) {
                    probe.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return;
                } catch (IOException notYet) {
                    if (!process.isAlive() || attempt > 50) {
                        close();
                        throw new IllegalStateException("nginx did not start on port " + port + ": "
                                + Files.readString(dir.resolve("nginx.out")));
                    }
                    Thread.sleep(100);
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }
}
