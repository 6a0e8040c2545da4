//! The README's ValidatingAdmissionPolicy example: its policy file and suite, written out
//! and run as `aksguard policy test` runs a VAP suite.

use std::path::Path;

use aksguard_policy::vap::suite::{VapCaseOutcome, run_suite_file};

/// The text of the README's code block whose first line is `first_line`.
fn block(readme: &str, first_line: &str) -> String {
    let start = readme
        .find(&format!("```yaml\n{first_line}\n"))
        .unwrap_or_else(|| panic!("README has the {first_line} block"))
        + "```yaml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_owned()
}

#[test]
fn the_readme_vap_example_passes_its_suite() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("replica-limit.yaml"),
        block(&readme, "# replica-limit.yaml"),
    )
    .unwrap();
    let suite = dir.path().join("replica-limit.suite.yaml");
    std::fs::write(&suite, block(&readme, "# replica-limit.suite.yaml")).unwrap();
    let results = run_suite_file(&suite).unwrap();
    assert_eq!(results.len(), 3);
    for result in &results {
        assert_eq!(result.outcome, VapCaseOutcome::Pass, "{}", result.case);
    }
    // The same through `aksguard policy test`'s runner, given the directory.
    let report = aksguard_policy::suite::run_paths(&[dir.path().to_path_buf()]);
    assert!(report.success(), "{report:?}");
    assert_eq!((report.passed(), report.failed()), (3, 0));
}
