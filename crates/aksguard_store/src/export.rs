//! `aksguard store export`: everything as JSON lines, read in pages by ID so memory stays
//! bounded by one page however large the store is.

use serde::Serialize;

use crate::StoreError;
use crate::db::Pool;
use crate::query::ExportSummary;
use crate::rows::{
    FINDING_COLUMNS, RUN_COLUMNS, TARGET_SELECT, attach_frameworks, framework_row, run_summary,
    stored_finding, target_info,
};

const PAGE: i64 = 500;

/// One line: `{"type": "...", ...fields}`.
#[derive(Serialize)]
struct Line<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    item: &'a T,
}

fn write_line<T: Serialize>(
    out: &mut (dyn std::io::Write + Send),
    kind: &'static str,
    item: &T,
) -> Result<(), StoreError> {
    serde_json::to_writer(&mut *out, &Line { kind, item })
        .map_err(|err| StoreError::Io(std::io::Error::other(err)))?;
    out.write_all(b"\n").map_err(StoreError::Io)
}

pub(crate) async fn export(
    pool: &Pool,
    out: &mut (dyn std::io::Write + Send),
) -> Result<ExportSummary, StoreError> {
    let mut summary = ExportSummary::default();

    let mut after = 0i64;
    loop {
        let sql = format!("{TARGET_SELECT} WHERE t.id > $1 ORDER BY t.id LIMIT $2");
        let page = pool
            .fetch_all(
                "exporting targets",
                &sql,
                &[after.into(), PAGE.into()],
                target_info,
            )
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for target in &page {
            write_line(out, "target", target)?;
        }
        summary.targets += page.len() as u64;
    }

    let mut after = 0i64;
    loop {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id > $1 ORDER BY id LIMIT $2");
        let mut page = pool
            .fetch_all(
                "exporting runs",
                &sql,
                &[after.into(), PAGE.into()],
                run_summary,
            )
            .await?;
        let (Some(first), Some(last)) = (page.first(), page.last()) else {
            break;
        };
        let (first_id, last_id) = (first.id, last.id);
        after = last_id;
        // The page is every run with an ID in [first, last], so this range is its scores.
        let scores = pool
            .fetch_all(
                "exporting framework scores",
                "SELECT run_id, framework, score, assessed, controls, passed, failed \
                 FROM run_frameworks WHERE run_id BETWEEN $1 AND $2",
                &[first_id.into(), last_id.into()],
                framework_row,
            )
            .await?;
        attach_frameworks(&mut page, scores);
        for run in &page {
            write_line(out, "run", run)?;
        }
        summary.runs += page.len() as u64;
    }

    let mut after = 0i64;
    loop {
        let sql =
            format!("SELECT {FINDING_COLUMNS} FROM findings WHERE id > $1 ORDER BY id LIMIT $2");
        let page = pool
            .fetch_all(
                "exporting findings",
                &sql,
                &[after.into(), PAGE.into()],
                stored_finding,
            )
            .await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for finding in &page {
            write_line(out, "finding", finding)?;
        }
        summary.findings += page.len() as u64;
    }
    out.flush().map_err(StoreError::Io)?;
    Ok(summary)
}
