//! The served certificate: PEM files → rustls configuration (HTTP/2 and HTTP/1.1 by ALPN, on
//! aws-lc-rs, the workspace's one crypto provider), and its reload when the files change
//! (cert-manager rotates them in place). A new pair that does not load (unreadable, not PEM,
//! a key that does not match the certificate) is logged and the old pair keeps serving;
//! connections already open keep their session either way.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::metrics::Metrics;

/// Where the certificate chain and its key are.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The bytes of both files, to notice a change.
#[derive(Clone, PartialEq, Eq)]
pub struct Pem {
    cert: Vec<u8>,
    key: Vec<u8>,
}

/// A loaded pair.
pub struct Loaded {
    pub config: Arc<ServerConfig>,
    /// notAfter of the leaf certificate, Unix seconds.
    pub not_after: i64,
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {what} {}: {e}", path.display()))
}

impl TlsFiles {
    pub fn read(&self) -> Result<Pem, String> {
        Ok(Pem {
            cert: read(&self.cert, "certificate")?,
            key: read(&self.key, "key")?,
        })
    }
}

/// Builds the server configuration of a PEM pair. Errors name which file is wrong, never its
/// contents.
pub fn load(files: &TlsFiles, pem: &Pem) -> Result<Loaded, String> {
    let certs = CertificateDer::pem_slice_iter(&pem.cert)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: not a PEM certificate chain: {e}", files.cert.display()))?;
    let Some(leaf) = certs.first() else {
        return Err(format!(
            "{}: no certificate in the file",
            files.cert.display()
        ));
    };
    let not_after = x509_parser::parse_x509_certificate(leaf)
        .map_err(|e| {
            format!(
                "{}: cannot parse the certificate: {e}",
                files.cert.display()
            )
        })?
        .1
        .validity()
        .not_after
        .timestamp();
    let key = PrivateKeyDer::from_pem_slice(&pem.key)
        .map_err(|e| format!("{}: not a PEM private key: {e}", files.key.display()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    // `with_single_cert` also checks that the key belongs to the certificate.
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS configuration: {e}"))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| {
            format!(
                "{} and {} do not make a usable pair: {e}",
                files.cert.display(),
                files.key.display()
            )
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Loaded {
        config: Arc::new(config),
        not_after,
    })
}

/// Polls the files every `interval` and swaps in a changed pair that loads. Runs until the
/// task is aborted. `served` is the pair being served now.
pub async fn watch(
    files: TlsFiles,
    rustls: RustlsConfig,
    mut served: Pem,
    interval: Duration,
    metrics: Arc<Metrics>,
) {
    // The last pair that failed, so that a bad pair is reported once, not every poll.
    let mut rejected: Option<Pem> = None;
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let reading = files.clone();
        let Ok(read) = tokio::task::spawn_blocking(move || reading.read()).await else {
            continue;
        };
        let pem = match read {
            Ok(pem) => pem,
            Err(err) => {
                // Mid-rotation a file may be briefly absent; the old pair keeps serving.
                tracing::warn!(error = %err, "TLS files unreadable; still serving the loaded certificate");
                continue;
            }
        };
        if pem == served || rejected.as_ref() == Some(&pem) {
            continue;
        }
        match load(&files, &pem) {
            Ok(loaded) => {
                rustls.reload_from_config(loaded.config);
                metrics.certificate_expiry.set(loaded.not_after);
                metrics.certificate_reload(true);
                tracing::info!(
                    cert = %files.cert.display(),
                    not_after = loaded.not_after,
                    "TLS certificate reloaded"
                );
                served = pem;
                rejected = None;
            }
            Err(err) => {
                metrics.certificate_reload(false);
                tracing::error!(error = %err, "new TLS certificate or key rejected; still serving the previous one");
                rejected = Some(pem);
            }
        }
    }
}
