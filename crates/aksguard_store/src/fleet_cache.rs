//! The fleet view, kept between requests while the store's runs are unchanged.
//!
//! A dashboard reads the whole fleet on every page view (each target's latest run, scores
//! and trend): 200 targets × 30 points is 6,000 run rows and 24,000 score rows. Runs change
//! only when a scan is recorded or history is pruned, so the view is kept with a signature of
//! the `runs` table and rebuilt when the signature moves. The signature is read on every call
//! (one pass over the runs' primary key, no table rows): a new run raises the count and the
//! sum of IDs, even when a PostgreSQL transaction with a smaller ID commits after a larger one;
//! a prune lowers both; a record after a prune cannot restore both to the same values because
//! IDs only grow. The signature is read before the view, so a write landing in between leaves
//! a newer view under an older signature, and the next call rebuilds it.

use std::sync::{Arc, Mutex};

use crate::StoreError;
use crate::db::Pool;
use crate::query::FleetEntry;

/// What the fleet view was built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Signature {
    runs: i64,
    id_sum: i64,
    id_max: i64,
    targets: i64,
}

impl Signature {
    pub(crate) async fn read(pool: &Pool) -> Result<Signature, StoreError> {
        let sql = "SELECT (SELECT COUNT(*) FROM runs) AS runs, \
                   (SELECT CAST(COALESCE(SUM(id), 0) AS BIGINT) FROM runs) AS id_sum, \
                   (SELECT COALESCE(MAX(id), 0) FROM runs) AS id_max, \
                   (SELECT COUNT(*) FROM targets) AS targets";
        let signature = pool
            .fetch_optional("reading the fleet's signature", sql, &[], |row| {
                Ok(Signature {
                    runs: row.int("runs")?,
                    id_sum: row.int("id_sum")?,
                    id_max: row.int("id_max")?,
                    targets: row.int("targets")?,
                })
            })
            .await?;
        signature.ok_or_else(|| StoreError::Query("the fleet's signature read no row".into()))
    }
}

/// Which fleet view: how many trend points, with or without scores per point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shape {
    pub trend_points: usize,
    pub trend_scores: bool,
}

struct Kept {
    signature: Signature,
    shape: Shape,
    entries: Arc<Vec<FleetEntry>>,
}

/// The last few fleet views built (one per shape the callers ask for: the page, the API and
/// the metrics each ask for one).
#[derive(Clone, Default)]
pub(crate) struct FleetCache {
    kept: Arc<Mutex<Vec<Kept>>>,
}

/// More shapes than callers exist: the oldest is dropped.
const SHAPES_KEPT: usize = 4;

impl FleetCache {
    pub(crate) fn get(&self, signature: Signature, shape: Shape) -> Option<Arc<Vec<FleetEntry>>> {
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        kept.iter()
            .find(|k| k.signature == signature && k.shape == shape)
            .map(|k| k.entries.clone())
    }

    pub(crate) fn put(&self, signature: Signature, shape: Shape, entries: Arc<Vec<FleetEntry>>) {
        let mut kept = self
            .kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        kept.retain(|k| k.shape != shape);
        if kept.len() >= SHAPES_KEPT {
            kept.remove(0);
        }
        kept.push(Kept {
            signature,
            shape,
            entries,
        });
    }
}
