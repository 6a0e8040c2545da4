//! The README's example outputs, run: each ```console block of a section holds an
//! `$ aksguard …` command and the output it prints; the real binary runs that command on the
//! same inputs and its stdout must be the block's lines, so the examples cannot drift from
//! what aksguard prints. Sections: "Attack paths" (the vulnerable-store fixture) and "Image
//! vulnerabilities" (`scan --vulns` with a Trivy and a Grype report).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The README section under `heading` (`## …`), up to the next top-level heading. Read at run
/// time, so editing the README needs no rebuild.
fn section(heading: &str) -> String {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
    let start = readme
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("README has the section {heading:?}"));
    let end = readme[start + 1..]
        .find("\n## ")
        .map_or(readme.len(), |e| start + 1 + e);
    readme[start..end].to_owned()
}

/// An example: the arguments of its `$ aksguard …` line and the lines printed after it.
struct Example {
    args: Vec<String>,
    output: String,
}

/// The ```console block of `section` that runs `aksguard` (other `$` lines before it, such as
/// the `trivy` that writes a report, are the user's set-up and not run here).
fn example(section: &str) -> Example {
    let mut blocks = section.split("```console\n").skip(1).map(|rest| {
        rest.split_once("\n```")
            .map_or(rest, |(block, _)| block)
            .to_owned()
    });
    let block = blocks
        .find(|block| block.lines().any(|l| l.starts_with("$ aksguard ")))
        .unwrap_or_else(|| panic!("a ```console block running `$ aksguard` in:\n{section}"));
    let mut lines = block.lines().skip_while(|l| !l.starts_with("$ aksguard "));
    let command = lines.next().expect("the command line");
    let args = command
        .trim_start_matches("$ aksguard ")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let mut output = String::new();
    for line in lines.take_while(|l| !l.starts_with("$ ")) {
        output.push_str(line);
        output.push('\n');
    }
    Example { args, output }
}

/// Runs the example in `dir` (as the user would, from the directory its paths are relative
/// to) and returns its stdout; `--no-config` keeps an aksguard.toml above `dir` out of it.
fn run(dir: &Path, example: &Example, as_of: &str) -> String {
    let output = Command::cargo_bin("aksguard")
        .expect("binary is built")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("AKSGUARD_AS_OF", as_of)
        .args(&example.args)
        .arg("--no-config")
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{:?} exited {:?}: {}",
        example.args,
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The README block must be exactly what the binary printed; on a difference the message
/// shows the binary's output, ready to paste.
fn assert_block_is_output(heading: &str, example: &Example, printed: &str) {
    assert!(
        example.output == printed,
        "README {heading:?}: the example for `aksguard {}` differs from what the binary \
         prints.\n--- README ---\n{}--- binary ---\n{printed}",
        example.args.join(" "),
        example.output
    );
}

#[test]
fn attack_paths_example_is_what_the_binary_prints() {
    let heading = "## Attack paths";
    let example = example(&section(heading));
    assert!(
        example
            .args
            .iter()
            .any(|a| a == "crates/aksguard_paths/tests/fixtures/store"),
        "the example runs on the vulnerable-store fixture: {:?}",
        example.args
    );
    let printed = run(&workspace_root(), &example, "2026-12-06");
    assert_block_is_output(heading, &example, &printed);
}

/// The reports the example's `trivy` and `grype` lines write, as IMG005's fixture reports
/// (with the JSON pointer of the image each scanned), and the manifests it scans (the shop of
/// `vulns.rs`), laid out as the README names them.
const VULNS_FILES: &[(&str, &str, Option<&str>)] = &[
    (
        "crates/aksguard_rules/fixtures/image/IMG005/reports/trivy-frontend.json",
        "frontend.json",
        Some("/ArtifactName"),
    ),
    (
        "crates/aksguard_rules/fixtures/image/IMG005/reports/grype-cart.json",
        "cart.json",
        Some("/source/target/userInput"),
    ),
    (
        "crates/aksguard/tests/fixtures/vulns/shop.yaml",
        "k8s/shop.yaml",
        None,
    ),
];

#[test]
fn image_vulnerabilities_example_is_what_the_binary_prints() {
    let heading = "## Image vulnerabilities";
    let section = section(heading);
    let example = example(&section);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("k8s")).unwrap();
    for (from, to, image) in VULNS_FILES {
        std::fs::copy(workspace_root().join(from), dir.path().join(to)).unwrap();
        let Some(image) = image else { continue };
        // The README's `$ trivy …`/`$ grype …` line that writes this report scans its image.
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(workspace_root().join(from)).unwrap()).unwrap();
        let image = report.pointer(image).and_then(|v| v.as_str()).unwrap();
        assert!(
            section
                .lines()
                .any(|l| l.starts_with("$ ") && l.contains(to) && l.contains(image)),
            "the README's set-up writes {to} from a scan of {image}"
        );
    }
    // Within 30 days of the reports (2026-11-28), so no age note; notes go to stderr anyway.
    let printed = run(dir.path(), &example, "2026-12-05");
    assert_block_is_output(heading, &example, &printed);
}
