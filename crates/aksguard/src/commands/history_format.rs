//! Formatting shared by `history`, `diff` and `store info`: aligned text tables, Markdown
//! tables with every value escaped, times, counts and score changes.

use aksguard_store::{FrameworkScore, SeverityCounts, StoredFinding};
use jiff::Timestamp;

/// Rows of a Markdown table at most (a pull-request comment has a size limit; the rest is
/// counted in a line below the table).
pub const MARKDOWN_ROWS: usize = 100;

/// Left-aligned columns separated by two spaces; the last column is not padded.
pub fn text_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header_row: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header_row).chain(rows) {
        let mut line = String::new();
        for (index, cell) in row.iter().enumerate() {
            if index + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                let pad = widths[index] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A Markdown table; every cell is escaped with [`markdown_escape`].
pub fn markdown_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n", headers.join(" | "));
    out.push_str(&format!(
        "|{}\n",
        headers.iter().map(|_| " --- |").collect::<String>()
    ));
    for row in rows.iter().take(MARKDOWN_ROWS) {
        let cells: Vec<String> = row.iter().map(|cell| markdown_escape(cell)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    if rows.len() > MARKDOWN_ROWS {
        out.push_str(&format!(
            "\n…and {} more (see `aksguard diff --format json`).\n",
            rows.len() - MARKDOWN_ROWS
        ));
    }
    out
}

/// `text` safe in a Markdown table cell of a pull-request comment: HTML is shown, not
/// rendered (`<`, `>`, `&` as entities), Markdown syntax is shown literally (`\`-escaped),
/// `|` cannot end the cell, a line break cannot end the row, and `@name` cannot notify
/// anyone.
pub fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `2026-12-06 20:55:07` (UTC, seconds).
pub fn time(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

/// `0/2/5/1/0` → used in columns headed `C/H/M/L/I`.
pub fn counts_compact(counts: &SeverityCounts) -> String {
    format!(
        "{}/{}/{}/{}/{}",
        counts.critical, counts.high, counts.medium, counts.low, counts.info
    )
}

/// `1 critical, 3 high` (only the severities present; `none` when all are zero).
pub fn counts_words(counts: &SeverityCounts) -> String {
    let parts: Vec<String> = [
        (counts.critical, "critical"),
        (counts.high, "high"),
        (counts.medium, "medium"),
        (counts.low, "low"),
        (counts.info, "info"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| format!("{n} {word}"))
    .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// `cis-aks 71.4 (+2.1)` per framework, the change against `previous` (the run before);
/// `(new)` for a framework the previous run did not score.
pub fn score_trend(current: &[FrameworkScore], previous: Option<&[FrameworkScore]>) -> String {
    let parts: Vec<String> = current
        .iter()
        .map(|score| {
            let before = previous.and_then(|scores| {
                scores
                    .iter()
                    .find(|s| s.framework == score.framework)
                    .map(|s| s.score)
            });
            let change = match (previous, before) {
                (None, _) => String::new(),
                (Some(_), None) => " (new)".to_owned(),
                (Some(_), Some(before)) => {
                    let delta = score.score - before;
                    if delta.abs() < 0.05 {
                        " (=)".to_owned()
                    } else {
                        format!(" ({delta:+.1})")
                    }
                }
            };
            format!("{} {:.1}{change}", score.framework, score.score)
        })
        .collect();
    if parts.is_empty() {
        "-".to_owned()
    } else {
        parts.join(", ")
    }
}

/// `Deployment shop/web (container nginx)`.
pub fn object(finding: &StoredFinding) -> String {
    let mut text = finding.kind.clone();
    text.push(' ');
    if let Some(namespace) = &finding.namespace {
        text.push_str(namespace);
        text.push('/');
    }
    text.push_str(&finding.name);
    if let Some(container) = &finding.container {
        text.push_str(&format!(" (container {container})"));
    }
    text
}

/// `path:line` (the line only when known).
pub fn location(finding: &StoredFinding) -> String {
    if finding.line > 0 {
        format!("{}:{}", finding.path, finding.line)
    } else {
        finding.path.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_values_cannot_break_the_table_render_html_or_mention_people() {
        let escaped = markdown_escape("<script>alert(1)</script> | **x** @team\n# h `c` [l](u)");
        assert_eq!(
            escaped,
            "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*\\*x\\*\\* &#64;team \\# h \\`c\\` \
             \\[l\\](u)"
        );
        assert!(!escaped.contains('\n'));
    }

    #[test]
    fn text_tables_align_columns() {
        let table = text_table(
            &["A", "LONGER"],
            &[
                vec!["value".into(), "x".into()],
                vec!["v".into(), "y".into()],
            ],
        );
        assert_eq!(table, "A      LONGER\nvalue  x\nv      y\n");
    }

    #[test]
    fn markdown_tables_are_bounded() {
        let rows: Vec<Vec<String>> = (0..MARKDOWN_ROWS + 5)
            .map(|i| vec![i.to_string()])
            .collect();
        let table = markdown_table(&["N"], &rows);
        assert_eq!(
            table.lines().filter(|l| l.starts_with("| ")).count(),
            MARKDOWN_ROWS + 2
        );
        assert!(table.contains("…and 5 more"), "{table}");
    }

    #[test]
    fn score_changes_are_signed_and_new_frameworks_marked() {
        let score = |framework: &str, score: f64| FrameworkScore {
            framework: framework.into(),
            score,
            assessed: 1,
            controls: 1,
            passed: 1,
            failed: 0,
        };
        let now = [score("cis-aks", 71.4), score("pss-baseline", 90.0)];
        let before = [score("cis-aks", 69.3)];
        assert_eq!(
            score_trend(&now, Some(&before)),
            "cis-aks 71.4 (+2.1), pss-baseline 90.0 (new)"
        );
        assert_eq!(score_trend(&before, Some(&now)), "cis-aks 69.3 (-2.1)");
        assert_eq!(score_trend(&now[..1], None), "cis-aks 71.4");
        assert_eq!(score_trend(&[], None), "-");
    }

    #[test]
    fn counts_in_words_name_only_what_is_there() {
        let counts = SeverityCounts {
            high: 3,
            low: 1,
            ..SeverityCounts::default()
        };
        assert_eq!(counts_words(&counts), "3 high, 1 low");
        assert_eq!(counts_words(&SeverityCounts::default()), "none");
        assert_eq!(counts_compact(&counts), "0/3/0/1/0");
    }
}
