package org.perceptuallab.host.share;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.BCPGOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.perceptuallab.api.PlabException;

/**
 * Makes armoured detached OpenPGP signatures ({@code FILE.asc}, what {@code gpg --armor --detach-sign} and
 * Maven's gpg plugin write) with the first signing key of a secret key file.
 */
public final class DetachedSigner {
    private final PGPSecretKey key;
    private final PGPPrivateKey privateKey;

    /**
     * @param secretKeyFile an exported secret key ({@code gpg --armor --export-secret-keys KEY-ID})
     * @param passphrase its passphrase (empty for an unprotected key)
     */
    public DetachedSigner(Path secretKeyFile, char[] passphrase) {
        PGPSecretKey found = null;
        try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(secretKeyFile))) {
            for (PGPSecretKeyRing ring : new PGPSecretKeyRingCollection(in, new BcKeyFingerprintCalculator())) {
                for (PGPSecretKey k : ring) {
                    if (found == null && k.isSigningKey() && !k.isPrivateKeyEmpty()) {
                        found = k;
                    }
                }
            }
        } catch (IOException | PGPException | RuntimeException e) {
            throw new PlabException(secretKeyFile + " holds no OpenPGP secret key (" + e.getMessage() + "); export"
                    + " one with 'gpg --armor --export-secret-keys KEY-ID > secret.asc'", e);
        }
        if (found == null) {
            throw new PlabException(secretKeyFile + " holds no secret key that can sign");
        }
        try {
            privateKey = found.extractPrivateKey(new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider())
                    .build(passphrase));
        } catch (PGPException e) {
            throw new PlabException("cannot unlock the secret key in " + secretKeyFile + " (" + e.getMessage()
                    + "); set its passphrase in PLAB_SIGNING_PASSPHRASE", e);
        }
        key = found;
    }

    /** Writes the armoured detached signature of {@code data} to {@code signature}. */
    public void sign(Path data, Path signature) {
        try {
            PGPSignatureGenerator generator = new PGPSignatureGenerator(
                    new BcPGPContentSignerBuilder(key.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256),
                    key.getPublicKey());
            generator.init(PGPSignature.BINARY_DOCUMENT, privateKey);
            try (InputStream in = Files.newInputStream(data)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    generator.update(buffer, 0, n);
                }
            }
            try (OutputStream file = Files.newOutputStream(signature);
                 ArmoredOutputStream armour = new ArmoredOutputStream(file);
                 BCPGOutputStream out = new BCPGOutputStream(armour)) {
                generator.generate().encode(out);
            }
        } catch (IOException | PGPException e) {
            throw new PlabException("cannot sign " + data + ": " + e.getMessage(), e);
        }
    }
}
