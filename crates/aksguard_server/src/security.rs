//! What every response and every request goes through, whatever the route:
//!
//! - [`headers`]: a strict Content-Security-Policy (scripts, styles and images only from this
//!   server, no inline code, no framing) and the other response headers;
//! - [`read_only`]: the server only reads: any method but GET/HEAD gets 405, except the login
//!   form's POST;
//! - [`check_listen`]: binding beyond loopback needs a token or an explicit `--no-auth`.
//!
//! The token itself (bearer header, login cookie) is [`crate::auth`].

use std::net::SocketAddr;

use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::Token;

/// Everything comes from this server; no inline script or style (the pages load
/// `/static/…`), no plug-ins, no framing, forms post only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// The one POST the server takes.
pub const LOGIN_PATH: &str = "/login";

/// Data responses (the API, metrics) are never cached: they change with every scan and
/// may be behind a token.
fn is_data(path: &str) -> bool {
    path.starts_with("/api/") || path == "/metrics"
}

/// Sets the security headers on every response (errors, redirects and 405s included).
/// `Cache-Control: no-store` everywhere except where a handler chose its own caching
/// (static assets); always on the API and metrics.
pub async fn headers(request: Request, next: Next) -> Response {
    let data = is_data(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if data || !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// 405 for anything but GET and HEAD (and the login form's POST), before routing: a
/// read-only server has nothing to say to a PUT, whatever the path.
pub async fn read_only(request: Request, next: Next) -> Response {
    let method = request.method();
    let allowed = method == Method::GET
        || method == Method::HEAD
        || (method == Method::POST && request.uri().path() == LOGIN_PATH);
    if allowed {
        return next.run(request).await;
    }
    let mut response = (
        StatusCode::METHOD_NOT_ALLOWED,
        axum::Json(serde_json::json!({
            "error": format!("{method} is not allowed: this server is read-only (GET and HEAD)")
        })),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

/// Who may use a server on `addr`. Loopback (127.0.0.0/8, ::1) needs nothing; any other
/// address needs a token, or `--no-auth` to say a proxy in front does the authentication.
/// The error says why and what to do.
pub fn check_listen(addr: SocketAddr, token: Option<&Token>, no_auth: bool) -> Result<(), String> {
    if token.is_some() && no_auth {
        return Err(
            "--no-auth and a token (--token or AKSGUARD_SERVE_TOKEN) contradict each \
                    other; give one"
                .into(),
        );
    }
    if token.is_some() || no_auth || is_loopback(addr) {
        return Ok(());
    }
    Err(format!(
        "--listen {addr} is reachable from other machines, and the history it serves names \
         every cluster and finding: give a token (--token or AKSGUARD_SERVE_TOKEN; clients \
         send `Authorization: Bearer …`, browsers log in at /login), or --no-auth when a proxy \
         in front authenticates"
    ))
}

fn is_loopback(addr: SocketAddr) -> bool {
    addr.ip().to_canonical().is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> Token {
        Token::new("a-long-enough-token").unwrap()
    }

    #[test]
    fn loopback_needs_nothing() {
        for addr in [
            "127.0.0.1:8080",
            "127.1.2.3:0",
            "[::1]:8080",
            "[::ffff:127.0.0.1]:80",
        ] {
            let addr: SocketAddr = addr.parse().unwrap();
            assert_eq!(check_listen(addr, None, false), Ok(()), "{addr}");
        }
    }

    #[test]
    fn other_addresses_need_a_token_or_no_auth() {
        for addr in [
            "0.0.0.0:8080",
            "10.0.0.4:8080",
            "[::]:8080",
            "[2001:db8::1]:443",
        ] {
            let addr: SocketAddr = addr.parse().unwrap();
            let refused = check_listen(addr, None, false).unwrap_err();
            assert!(refused.contains("--token"), "{refused}");
            assert!(refused.contains("--no-auth"), "{refused}");
            assert!(refused.contains(&addr.to_string()), "{refused}");
            assert_eq!(check_listen(addr, Some(&token()), false), Ok(()));
            assert_eq!(check_listen(addr, None, true), Ok(()));
        }
    }

    #[test]
    fn a_token_and_no_auth_together_are_refused() {
        let addr: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let refused = check_listen(addr, Some(&token()), true).unwrap_err();
        assert!(refused.contains("contradict"), "{refused}");
    }

    #[test]
    fn the_policy_names_no_inline_source_and_no_other_origin() {
        assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
        assert!(!CONTENT_SECURITY_POLICY.contains("http"));
        assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
    }
}
