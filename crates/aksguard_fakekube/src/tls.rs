//! The server's certificate (an rcgen CA and a leaf for 127.0.0.1 and localhost, made per
//! start) and the kubeconfig a client needs to reach the server.

use std::path::Path;
use std::sync::Arc;

use base64::Engine;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::json;

/// A fresh CA and its server configuration.
pub struct Certificates {
    pub ca_pem: String,
    pub config: Arc<ServerConfig>,
}

fn err(e: impl std::fmt::Display) -> String {
    format!("certificate: {e}")
}

/// Makes a CA and a leaf for `127.0.0.1` and `localhost`, and the rustls configuration
/// (HTTP/2 and HTTP/1.1 by ALPN, aws-lc-rs).
pub fn certificates() -> Result<Certificates, String> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "aksguard-fakekube CA");
    let issuer =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(err)?).map_err(err)?;
    let leaf_params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .map_err(err)?;
    let key = KeyPair::generate().map_err(err)?;
    let leaf = leaf_params.signed_by(&key, &issuer).map_err(err)?;
    let chain = vec![
        CertificateDer::from(leaf.der().to_vec()),
        CertificateDer::from(issuer.der().to_vec()),
    ];
    let key = PrivateKeyDer::from_pem_slice(key.serialize_pem().as_bytes()).map_err(err)?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(err)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Certificates {
        ca_pem: issuer.pem(),
        config: Arc::new(config),
    })
}

/// What a kubeconfig names.
pub struct KubeconfigSpec<'a> {
    pub server: &'a str,
    pub ca_pem: Option<&'a str>,
    pub token: Option<&'a str>,
    pub context: &'a str,
}

/// Writes a kubeconfig (mode 0600 on Unix: it holds the token) with one cluster, user and
/// context, the context current.
pub fn write_kubeconfig(path: &Path, spec: &KubeconfigSpec<'_>) -> Result<(), String> {
    let mut cluster = json!({"server": spec.server});
    if let Some(ca) = spec.ca_pem {
        cluster["certificate-authority-data"] =
            json!(base64::engine::general_purpose::STANDARD.encode(ca));
    }
    let mut user = json!({});
    if let Some(token) = spec.token {
        user["token"] = json!(token);
    }
    let config = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fakekube", "cluster": cluster}],
        "users": [{"name": "fakekube-user", "user": user}],
        "contexts": [{"name": spec.context, "context": {"cluster": "fakekube", "user": "fakekube-user"}}],
        "current-context": spec.context,
        "preferences": {},
    });
    let text = yaml_serde::to_string(&config).map_err(|e| format!("kubeconfig: {e}"))?;
    write_private(path, &text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}
