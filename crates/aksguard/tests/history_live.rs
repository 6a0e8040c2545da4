//! `scan --store` of live sources: `--cluster` (aksguard-fakekube, real TLS and a bearer
//! token) is stored under its API server URL and context (another target when `-n` limits
//! it), `--azure` (the local Resource Manager) under the AKS cluster's lower-case resource ID.

use std::time::Duration;

use aksguard_arm::fake::FakeArm;
use aksguard_arm::fake::examples::{self, MAIN_CLUSTER};
use aksguard_fakekube::{Background, Cluster, Faults, Options, Store, StoreOptions};
use aksguard_store::StoreLocation;
use aksguard_store::test_support::Scratch;
use serde_json::{Value, json};

mod arm_cli;

const TOKEN: &str = "fakekube-history-token-0123456789";

fn url(scratch: &Scratch) -> String {
    match scratch.location() {
        StoreLocation::Sqlite(path) => format!("sqlite://{}", path.display()),
        StoreLocation::Postgres(url) => url.clone(),
    }
}

fn history(store: &str) -> Value {
    let output = assert_cmd::Command::cargo_bin("aksguard")
        .unwrap()
        .args(["history", "--store", store, "--format", "json"])
        .env_remove("AKSGUARD_STORE")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn a_live_cluster_is_stored_under_its_server_and_context() {
    aksguard_fakekube::install_crypto_provider();
    let mut cluster = Cluster::new();
    cluster.add(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"},
               "spec": {"containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]}}),
        "test",
    );
    let server = Background::start(
        Store::build(&cluster.finish(), StoreOptions::default()),
        Options {
            token: Some(TOKEN.to_owned()),
            faults: Faults::default(),
            ..Options::default()
        },
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig, "staging").unwrap();
    let scratch = Scratch::sqlite();
    let store = url(&scratch);
    for extra in [&[][..], &["-n", "shop"][..]] {
        let output = assert_cmd::Command::cargo_bin("aksguard")
            .unwrap()
            .args(["scan", "--cluster", "--kubeconfig"])
            .arg(&kubeconfig)
            .arg(format!("--store={store}"))
            .args(extra)
            .env("XDG_DATA_HOME", dir.path())
            .env_remove("AKSGUARD_STORE")
            .env_remove("KUBECONFIG")
            .timeout(Duration::from_secs(120))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("stored run"), "{stderr}");
        assert!(!stderr.contains(TOKEN));
    }
    let listed = history(&store);
    let targets = listed["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2, "{listed}");
    let server_url = server.url();
    let mut keys: Vec<&str> = targets
        .iter()
        .map(|t| {
            assert_eq!(t["target"]["kind"], "cluster");
            assert_eq!(t["target"]["name"], "staging");
            t["target"]["key"].as_str().unwrap()
        })
        .collect();
    keys.sort_unstable();
    assert!(
        keys[0].trim_end_matches('/') == server_url && keys[1].ends_with("?namespaces=shop"),
        "{keys:?} vs {server_url}"
    );
}

#[test]
fn an_aks_cluster_read_from_azure_is_stored_under_its_lower_case_resource_id() {
    let Some(dir) = aksguard_testkit::shared_path("corpus/aks/rest-api-examples") else {
        return;
    };
    let token = "eyJhbGciOi.HISTORY-SECRET-TOKEN.sig";
    let examples = examples::examples(&dir, token).expect("the corpus's REST bodies");
    let arm = FakeArm::start(examples.world.clone());
    let scratch = Scratch::sqlite();
    let store = url(&scratch);
    let data = tempfile::tempdir().unwrap();
    let mut cmd = arm_cli::aksguard(Some(&arm), token);
    cmd.env("XDG_DATA_HOME", data.path())
        .env_remove("AKSGUARD_STORE");
    let scan = arm_cli::scan(
        cmd,
        &[
            "--azure",
            "--aks-name",
            MAIN_CLUSTER,
            &format!("--store={store}"),
        ],
    );
    assert!(
        scan.stderr.contains("stored run 1 of target"),
        "{}",
        scan.stderr
    );
    assert!(!scan.stderr.contains(token));
    let listed = history(&store);
    let target = &listed["targets"][0]["target"];
    assert_eq!(target["kind"], "aks", "{listed}");
    assert_eq!(target["name"], MAIN_CLUSTER);
    let key = target["key"].as_str().unwrap();
    assert_eq!(key, key.to_lowercase());
    assert!(
        key.starts_with("/subscriptions/")
            && key.ends_with(&format!(
                "/providers/microsoft.containerservice/managedclusters/{}",
                MAIN_CLUSTER.to_lowercase()
            )),
        "{key}"
    );
}
