pub mod config;
pub mod diff;
pub mod explain_source;
pub mod export;
pub mod fix;
pub mod frameworks;
pub mod history;
pub mod history_format;
pub mod live;
pub mod paths;
pub mod policy;
pub mod rule;
pub mod rules;
pub mod scan;
pub mod scan_store;
pub mod serve;
pub mod store;
pub mod store_access;
pub mod webhook;
pub mod who_can;

/// Exit codes shared by every command.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;
