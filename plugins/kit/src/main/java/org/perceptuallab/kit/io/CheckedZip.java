package org.perceptuallab.kit.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.perceptuallab.api.PlabException;

/**
 * A zip file a user gives (an {@code .npz}, a torch.save {@code .pth}), read within the budgets and whole:
 * each entry's inflated bytes are capped by {@link ReadBudget.Limit#ZIP_ENTRY_BYTES} and all of them together
 * by {@link ReadBudget.Limit#FILE_BYTES}, both from the sizes the zip declares (before inflating anything) and
 * as bytes arrive (a zip may lie); every entry's CRC is checked, those a reader never opens included
 * ({@link #checkRest}), since {@link ZipFile} checks none and damage anywhere means the copy is bad.
 */
public final class CheckedZip implements AutoCloseable {
    /** What a reader does with one entry's bytes. */
    @FunctionalInterface
    public interface EntryReader<T> {
        T read(InputStream in) throws IOException;
    }

    private final Path file;
    private final ZipFile zip;
    private final List<ZipEntry> entries;
    private final Set<String> checked = new HashSet<>();
    private long inflated;

    private CheckedZip(Path file, ZipFile zip, List<ZipEntry> entries) {
        this.file = file;
        this.zip = zip;
        this.entries = entries;
    }

    /**
     * Opens {@code file}, refusing it when the sizes its directory declares pass a budget.
     *
     * @param what what the file should be, e.g. {@code ".npz"}, named when it is no zip
     */
    public static CheckedZip open(Path file, String what) {
        InputFiles.requireFile(file, what);
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (IOException e) {
            throw new PlabException("cannot read " + file + " as " + what + " (a zip file): " + e.getMessage(), e);
        }
        try {
            List<ZipEntry> entries = Collections.list(zip.entries()).stream().map(e -> (ZipEntry) e).toList();
            long declared = 0;
            for (ZipEntry e : entries) {
                if (e.getSize() > 0) {
                    ReadBudget.Limit.ZIP_ENTRY_BYTES.check(file, "its entry " + e.getName(), e.getSize());
                    declared += e.getSize();
                    ReadBudget.Limit.FILE_BYTES.check(file, "its entries together", declared);
                }
            }
            return new CheckedZip(file, zip, new ArrayList<>(entries));
        } catch (RuntimeException e) {
            close(zip);
            throw e instanceof PlabException p ? p
                    : new PlabException("cannot read " + file + " as " + what + " (a zip file): " + e.getMessage(), e);
        }
    }

    /** The entries, in the zip's order. */
    public List<ZipEntry> entries() {
        return Collections.unmodifiableList(entries);
    }

    /** The entry of that name, or null. */
    public ZipEntry entry(String name) {
        return zip.getEntry(name);
    }

    /**
     * Reads {@code entry} through {@code reader}, which may stop before its end: the rest is read after it
     * (within the budget, nothing kept) so that the CRC of the whole entry is checked before its value is
     * returned.
     */
    public <T> T read(ZipEntry entry, EntryReader<T> reader) {
        String name = "its entry " + entry.getName();
        try (InputStream raw = zip.getInputStream(entry)) {
            InputStream entryBudget = ReadBudget.bounded(raw, file, name, ReadBudget.Limit.ZIP_ENTRY_BYTES, 0);
            InputStream fileBudget = ReadBudget.bounded(entryBudget, file, "its entries together",
                    ReadBudget.Limit.FILE_BYTES, inflated);
            CountingCrc in = new CountingCrc(fileBudget);
            T value = reader.read(in);
            in.transferTo(OutputStream.nullOutputStream());
            inflated += in.count;
            long crc = in.getChecksum().getValue();
            if (entry.getCrc() != -1 && crc != entry.getCrc()) {
                throw new PlabException(file + " is damaged: its entry " + entry.getName() + " fails the zip's CRC"
                        + " check (recorded " + Long.toHexString(entry.getCrc()) + ", read " + Long.toHexString(crc)
                        + "); download or copy the file again");
            }
            checked.add(entry.getName());
            return value;
        } catch (IOException e) {
            throw new PlabException("cannot read " + file + ": its entry " + entry.getName() + " is unreadable ("
                    + e.getMessage() + "); the file is damaged", e);
        }
    }

    /** The whole entry's bytes (CRC-checked). */
    public byte[] readAllBytes(ZipEntry entry) {
        return read(entry, InputStream::readAllBytes);
    }

    /** Checks the CRC of every entry not read yet, holding none of their bytes. */
    public void checkRest() {
        for (ZipEntry e : entries) {
            if (!e.isDirectory() && !checked.contains(e.getName())) {
                read(e, in -> null);
            }
        }
    }

    @Override
    public void close() {
        close(zip);
    }

    private static void close(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException ignored) {
            // read only: nothing is lost
        }
    }

    /** CRC and count of the bytes that came through. */
    private static final class CountingCrc extends CheckedInputStream {
        private long count;

        CountingCrc(InputStream in) {
            super(in, new CRC32());
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
