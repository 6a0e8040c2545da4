//! `--tls-cert`/`--tls-key`: a PEM pair → a rustls server configuration on aws-lc-rs (the
//! workspace's one crypto provider), HTTP/2 and HTTP/1.1 by ALPN. Errors name the file at
//! fault, never its contents.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Where the certificate chain and its key are.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsFiles {
    pub fn load(&self) -> Result<Arc<ServerConfig>, String> {
        let cert_pem = read(&self.cert, "--tls-cert")?;
        let key_pem = read(&self.key, "--tls-key")?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                format!(
                    "--tls-cert {}: not a PEM certificate chain: {e}",
                    self.cert.display()
                )
            })?;
        if chain.is_empty() {
            return Err(format!(
                "--tls-cert {}: no certificate in the file",
                self.cert.display()
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
            format!(
                "--tls-key {}: not a PEM private key: {e}",
                self.key.display()
            )
        })?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        // `with_single_cert` also checks that the key belongs to the certificate.
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS configuration: {e}"))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| {
                format!(
                    "--tls-cert {} and --tls-key {} are not a usable pair: {e}",
                    self.cert.display(),
                    self.key.display()
                )
            })?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

fn read(path: &Path, flag: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{flag} {}: cannot read: {e}", path.display()))
}
