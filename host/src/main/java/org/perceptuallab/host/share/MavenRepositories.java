package org.perceptuallab.host.share;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.maven.settings.Mirror;
import org.apache.maven.settings.Server;
import org.eclipse.aether.AbstractRepositoryListener;
import org.eclipse.aether.ConfigurationProperties;
import org.eclipse.aether.RepositoryEvent;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.deployment.DeployRequest;
import org.eclipse.aether.deployment.DeploymentException;
import org.eclipse.aether.metadata.Metadata;
import org.eclipse.aether.repository.ArtifactRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.VersionRangeRequest;
import org.eclipse.aether.resolution.VersionRangeResolutionException;
import org.eclipse.aether.resolution.VersionRangeResult;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.transfer.AbstractTransferListener;
import org.eclipse.aether.transfer.ArtifactNotFoundException;
import org.eclipse.aether.transfer.ChecksumFailureException;
import org.eclipse.aether.transfer.MetadataNotFoundException;
import org.eclipse.aether.transfer.TransferCancelledException;
import org.eclipse.aether.transfer.TransferEvent;
import org.eclipse.aether.util.repository.AuthenticationBuilder;
import org.eclipse.aether.util.repository.DefaultAuthenticationSelector;
import org.eclipse.aether.util.repository.DefaultMirrorSelector;
import org.eclipse.aether.version.Version;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.provenance.Coordinates;
import org.perceptuallab.kit.io.Folders;

/**
 * Maven repositories through Maven Resolver: resolving a plugin jar (and its {@code .asc}) with the
 * repository's checksums checked, and deploying a jar, its POM and signatures with checksums and
 * {@code maven-metadata.xml}, as {@code mvn deploy} does. Every download goes into a fresh local repository
 * that is deleted on close, so each install checks the repository's checksums again (a cached copy would not).
 * Every call is bounded ({@link SharingSettings.Network}): a connect and a read timeout on each request, a
 * number of retries, and a deadline on the whole call that holds even against a repository that sends one
 * byte at a time; a failure says which URL, and which setting to raise.
 */
public final class MavenRepositories implements AutoCloseable {
    /** Checksums validated on download (the first one the repository has) and written on deploy. */
    static final String CHECKSUMS = "SHA-256,SHA-1,MD5";

