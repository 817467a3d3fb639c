package org.perceptuallab.plugins.twoafc;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.api.PluginCommand;
import org.pf4j.Extension;

/** {@code plab make-2afc}: a synthetic 2AFC set in the BAPPS layout from a folder of photos. */
@Extension
public final class Make2afc implements PluginCommand {
    @Override
    public String name() {
        return "make-2afc";
    }

    @Override
    public String summary() {
        return "Generate a synthetic 2AFC set in the BAPPS layout from a folder of photos.";
    }

    @Override
    public String usage() {
        return """
                Usage: plab make-2afc --from DIR --out DIR [--triplets N] [--size PX] [--judge HARD|SOFT] [--seed S]
                Generate a 2AFC set in the BAPPS layout (<out>/<kind>/{ref,p0,p1}/*.png, judge/*.npy) from real
                photos: per triplet two distortions of one kind (noise, blur, jpeg, color, shift, shuffle) at known
                relative strength. Results on it are labelled synthetic.
                      --from DIR       Folder of PNG/JPEG photos.
                      --out DIR        Output folder: new, empty, or an earlier set of make-2afc (replaced).
                      --triplets N     Triplets in all, spread over the kinds (default: 600).
                      --size PX        Image side (default: 64).
                      --judge MODEL    HARD: 1 toward the weaker distortion; SOFT: w0^4/(w0^4+w1^4) (default: HARD).
                      --seed S         The shared seed (plab's --seed, given before or after the command).
                """;
    }

    @Override
    public int run(List<String> args, Context context) {
        Path from = null;
        Path out = null;
        int triplets = 600;
        int size = 64;
        TwoAfcGenerator.JudgeModel judge = TwoAfcGenerator.JudgeModel.HARD;
        for (int i = 0; i < args.size(); i++) {
            String option = args.get(i);
            if (option.equals("--help") || option.equals("-h")) {
                context.out().print(usage());
                return 0;
            }
            if (i + 1 >= args.size()) {
                throw new PlabException("make-2afc: " + option + " needs a value, or is unknown; see plab make-2afc --help");
            }
            String value = args.get(++i);
            switch (option) {
                case "--from" -> from = Path.of(value);
                case "--out" -> out = Path.of(value);
                case "--triplets" -> triplets = positive(option, value, 1);
                case "--size" -> size = positive(option, value, 16);
                case "--judge" -> judge = judgeModel(value);
                default -> throw new PlabException("make-2afc: unknown option '" + option + "'; see plab make-2afc --help");
            }
        }
        if (from == null || out == null) {
            throw new PlabException("make-2afc: --from DIR and --out DIR are required; see plab make-2afc --help");
        }
        TwoAfcGenerator.generate(from, out, triplets, context.seed(), size, judge);
        context.out().println(out.toAbsolutePath().normalize());
        return 0;
    }

    private static int positive(String option, String value, int least) {
        try {
            int n = Integer.parseInt(value);
            if (n >= least) {
                return n;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new PlabException("make-2afc: " + option + " must be a whole number of at least " + least + ", got '"
                + value + "'");
    }

    private static TwoAfcGenerator.JudgeModel judgeModel(String value) {
        try {
            return TwoAfcGenerator.JudgeModel.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new PlabException("make-2afc: --judge must be HARD or SOFT, got '" + value + "'");
        }
    }
}
