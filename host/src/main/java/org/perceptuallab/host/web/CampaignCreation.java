package org.perceptuallab.host.web;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.host.web.JudgingStore.Campaign;
import org.perceptuallab.host.web.JudgingStore.NewTrial;

/**
 * Makes a judging campaign from a BAPPS-layout folder ({@code <root>/<category>/{ref,p0,p1}/NAME.png}, as
 * {@code plab make-2afc} writes): every triplet is copied into the lab's folder, and catch trials are added, each
 * an undistorted copy of a reference against a heavily distorted one, so that inattentive raters show.
 */
public final class CampaignCreation {
    /** The category of catch trials; the export leaves them out. */
    public static final String CATCH = "catch";
    /** The most triplets one campaign takes: every one is copied and shown to every rater. */
    static final int MAX_TRIPLETS = 10_000;

    /** The new campaign and the two tokens, shown to the lead once and stored only as digests. */
    public record Created(Campaign campaign, String adminToken, String inviteToken, int triplets, int catchTrials) {
    }

    private CampaignCreation() {
    }

    /**
     * Creates the campaign.
     *
     * @param catchFraction the share of all trials that are catch trials, in [0, 0.5]
     * @param seed the seed of the catch trials' images and of the trials' order
     * @throws PlabException for a folder without triplets, an unreadable image, a bad name or fraction
     */
    public static Created create(JudgingStore store, Path from, String name, double catchFraction, long seed) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw new PlabException("campaign name '" + name + "': use 1 to 100 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
        if (!(catchFraction >= 0 && catchFraction <= 0.5)) {
            throw new PlabException("--catch-fraction " + catchFraction + ": give a share between 0 and 0.5");
        }
        List<NewTrial> trials = triplets(from);
        Random random = new Random(seed);
        int catches = (int) Math.ceil(catchFraction * trials.size() / (1 - catchFraction));
        List<NewTrial> all = new ArrayList<>(trials);
        for (int i = 0; i < catches; i++) {
            all.add(catchTrial(trials.get(random.nextInt(trials.size())), i, random));
        }
        // Mixed, so that catch trials cannot be told from their place.
        Collections.shuffle(all, random);
        String admin = Tokens.newToken();
        String invite = Tokens.newToken();
        Campaign campaign = store.createCampaign(name, Tokens.hash(admin), Tokens.hash(invite), catchFraction,
                from.toAbsolutePath().normalize().toString(), all, CampaignCreation::writeImage);
        return new Created(campaign, admin, invite, trials.size(), catches);
    }

    /** Every triplet of the folder, in category and name order. */
    private static List<NewTrial> triplets(Path root) {
        if (!Files.isDirectory(root)) {
            throw new PlabException("--from " + root + ": no such folder; give a BAPPS-layout set"
                    + " (<root>/<category>/{ref,p0,p1}/NAME.png), e.g. one 'plab make-2afc' wrote");
        }
        List<NewTrial> out = new ArrayList<>();
        try (Stream<Path> categories = Files.list(root)) {
            for (Path category : categories.filter(d -> Files.isDirectory(d.resolve("ref"))).sorted().toList()) {
                try (Stream<Path> refs = Files.list(category.resolve("ref"))) {
                    for (Path ref : refs.filter(f -> f.getFileName().toString().endsWith(".png")).sorted().toList()) {
                        String file = ref.getFileName().toString();
                        out.add(new NewTrial(category.getFileName().toString(), file.substring(0, file.length() - 4),
                                png(ref), png(category.resolve("p0").resolve(file)),
                                png(category.resolve("p1").resolve(file)), null));
                        if (out.size() > MAX_TRIPLETS) {
                            throw new PlabException(root + " holds more than " + MAX_TRIPLETS + " triplets; make a"
                                    + " campaign of a part of it");
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new PlabException("cannot read " + root + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new PlabException("--from " + root + " holds no triplet: expected <root>/<category>/{ref,p0,p1}/NAME.png");
        }
        return out;
    }

    /** The file's bytes, checked to be a PNG image. */
    private static byte[] png(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new PlabException("triplet image " + file + " is missing: each ref/NAME.png needs p0/NAME.png and"
                    + " p1/NAME.png beside it");
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 8 || bytes[1] != 'P' || bytes[2] != 'N' || bytes[3] != 'G'
                || ImageIO.read(new ByteArrayInputStream(bytes)) == null) {
            throw new PlabException(file + " is not a PNG image; convert it to PNG");
        }
        return bytes;
    }

    private static NewTrial catchTrial(NewTrial source, int index, Random random) {
        try {
            BufferedImage ref = ImageIO.read(new ByteArrayInputStream(source.ref()));
            byte[] distorted = encode(CatchDistortion.apply(ref, random.nextLong()));
            boolean undistortedFirst = random.nextBoolean();
            return new NewTrial(CATCH, String.format(Locale.ROOT, "%06d", index), source.ref(),
                    undistortedFirst ? source.ref() : distorted, undistortedFirst ? distorted : source.ref(),
                    undistortedFirst ? "p0" : "p1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] encode(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private static void writeImage(byte[] png, Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, png);
        } catch (IOException e) {
            throw new PlabException("cannot write " + file + ": " + e.getMessage() + "; give a writable --home", e);
        }
    }
}
