package org.perceptuallab.host.share;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.aether.util.version.GenericVersionScheme;
import org.eclipse.aether.version.InvalidVersionSpecificationException;
import org.eclipse.aether.version.Version;
import org.perceptuallab.api.ApiVersion;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.Settings;
import org.perceptuallab.host.Terminal;
import org.perceptuallab.host.provenance.Coordinates;
import org.perceptuallab.host.provenance.PluginJar;
import org.pf4j.DefaultVersionManager;

/**
 * Installs a plugin jar into the user plugin folder after every check passed, and records it in the folder's
 * {@link InstalledPlugins} index. Refused, with a message naming the plugin and the reason: a jar whose sha-256
 * is not the one expected (a pin); a bad signature; a missing one or one by a key not trusted, once the lab
 * trusts any key or requires signatures (see {@link #checkSignature}); a {@code Plugin-Requires} this host's
 * api does not meet; an id installed from another group or present in another plugin folder; a lower version
 * than the installed one without {@code force}; entries that would escape the folder. The jar is copied beside
 * its final name, checked again, and moved into place atomically, so the folder never holds half a jar.
 */
public final class Installer {
    private final Settings settings;
    private final SharingSettings sharing;
    private final TrustedKeys keys;
    private final InstalledPlugins index;
    private final PrintWriter log;

    /** @param log where install messages go (a terminal: they are escaped there) */
    public Installer(Settings settings, SharingSettings sharing, PrintWriter log) {
        this.settings = settings;
        this.sharing = sharing;
        this.keys = TrustedKeys.of(settings.home());
        this.index = InstalledPlugins.in(settings.userPluginDir());
        this.log = log;
    }

    public InstalledPlugins index() {
        return index;
    }

    /** A jar given as a file: its coordinates from its pom.properties, its signature from FILE.jar.asc beside it. */
    public static MavenRepositories.Resolved local(Path jar) {
        PluginJar read = PluginJar.read(jar);
        Path asc = jar.resolveSibling(jar.getFileName() + ".asc");
        return new MavenRepositories.Resolved(read.coordinates().orElse(new Coordinates("local", read.id(),
                read.version())), jar, Files.isRegularFile(asc) ? Optional.of(asc) : Optional.empty(),
                jar.toAbsolutePath().normalize().toString());
    }

