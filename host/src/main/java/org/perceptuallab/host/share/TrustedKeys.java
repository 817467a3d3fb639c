package org.perceptuallab.host.share;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;
import org.perceptuallab.api.PlabException;

/**
 * The OpenPGP public keys a lab trusts to sign plugins, one armoured file per key in {@code HOME/trusted-keys}
 * ({@code plab trust add KEY.asc}), and the check of a detached {@code .asc} signature (as Maven Central's)
 * against them, with Bouncy Castle.
 */
public final class TrustedKeys {
    /** A trusted key: its primary key's fingerprint (upper-case hex) and first user id. */
    public record Key(String fingerprint, String userId, Path file) {
        @Override
        public String toString() {
            return fingerprint + " " + userId;
        }
    }

    /** What a signature check found. */
    public sealed interface Verdict {
        /** Verified with a trusted key. */
        record Trusted(Key key) implements Verdict {
        }

        /** Made with a key that is not trusted here (so it cannot be checked). */
        record UnknownSigner(String keyId) implements Verdict {
        }

        /** Made with a trusted key, and the bytes do not match it (or the signature is no signature). */
        record Bad(String reason) implements Verdict {
        }
    }

    private final Path folder;

    private TrustedKeys(Path folder) {
        this.folder = folder;
    }

    /** The trusted keys of the lab whose folder is {@code home}. */
    public static TrustedKeys of(Path home) {
        return new TrustedKeys(home.resolve("trusted-keys"));
    }

    public Path folder() {
        return folder;
    }

    /**
     * Trusts the public key(s) of an armoured or binary key file (a secret key file gives its public part).
     * Returns the keys added.
     */
    public List<Key> add(Path keyFile) {
        List<PGPPublicKeyRing> rings = readRings(keyFile);
        List<Key> added = new ArrayList<>();
        try {
            Files.createDirectories(folder);
            for (PGPPublicKeyRing ring : rings) {
                Key key = describe(ring, null);
                Path file = folder.resolve(key.fingerprint() + ".asc");
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (ArmoredOutputStream armour = new ArmoredOutputStream(bytes)) {
                    ring.encode(armour);
                }
                Path tmp = Files.createTempFile(folder, ".key", ".tmp");
                Files.write(tmp, bytes.toByteArray());
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                added.add(new Key(key.fingerprint(), key.userId(), file));
            }
        } catch (IOException e) {
            throw new PlabException("cannot write the trusted key into " + folder + ": " + e.getMessage(), e);
        }
        return added;
    }

    /** Every trusted key, by fingerprint. */
    public List<Key> list() {
        List<Key> out = new ArrayList<>();
        for (Path file : files()) {
            for (PGPPublicKeyRing ring : readRings(file)) {
                out.add(describe(ring, file));
            }
        }
        return out;
    }

    /** Checks the detached signature {@code signature} of {@code data} against the trusted keys. */
    public Verdict verify(Path data, Path signature) {
        PGPSignature sig;
        try {
            sig = readSignature(signature);
        } catch (IOException | PGPException | RuntimeException e) {
            return new Verdict.Bad("its signature file " + signature.getFileName() + " is no OpenPGP signature ("
                    + e.getMessage() + ")");
        }
        String keyId = String.format(Locale.ROOT, "%016X", sig.getKeyID());
        for (Path file : files()) {
            for (PGPPublicKeyRing ring : readRings(file)) {
                PGPPublicKey signingKey = ring.getPublicKey(sig.getKeyID());
                if (signingKey == null) {
                    continue;
                }
                Key key = describe(ring, file);
                if (signingKey.hasRevocation()) {
                    return new Verdict.Bad("it is signed with key " + keyId + " of " + key + ", which is revoked");
                }
                try (InputStream in = Files.newInputStream(data)) {
                    sig.init(new BcPGPContentVerifierBuilderProvider(), signingKey);
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        sig.update(buffer, 0, n);
                    }
                    return sig.verify() ? new Verdict.Trusted(key) : new Verdict.Bad("its signature by " + key
                            + " does not match its bytes: the jar was changed after it was signed, or the .asc"
                            + " belongs to another file");
                } catch (IOException | PGPException e) {
                    return new Verdict.Bad("its signature by " + key + " cannot be checked: " + e.getMessage());
                }
            }
        }
        return new Verdict.UnknownSigner(keyId);
    }

    private static PGPSignature readSignature(Path signature) throws IOException, PGPException {
        try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(signature))) {
            Object next = new BcPGPObjectFactory(in).nextObject();
            if (next instanceof PGPCompressedData compressed) {
                next = new BcPGPObjectFactory(compressed.getDataStream()).nextObject();
            }
            if (!(next instanceof PGPSignatureList list) || list.isEmpty()) {
                throw new PGPException("no signature packet in it");
            }
            return list.get(0);
        }
    }

    private List<Path> files() {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".asc")).sorted().toList();
        } catch (IOException e) {
            throw new PlabException("cannot list the trusted keys in " + folder + ": " + e.getMessage(), e);
        }
    }

    /** The public key rings of a key file: public keys as they are, secret keys by their public part. */
    static List<PGPPublicKeyRing> readRings(Path keyFile) {
        if (!Files.isRegularFile(keyFile)) {
            throw new PlabException("key file not found: " + keyFile.toAbsolutePath());
        }
        List<PGPPublicKeyRing> rings = new ArrayList<>();
        try {
            try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(keyFile))) {
                new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator()).forEach(rings::add);
            } catch (IOException | PGPException publicFailed) {
                try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(keyFile))) {
                    new PGPSecretKeyRingCollection(in, new BcKeyFingerprintCalculator())
                            .forEach(r -> rings.add(r.toCertificate()));
                }
            }
        } catch (IOException | PGPException | RuntimeException e) {
            throw new PlabException(keyFile + " holds no OpenPGP key (" + e.getMessage() + "); export one with"
                    + " 'gpg --armor --export KEY-ID > key.asc'", e);
        }
        if (rings.isEmpty()) {
            throw new PlabException(keyFile + " holds no OpenPGP key; export one with 'gpg --armor --export KEY-ID'");
        }
        return rings;
    }

    private static Key describe(PGPPublicKeyRing ring, Path file) {
        PGPPublicKey primary = ring.getPublicKey();
        Iterator<String> ids = primary.getUserIDs();
        return new Key(HexFormat.of().withUpperCase().formatHex(primary.getFingerprint()),
                ids.hasNext() ? ids.next() : "(no user id)", file);
    }
}
