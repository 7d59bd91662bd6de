//! History without a server: one immutable record per default-branch commit (coverage line
//! states and test outcomes), kept in a store (a folder, git notes), and the baseline a pull
//! request is compared with (the record of its merge-base, else of a near first-parent ancestor).
//!
//! Input: the merged, path-mapped [`CoverageReport`](crate::model::CoverageReport) and
//! [`TestResults`](crate::model::test_results::TestResults) of a run → a [`Record`]; a merge-base and a
//! [`Store`] → a [`Baseline`]. `analysis` compares a head run with the baseline (`compare`).
//! The binary layout is documented in `docs/history.md`; records are untrusted input.

pub mod baseline;
pub mod codec;
pub mod compare;
pub mod record;
pub mod store;
pub mod zip;

pub use baseline::{find_baseline, Baseline, BaselineSearch, MAX_ANCESTORS};
pub use codec::{decode, encode, RecordError};
pub use record::{Record, RecordMeta, RecordedTest};
pub use store::{HistoryError, Store};
