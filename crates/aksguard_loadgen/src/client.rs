//! One keep-alive HTTPS connection: TCP to a loopback address, TLS with rustls (aws-lc-rs,
//! trusting only the given CA), then HTTP/1.1 or HTTP/2 through hyper. One request at a time
//! per connection, as the API server's webhook client does per call.

use crate::check::Failure;
use crate::target::Target;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::{http1, http2};
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// HTTP version spoken on every connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Http1,
    Http2,
}

impl Protocol {
    pub fn label(self) -> &'static str {
        match self {
            Protocol::Http1 => "HTTP/1.1",
            Protocol::Http2 => "HTTP/2",
        }
    }
}

/// Everything needed to open connections to one target.
#[derive(Clone)]
pub struct Dialer {
    pub target: Target,
    tls: TlsConnector,
    server_name: ServerName<'static>,
    pub protocol: Protocol,
    connect_timeout: Duration,
}

/// A TLS client configuration that trusts only the certificates in `ca_pem` (PEM file).
pub fn tls_config(ca_pem: &Path, protocol: Protocol) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(ca_pem)
        .map_err(|err| format!("--ca {}: {err}", ca_pem.display()))?;
    for cert in certs {
        let cert = cert.map_err(|err| format!("--ca {}: {err}", ca_pem.display()))?;
        roots
            .add(cert)
            .map_err(|err| format!("--ca {}: {err}", ca_pem.display()))?;
    }
    if roots.is_empty() {
        return Err(format!(
            "--ca {}: no certificate in the file",
            ca_pem.display()
        ));
    }
    // name the provider: never depend on a process-wide default being installed
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| format!("TLS setup: {err}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = match protocol {
        Protocol::Http1 => vec![b"http/1.1".to_vec()],
        Protocol::Http2 => vec![b"h2".to_vec()],
    };
    Ok(config)
}

impl Dialer {
    /// `server_name` is the name the certificate must carry; by default the target's IP.
    pub fn new(
        target: Target,
        tls: rustls::ClientConfig,
        server_name: Option<&str>,
        protocol: Protocol,
        connect_timeout: Duration,
    ) -> Result<Dialer, String> {
        let server_name = match server_name {
            Some(name) => ServerName::try_from(name.to_string())
                .map_err(|err| format!("--server-name {name}: {err}"))?,
            None => ServerName::IpAddress(target.addr.ip().into()),
        };
        Ok(Dialer {
            target,
            tls: TlsConnector::from(Arc::new(tls)),
            server_name,
            protocol,
            connect_timeout,
        })
    }

    /// Opens one connection (TCP + TLS + HTTP handshake), within the connect timeout.
    pub async fn connect(&self) -> Result<Connection, Failure> {
        let tcp = tokio::time::timeout(self.connect_timeout, TcpStream::connect(self.target.addr))
            .await
            .map_err(|_| Failure::Connect)?
            .map_err(|_| Failure::Connect)?;
        // small request/response exchanges: do not let Nagle hold a segment back
        tcp.set_nodelay(true).map_err(|_| Failure::Connect)?;
        let tls = tokio::time::timeout(
            self.connect_timeout,
            self.tls.connect(self.server_name.clone(), tcp),
        )
        .await
        .map_err(|_| Failure::Tls)?
        .map_err(|_| Failure::Tls)?;
        let io = TokioIo::new(tls);
        let sender = match self.protocol {
            Protocol::Http1 => {
                let (sender, driver) = http1::handshake(io).await.map_err(|_| Failure::Io)?;
                tokio::spawn(driver);
                Sender::Http1(sender)
            }
            Protocol::Http2 => {
                let (sender, driver) = http2::handshake(TokioExecutor::new(), io)
                    .await
                    .map_err(|_| Failure::Io)?;
                tokio::spawn(driver);
                Sender::Http2(sender)
            }
        };
        Ok(Connection {
            sender,
            target: self.target.clone(),
        })
    }
}

enum Sender {
    Http1(http1::SendRequest<Full<Bytes>>),
    Http2(http2::SendRequest<Full<Bytes>>),
}

/// An open connection; it stays usable until a request on it fails.
pub struct Connection {
    sender: Sender,
    target: Target,
}

/// The parts of a response the checks need.
pub struct Reply {
    pub status: u16,
    pub body: Bytes,
}

impl Connection {
    /// False once the peer closed the connection (an idle keep-alive connection may be closed
    /// by the server at any time; a client then opens a new one before sending).
    pub fn is_open(&self) -> bool {
        match &self.sender {
            Sender::Http1(sender) => !sender.is_closed(),
            Sender::Http2(sender) => !sender.is_closed(),
        }
    }

    /// Sends one request (POST with `body`, or GET without) and reads the whole response.
    pub async fn send(&mut self, body: Option<Bytes>) -> Result<Reply, Failure> {
        let (method, content) = match body {
            Some(body) => (Method::POST, body),
            None => (Method::GET, Bytes::new()),
        };
        let mut builder = Request::builder().method(method.clone());
        builder = match self.sender {
            // HTTP/1.1: origin-form path plus a Host header
            Sender::Http1(_) => builder
                .uri(self.target.path.as_str())
                .header(HOST, self.target.authority.as_str()),
            // HTTP/2: the authority travels in the :authority pseudo-header
            Sender::Http2(_) => builder.uri(format!(
                "https://{}{}",
                self.target.authority, self.target.path
            )),
        };
        if method == Method::POST {
            builder = builder.header(CONTENT_TYPE, "application/json");
        }
        let request = builder.body(Full::new(content)).map_err(|_| Failure::Io)?;
        let response = match &mut self.sender {
            Sender::Http1(sender) => {
                sender.ready().await.map_err(|_| Failure::Io)?;
                sender.send_request(request).await
            }
            Sender::Http2(sender) => {
                sender.ready().await.map_err(|_| Failure::Io)?;
                sender.send_request(request).await
            }
        }
        .map_err(|_| Failure::Io)?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|_| Failure::Io)?
            .to_bytes();
        Ok(Reply { status, body })
    }
}