    private final RepositorySystem system;
    private final RepositorySystemSession.CloseableSession session;
    private final Path localRepository;
    private final List<RemoteRepository> remotes;
    private final SharingSettings.Network network;
    /** Runs each call, so that the caller can stop waiting at the deadline whatever the transport does. */
    private final ExecutorService calls = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "plab-repository-call");
        t.setDaemon(true);
        return t;
    });
    /** When the running call must end (System.nanoTime), and the URL it transfers now, for the message. */
    private volatile long deadline;
    private volatile String transferring;
    /** The metadata files of the running call that could not be parsed: URL and reason. */
    private final List<String> malformedMetadata = new CopyOnWriteArrayList<>();

    public MavenRepositories(SharingSettings settings) {
        network = settings.network();
        try {
            localRepository = Files.createTempDirectory("plab-resolver-");
        } catch (IOException e) {
            throw new PlabException("cannot create a temporary folder for downloads: " + e.getMessage(), e);
        }
        system = new RepositorySystemSupplier().get();
        RepositorySystemSession.SessionBuilder builder = new SessionBuilderSupplier(system).get()
                .withLocalRepositoryBaseDirectories(localRepository)
                .setChecksumPolicy(RepositoryPolicy.CHECKSUM_POLICY_FAIL)
                .setUpdatePolicy(RepositoryPolicy.UPDATE_POLICY_ALWAYS)
                .setConfigProperty("aether.checksums.checksumAlgorithms", CHECKSUMS)
                .setConfigProperty(ConfigurationProperties.CONNECT_TIMEOUT, (int) network.connectTimeout().toMillis())
                // The transports' socket timeout: the longest silence between two reads.
                .setConfigProperty(ConfigurationProperties.REQUEST_TIMEOUT, (int) network.readTimeout().toMillis())
                .setConfigProperty(ConfigurationProperties.HTTP_RETRY_HANDLER_COUNT, network.retries())
                .setTransferListener(new DeadlineListener())
                .setRepositoryListener(new AbstractRepositoryListener() {
                    @Override
                    public void metadataInvalid(RepositoryEvent event) {
                        malformedMetadata.add(url(event.getRepository(), event.getMetadata()) + " ("
                                + (event.getException() == null ? "unreadable" : event.getException().getMessage())
                                + ")");
                    }
                });
        if (settings.mavenSettings() != null) {
            DefaultMirrorSelector mirrors = new DefaultMirrorSelector();
            for (Mirror m : settings.mavenSettings().getMirrors()) {
                mirrors.add(m.getId(), m.getUrl(), m.getLayout(), false, m.isBlocked(), m.getMirrorOf(),
                        m.getMirrorOfLayouts());
            }
            DefaultAuthenticationSelector auth = new DefaultAuthenticationSelector();
            for (Server s : settings.mavenSettings().getServers()) {
                auth.add(s.getId(), new AuthenticationBuilder().addUsername(s.getUsername())
                        .addPassword(s.getPassword()).build());
            }
            builder.setMirrorSelector(mirrors).setAuthenticationSelector(auth);
        }
        session = builder.build();
        List<RemoteRepository> declared = new ArrayList<>();
        RepositoryPolicy policy = new RepositoryPolicy(true, RepositoryPolicy.UPDATE_POLICY_ALWAYS,
                RepositoryPolicy.CHECKSUM_POLICY_FAIL);
        for (SharingSettings.Repository r : settings.repositories()) {
            declared.add(new RemoteRepository.Builder(r.id(), "default", r.url()).setPolicy(policy).build());
        }
        // Applies the mirrors and credentials of the session to the declared repositories.
        remotes = system.newResolutionRepositories(session, declared);
    }

    /** A resolved plugin jar: exact coordinates, the jar, its signature where the repository has one. */
    public record Resolved(Coordinates coordinates, Path jar, Optional<Path> signature, String repository) {
    }

    /**
     * Resolves {@code coordinates} (the newest version of a range) to a jar whose checksum matched the
     * repository's; refusals name the plugin and what failed.
     */
    public Resolved resolve(Coordinates coordinates) {
        return withinDeadline("cannot download plugin " + coordinates, () -> resolveNow(coordinates));
    }

    private Resolved resolveNow(Coordinates coordinates) {
        Coordinates exact = coordinates.isRange() ? coordinates.withVersion(newestNow(coordinates)
                .orElseThrow(() -> new PlabException("no version of " + coordinates.key() + " in range "
                        + coordinates.version() + " in " + urls()))) : coordinates;
        ArtifactResult jar;
        try {
            jar = system.resolveArtifact(session, new ArtifactRequest(artifact(exact, "jar"), remotes, null));
        } catch (ArtifactResolutionException e) {
            throw refusal(exact, e);
        }
        RemoteRepository from = (RemoteRepository) jar.getRepository();
        return new Resolved(exact, jar.getArtifact().getPath(), signature(exact, from), from.getUrl());
    }

    /**
     * The newest version of the plugin within the coordinates' range, if any repository has one. A version list
     * ({@code maven-metadata.xml}) that cannot be parsed or fetched is an error naming it, never "no version".
     */
    public Optional<String> newest(Coordinates range) {
        return withinDeadline("cannot list the versions of " + range.key(), () -> newestNow(range));
    }

    private Optional<String> newestNow(Coordinates range) {
        String version = range.isRange() ? range.version() : "[" + range.version() + ",)";
        String listing = "cannot list the versions of " + range.key() + " in " + urls() + ": ";
        VersionRangeResult result;
        try {
            result = system.resolveVersionRange(session,
                    new VersionRangeRequest(artifact(range.withVersion(version), "jar"), remotes, null));
        } catch (VersionRangeResolutionException e) {
            throw new PlabException(listing + e.getMessage() + networkHint(e), e);
        }
        if (!malformedMetadata.isEmpty()) {
            throw new PlabException(listing + "its version list is malformed: " + String.join("; ", malformedMetadata)
                    + "; tell the repository's keeper (a 'plab plugins publish' there rewrites it)");
        }
        // A repository that lacks the artifact is no fault; one that could not be read is.
        List<Exception> failures = result.getExceptions().stream()
                .filter(e -> !(e instanceof MetadataNotFoundException)).toList();
        if (!failures.isEmpty()) {
            throw new PlabException(listing + String.join("; ", failures.stream().map(Throwable::getMessage).toList())
                    + networkHint(failures.get(0)), failures.get(0));
        }
        return Optional.ofNullable(result.getHighestVersion()).map(Version::toString);
    }

    /** The {@code .asc} beside the jar in the repository that served it, when there is one. */
    private Optional<Path> signature(Coordinates exact, RemoteRepository from) {
        try {
            return Optional.of(system.resolveArtifact(session, new ArtifactRequest(artifact(exact, "jar.asc"),
                    List.of(from), null)).getArtifact().getPath());
        } catch (ArtifactResolutionException e) {
            if (e.getResult().getExceptions().stream().allMatch(ArtifactNotFoundException.class::isInstance)) {
                return Optional.empty();
            }
            throw new PlabException("cannot download the signature of " + exact + " from " + from.getUrl() + ": "
                    + e.getMessage() + networkHint(e), e);
        }
    }

    /** Deploys the files (jar first; then its POM and signatures) into the first repository. */
    public void deploy(Coordinates coordinates, Path jar, Path pom, List<Path> signatures) {
        withinDeadline("cannot publish " + coordinates, () -> {
            deployNow(coordinates, jar, pom, signatures);
            return null;
        });
    }

    private void deployNow(Coordinates coordinates, Path jar, Path pom, List<Path> signatures) {
        List<Artifact> artifacts = new ArrayList<>();
        artifacts.add(artifact(coordinates, "jar").setPath(jar));
        artifacts.add(artifact(coordinates, "pom").setPath(pom));
        for (Path s : signatures) {
            String signed = s.getFileName().toString().endsWith(".pom.asc") ? "pom.asc" : "jar.asc";
            artifacts.add(artifact(coordinates, signed).setPath(s));
        }
        DeployRequest request = new DeployRequest();
        request.setRepository(remotes.get(0));
        artifacts.forEach(request::addArtifact);
        try {
            system.deploy(session, request);
        } catch (DeploymentException e) {
            throw new PlabException("cannot publish " + coordinates + " to " + remotes.get(0).getUrl() + ": "
                    + e.getMessage() + networkHint(e), e);
        }
    }

    private static Artifact artifact(Coordinates c, String extension) {
        return new DefaultArtifact(c.groupId(), c.artifactId(), "", extension, c.version());
    }

    private String urls() {
        return String.join(", ", remotes.stream().map(RemoteRepository::getUrl).toList());
    }

    /** What went wrong resolving {@code exact}, named for a person: checksum, missing, or unreachable. */
    private PlabException refusal(Coordinates exact, ArtifactResolutionException e) {
        List<String> reasons = new ArrayList<>();
        for (Exception cause : e.getResult().getExceptions()) {
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof ChecksumFailureException c) {
                    return checksumRefusal(exact, c, e);
                }
            }
            reasons.add(cause instanceof ArtifactNotFoundException ? "not found in " + urls()
                    : String.valueOf(cause.getMessage()) + networkHint(cause));
        }
        return new PlabException("cannot download plugin " + exact + ": " + String.join("; ", reasons)
                + " (check the coordinates with the publisher, and the repository URL)", e);
    }

    /** A checksum that does not match, or none to check against: each named as what it is. */
    private PlabException checksumRefusal(Coordinates exact, ChecksumFailureException c, Exception e) {
        String jar = exact.artifactId() + "-" + exact.version() + ".jar";
        if (c.getExpected() == null || c.getExpected().isBlank()) {
            List<String> files = Stream.of(CHECKSUMS.split(",")).map(a -> jar + "." + a.replace("-", "")
                    .toLowerCase(Locale.ROOT)).toList();
            return new PlabException("refused plugin " + exact + ": the repository has no checksum file for " + jar
                    + " (none of " + String.join(", ", files) + " in " + urls() + ": " + c.getMessage() + "), so"
                    + " the download cannot be checked; its publisher should publish it with checksums (as 'plab"
                    + " plugins publish' and 'mvn deploy' do)", e);
        }
        return new PlabException("refused plugin " + exact + ": checksum mismatch: the repository's checksum file ("
                + c.getExpectedKind() + ") says " + c.getExpected() + ", the downloaded jar's checksum is "
                + c.getActual() + "; the jar was altered in the repository or in transit: tell its publisher", e);
    }

    /**
     * Runs a call on its own thread and waits for it until the deadline: a repository that trickles bytes
     * (each read within the read timeout) cannot hold the command longer. The call itself is stopped at its
     * next transfer event ({@link DeadlineListener}).
     */
    private <T> T withinDeadline(String what, Callable<T> call) {
        malformedMetadata.clear();
        transferring = null;
        deadline = System.nanoTime() + network.deadline().toNanos();
        Future<T> running = calls.submit(call);
        try {
            return running.get(network.deadline().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            running.cancel(true);
            throw new PlabException(what + ": " + (transferring != null ? transferring : urls()) + " did not finish"
                    + " within the deadline of " + SharingSettings.Network.text(network.deadline()) + "; check the"
                    + " repository URL, or raise network.deadline for a slow repository (" + network.describe() + ")");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            running.cancel(true);
            Thread.currentThread().interrupt();
            throw new PlabException(what + ": interrupted", e);
        }
    }

    /** Notes the URL being transferred, and cancels the transfer once the call is past its deadline. */
    private final class DeadlineListener extends AbstractTransferListener {
        @Override
        public void transferInitiated(TransferEvent event) throws TransferCancelledException {
            transferring = event.getResource().getRepositoryUrl() + event.getResource().getResourceName();
            requireInTime();
        }

        @Override
        public void transferStarted(TransferEvent event) throws TransferCancelledException {
            requireInTime();
        }

        @Override
        public void transferProgressed(TransferEvent event) throws TransferCancelledException {
            requireInTime();
        }

        private void requireInTime() throws TransferCancelledException {
            if (System.nanoTime() - deadline > 0) {
                throw new TransferCancelledException("past the deadline of "
                        + SharingSettings.Network.text(network.deadline()));
            }
        }
    }

    /** The network settings behind a failure that the network caused (a timeout, a refused connection). */
    private String networkHint(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InterruptedIOException || t instanceof ConnectException
                    || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
                return " (" + network.describe() + ")";
            }
        }
        return "";
    }

    /** The URL of a metadata file in a repository. */
    private static String url(ArtifactRepository repository, Metadata metadata) {
        String base = repository instanceof RemoteRepository r ? r.getUrl() : String.valueOf(repository);
        return base + (base.endsWith("/") ? "" : "/") + metadata.getGroupId().replace('.', '/') + "/"
                + metadata.getArtifactId() + "/" + metadata.getType();
    }

    @Override
    public void close() {
        calls.shutdownNow();
        session.close();
        system.shutdown();
        try {
            Folders.deleteTree(localRepository);
        } catch (IOException e) {
            // A leftover temporary folder is harmless; the system cleans its temporary folder.
        }
    }
}
