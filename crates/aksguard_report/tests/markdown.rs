//! Markdown for pull-request comments: snapshot of a realistic report, every table row has
//! its header's number of cells (no message can break the table), and the row cap.

mod sample;

use aksguard_report::markdown;

/// Splits a table row into cells on unescaped `|`.
fn cells(row: &str) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for c in row.trim().chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => count += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    count - 1
}

/// Every table (consecutive `|` lines) has rows of its header's width.
fn assert_tables_are_rectangular(text: &str) -> usize {
    let mut tables = 0;
    let mut width = None;
    for line in text.lines() {
        if !line.starts_with('|') {
            width = None;
            continue;
        }
        assert!(line.ends_with(" |") || line.ends_with("|"), "{line}");
        assert!(
            !line.ends_with("\\|"),
            "row ends in an escaped pipe: {line}"
        );
        match width {
            None => {
                width = Some(cells(line));
                tables += 1;
            }
            Some(w) => assert_eq!(cells(line), w, "row width differs: {line}"),
        }
    }
    tables
}

#[test]
fn sample_report_snapshot_and_tables() {
    let text = markdown::render(&sample::sample_report());
    assert_eq!(
        assert_tables_are_rectangular(&text),
        3,
        "summary, findings, errors"
    );
    assert!(text.starts_with("### aksguard security scan\n"));
    assert!(text.contains("**aksguard: 6 findings (2 critical, 4 medium) in 5 files**"));
    // No raw HTML reaches the comment; `<stdin>` stays inside a code span.
    assert!(!text.contains("<unsafe>") && text.contains("&lt;unsafe&gt;"));
    assert!(text.contains("`<stdin>:3`"));
    // Links to the rule docs.
    assert!(
        text.contains(
            "[POD001](https://github.com/aksguard/aksguard/blob/main/docs/rules/POD001.md"
        )
    );
    insta::assert_snapshot!("markdown_sample", text);
}

#[test]
fn findings_are_capped_most_severe_first() {
    let mut report = sample::sample_report();
    let template = report.findings[3].clone(); // medium
    for i in 0..70 {
        let mut finding = template.clone();
        finding.location.line = i + 100;
        report.findings.push(finding);
    }
    for i in 0..51 {
        let error = aksguard_model::LoadError::new(format!("bad/{i}.yaml"), Some(1), "invalid");
        report.errors.push(error);
    }
    let text = markdown::render(&report);
    assert_tables_are_rectangular(&text);
    assert!(text.contains("… and 3 more errors."));
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("| critical |") || l.starts_with("| medium |"))
        .filter(|l| l.contains("]("))
        .collect();
    assert_eq!(rows.len(), markdown::MAX_ROWS);
    assert!(rows[0].starts_with("| critical |") && rows[1].starts_with("| critical |"));
    assert!(text.contains("… and 26 more findings"));
}

#[test]
fn a_clean_scan_says_so() {
    let mut report = sample::sample_report();
    report.findings.clear();
    report.suppressed.clear();
    report.errors.clear();
    let text = markdown::render(&report);
    assert_eq!(assert_tables_are_rectangular(&text), 1);
    assert!(text.contains("**aksguard: no findings**"));
    assert!(!text.contains("suppressed") && !text.contains("Load error"));
}
