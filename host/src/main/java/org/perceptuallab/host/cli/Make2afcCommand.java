package org.perceptuallab.host.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.perceptuallab.host.Plab;
import org.perceptuallab.host.data.TwoAfcGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code plab make-2afc}: a synthetic 2AFC set in the BAPPS layout from a folder of photos. */
@Command(name = "make-2afc", mixinStandardHelpOptions = true,
        description = {"Generate a 2AFC set in the BAPPS layout (<out>/<kind>/{ref,p0,p1}/*.png, judge/*.npy) from",
                "real photos: per triplet two distortions of one kind (noise, blur, jpeg, color, shift, shuffle)",
                "at known relative strength. Results on it are labelled synthetic."})
public final class Make2afcCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "DIR", description = "Folder of PNG/JPEG photos.")
    Path from;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (replaced).")
    Path out;

    @Option(names = "--triplets", paramLabel = "N", description = "Triplets in all, spread over the kinds (default: ${DEFAULT-VALUE}).")
    int triplets = 600;


    @Option(names = "--size", paramLabel = "PX", description = "Image side (default: ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = "--judge", paramLabel = "MODEL",
            description = "HARD: 1 toward the weaker distortion; SOFT: w0^4/(w0^4+w1^4) (default: ${DEFAULT-VALUE}).")
    TwoAfcGenerator.JudgeModel judge = TwoAfcGenerator.JudgeModel.HARD;

    @Override
    public Integer call() {
        if (triplets < 1 || size < 16) {
            throw new org.perceptuallab.api.PlabException("--triplets must be >= 1 and --size >= 16");
        }
        // The shared --seed (every command's), given before or after the subcommand.
        long seed = ((Plab) spec.root().userObject()).global().seed();
        TwoAfcGenerator.generate(from, out, triplets, seed, size, judge);
        spec.commandLine().getOut().println(out.toAbsolutePath().normalize());
        return 0;
    }
}
