//! The README's "Custom policies" examples, run: the gatekeeper-library scan (its `--policy`
//! paths and the finding it shows) and `aksguard policy test` (its summary line).

use std::path::PathBuf;

use aksguard_policy::classify::documents_of_text;
use aksguard_policy::suite::run_paths;
use aksguard_policy::{PolicySet, Review, ScanContext, load_policies};

fn section() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let start = readme
        .find("## Custom policies")
        .expect("README has Custom policies");
    let end = readme[start..]
        .find("\n## History")
        .map_or(readme.len(), |e| start + e);
    readme[start..end].to_owned()
}

const PRIVILEGED_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  containers:
  - name: nginx
    image: nginx
    securityContext:
      privileged: true
";

#[test]
fn gatekeeper_library_example_runs_as_documented() {
    let Some(library) = aksguard_testkit::shared_path(
        "corpus/peers/gatekeeper-library/library/pod-security-policy",
    ) else {
        return;
    };
    let section = section();
    let paths: Vec<PathBuf> = section
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--policy $GKL/"))
        .map(|p| library.join(p.trim_end_matches(['\\', ' '])))
        .collect();
    assert_eq!(paths.len(), 2, "{section}");
    let (documents, errors) = load_policies(&paths);
    assert!(errors.is_empty(), "{errors:?}");
    let (set, errors) = PolicySet::build(&documents);
    assert!(errors.is_empty(), "{errors:?}");
    let (pods, _) = documents_of_text("k8s/pod.yaml", PRIVILEGED_POD);
    let json = pods[0].object.root.to_json();
    let verdicts = set.evaluate(
        &Review::create(&pods[0].object, &json),
        &ScanContext::default(),
        None,
    );
    assert_eq!(verdicts.violations.len(), 1, "{verdicts:?}");
    let shown = format!(
        "# k8s/pod.yaml:1  high  {}  {}",
        verdicts.violations[0].rule.id, verdicts.violations[0].message
    );
    assert!(section.contains(&shown), "README should show: {shown}");

    let report = run_paths(&[library.join("privileged-containers")]);
    let summary = format!(
        "# {} passed, {} failed, {} skipped, {} suite error(s)",
        report.passed(),
        report.failed(),
        report.skipped(),
        report.errors.len()
    );
    assert!(report.success());
    assert!(section.contains(&summary), "README should show: {summary}");
}
