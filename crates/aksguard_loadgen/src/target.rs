//! Where the load goes: an `https://` URL whose host is a loopback IP literal. The generator
//! refuses every other host, so a typo cannot point a load test at a real cluster or service.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// A parsed, loopback-only HTTPS target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The address to connect to (always loopback).
    pub addr: SocketAddr,
    /// The request path and query, starting with `/`.
    pub path: String,
    /// The `Host` header value (`127.0.0.1:8443`, `[::1]:8443`).
    pub authority: String,
}

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    NotHttps,
    MissingHost,
    NotAnIpLiteral(String),
    NotLoopback(IpAddr),
    BadPort(String),
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetError::NotHttps => write!(f, "the URL must start with https://"),
            TargetError::MissingHost => write!(f, "the URL has no host"),
            TargetError::NotAnIpLiteral(host) => write!(
                f,
                "host `{host}` is not an IP literal: the load generator talks to 127.0.0.1 or [::1] only"
            ),
            TargetError::NotLoopback(ip) => write!(
                f,
                "host {ip} is not a loopback address: the load generator talks to 127.0.0.0/8 or ::1 only"
            ),
            TargetError::BadPort(port) => {
                write!(f, "port `{port}` is not a number from 1 to 65535")
            }
        }
    }
}

impl std::error::Error for TargetError {}

impl Target {
    /// Parses `https://127.0.0.1:8443/validate` (port defaults to 443, path to `/`).
    pub fn parse(url: &str) -> Result<Target, TargetError> {
        let rest = url.strip_prefix("https://").ok_or(TargetError::NotHttps)?;
        let (authority, path) = match rest.find('/') {
            Some(slash) => (&rest[..slash], &rest[slash..]),
            None => (rest, "/"),
        };
        if authority.is_empty() {
            return Err(TargetError::MissingHost);
        }
        if authority.contains('@') {
            // user-info would hide the real host from a quick read of the command line
            return Err(TargetError::NotAnIpLiteral(authority.to_string()));
        }
        let (host, port) = split_host_port(authority)?;
        let ip: IpAddr = host
            .parse()
            .map_err(|_| TargetError::NotAnIpLiteral(host.to_string()))?;
        if !ip.is_loopback() {
            return Err(TargetError::NotLoopback(ip));
        }
        let addr = SocketAddr::new(ip, port);
        Ok(Target {
            addr,
            path: path.to_string(),
            authority: addr.to_string(),
        })
    }
}

/// Splits `host:port`, `[v6]:port`, `host` or `[v6]`.
fn split_host_port(authority: &str) -> Result<(&str, u16), TargetError> {
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let close = bracketed
            .find(']')
            .ok_or_else(|| TargetError::NotAnIpLiteral(authority.to_string()))?;
        let host = &bracketed[..close];
        let after = &bracketed[close + 1..];
        match after.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if after.is_empty() => (host, None),
            None => return Err(TargetError::NotAnIpLiteral(authority.to_string())),
        }
    } else {
        match authority.rsplit_once(':') {
            // a bare IPv6 address without brackets has several colons: not a host:port
            Some((host, _)) if host.contains(':') => {
                return Err(TargetError::NotAnIpLiteral(authority.to_string()));
            }
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err(TargetError::MissingHost);
    }
    let port = match port {
        None => 443,
        Some(text) => match text.parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => return Err(TargetError::BadPort(text.to_string())),
        },
    };
    Ok((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_ipv4_and_ipv6_are_accepted() {
        let v4 = Target::parse("https://127.0.0.1:8443/validate").unwrap();
        assert_eq!(v4.addr, "127.0.0.1:8443".parse().unwrap());
        assert_eq!(v4.path, "/validate");
        assert_eq!(v4.authority, "127.0.0.1:8443");
        let v6 = Target::parse("https://[::1]:9443/healthz").unwrap();
        assert_eq!(v6.addr, "[::1]:9443".parse().unwrap());
        assert_eq!(v6.authority, "[::1]:9443");
        let other_loopback = Target::parse("https://127.0.0.2").unwrap();
        assert_eq!(other_loopback.addr.port(), 443);
        assert_eq!(other_loopback.path, "/");
    }

    #[test]
    fn every_other_host_is_refused() {
        for (url, want) in [
            ("http://127.0.0.1:8443/", TargetError::NotHttps),
            (
                "https://10.0.0.1:8443/",
                TargetError::NotLoopback("10.0.0.1".parse().unwrap()),
            ),
            (
                "https://0.0.0.0:8443/",
                TargetError::NotLoopback("0.0.0.0".parse().unwrap()),
            ),
            (
                "https://[::]:8443/",
                TargetError::NotLoopback("::".parse().unwrap()),
            ),
            (
                "https://localhost:8443/",
                TargetError::NotAnIpLiteral("localhost".into()),
            ),
            (
                "https://example.com/",
                TargetError::NotAnIpLiteral("example.com".into()),
            ),
            (
                "https://evil.example@127.0.0.1/",
                TargetError::NotAnIpLiteral("evil.example@127.0.0.1".into()),
            ),
            ("https://::1/", TargetError::NotAnIpLiteral("::1".into())),
            ("https:///validate", TargetError::MissingHost),
            ("https://127.0.0.1:0/", TargetError::BadPort("0".into())),
            (
                "https://127.0.0.1:99999/",
                TargetError::BadPort("99999".into()),
            ),
        ] {
            assert_eq!(Target::parse(url), Err(want), "{url}");
        }
    }

    #[test]
    fn refusals_name_the_rule() {
        let err = Target::parse("https://192.168.1.5/")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("192.168.1.5") && err.contains("loopback"),
            "{err}"
        );
    }
}
