//! `aksguard webhook`: a validating admission webhook that judges each object with the rules
//! `aksguard scan` applies (those that need only the object under review).
//!
//! - [`review`]: admission.k8s.io/v1 AdmissionReview in and out;
//! - [`policy`]: which reviews are judged and in which mode (precedence);
//! - [`judge`]: one object → findings through `aksguard_scan`'s pipeline;
//! - [`decide`]: findings → allowed / denied / warnings, per mode;
//! - [`server`]: HTTPS, bounds, deadline, drain; [`tls`]: certificate load and reload;
//!   [`metrics`]: Prometheus; [`logging`]: JSON logs.

pub mod decide;
pub mod judge;
pub mod logging;
pub mod metrics;
pub mod policy;
pub mod review;
pub mod server;
pub mod tls;

pub use judge::{Judge, Skipped, webhook_rules};
pub use server::{MAX_BODY_BYTES, Options, Running, serve_until_signal, start};
pub use tls::TlsFiles;

/// Makes aws-lc-rs the process's rustls provider (the workspace's one provider). Call once at
/// start; a second call changes nothing.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
