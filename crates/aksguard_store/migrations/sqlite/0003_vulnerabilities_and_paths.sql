-- aksguard history store, version 3 (SQLite): what a run's image vulnerability reports held
-- (`scan --vulns`) and its attack paths (`aksguard_paths`). Runs without either have no row.

-- Distinct vulnerability IDs over the images of the run's reports, by severity; `fixable`
-- counts the critical and high ones with a fixed version; `containers` the containers IMG005
-- reported.
CREATE TABLE run_vulnerabilities (
    run_id     INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    reports    INTEGER NOT NULL,
    images     INTEGER NOT NULL,
    critical   INTEGER NOT NULL,
    high       INTEGER NOT NULL,
    medium     INTEGER NOT NULL,
    low        INTEGER NOT NULL,
    fixable    INTEGER NOT NULL,
    containers INTEGER NOT NULL
);

-- How many attack paths the run found.
CREATE TABLE run_attack_paths (
    run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    total  INTEGER NOT NULL
);

-- The run's highest-ranked attack paths (rank 1 first), each as its readable chain.
CREATE TABLE run_top_paths (
    run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    rank   INTEGER NOT NULL,
    risk   REAL    NOT NULL,
    chain  TEXT    NOT NULL,
    PRIMARY KEY (run_id, rank)
);
