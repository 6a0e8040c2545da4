//! Every managed-cluster definition in `../shared/corpus/aks`, as `file<TAB>name<TAB>form`
//! (file relative to `corpus/aks`), and every load error, as `error<TAB>message`, must match
//! the checked-in list `tests/data/corpus_clusters.tsv`: a form that stops being read, a
//! cluster lost or found twice, a name that changes, a new error, all show up as a diff here.
//! The goal is no error line at all. After a
//! deliberate change, `AKSGUARD_UPDATE_EXPECTED=1 cargo test -p aksguard_load --test
//! corpus_inventory` rewrites the list (review the diff). Skips when the corpus is absent.

use std::path::{Component, Path, PathBuf};

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
    // Paths appear as given (`…/arm/../shared/corpus/aks/…`), normalised lexically
    // (followed modules) or with links resolved; in file names and in cluster names that
    // name a caller. All are written relative to `corpus/aks`.
    let prefixes: Vec<String> = [
        corpus.clone(),
        lexical(&corpus),
        corpus.canonicalize().unwrap_or_default(),
    ]
    .iter()
    .map(|p| format!("{}/", p.display()))
    .filter(|p| p.len() > 1)
    .collect();
    let relative = |text: &str| {
        prefixes
            .iter()
            .fold(text.to_owned(), |text, prefix| text.replace(prefix, ""))
    };
    let mut rows: Vec<String> = loaded
        .azure
        .clusters
        .iter()
        .map(|c| {
            relative(&format!(
                "{}\t{}\t{}",
                c.source.path,
                c.name,
                c.format.label()
            ))
        })
        .collect();
    // Load errors are listed too (`error<TAB>message`): the goal is none, and a new one
    // must show up here.
    rows.extend(
        loaded
            .errors
            .iter()
            .map(|e| format!("error\t{}", relative(&e.to_string()))),
    );
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

/// `path` with `..` and `.` taken out without following links.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
