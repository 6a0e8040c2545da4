//! Unified diffs of planned changes (what `aksguard fix --diff` prints).

use similar::TextDiff;

/// `original` → `fixed` as a unified diff with `a/PATH` and `b/PATH` headers.
pub fn unified(path: &str, original: &str, fixed: &str) -> String {
    TextDiff::from_lines(original, fixed)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_name_the_file_and_show_the_change() {
        let diff = unified("p.yaml", "a: 1\nb: 2\n", "a: 1\nb: 3\n");
        assert_eq!(
            diff,
            "--- a/p.yaml\n+++ b/p.yaml\n@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3\n"
        );
    }
}
