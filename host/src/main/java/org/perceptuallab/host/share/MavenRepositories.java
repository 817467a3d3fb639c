package org.perceptuallab.host.share;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.maven.settings.Mirror;
import org.apache.maven.settings.Server;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.deployment.DeployRequest;
import org.eclipse.aether.deployment.DeploymentException;
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
import org.eclipse.aether.transfer.ArtifactNotFoundException;
import org.eclipse.aether.transfer.ChecksumFailureException;
import org.eclipse.aether.util.repository.AuthenticationBuilder;
import org.eclipse.aether.util.repository.DefaultAuthenticationSelector;
import org.eclipse.aether.util.repository.DefaultMirrorSelector;
import org.eclipse.aether.version.Version;
import org.perceptuallab.api.PlabException;

/**
 * Maven repositories through Maven Resolver: resolving a plugin jar (and its {@code .asc}) with the
 * repository's checksums checked, and deploying a jar, its POM and signatures with checksums and
 * {@code maven-metadata.xml}, as {@code mvn deploy} does. Every download goes into a fresh local repository
 * that is deleted on close, so each install checks the repository's checksums again (a cached copy would not).
 */
public final class MavenRepositories implements AutoCloseable {
    /** Checksums validated on download (the first one the repository has) and written on deploy. */
    static final String CHECKSUMS = "SHA-256,SHA-1,MD5";

    private final RepositorySystem system;
    private final RepositorySystemSession.CloseableSession session;
    private final Path localRepository;
    private final List<RemoteRepository> remotes;

    public MavenRepositories(SharingSettings settings) {
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
                .setConfigProperty("aether.connector.connectTimeout", 10_000)
                .setConfigProperty("aether.transport.http.retryHandler.count", 1);
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
        Coordinates exact = coordinates.isRange() ? coordinates.withVersion(newest(coordinates)
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

    /** The newest version of the plugin within the coordinates' range, if any repository has one. */
    public Optional<String> newest(Coordinates range) {
        String version = range.isRange() ? range.version() : "[" + range.version() + ",)";
        try {
            VersionRangeResult result = system.resolveVersionRange(session,
                    new VersionRangeRequest(artifact(range.withVersion(version), "jar"), remotes, null));
            return Optional.ofNullable(result.getHighestVersion()).map(Version::toString);
        } catch (VersionRangeResolutionException e) {
            throw new PlabException("cannot list the versions of " + range.key() + " in " + urls() + ": "
                    + e.getMessage(), e);
        }
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
                    + e.getMessage(), e);
        }
    }

    /** Deploys the files (jar first; then its POM and signatures) into the first repository. */
    public void deploy(Coordinates coordinates, Path jar, Path pom, List<Path> signatures) {
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
                    + e.getMessage(), e);
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
                    return new PlabException("refused plugin " + exact + ": checksum mismatch: "
                            + (c.getExpected() == null ? c.getMessage() : "the repository's checksum file says "
                            + c.getExpected() + ", the downloaded jar's checksum is " + c.getActual())
                            + "; the jar was altered in the repository or in transit: tell its publisher", e);
                }
            }
            reasons.add(cause instanceof ArtifactNotFoundException ? "not found in " + urls()
                    : String.valueOf(cause.getMessage()));
        }
        return new PlabException("cannot download plugin " + exact + ": " + String.join("; ", reasons)
                + " (check the coordinates with the publisher, and the repository URL)", e);
    }

    @Override
    public void close() {
        session.close();
        system.shutdown();
        try (Stream<Path> walk = Files.walk(localRepository)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover temporary folder is harmless; the system cleans its temporary folder.
        }
    }
}
