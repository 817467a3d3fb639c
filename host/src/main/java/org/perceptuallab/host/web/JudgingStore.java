package org.perceptuallab.host.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.perceptuallab.api.PlabException;

/**
 * Campaigns, trials, raters and answers in one JDBC database (SQLite by default, any URL by {@code --db}), the
 * schema made by the Flyway migrations in {@code db/migration}; and the campaigns' image files, named by id.
 * One connection, used by one caller at a time: SQLite writes one transaction at a time anyway, and an
 * answer is committed (and, in SQLite, synced) before it is acknowledged.
 */
public final class JudgingStore implements AutoCloseable {
    /** The file name of the default database under {@code <home>/serve}. */
    public static final String DEFAULT_FILE = "judging.db";

    /** A campaign; tokens are never kept, only their digests (not shown here). */
    public record Campaign(long id, String name, double catchFraction, String source) {
    }

    /** One trial; {@code expected} names the undistorted candidate of a catch trial, null for a triplet of the set. */
    public record Trial(long id, long campaignId, int position, String category, String name, long refImage,
                        long p0Image, long p1Image, String expected) {
        public boolean isCatch() {
            return expected != null;
        }
    }

    public record Rater(long id, long campaignId, String label, boolean revoked) {
    }

    /** One answer: {@code choice} is "p0" or "p1" in the set's terms, whatever side the rater saw it on. */
    public record Answer(long raterId, long trialId, String choice, boolean p1Left, long timeMs) {
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final Connection connection;
    private final Path images;
    private final String url;

    private JudgingStore(String url, Connection connection, Path images) {
        this.url = url;
        this.connection = connection;
        this.images = images;
    }

    /** The default database of a lab's folder: {@code <home>/serve/judging.db}. */
    public static String defaultUrl(Path home) {
        return "jdbc:sqlite:" + home.resolve("serve").resolve(DEFAULT_FILE).toAbsolutePath().normalize();
    }

    /**
     * Opens the database at {@code url}, migrating its schema to the newest version; images live under
     * {@code <home>/serve/images}.
     *
     * @throws PlabException when the database cannot be reached or migrated, naming the URL and the fix
     */
    public static JudgingStore open(String url, Path home) {
        if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
            throw new PlabException("--db " + url + ": give a JDBC URL of SQLite (jdbc:sqlite:FILE) or PostgreSQL"
                    + " (jdbc:postgresql://HOST/DB?user=U&password=P)");
        }
        Path images = home.resolve("serve").resolve("images");
        try {
            Files.createDirectories(images);
        } catch (IOException e) {
            throw new PlabException("cannot make " + images + ": " + e.getMessage() + "; give a writable --home", e);
        }
        try {
            Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").load().migrate();
            Connection c = DriverManager.getConnection(url);
            if (url.startsWith("jdbc:sqlite:")) {
                try (Statement s = c.createStatement()) {
                    // WAL with a sync on every commit: an acknowledged answer survives kill -9 and power loss.
                    s.execute("PRAGMA journal_mode=WAL");
                    s.execute("PRAGMA synchronous=FULL");
                    s.execute("PRAGMA foreign_keys=ON");
                    s.execute("PRAGMA busy_timeout=10000");
                }
            }
            return new JudgingStore(url, c, images);
        } catch (SQLException | FlywayException e) {
            throw new PlabException("cannot open the judging database " + url + ": " + e.getMessage()
                    + "; check the --db URL (and that its server runs) or the --home folder", e);
        }
    }

    public String url() {
        return url;
    }

    /** The file of an image: composed from two numbers, so no text from a request reaches the file system. */
    public Path imageFile(long campaignId, long imageId) {
        return images.resolve(Long.toString(campaignId)).resolve(imageId + ".png");
    }

