package org.perceptuallab.testkit;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.perceptuallab.kit.io.Images;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The one place tests find their data. Two kinds:
 * <ul>
 *   <li><b>shipped</b>: in the repository (the golden cases under {@code examples/golden}, the photos under
 *       {@code examples/data/photos}); missing is a broken checkout and fails the test;</li>
 *   <li><b>external</b>: files that may not ship (the 58 MB VGG16 file, the face and CIFAR sets, the LPIPS
 *       weights), read from the fixtures folder: {@code PLAB_FIXTURES}, else {@code ../shared} beside the
 *       repository where it exists. A missing one skips the test with a line naming the file and how to
 *       supply it; with {@code CI=true} it fails instead, so CI never skips silently.</li>
 * </ul>
 * Programs a test drives ({@link #externalProgram}) are treated the same way.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** The repository root: Surefire's {@code plab.root}, else the nearest folder above holding the golden cases. */
    public static Path root() {
        String configured = System.getProperty("plab.root");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("examples/golden/cases.json"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root (examples/golden/cases.json) above "
                + Path.of("").toAbsolutePath() + "; run the tests with Maven from the repository");
    }

    /** A file or folder of the repository, relative to its root; fails the test when it is missing. */
    public static Path shipped(String relative) {
        Path path = root().resolve(relative);
        Assertions.assertTrue(Files.exists(path), () -> relative + " is missing from the repository at " + path);
        return path;
    }

    /** The golden cases that ship: everything of the reference golden folder but {@code vgg16-features.pth}. */
    public static Path golden() {
        return shipped("examples/golden");
    }

    /** One of the bundled photos ({@code examples/data/photos}, PNG). */
    public static Path photo(String name) {
        return shipped("examples/data/photos/" + name);
    }

    /** The bundled photos folder. */
    public static Path photos() {
        return shipped("examples/data/photos");
    }

    /** A JPEG copy of a bundled photo, written into {@code dir} (tests that need a JPEG decode this one). */
    public static Path jpeg(String photo, Path dir) {
        try {
            BufferedImage source = ImageIO.read(photo(photo).toFile());
            BufferedImage rgb = new BufferedImage(source.getWidth(), source.getHeight(), BufferedImage.TYPE_INT_RGB);
            rgb.getGraphics().drawImage(source, 0, 0, null);
            Path out = dir.resolve(photo.replaceFirst("\\.[^.]+$", "") + ".jpg");
            if (!ImageIO.write(rgb, "jpeg", out.toFile())) {
                throw new IllegalStateException("no JPEG writer in this JDK");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code perClass} jittered 96x80 crops of the brick, coffee and rocket photos in {@code dir/classes}, one folder per photo, PNG and JPEG alternating. */
    public static Path photoClasses(Path dir, int perClass) throws IOException {
        Path root = dir.resolve("classes");
        for (String photo : List.of("brick", "coffee", "rocket")) {
            BufferedImage source = Images.read(photo(photo + ".png"));
            Path folder = Files.createDirectories(root.resolve(photo));
            for (int i = 0; i < perClass; i++) {
                BufferedImage crop = Images.crop(source, i, i, 96, 80);
                ImageIO.write(crop, i % 2 == 0 ? "png" : "jpeg", folder.resolve(i + (i % 2 == 0 ? ".png" : ".jpg")).toFile());
            }
        }
        return root;
    }

    /** The fixtures folder for files that cannot ship, when there is one. */
    public static Optional<Path> externalFolder() {
        String configured = System.getenv("PLAB_FIXTURES");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured).toAbsolutePath().normalize());
        }
        Path beside = root().resolveSibling("shared");
        return Files.isDirectory(beside) ? Optional.of(beside) : Optional.empty();
    }

    /** An external fixture when present, without skipping. */
    public static Optional<Path> externalIfPresent(String relative) {
        return externalFolder().map(dir -> dir.resolve(relative)).filter(Files::exists);
    }

    /**
     * An external fixture, relative to the fixtures folder (e.g. {@code data/faces-olivetti/s01}). Missing:
     * the test is skipped with a reason naming the file, or fails when {@code CI=true}.
     */
    public static Path external(String relative) {
        Optional<Path> found = externalIfPresent(relative);
        if (found.isPresent()) {
            return found.get();
        }
        String where = externalFolder().map(dir -> "not in " + dir).orElse("no fixtures folder");
        return missing("fixture " + relative + " missing (" + where + "): set PLAB_FIXTURES to a folder holding "
                + relative + " (the project's shared fixtures), or put that folder at ../shared beside the repository");
    }

    /** A program a test drives (a browser, a scheduler's client); missing: skipped, or failed when {@code CI=true}. */
    public static Path externalProgram(Path program, String howToInstall) {
        if (Files.isExecutable(program)) {
            return program;
        }
        return missing("program " + program + " missing: " + howToInstall);
    }

    private static Path missing(String reason) {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(reason + "; CI=true requires every fixture");
        }
        // Surefire's summary counts the skip; this line names the fixture.
        System.out.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
        throw new AssertionError("unreachable");
    }
}
