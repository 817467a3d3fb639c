package org.perceptuallab.host.cli;

import java.nio.file.Path;
import java.util.List;
import org.perceptuallab.host.Terminal;
import org.perceptuallab.host.share.TrustedKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code plab trust add KEY.asc | list}: the OpenPGP keys this lab trusts to sign plugins. */
@Command(name = "trust", mixinStandardHelpOptions = true,
        description = "The OpenPGP public keys this lab trusts to sign plugins (kept in HOME/trusted-keys).",
        subcommands = {TrustCommand.Add.class, TrustCommand.ListKeys.class})
public final class TrustCommand extends PlabCommand {
    @Override
    public Integer call() {
        spec.commandLine().usage(out());
        return 0;
    }

    /** {@code plab trust add KEY.asc}. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Trust the public key(s) of a key file (gpg --armor --export ID > key.asc). Check its"
                    + " fingerprint with its owner first.")
    public static final class Add extends PlabCommand {
        @Parameters(paramLabel = "KEY.asc", description = "The public key file.")
        Path file;

        @Override
        public Integer call() {
            for (TrustedKeys.Key key : TrustedKeys.of(global().settings().home()).add(file)) {
                out().println(Terminal.safe("trusted " + key.fingerprint() + " " + key.userId()));
            }
            return 0;
        }
    }

    /** {@code plab trust list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the trusted keys.")
    public static final class ListKeys extends PlabCommand {
        @Override
        public Integer call() {
            TrustedKeys keys = TrustedKeys.of(global().settings().home());
            List<TrustedKeys.Key> all = keys.list();
            all.forEach(k -> out().println(Terminal.safe(k.fingerprint() + "  " + k.userId())));
            out().println(Terminal.safe(all.size() + " trusted keys in " + keys.folder()));
            return 0;
        }
    }
}