    /**
     * Creates a campaign with its trials and their images in one transaction; {@code files} writes each image's
     * file. A campaign of that name must not exist.
     */
    public Campaign createCampaign(String name, String adminTokenHash, String inviteTokenHash, double catchFraction,
                                   String source, List<NewTrial> trials, ImageWriter files) {
        return transaction(c -> {
            if (campaign(c, "name", name).isPresent()) {
                throw new PlabException("a campaign named '" + name + "' exists already; choose another --name");
            }
            long id = nextId(c, "campaign");
            update(c, "INSERT INTO campaign (id, name, admin_token_hash, invite_token_hash, catch_fraction, source,"
                    + " created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)", id, name, adminTokenHash, inviteTokenHash,
                    catchFraction, source, System.currentTimeMillis());
            long image = nextId(c, "image");
            long trial = nextId(c, "trial");
            int position = 0;
            for (NewTrial t : trials) {
                List<byte[]> pngs = List.of(t.ref(), t.p0(), t.p1());
                long[] ids = new long[pngs.size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = image++;
                    update(c, "INSERT INTO image (id, campaign_id) VALUES (?, ?)", ids[i], id);
                    files.write(pngs.get(i), imageFile(id, ids[i]));
                }
                update(c, "INSERT INTO trial (id, campaign_id, position, category, name, ref_image, p0_image, p1_image,"
                        + " expected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", trial++, id, position++, t.category(),
                        t.name(), ids[0], ids[1], ids[2], t.expected());
            }
            return new Campaign(id, name, catchFraction, source);
        });
    }

    /** A trial to add: its three images as PNG bytes. */
    public record NewTrial(String category, String name, byte[] ref, byte[] p0, byte[] p1, String expected) {
    }

    /** Writes one image's bytes to its file. */
    @FunctionalInterface
    public interface ImageWriter {
        void write(byte[] png, Path file);
    }

    public Optional<Campaign> campaignNamed(String name) {
        return transaction(c -> campaign(c, "name", name));
    }

    public Optional<Campaign> campaignById(long id) {
        return transaction(c -> campaign(c, "id", id));
    }

    public Optional<Campaign> campaignByInvite(String inviteToken) {
        return transaction(c -> campaign(c, "invite_token_hash", Tokens.hash(inviteToken)));
    }

    /** Whether {@code adminToken} is the campaign's lead token (compared in constant time). */
    public boolean isAdmin(long campaignId, String adminToken) {
        String stored = transaction(c -> single(c, "SELECT admin_token_hash FROM campaign WHERE id = ?",
                r -> r.getString(1), campaignId).orElse(null));
        return stored != null && MessageDigest.isEqual(stored.getBytes(StandardCharsets.US_ASCII),
                Tokens.hash(adminToken).getBytes(StandardCharsets.US_ASCII));
    }

    public Rater addRater(long campaignId, String tokenHash, String label) {
        return transaction(c -> {
            long id = nextId(c, "rater");
            update(c, "INSERT INTO rater (id, campaign_id, token_hash, label, created_ms) VALUES (?, ?, ?, ?, ?)", id,
                    campaignId, tokenHash, label, System.currentTimeMillis());
            return new Rater(id, campaignId, label, false);
        });
    }

    public Optional<Rater> raterByToken(String token) {
        return transaction(c -> single(c, "SELECT id, campaign_id, label, revoked_ms FROM rater WHERE token_hash = ?",
                JudgingStore::rater, Tokens.hash(token)));
    }

    /** Revokes a rater of the campaign; false when the campaign has no such rater. */
    public boolean revokeRater(long campaignId, long raterId) {
        return transaction(c -> update(c, "UPDATE rater SET revoked_ms = ? WHERE id = ? AND campaign_id = ?",
                System.currentTimeMillis(), raterId, campaignId) == 1);
    }

    public List<Rater> raters(long campaignId) {
        return transaction(c -> list(c, "SELECT id, campaign_id, label, revoked_ms FROM rater WHERE campaign_id = ?"
                + " ORDER BY id", JudgingStore::rater, campaignId));
    }

    public List<Trial> trials(long campaignId) {
        return transaction(c -> list(c, TRIAL + " WHERE campaign_id = ? ORDER BY position", JudgingStore::trial,
                campaignId));
    }

    public Optional<Trial> trial(long id) {
        return transaction(c -> single(c, TRIAL + " WHERE id = ?", JudgingStore::trial, id));
    }

    /** The campaign an image belongs to, if the image exists. */
    public Optional<Long> imageCampaign(long imageId) {
        return transaction(c -> single(c, "SELECT campaign_id FROM image WHERE id = ?", r -> r.getLong(1), imageId));
    }

