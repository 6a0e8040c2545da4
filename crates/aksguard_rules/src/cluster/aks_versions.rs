//! The AKS Kubernetes version support table AKS017 judges against. Updating it is a change to
//! this file only: edit `VERSIONS` and `TABLE_UPDATED`.
//!
//! Source: Microsoft Learn, "Supported Kubernetes versions in Azure Kubernetes Service (AKS)",
//! section "AKS Kubernetes release calendar" and its "LTS versions" table
//! <https://learn.microsoft.com/azure/aks/supported-kubernetes-versions> (the page's source is
//! `articles/aks/supported-kubernetes-versions.md` in MicrosoftDocs/azure-aks-docs, revision
//! with `ms.date: 08/05/2026`). Read on 2026-11-24.
//!
//! The calendar gives most dates as a month ("Mar 2026"); the page says such an end of life is
//! the LAST day of that month, which is what the tables below hold. Where the page gives an
//! exact day ("Aug 22, 2025", "Nov 1, 2025") that day is used. 1.27 and 1.28 are only in the
//! page's LTS table (an earlier revision of the page, same source); their standard support
//! dates come from that table. GA is a month, as on the page.
//!
//! Differences between revisions of the page: the 2026-08 revision moved 1.33's end of life
//! from Jun 2026 to Jul 2026; the newer value is used. 1.37 (GA planned for Oct 2026 in that
//! revision) is left out until a revision confirms it; a newer version than the table is
//! "unknown to the table" and never reported.

use jiff::civil::{Date, date};

/// When the table was last compared with the source above.
pub(crate) const TABLE_UPDATED: Date = date(2026, 11, 24);

/// One Kubernetes minor version on AKS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AksVersion {
    /// (major, minor), e.g. (1, 31).
    pub version: (u32, u32),
    /// AKS general availability (year, month).
    pub ga: (i32, u32),
    /// End of AKS standard (community) support: the last supported day.
    pub end_of_life: Date,
    /// End of long-term support for clusters on the LTS plan (`supportPlan:
    /// AKSLongTermSupport`, Premium tier), when the version has LTS.
    pub lts_end_of_life: Option<Date>,
}

const fn v(
    minor: u32,
    ga: (i32, u32),
    (year, month, day): (i16, i8, i8),
    lts_end_of_life: Option<(i16, i8, i8)>,
) -> AksVersion {
    AksVersion {
        version: (1, minor),
        ga,
        end_of_life: date(year, month, day),
        lts_end_of_life: match lts_end_of_life {
            Some((year, month, day)) => Some(date(year, month, day)),
            None => None,
        },
    }
}

/// Oldest first; no gaps between minors.
pub(crate) const VERSIONS: &[AksVersion] = &[
    v(27, (2023, 7), (2024, 7, 31), Some((2025, 7, 31))),
    v(28, (2023, 11), (2025, 1, 31), Some((2026, 2, 28))),
    v(29, (2024, 3), (2025, 3, 31), Some((2026, 4, 30))),
    v(30, (2024, 7), (2025, 8, 22), Some((2026, 7, 31))),
    v(31, (2024, 11), (2025, 11, 1), Some((2026, 11, 30))),
    v(32, (2025, 4), (2026, 3, 31), Some((2027, 3, 31))),
    v(33, (2025, 6), (2026, 7, 31), Some((2027, 7, 31))),
    v(34, (2025, 11), (2026, 11, 30), Some((2027, 11, 30))),
    v(35, (2026, 3), (2027, 3, 31), Some((2028, 3, 31))),
    v(36, (2026, 6), (2027, 6, 30), Some((2028, 6, 30))),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_ordered_without_gaps_and_dates_are_real() {
        for pair in VERSIONS.windows(2) {
            assert_eq!(pair[0].version.0, pair[1].version.0);
            assert_eq!(pair[0].version.1 + 1, pair[1].version.1);
            assert!(pair[0].end_of_life < pair[1].end_of_life);
        }
        for row in VERSIONS {
            // `date` panics at compile time on a day that does not exist, so only the order
            // is left to check.
            assert!(row.lts_end_of_life.is_none_or(|lts| lts > row.end_of_life));
            let ga = date(row.ga.0 as i16, row.ga.1 as i8, 1);
            assert!(ga < row.end_of_life);
        }
    }
}
