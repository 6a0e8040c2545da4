//! The fixtures and `../shared/corpus/real` load as a cluster would hold them: every document
//! that is an object of a served kind is kept once, custom resources get their CRDs, and owned
//! objects point at their controller.

use aksguard_fakekube::{Cluster, Declared, Store, StoreOptions};
use serde_json::Value;

fn fixtures() -> std::path::PathBuf {
    aksguard_testkit::workspace_root().join("crates/aksguard_rules/fixtures")
}

fn summary(name: &str, declared: &Declared, store: &Store) {
    eprintln!(
        "{name}: {} declared objects, {} stored ({:?} owned), {} duplicates, {} skipped",
        declared.objects.len(),
        store.len(),
        store.owned,
        declared.duplicates.len(),
        declared.skipped.len()
    );
}

fn check_owned(store: &Store) {
    let pods = &store.buckets[&(String::new(), "v1".into(), "pods".into())];
    let owned: Vec<Value> = pods
        .items
        .iter()
        .map(|i| serde_json::from_str::<Value>(&i.json).unwrap())
        .filter(|p| p["metadata"]["generateName"].is_string())
        .collect();
    assert!(
        owned.len() >= store.owned["Pod"],
        "declared pods may have owners too"
    );
    assert!(
        owned
            .iter()
            .all(|p| p["metadata"]["ownerReferences"][0]["controller"] == true)
    );
}

#[test]
fn the_fixtures_load_as_a_cluster() {
    let mut cluster = Cluster::new();
    cluster.load_path(&fixtures()).unwrap();
    let declared = cluster.finish();
    let store = Store::build(&declared, StoreOptions::default());
    summary("fixtures", &declared, &store);
    let counts = declared.counts();
    assert!(counts["Deployment"] > 40, "{counts:?}");
    assert!(
        counts.contains_key("Secret"),
        "Secrets are kept on the server: {counts:?}"
    );
    assert!(
        !declared.duplicates.is_empty(),
        "fixtures reuse names: the duplicates are noted"
    );
    check_owned(&store);
    // Azure JSON and Terraform are not Kubernetes objects: none is served.
    assert!(
        counts
            .keys()
            .all(|kind| !kind.is_empty() && kind != "ManagedCluster"),
        "{counts:?}"
    );
}

#[test]
fn the_real_corpus_loads_as_a_cluster() {
    let Some(real) = aksguard_testkit::shared_path("corpus/real") else {
        return;
    };
    let mut cluster = Cluster::new();
    cluster.load_path(&real).unwrap();
    let declared = cluster.finish();
    let store = Store::build(&declared, StoreOptions::default());
    summary("corpus/real", &declared, &store);
    assert!(declared.objects.len() > 1_000);
    assert!(
        store.catalog.all().any(|r| !r.builtin),
        "the corpus holds custom resources"
    );
    check_owned(&store);
}
