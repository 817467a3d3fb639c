package org.perceptuallab.kit.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.perceptuallab.api.PlabException;
import org.perceptuallab.kit.tensor.Ops;

/**
 * A list of image files, each decoded and resized to (channels, height, width) float32 in [-1, 1] exactly as
 * {@link Images#load} would, read back in batches.
 *
 * <p>With a cache folder, the set is decoded once into {@code FOLDER/decoded-images/KEY.f32} (raw
 * little-endian float32, image after image) and read back by position, so every cell of a matrix that reads
 * the set at that size shares one decoding, and a set larger than memory streams from the page cache. KEY
 * hashes the size, the channels and every file's path, length and modification time: a changed, added or
 * removed file makes a new entry. The file is written to a temporary name and renamed, under a file lock, so
 * cells in other processes wait for one decoding and never read half of it. Without a folder each batch
 * decodes its own files.
 */
public final class DecodedImages implements AutoCloseable {
    private final List<Path> files;
    private final int channels;
    private final int height;
    private final int width;
    private final FileChannel cache;
    /** Decodes one file: {@link Images#read}, or a test's counting wrapper of it. */
    private final Function<Path, BufferedImage> reader;
    /**
     * The cache's bytes of the last batch, reused: the tensor is an engine-owned copy, and a direct buffer per
     * batch would hold native memory until a garbage collection frees it.
     */
    private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

    private DecodedImages(List<Path> files, int channels, int height, int width, FileChannel cache,
                          Function<Path, BufferedImage> reader) {
        this.files = List.copyOf(files);
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.cache = cache;
        this.reader = reader;
    }

    /**
     * The images of {@code files} at width x height, through the cache under {@code cacheFolder} (built now
     * if it lacks this set) or, where empty, decoded batch by batch.
     */
    public static DecodedImages open(List<Path> files, int channels, int width, int height,
                                     Optional<Path> cacheFolder) {
        return open(files, channels, width, height, cacheFolder, Images::read);
    }

    /** The same, decoding each file with {@code reader}, so that a test can count the decodings. */
    static DecodedImages open(List<Path> files, int channels, int width, int height, Optional<Path> cacheFolder,
                              Function<Path, BufferedImage> reader) {
        DecodedImages direct = new DecodedImages(files, channels, height, width, null, reader);
        if (cacheFolder.isEmpty()) {
            return direct;
        }
        Path dir = cacheFolder.get().resolve("decoded-images");
        Path file = dir.resolve(direct.key() + ".f32");
        try {
            Files.createDirectories(dir);
            if (!complete(file, direct.bytes(files.size()))) {
                build(direct, dir, file);
            }
            return new DecodedImages(files, channels, height, width, FileChannel.open(file, StandardOpenOption.READ),
                    reader);
        } catch (IOException e) {
            throw new PlabException("cannot use the decoded-image cache " + file + " (" + e.getMessage() + "); free"
                    + " disk space or make the results folder writable, or delete " + dir + " to rebuild it", e);
        }
    }

    /** How many images. */
    public int count() {
        return files.size();
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive) as one (n, C, H, W) float32 tensor. */
    public synchronized NDArray batch(NDManager manager, int from, int to) {
        if (from < 0 || to > files.size() || from > to) {
            throw new IndexOutOfBoundsException("images " + from + ".." + to + " of " + files.size());
        }
        Shape shape = new Shape(to - from, channels, height, width);
        if (cache == null) {
            float[] all = new float[Math.toIntExact(shape.size())];
            int per = channels * height * width;
            IntStream.range(from, to).parallel().forEach(i ->
                    System.arraycopy(decode(i), 0, all, (i - from) * per, per));
            return Ops.owned(manager.create(all, shape));
        }
        int length = Math.toIntExact(bytes(to - from));
        if (buffer.capacity() < length) {
            buffer = ByteBuffer.allocateDirect(length).order(ByteOrder.LITTLE_ENDIAN);
        }
        buffer.clear().limit(length);
        try {
            long position = bytes(from);
            while (buffer.hasRemaining()) {
                int n = cache.read(buffer, position + buffer.position());
                if (n < 0) {
                    throw new IOException("the file ends early");
                }
            }
        } catch (IOException e) {
            throw new PlabException("cannot read decoded images " + from + ".." + to + " from the cache ("
                    + e.getMessage() + "); delete the results folder's cache/decoded-images to rebuild it", e);
        }
        buffer.flip();
        return Ops.owned(manager.create(buffer, shape, DataType.FLOAT32));
    }

    @Override
    public void close() {
        if (cache != null) {
            try {
                cache.close();
            } catch (IOException ignored) {
                // a read-only channel loses nothing on a failed close
            }
        }
    }

    private void write(FileChannel channel, int i) {
        float[] image = decode(i);
        ByteBuffer b = ByteBuffer.allocate(image.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(image);
        try {
            for (long at = bytes(i); b.hasRemaining(); ) {
                at += channel.write(b, at);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private float[] decode(int i) {
        return Images.pixels(Images.resize(reader.apply(files.get(i)), width, height), channels);
    }

    private long bytes(int images) {
        return (long) images * channels * height * width * Float.BYTES;
    }

    private String key() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(("decoded-images v1 " + channels + "x" + height + "x" + width + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            for (Path f : files) {
                Path p = f.toAbsolutePath().normalize();
                digest.update((p + "\0" + Files.size(p) + "\0" + Files.getLastModifiedTime(p).toMillis() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 24);
        } catch (IOException e) {
            throw new PlabException("cannot read image file metadata (" + e.getMessage() + "); is the data complete?", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean complete(Path file, long length) throws IOException {
        return Files.isRegularFile(file) && Files.size(file) == length;
    }

    /** Decodes every image into {@code file}, unless another process did while this one waited for the lock. */
    private static synchronized void build(DecodedImages set, Path dir, Path file) throws IOException {
        try (FileChannel lockFile = FileChannel.open(dir.resolve(file.getFileName() + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
            if (complete(file, set.bytes(set.count()))) {
                return;
            }
            Path temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    // Each image straight to its place: nothing decoded outlives its own write.
                    IntStream.range(0, set.count()).parallel().forEach(i -> set.write(channel, i));
                    channel.force(true);
                }
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }
}
