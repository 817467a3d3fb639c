-- plab serve's judging campaigns. Plain SQL that SQLite and PostgreSQL both accept: ids are given by the
-- application (no AUTOINCREMENT/SERIAL), flags are 0/1 integers, tokens are stored only as SHA-256 hex digests.

CREATE TABLE campaign (
    id               BIGINT PRIMARY KEY,
    name             VARCHAR(200) NOT NULL UNIQUE,
    admin_token_hash VARCHAR(64)  NOT NULL,
    invite_token_hash VARCHAR(64) NOT NULL UNIQUE,
    catch_fraction   DOUBLE PRECISION NOT NULL,
    source           VARCHAR(4000) NOT NULL,
    created_ms       BIGINT NOT NULL
);

-- An image copied into the lab's folder at creation; its file is named by its id, never by a request.
CREATE TABLE image (
    id          BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaign (id)
);

-- One trial: a triplet of the set, or a catch trial (expected names the undistorted candidate).
CREATE TABLE trial (
    id          BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaign (id),
    position    INTEGER NOT NULL,
    category    VARCHAR(200) NOT NULL,
    name        VARCHAR(200) NOT NULL,
    ref_image   BIGINT NOT NULL REFERENCES image (id),
    p0_image    BIGINT NOT NULL REFERENCES image (id),
    p1_image    BIGINT NOT NULL REFERENCES image (id),
    expected    VARCHAR(2) CHECK (expected IN ('p0', 'p1')),
    UNIQUE (campaign_id, position)
);

CREATE TABLE rater (
    id          BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaign (id),
    token_hash  VARCHAR(64) NOT NULL UNIQUE,
    label       VARCHAR(200) NOT NULL,
    created_ms  BIGINT NOT NULL,
    revoked_ms  BIGINT
);

-- One answer per rater and trial: a repeated submission is ignored (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE answer (
    rater_id    BIGINT NOT NULL REFERENCES rater (id),
    trial_id    BIGINT NOT NULL REFERENCES trial (id),
    choice      VARCHAR(2) NOT NULL CHECK (choice IN ('p0', 'p1')),
    p1_left     INTEGER NOT NULL CHECK (p1_left IN (0, 1)),
    time_ms     BIGINT NOT NULL,
    answered_ms BIGINT NOT NULL,
    PRIMARY KEY (rater_id, trial_id)
);

CREATE INDEX answer_by_trial ON answer (trial_id);
CREATE INDEX trial_by_campaign ON trial (campaign_id, position);
