-- aksguard history store, version 1 (SQLite). Times are unix milliseconds (INTEGER).
-- Severities are ranks: 0 info, 1 low, 2 medium, 3 high, 4 critical.

-- What was scanned; `key` is its identity (see aksguard_store::TargetSpec).
CREATE TABLE targets (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL,
    key        TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX targets_name ON targets (name);

-- One scan of one target. `sequence` numbers a target's runs 1, 2, …; ids grow per target
-- in commit order (writers of one target are serialised).
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    target_id     INTEGER NOT NULL REFERENCES targets (id),
    sequence      INTEGER NOT NULL,
    uid           TEXT    NOT NULL UNIQUE,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER NOT NULL,
    recorded_at   INTEGER NOT NULL,
    tool_version  TEXT    NOT NULL,
    ruleset_hash  TEXT    NOT NULL,
    commit_id     TEXT,
    files         INTEGER NOT NULL,
    objects       INTEGER NOT NULL,
    critical      INTEGER NOT NULL,
    high          INTEGER NOT NULL,
    medium        INTEGER NOT NULL,
    low           INTEGER NOT NULL,
    info          INTEGER NOT NULL,
    suppressed    INTEGER NOT NULL,
    errors        INTEGER NOT NULL,
    new_count     INTEGER NOT NULL,
    resolved_count INTEGER NOT NULL,
    changed_count INTEGER NOT NULL,
    UNIQUE (target_id, sequence)
);

CREATE TABLE run_frameworks (
    run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    framework TEXT    NOT NULL,
    score     REAL    NOT NULL,
    assessed  INTEGER NOT NULL,
    controls  INTEGER NOT NULL,
    passed    INTEGER NOT NULL,
    failed    INTEGER NOT NULL,
    PRIMARY KEY (run_id, framework)
);

CREATE TABLE run_errors (
    id      INTEGER PRIMARY KEY,
    run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    path    TEXT    NOT NULL,
    line    INTEGER,
    message TEXT    NOT NULL
);
CREATE INDEX run_errors_run ON run_errors (run_id);

-- Finding episodes: one fingerprint of one target from the run that first saw it to the
-- run that no longer did (NULL while open). Run ids are kept as plain numbers (no foreign
-- key): pruning deletes old runs but keeps episodes still open after them.
CREATE TABLE findings (
    id             INTEGER PRIMARY KEY,
    target_id      INTEGER NOT NULL REFERENCES targets (id),
    fingerprint    TEXT    NOT NULL,
    rule_id        TEXT    NOT NULL,
    severity       INTEGER NOT NULL,
    title          TEXT    NOT NULL,
    message        TEXT    NOT NULL,
    api_version    TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    namespace      TEXT,
    name           TEXT    NOT NULL,
    container      TEXT,
    path           TEXT    NOT NULL,
    line           INTEGER NOT NULL,
    remediation    TEXT    NOT NULL,
    suppression    TEXT,
    first_seen_run INTEGER NOT NULL,
    first_seen_at  INTEGER NOT NULL,
    resolved_run   INTEGER,
    resolved_at    INTEGER,
    last_seen_at   INTEGER
);
-- At most one open episode per target and fingerprint.
CREATE UNIQUE INDEX findings_open ON findings (target_id, fingerprint) WHERE resolved_run IS NULL;
