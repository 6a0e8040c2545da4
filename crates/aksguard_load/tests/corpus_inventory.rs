//! Every managed-cluster definition in `../shared/corpus/aks`, as `file<TAB>name<TAB>form`
//! (file relative to `corpus/aks`), must match the checked-in list
//! `tests/data/corpus_clusters.tsv`, with 0 load errors: a form that stops being read, a
//! cluster lost or found twice, a name that changes, all show up as a diff here. After a
//! deliberate change, `AKSGUARD_UPDATE_EXPECTED=1 cargo test -p aksguard_load --test
//! corpus_inventory` rewrites the list (review the diff). Skips when the corpus is absent.

use std::path::Path;

use aksguard_load::{Limits, LoadOptions, load_inputs};

const EXPECTED: &str = "tests/data/corpus_clusters.tsv";

#[test]
fn every_cluster_definition_in_the_corpus_is_listed() {
    let Some(corpus) = aksguard_testkit::shared_path("corpus/aks") else {
        return;
    };
    let options = LoadOptions {
        limits: Limits::default(),
        // Deterministic: no helm/kubectl on PATH needed.
        render: false,
        progress: None,
    };
    let loaded = load_inputs(
        &[corpus.display().to_string()],
        &options,
        &mut std::io::empty(),
    );
    assert!(
        loaded.errors.is_empty(),
        "{} load error(s):\n{}",
        loaded.errors.len(),
        loaded
            .errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let prefix = format!("{}/", corpus.display());
    let mut rows: Vec<String> = loaded
        .azure
        .clusters
        .iter()
        .map(|c| {
            let file = c
                .source
                .path
                .strip_prefix(&prefix)
                .unwrap_or(&c.source.path);
            format!("{file}\t{}\t{}", c.name, c.format.label())
        })
        .collect();
    rows.sort();
    let actual = format!("{}\n", rows.join("\n"));
    let expected_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(EXPECTED);
    if std::env::var_os("AKSGUARD_UPDATE_EXPECTED").is_some() {
        std::fs::write(&expected_path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    if actual != expected {
        let want: Vec<&str> = expected.lines().collect();
        let got: Vec<&str> = actual.lines().collect();
        let lost: Vec<&&str> = want.iter().filter(|l| !got.contains(l)).collect();
        let new: Vec<&&str> = got.iter().filter(|l| !want.contains(l)).collect();
        panic!(
            "the corpus's cluster definitions changed ({} listed, {} found)\nno longer found:\n{}\nnewly found:\n{}\n(set AKSGUARD_UPDATE_EXPECTED=1 to rewrite {EXPECTED} after a deliberate change)",
            want.len(),
            got.len(),
            lost.iter()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n"),
            new.iter()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
}