    /** The rater's first trial (by position) without an answer, if any is left. */
    public Optional<Trial> nextTrial(Rater rater) {
        return transaction(c -> single(c, TRIAL + " WHERE campaign_id = ? AND id NOT IN (SELECT trial_id FROM answer"
                + " WHERE rater_id = ?) ORDER BY position LIMIT 1", JudgingStore::trial, rater.campaignId(), rater.id()));
    }

    public int answerCount(long raterId) {
        return transaction(c -> single(c, "SELECT COUNT(*) FROM answer WHERE rater_id = ?", r -> r.getInt(1), raterId)
                .orElse(0));
    }

    public int trialCount(long campaignId) {
        return transaction(c -> single(c, "SELECT COUNT(*) FROM trial WHERE campaign_id = ?", r -> r.getInt(1),
                campaignId).orElse(0));
    }

    /** Stores an answer, committed before returning; false when this rater had answered this trial already. */
    public boolean record(Answer a) {
        return transaction(c -> update(c, "INSERT INTO answer (rater_id, trial_id, choice, p1_left, time_ms, answered_ms)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (rater_id, trial_id) DO NOTHING", a.raterId(), a.trialId(),
                a.choice(), a.p1Left() ? 1 : 0, a.timeMs(), System.currentTimeMillis()) == 1);
    }

    public List<Answer> answers(long campaignId) {
        return transaction(c -> list(c, "SELECT a.rater_id, a.trial_id, a.choice, a.p1_left, a.time_ms FROM answer a"
                + " JOIN trial t ON t.id = a.trial_id WHERE t.campaign_id = ? ORDER BY a.trial_id, a.rater_id",
                r -> new Answer(r.getLong(1), r.getLong(2), r.getString(3), r.getInt(4) == 1, r.getLong(5)), campaignId));
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new PlabException("cannot close the judging database " + url + ": " + e.getMessage(), e);
        }
    }

    private static final String TRIAL = "SELECT id, campaign_id, position, category, name, ref_image, p0_image,"
            + " p1_image, expected FROM trial";

    private static Trial trial(ResultSet r) throws SQLException {
        return new Trial(r.getLong(1), r.getLong(2), r.getInt(3), r.getString(4), r.getString(5), r.getLong(6),
                r.getLong(7), r.getLong(8), r.getString(9));
    }

    private static Rater rater(ResultSet r) throws SQLException {
        Rater unrevoked = new Rater(r.getLong(1), r.getLong(2), r.getString(3), false);
        r.getLong(4);
        return r.wasNull() ? unrevoked : new Rater(unrevoked.id(), unrevoked.campaignId(), unrevoked.label(), true);
    }

    private static Optional<Campaign> campaign(Connection c, String column, Object value) throws SQLException {
        return single(c, "SELECT id, name, catch_fraction, source FROM campaign WHERE " + column + " = ?",
                r -> new Campaign(r.getLong(1), r.getString(2), r.getDouble(3), r.getString(4)), value);
    }

    /**
     * Ids are given here, so the schema needs no dialect's sequences: this process's one connection gives them in
     * turn, and another process writing at the same moment fails on the primary key rather than mixing rows.
     */
    private static long nextId(Connection c, String table) throws SQLException {
        return single(c, "SELECT COALESCE(MAX(id), 0) + 1 FROM " + table, r -> r.getLong(1)).orElseThrow();
    }

    private synchronized <T> T transaction(Work<T> work) {
        try {
            connection.setAutoCommit(false);
            try {
                T out = work.run(connection);
                connection.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new PlabException("judging database " + url + ": " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Row<T> {
        T read(ResultSet r) throws SQLException;
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = prepare(c, sql, args)) {
            return s.executeUpdate();
        }
    }

    private static <T> Optional<T> single(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        List<T> all = list(c, sql, row, args);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private static <T> List<T> list(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
        try (PreparedStatement s = prepare(c, sql, args); ResultSet r = s.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (r.next()) {
                out.add(row.read(r));
            }
            return out;
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            s.setObject(i + 1, args[i]);
        }
        return s;
    }
}
