//! Opening stores: every schema version migrates to the newest with its data; a newer schema
//! is refused; a server that is down is a clear, prompt error naming the redacted URL.

mod common;

use std::collections::HashSet;

use aksguard_model::Severity;
use aksguard_store::test_support::{Scratch, execute_raw, migrate_to, schema_versions};
use aksguard_store::{FindingQuery, Store, StoreError, StoreLocation};
use common::{finding, run, run_bounded};

/// Rows as the aksguard of schema `version` wrote them (raw SQL valid on both engines): a
/// target with two runs, a score, an error, one episode resolved at run 2 and one open.
/// Every version must have its data here, so a new migration comes with this test.
fn data_at(version: i64) -> String {
    match version {
        // Version 2 only added indexes: the same rows.
        1 | 2 => DATA_1.to_owned(),
        // Version 3 adds a run's vulnerabilities and attack paths.
        3 => format!(
            "{DATA_1};
             INSERT INTO run_vulnerabilities (run_id, reports, images, critical, high, medium, \
                low, fixable, containers) VALUES (1, 2, 3, 4, 5, 6, 7, 8, 9);
             INSERT INTO run_attack_paths (run_id, total) VALUES (2, 12);
             INSERT INTO run_top_paths (run_id, rank, risk, chain) VALUES \
                (2, 2, 0.5, 'internet → b'), (2, 1, 0.9, 'internet → a')"
        ),
        other => panic!("no test data for schema version {other}: add it to data_at"),
    }
}

/// The rows of schema version 1.
const DATA_1: &str = "INSERT INTO targets (id, kind, key, name, created_at) \
                VALUES (1, 'cluster', 'https://old', 'old', 1700000000000);
             INSERT INTO runs (id, target_id, sequence, uid, started_at, finished_at, recorded_at, \
                tool_version, ruleset_hash, commit_id, files, objects, critical, high, medium, low, \
                info, suppressed, errors, new_count, resolved_count, changed_count) VALUES \
                (1, 1, 1, 'u1', 1700000000000, 1700000001000, 1700000002000, '0.1.0', 'h', NULL, \
                 1, 2, 0, 2, 0, 0, 0, 0, 1, 2, 0, 0), \
                (2, 1, 2, 'u2', 1700000100000, 1700000101000, 1700000102000, '0.1.0', 'h', NULL, \
                 1, 2, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0);
             INSERT INTO run_frameworks (run_id, framework, score, assessed, controls, passed, \
                failed) VALUES (1, 'cis-aks', 50.0, 10, 20, 5, 5);
             INSERT INTO run_errors (run_id, path, line, message) \
                VALUES (1, 'broken.yaml', 3, 'cannot parse');
             INSERT INTO findings (id, target_id, fingerprint, rule_id, severity, title, message, \
                api_version, kind, namespace, name, container, path, line, remediation, \
                suppression, first_seen_run, first_seen_at, resolved_run, resolved_at, \
                last_seen_at) VALUES \
                (1, 1, 'aaaaaaaaaaaaaaaa', 'POD001', 3, 't', 'm', 'apps/v1', 'Deployment', \
                 'default', 'web', 'app', 'manifests.yaml', 1, 'r', NULL, 1, 1700000001000, \
                 NULL, NULL, NULL), \
                (2, 1, 'bbbbbbbbbbbbbbbb', 'POD002', 3, 't', 'm', 'apps/v1', 'Deployment', \
                 'default', 'api', 'app', 'manifests.yaml', 2, 'r', NULL, 1, 1700000001000, \
                 2, 1700000101000, 1700000001000)";

