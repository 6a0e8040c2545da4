//! README "Fixing findings" shows a manifest, an `aksguard fix` command and the diff it
//! prints. This runs that command through the real binary on that manifest and compares its
//! stdout with the README's diff, all three read from README.md between the
//! `fix-example:start` and `fix-example:end` markers, so the README cannot drift.

use std::path::Path;

use tempfile::TempDir;

/// The README's example: (manifest file name, manifest, command arguments after `aksguard`,
/// expected stdout).
struct Example {
    file: String,
    manifest: String,
    args: Vec<String>,
    diff: String,
}

fn readme_example() -> Example {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .expect("read README.md");
    let start = readme
        .find("<!-- fix-example:start")
        .expect("README.md has the fix-example:start marker");
    let end = readme[start..]
        .find("<!-- fix-example:end -->")
        .expect("README.md has the fix-example:end marker")
        + start;
    let section = &readme[start..end];
    let block = |fence: &str| {
        let open = section
            .find(fence)
            .unwrap_or_else(|| panic!("the example has a {fence} block"))
            + fence.len()
            + 1;
        let close = section[open..].find("```").expect("the block is closed") + open;
        section[open..close].to_owned()
    };
    let file = section
        .split("Before (`")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .expect("the example names its file: Before (`NAME`)")
        .to_owned();
    let command = section
        .lines()
        .find_map(|line| line.strip_prefix("`aksguard "))
        .and_then(|rest| rest.split('`').next())
        .expect("the example has an `aksguard …` command line");
    Example {
        file,
        manifest: block("```yaml"),
        args: command.split_whitespace().map(str::to_owned).collect(),
        diff: block("```diff"),
    }
}

#[test]
fn the_readme_fix_example_prints_the_readme_diff() {
    let example = readme_example();
    assert!(
        example.args.contains(&example.file),
        "the command fixes the file shown: {:?}",
        example.args
    );
    let dir = TempDir::new().expect("temp dir");
    std::fs::write(dir.path().join(&example.file), &example.manifest).expect("write manifest");
    let output = assert_cmd::cargo::cargo_bin_cmd!("aksguard")
        .current_dir(dir.path())
        .args(&example.args)
        .output()
        .expect("aksguard runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // `--diff` (the default) proposes fixes: exit 1, nothing written.
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stdout, example.diff, "stderr: {stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(&example.file)).expect("read back"),
        example.manifest,
        "--diff writes nothing"
    );
}
