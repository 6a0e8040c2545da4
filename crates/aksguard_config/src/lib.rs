//! aksguard's configuration: the `aksguard.toml` schema ([`options`]), where the file is
//! found ([`discovery`]), its resolution into typed settings merged with command-line flags
//! ([`settings`]), exception expiry dates ([`date`]), baselines ([`baseline`]) and the
//! `aksguard config --show` text ([`show`]) and the `[webhook]` table ([`webhook`]). The matching of exceptions, annotations and
//! baselines against findings lives in `aksguard_engine::suppress`.

pub mod baseline;
pub mod date;
pub mod discovery;
pub mod error;
pub mod options;
pub mod settings;
pub mod show;
pub mod webhook;

pub use date::{AS_OF_ENV, Date, parse_date, today};
pub use discovery::{CONFIG_FILE_NAME, ConfigSource};
pub use error::ConfigError;
pub use settings::{CliOverrides, Config, Effective, FailOn};
pub use webhook::{UpdatePolicy, WebhookConfig, WebhookMode};