#[test]
fn every_schema_version_migrates_to_the_newest_with_its_data() {
    run_bounded(120, async {
        let versions = schema_versions();
        let newest = *versions.last().unwrap();
        assert_eq!(
            versions,
            (1..=newest).collect::<Vec<_>>(),
            "versions are 1, 2, … without gaps"
        );
        for version in versions {
            for scratch in Scratch::all() {
                let engine = scratch.engine();
                let location = scratch.location();
                migrate_to(location, version).await.unwrap();
                execute_raw(location, &data_at(version)).await.unwrap();
                // PostgreSQL's identity columns do not know about explicit IDs.
                if scratch.engine() == "postgres" {
                    execute_raw(
                        location,
                        "SELECT setval(pg_get_serial_sequence('targets', 'id'), 1); \
                         SELECT setval(pg_get_serial_sequence('runs', 'id'), 2); \
                         SELECT setval(pg_get_serial_sequence('findings', 'id'), 2)",
                    )
                    .await
                    .unwrap();
                }

                let store = Store::open(location).await.unwrap();
                assert_eq!(
                    store.schema_version().await.unwrap(),
                    newest,
                    "{engine} from {version}"
                );
                let target = store.target("https://old").await.unwrap();
                assert_eq!(target.runs, 2, "{engine} from {version}");
                let runs = store.runs(target.id, None).await.unwrap();
                assert_eq!(
                    runs.iter().map(|r| r.sequence).collect::<Vec<_>>(),
                    [2, 1],
                    "{engine} from {version}"
                );
                assert_eq!(runs[1].frameworks[0].passed, 5, "{engine} from {version}");
                assert_eq!(
                    store.run_errors(1).await.unwrap().len(),
                    1,
                    "{engine} from {version}"
                );
                let at_first = store
                    .findings_at(1, &FindingQuery::default())
                    .await
                    .unwrap();
                assert_eq!(at_first.len(), 2, "{engine} from {version}");
                let at_second = store
                    .findings_at(2, &FindingQuery::default())
                    .await
                    .unwrap();
                assert_eq!(at_second.len(), 1, "{engine} from {version}");
                // Version 3's vulnerabilities and paths survive; older runs have none.
                let vulns = store.run_vulnerabilities(1).await.unwrap();
                let paths = store.run_attack_paths(2).await.unwrap();
                if version >= 3 {
                    let vulns = vulns.expect("run 1 has vulnerabilities");
                    assert_eq!(
                        (vulns.reports, vulns.critical, vulns.containers),
                        (2, 4, 9),
                        "{engine} from {version}"
                    );
                    let paths = paths.expect("run 2 has attack paths");
                    assert_eq!(paths.total, 12, "{engine} from {version}");
                    let chains: Vec<&str> = paths.top.iter().map(|p| p.chain.as_str()).collect();
                    assert_eq!(
                        chains,
                        ["internet → a", "internet → b"],
                        "{engine} from {version}"
                    );
                } else {
                    assert_eq!(vulns, None, "{engine} from {version}");
                    assert_eq!(paths, None, "{engine} from {version}");
                }
                assert_eq!(store.run_attack_paths(1).await.unwrap(), None);

                // History goes on: the open episode is still the same one.
                let next = store
                    .record(&run(
                        "https://old",
                        0,
                        &["POD001"],
                        vec![
                            finding("aaaaaaaaaaaaaaaa", "POD001", Severity::High, "web"),
                            finding("cccccccccccccccc", "POD001", Severity::High, "new"),
                        ],
                    ))
                    .await
                    .unwrap();
                assert_eq!(
                    (next.sequence, next.new, next.resolved),
                    (3, 1, 0),
                    "{engine} from {version}"
                );
                let open = store
                    .findings_at(next.run_id, &FindingQuery::default())
                    .await
                    .unwrap();
                let ids: HashSet<i64> = open.iter().map(|f| f.id).collect();
                assert!(ids.contains(&1), "{engine} from {version}");
                assert_eq!(
                    store.diff(1, next.run_id, false).await.unwrap().fixed.len(),
                    1,
                    "{engine} from {version}"
                );
            }
        }
    });
}

#[test]
fn a_newer_schema_is_refused() {
    run_bounded(60, async {
        for scratch in Scratch::all() {
            let engine = scratch.engine();
            let location = scratch.location();
            Store::open(location).await.unwrap();
            let checksum = if engine == "postgres" {
                "'\\x00'::bytea"
            } else {
                "X'00'"
            };
            execute_raw(
                location,
                &format!(
                    "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
                     execution_time) VALUES (99, 'from the future', TRUE, {checksum}, 0)"
                ),
            )
            .await
            .unwrap();
            match Store::open(location).await {
                Err(StoreError::SchemaTooNew { found: 99, known }) => {
                    assert_eq!(known, *schema_versions().last().unwrap(), "{engine}");
                }
                other => panic!("{engine}: expected SchemaTooNew, got {other:?}"),
            }
            let message = StoreError::SchemaTooNew {
                found: 99,
                known: 2,
            }
            .to_string();
            assert!(message.contains("newer aksguard"), "{message}");
        }
    });
}

