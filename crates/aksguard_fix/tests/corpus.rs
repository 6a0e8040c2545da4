//! The fix planner over ../shared/corpus/real (read only: nothing is written): no panic,
//! every planned change is a diff that applies to its file, and re-scanning each patched
//! copy alone reports no finding the original did not. Prints findings fixed, files
//! touched and verification failures. Skipped with a message when the corpus is absent
//! (a failure with AKSGUARD_REQUIRE_SHARED=1).

mod common;

use std::collections::BTreeSet;
use std::time::Instant;

use aksguard_fix::verify::{FindingKey, scan_text};
use aksguard_fix::{FixOptions, plan};
use aksguard_load::LoadOptions;
use aksguard_model::FixSafety;

#[test]
fn the_planner_runs_over_the_real_corpus() {
    let Some(corpus) = aksguard_testkit::shared_path("corpus/real") else {
        return;
    };
    let settings = common::settings(&[]);
    let options = FixOptions {
        max_safety: FixSafety::Review,
        load: LoadOptions {
            // Helm/Kustomize output is never edited; render nothing.
            render: false,
            ..LoadOptions::default()
        },
    };
    let started = Instant::now();
    let plan = plan(
        &[corpus.display().to_string()],
        &settings.effective.rules,
        &settings,
        &options,
    );
    let elapsed = started.elapsed();
    let rules = &settings.effective.rules;
    for change in &plan.changes {
        // The diff applies: its `-` and context lines are the original's, its `+` and
        // context lines the fixed text's.
        let diff = change.unified_diff();
        assert!(diff.starts_with("--- a/"), "{}", change.path);
        let now = std::fs::read_to_string(&change.path).expect("read");
        assert_eq!(
            now, change.original,
            "{}: the file was written",
            change.path
        );
        let old: Vec<&str> = diff
            .lines()
            .skip(2)
            .filter(|l| !l.starts_with(['+', '\\']) && !l.starts_with("@@"))
            .map(|l| &l[1.min(l.len())..])
            .collect();
        for line in old {
            assert!(change.original.contains(line), "{}: {line:?}", change.path);
        }
        let before: BTreeSet<FindingKey> =
            scan_text(&change.path, &change.original, rules, &settings)
                .expect("original scans")
                .findings;
        let after = scan_text(&change.path, &change.fixed, rules, &settings)
            .expect("patched copy scans")
            .findings;
        let new: Vec<&FindingKey> = after.difference(&before).collect();
        assert!(new.is_empty(), "{}: new findings {new:?}", change.path);
    }
    println!(
        "corpus/real: {} finding(s) fixed in {} file(s); {} declined, {} verification failure(s); {} not automatic; {:.1}s",
        plan.fixed(),
        plan.changes.len(),
        plan.declined.len(),
        plan.verification_failures(),
        plan.not_automatic,
        elapsed.as_secs_f64()
    );
    // Why the rest was declined, most common reason first (file-specific details such as
    // line numbers make reasons differ; the rule and reason are enough to see the pattern).
    let mut reasons: std::collections::BTreeMap<String, (usize, &str)> = Default::default();
    for declined in &plan.declined {
        let reason: String = declined
            .reason
            .chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect();
        reasons
            .entry(format!("{}: {reason}", declined.finding.rule_id))
            .or_insert((0, &declined.path))
            .0 += 1;
    }
    let mut reasons: Vec<(String, (usize, &str))> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(&b.0)));
    for (reason, (count, path)) in reasons.iter().take(12) {
        println!("  declined {count}x {reason} (e.g. {path})");
    }
    for declined in plan
        .declined
        .iter()
        .filter(|d| d.verification_failed)
        .take(20)
    {
        println!(
            "  failed: {}: {}: {}",
            declined.path, declined.finding, declined.reason
        );
    }
    assert!(plan.fixed() > 0, "nothing fixed in the corpus");
}