    /**
     * Checks and installs a jar.
     *
     * @param force install a lower version than the installed one, or other bytes under the same version
     * @param expectedSha256 the digest the jar must have (a pin), or null
     * @return the index entry, whether the jar was new or already installed
     */
    public InstalledPlugins.Entry install(MavenRepositories.Resolved candidate, boolean force, String expectedSha256) {
        PluginJar jar = PluginJar.read(candidate.jar());
        String name = "plugin '" + jar.id() + "' (" + candidate.coordinates() + ")";
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(jar.sha256())) {
            throw refused(name, "its sha-256 is " + jar.sha256() + " but the pin says " + expectedSha256
                    + "; the repository serves other bytes under this version than the ones pinned");
        }
        requireApi(name, jar);
        String signer = checkSignature(name, candidate, jar);
        requireOwnId(name, jar, candidate.coordinates());
        Optional<InstalledPlugins.Entry> installed = index.find(jar.id());
        if (installed.isPresent() && installed.get().sha256().equals(jar.sha256())
                && Files.isRegularFile(index.jar(installed.get()))) {
            log.println(Terminal.safe("plugin '" + jar.id() + "' " + installed.get().coordinates()
                    + " is already installed (sha-256 " + jar.sha256() + ")"));
            return installed.get();
        }
        installed.ifPresent(old -> requireNoDowngrade(name, old, candidate.coordinates(), jar, force));
        String file = jar.id().replaceAll("[^A-Za-z0-9._-]", "_") + ".jar";
        copyAtomically(name, candidate.jar(), index.folder().resolve(file), jar.sha256());
        installed.filter(old -> !old.file().equals(file)).ifPresent(old -> deleteQuietly(index.jar(old)));
        InstalledPlugins.Entry entry = new InstalledPlugins.Entry(jar.id(), jar.version(),
                candidate.coordinates().toString(), file, jar.sha256(), candidate.repository(), signer,
                Instant.now().toString());
        index.put(entry);
        log.println(Terminal.safe("installed " + name + " into " + index.folder().resolve(file) + "; sha-256 "
                + jar.sha256() + ", from " + candidate.repository() + ", signer: " + signer));
        if (signer.startsWith(InstalledPlugins.UNVERIFIED)) {
            log.println(Terminal.safe(unverifiedNote(jar, signer)));
        }
        return entry;
    }

    /** Refuses a plugin whose {@code Plugin-Requires} the host's api version does not satisfy. */
    private static void requireApi(String name, PluginJar jar) {
        boolean met;
        try {
            met = new DefaultVersionManager().checkVersionConstraint(ApiVersion.CURRENT, jar.requires());
        } catch (RuntimeException e) {
            throw refused(name, "its manifest's Plugin-Requires '" + jar.requires() + "' is no version range ("
                    + e.getMessage() + "); its publisher should write one such as '" + ApiVersion.REQUIRES + "'");
        }
        if (!met) {
            throw refused(name, "it requires api " + jar.requires() + " but this plab provides api " + ApiVersion.CURRENT
                    + "; install a version of the plugin built for api " + ApiVersion.CURRENT + ", or a plab that"
                    + " provides the api it needs");
        }
    }

    /**
     * The signer to record: a trusted key, or {@value InstalledPlugins#UNVERIFIED} and why. A bad signature is
     * refused always. A missing signature, or one by a key not trusted here, is refused when the lab requires
     * signatures, and also, by default, once the lab trusts any key (a lab that checks signatures does not
     * quietly take jars it cannot check); {@code --allow-untrusted} installs such a jar unverified. A lab that
     * trusts no key installs it unverified, and says so.
     */
    private String checkSignature(String name, MavenRepositories.Resolved candidate, PluginJar jar) {
        String why;
        String state;
        if (candidate.signature().isEmpty()) {
            why = "it has no signature (" + candidate.jar().getFileName() + ".asc) in " + candidate.repository();
            state = "unsigned";
        } else {
            TrustedKeys.Verdict verdict = keys.verify(jar.path(), candidate.signature().get());
            if (verdict instanceof TrustedKeys.Verdict.Trusted t) {
                return t.key().toString();
            }
            if (verdict instanceof TrustedKeys.Verdict.Bad bad) {
                throw refused(name, "bad signature: " + bad.reason());
            }
            String keyId = ((TrustedKeys.Verdict.UnknownSigner) verdict).keyId();
            why = "it is signed by key " + keyId + ", which is not among this lab's trusted keys (" + keys.folder()
                    + ")";
            state = "signed by untrusted key " + keyId;
        }
        String trustKey = "if you trust its publisher, get their public key by a channel you trust and run 'plab"
                + " trust add KEY.asc'";
        if (sharing.requireSignature()) {
            throw refused(name, why + ", and this lab requires signed plugins (--require-signature or"
                    + " 'requireSignature: true' in " + settings.home().resolve(SharingSettings.FILE) + "); "
                    + trustKey);
        }
        int trusted = keys.list().size();
        if (trusted > 0 && !sharing.allowUntrusted()) {
            throw refused(name, why + "; this lab trusts " + trusted + " key(s), so it installs only jars they"
                    + " signed: " + trustKey + ", or pass --allow-untrusted to install it unverified");
        }
        return InstalledPlugins.UNVERIFIED + " (" + state + ")";
    }

    /** The one line that says a jar went in unverified, and why that was allowed. */
    private String unverifiedNote(PluginJar jar, String signer) {
        return keys.list().isEmpty() ? "note: this lab trusts no signing key (" + keys.folder() + " holds none), so"
                + " plugin '" + jar.id() + "' is " + signer + "; 'plab trust add KEY.asc' makes installs check"
                + " signatures" : "warning: --allow-untrusted: plugin '" + jar.id() + "' is " + signer;
    }

    /** Refuses an id that another group's plugin holds in the index, or a plugin of another folder holds. */
    private void requireOwnId(String name, PluginJar jar, Coordinates coordinates) {
        index.find(jar.id()).ifPresent(old -> {
            String oldKey = old.coordinates().replaceFirst(":[^:]*$", "");
            if (!oldKey.equals(coordinates.key())) {
                throw refused(name, "plugin id '" + jar.id() + "' is already installed from " + old.coordinates()
                        + "; two publishers claim one id. If you mean to switch, 'plab plugins remove " + jar.id()
                        + "' first");
            }
        });
        Path own = index.folder().toAbsolutePath().normalize();
        List<Path> others = settings.pluginDirs().stream().filter(d -> !d.toAbsolutePath().normalize().equals(own))
                .toList();
        for (PluginJar other : PluginFolders.jars(others)) {
            if (other.id().equals(jar.id())) {
                throw refused(name, "plugin id '" + jar.id() + "' is already provided by " + other.path()
                        + "; two plugins cannot share an id");
            }
        }
    }

    private static void requireNoDowngrade(String name, InstalledPlugins.Entry old, Coordinates coordinates,
                                           PluginJar jar, boolean force) {
        if (force) {
            return;
        }
        String oldVersion = old.coordinates().replaceFirst("^.*:", "");
        int order = version(oldVersion).compareTo(version(coordinates.version()));
        if (order > 0) {
            throw refused(name, "it is older than the installed " + old.coordinates() + "; --force installs the"
                    + " older version");
        }
        if (order == 0) {
            throw refused(name, "version " + oldVersion + " is installed with sha-256 " + old.sha256()
                    + " and this jar of the same version has sha-256 " + jar.sha256() + "; the published bytes"
                    + " changed: ask the publisher why, and --force to replace it");
        }
    }

    private static Version version(String text) {
        try {
            return new GenericVersionScheme().parseVersion(text);
        } catch (InvalidVersionSpecificationException e) {
            throw new PlabException("'" + text + "' is not a version: " + e.getMessage(), e);
        }
    }

    /** Copies beside the target, checks the copy's digest, and moves it into place in one step. */
    private static void copyAtomically(String name, Path source, Path target, String sha256) {
        try {
            Files.createDirectories(target.getParent());
            // Not a *.jar name: PF4J must not load the file while it is being written.
            Path part = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
            try {
                Files.copy(source, part, StandardCopyOption.REPLACE_EXISTING);
                if (!PluginJar.sha256(part).equals(sha256)) {
                    throw refused(name, "its copy in " + target.getParent() + " differs from the verified jar (was the"
                            + " file changed while it was installed?)");
                }
                try {
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(part);
            }
        } catch (IOException e) {
            throw new PlabException("cannot install " + name + " into " + target.getParent() + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // The index no longer names it; a leftover jar of the same id is reported by 'plab plugins verify'.
        }
    }

    private static PlabException refused(String name, String reason) {
        return new PlabException("refused " + name + ": " + reason);
    }
}