#[test]
fn a_postgres_server_that_is_down_is_a_prompt_clear_error() {
    run_bounded(60, async {
        // A port nobody listens on (bound, then released).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let location = StoreLocation::parse(&format!(
            "postgres://scanner:hunter2@127.0.0.1:{port}/aksguard"
        ))
        .unwrap();
        let started = std::time::Instant::now();
        let err = Store::open(&location).await.unwrap_err();
        let elapsed = started.elapsed();
        let message = err.to_string();
        assert!(matches!(err, StoreError::Open(_)), "{err:?}");
        assert!(
            message.contains(&format!("postgres://scanner:***@127.0.0.1:{port}/aksguard")),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
        assert!(!format!("{err:?} {location:?}").contains("hunter2"));
        assert!(elapsed < std::time::Duration::from_secs(5), "{elapsed:?}");
        eprintln!("{message} ({elapsed:?})");
    });
}

#[test]
fn a_sqlite_file_that_cannot_be_created_names_its_path() {
    run_bounded(30, async {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-directory");
        std::fs::write(&file, "x").unwrap();
        let location = StoreLocation::Sqlite(file.join("history.sqlite3"));
        let message = Store::open(&location).await.unwrap_err().to_string();
        assert!(message.contains(&location.redacted()), "{message}");
    });
}

#[test]
fn opening_twice_is_idempotent() {
    run_bounded(60, async {
        for scratch in Scratch::all() {
            let first = Store::open(scratch.location()).await.unwrap();
            let version = first.schema_version().await.unwrap();
            let second = Store::open(scratch.location()).await.unwrap();
            assert_eq!(
                second.schema_version().await.unwrap(),
                version,
                "{}",
                scratch.engine()
            );
        }
    });
}

#[test]
fn concurrent_openers_of_a_new_store_all_succeed() {
    run_bounded(60, async {
        for scratch in Scratch::all() {
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let location = scratch.location().clone();
                    tokio::spawn(async move { Store::open(&location).await.map(|_| ()) })
                })
                .collect();
            for opener in openers {
                opener
                    .await
                    .unwrap()
                    .unwrap_or_else(|err| panic!("{}: {err}", scratch.engine()));
            }
        }
    });
}

/// A dashboard may read the fleet's database with a role that can only SELECT: opening a
/// store already at the newest schema writes nothing, and a write through that role fails
/// as an error, not a panic.
#[test]
fn a_read_only_postgres_role_opens_a_current_store_and_reads_it() {
    run_bounded(60, async {
        let Some(scratch) = Scratch::postgres() else {
            return;
        };
        let StoreLocation::Postgres(url) = scratch.location().clone() else {
            unreachable!("Scratch::postgres gives a PostgreSQL location");
        };
        let writer = Store::open(scratch.location()).await.unwrap();
        writer
            .record(&run(
                "https://fleet",
                1,
                &["POD001"],
                vec![finding("aaaaaaaaaaaaaaaa", "POD001", Severity::High, "web")],
            ))
            .await
            .unwrap();
        let role = format!("aksguard_reader_{}", std::process::id());
        let database = url.rsplit('/').next().unwrap().to_owned();
        execute_raw(
            scratch.location(),
            &format!(
                "CREATE ROLE {role} LOGIN; GRANT CONNECT ON DATABASE {database} TO {role}; \
                 GRANT USAGE ON SCHEMA public TO {role}; \
                 GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"
            ),
        )
        .await
        .unwrap();
        // The trust-authenticated loopback server of `.ci/postgres.sh`: the user is the role.
        let authority = url.find("://").unwrap() + 3;
        let host = url[authority..]
            .find('@')
            .map_or(authority, |at| authority + at + 1);
        let reader_url = format!("{}{role}@{}", &url[..authority], &url[host..]);
        let reader = Store::open(&StoreLocation::Postgres(reader_url))
            .await
            .expect("a read-only role opens a store at the newest schema");
        let fleet = reader.fleet(5).await.unwrap();
        assert_eq!(fleet.len(), 1);
        assert_eq!(fleet[0].latest.as_ref().unwrap().counts.high, 1);
        let refused = reader
            .record(&run("https://fleet", 2, &["POD001"], Vec::new()))
            .await
            .expect_err("a read-only role cannot record");
        assert!(
            refused.to_string().contains("permission denied"),
            "{refused}"
        );
        drop(reader);
        drop(writer);
        execute_raw(
            scratch.location(),
            &format!("DROP OWNED BY {role}; DROP ROLE {role}"),
        )
        .await
        .unwrap();
    });
}
