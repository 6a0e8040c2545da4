-- aksguard history store, version 3 (PostgreSQL): what a run's image vulnerability reports
-- held (`scan --vulns`) and its attack paths (`aksguard_paths`). Runs without either have no
-- row.

-- Distinct vulnerability IDs over the images of the run's reports, by severity; `fixable`
-- counts the critical and high ones with a fixed version; `containers` the containers IMG005
-- reported.
CREATE TABLE run_vulnerabilities (
    run_id     BIGINT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    reports    BIGINT NOT NULL,
    images     BIGINT NOT NULL,
    critical   BIGINT NOT NULL,
    high       BIGINT NOT NULL,
    medium     BIGINT NOT NULL,
    low        BIGINT NOT NULL,
    fixable    BIGINT NOT NULL,
    containers BIGINT NOT NULL
);

-- How many attack paths the run found.
CREATE TABLE run_attack_paths (
    run_id BIGINT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    total  BIGINT NOT NULL
);

-- The run's highest-ranked attack paths (rank 1 first), each as its readable chain.
CREATE TABLE run_top_paths (
    run_id BIGINT           NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    rank   BIGINT           NOT NULL,
    risk   DOUBLE PRECISION NOT NULL,
    chain  TEXT             NOT NULL,
    PRIMARY KEY (run_id, rank)
);
