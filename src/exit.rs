//! Exit codes, documented in docs/exit-codes.md and asserted by the CLI tests.

/// Success, and every gate passed.
pub const SUCCESS: u8 = 0;
/// A gate failed (patch, project, drop, tests, unmatched paths).
pub const GATE_FAILED: u8 = 1;
/// Usage error or bad input: unreadable or malformed report, unknown revision, not a git repository.
pub const BAD_INPUT: u8 = 2;
/// The code host refused the request or could not be reached during `publish`.
pub const HOST_ERROR: u8 = 3;
