//! The token (`--token`/`AKSGUARD_SERVE_TOKEN`), checked on every request when set:
//!
//! - programs send `Authorization: Bearer TOKEN` (API, metrics, pages alike);
//! - browsers log in once at `/login` (a form; POST), which sets an HttpOnly,
//!   SameSite=Strict session cookie (`Secure` under TLS). The cookie holds a random session
//!   value drawn at start, never the token, so a leaked cookie dies with the process and
//!   the token appears in no response.
//!
//! Both comparisons are constant-time (SHA-256 of each side first, so neither length nor
//! content leaks through timing). The token is never logged, echoed or put in a URL.
//! Without a token, pages that need one redirect to `/login`; the API and `/metrics` answer
//! 401 with a JSON error.

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, Form, Query, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

// The dashboard's one HTML escaper (the login page is the only HTML written outside it).
use crate::pages::charts::escape as escape_html;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::security::LOGIN_PATH;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "aksguard_session";
/// Liveness for probes: answers `ok` without a token and says nothing else.
pub const HEALTH_PATH: &str = "/healthz";
/// Shorter tokens are guessable over the network.
pub const MIN_TOKEN_LEN: usize = 16;

/// The server's token. `Debug` never shows it.
#[derive(Clone)]
pub struct Token(Arc<str>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

impl Token {
    /// A token clients can send in a header: at least [`MIN_TOKEN_LEN`] visible ASCII
    /// characters, no spaces. The error never contains the token.
    pub fn new(text: &str) -> Result<Token, String> {
        if text.len() < MIN_TOKEN_LEN {
            return Err(format!(
                "the token is too short: give at least {MIN_TOKEN_LEN} characters (e.g. \
                 `openssl rand -hex 32`)"
            ));
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(
                "the token must be visible ASCII characters without spaces (it is \
                        sent in an HTTP header)"
                    .into(),
            );
        }
        Ok(Token(Arc::from(text)))
    }

    fn matches(&self, candidate: &[u8]) -> bool {
        same(self.0.as_bytes(), candidate)
    }
}

/// Constant-time equality of two secrets of any lengths.
fn same(expected: &[u8], candidate: &[u8]) -> bool {
    let expected = Sha256::digest(expected);
    let candidate = Sha256::digest(candidate);
    expected.ct_eq(&candidate).into()
}

/// What the token check needs.
pub struct Auth {
    token: Token,
    /// The cookie value a successful login sets (hex of 32 random bytes).
    session: String,
    /// Mark the cookie `Secure` (the server speaks TLS).
    secure_cookie: bool,
}

impl Auth {
    pub fn new(token: Token, secure_cookie: bool) -> Result<Auth, String> {
        let mut random = [0u8; 32];
        rustls::crypto::aws_lc_rs::default_provider()
            .secure_random
            .fill(&mut random)
            .map_err(|_| "cannot draw a random session value".to_owned())?;
        let session = random.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Auth {
            token,
            session,
            secure_cookie,
        })
    }

    fn admits(&self, headers: &HeaderMap) -> bool {
        if let Some(presented) = bearer(headers) {
            return self.token.matches(presented);
        }
        session_cookie(headers).is_some_and(|value| same(self.session.as_bytes(), value))
    }

    fn cookie(&self) -> HeaderValue {
        let secure = if self.secure_cookie { "; Secure" } else { "" };
        let cookie = format!(
            "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{secure}",
            self.session
        );
        HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
    }
}

/// The token of `Authorization: Bearer TOKEN` (scheme case-insensitive).
fn bearer(headers: &HeaderMap) -> Option<&[u8]> {
    let value = headers.get(header::AUTHORIZATION)?.as_bytes().trim_ascii();
    let (scheme, rest) = match value.iter().position(|&b| b == b' ') {
        Some(space) => (&value[..space], &value[space..]),
        // `Bearer` alone: a bearer with an empty token (refused, not taken for no header).
        None => (value, &value[value.len()..]),
    };
    scheme
        .eq_ignore_ascii_case(b"bearer")
        .then(|| rest.trim_ascii())
}

fn session_cookie(headers: &HeaderMap) -> Option<&[u8]> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .flat_map(|value| value.as_bytes().split(|&b| b == b';'))
        .find_map(|pair| {
            let pair = pair.trim_ascii();
            let (name, value) = pair.split_at_checked(SESSION_COOKIE.len() + 1)?;
            (name.strip_suffix(b"=")? == SESSION_COOKIE.as_bytes()).then_some(value)
        })
}

/// The token check, first thing on every request (the login form and `/healthz` aside).
pub async fn require(State(auth): State<Arc<Auth>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path == LOGIN_PATH || path == HEALTH_PATH || auth.admits(request.headers()) {
        return next.run(request).await;
    }
    let page = (request.method() == Method::GET || request.method() == Method::HEAD)
        && !path.starts_with("/api/")
        && path != "/metrics"
        && bearer(request.headers()).is_none();
    if page {
        let wanted = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
        let location = format!("{LOGIN_PATH}?next={}", percent_encode(wanted));
        return redirect(&location, None);
    }
    let mut response = (
        StatusCode::UNAUTHORIZED,
        axum::Json(serde_json::json!({
            "error": "this server needs its token: send `Authorization: Bearer TOKEN` \
                      (browsers: log in at /login)"
        })),
    )
        .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"aksguard\""),
    );
    response
}

/// `/healthz` (always) and the login form (when a token is set).
pub fn routes(auth: Option<Arc<Auth>>) -> Router {
    let health = Router::new().route(HEALTH_PATH, get(|| async { "ok" }));
    match auth {
        Some(auth) => health.merge(
            Router::new()
                .route(LOGIN_PATH, get(login_form).post(login))
                // A token and a path: nothing bigger is a login.
                .layer(DefaultBodyLimit::max(8 * 1024))
                .with_state(auth),
        ),
        None => health,
    }
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
    next: Option<String>,
}

async fn login_form(Query(query): Query<LoginQuery>) -> Response {
    login_page(StatusCode::OK, safe_next(query.next.as_deref()), None)
}

async fn login(
    State(auth): State<Arc<Auth>>,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return login_page(
            StatusCode::BAD_REQUEST,
            "/",
            Some("The form was incomplete: enter the token."),
        );
    };
    let next = safe_next(form.next.as_deref());
    if auth.token.matches(form.token.as_bytes()) {
        tracing::info!("login accepted");
        return redirect(next, Some(auth.cookie()));
    }
    tracing::warn!("login refused: wrong token");
    login_page(
        StatusCode::UNAUTHORIZED,
        next,
        Some("Wrong token: that is not the token this server was started with."),
    )
}

fn redirect(location: &str, cookie: Option<HeaderValue>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if let Some(cookie) = cookie {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// Where to go after logging in: a path on this server, else `/` (never another origin:
/// `//host`, `/\host` and absolute URLs are refused).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(next)
            if next.starts_with('/')
                && !next.starts_with("//")
                && next.len() <= 2048
                && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            next
        }
        _ => "/",
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A plain form (no script, no inline style: the CSP forbids both).
fn login_page(status: StatusCode, next: &str, problem: Option<&str>) -> Response {
    let problem = problem.map_or(String::new(), |p| {
        format!("<p role=\"alert\">{}</p>\n", escape_html(p))
    });
    let page = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Log in · aksguard</title>\n</head>\n<body>\n<main>\n<h1>aksguard</h1>\n\
         <p>This dashboard needs the server's token.</p>\n{problem}\
         <form method=\"post\" action=\"{LOGIN_PATH}\">\n\
         <label for=\"token\">Token</label>\n\
         <input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required autofocus>\n\
         <input type=\"hidden\" name=\"next\" value=\"{}\">\n\
         <button type=\"submit\">Log in</button>\n</form>\n</main>\n</body>\n</html>\n",
        escape_html(next)
    );
    (status, Html(page)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_must_be_long_and_sendable() {
        assert!(Token::new("short").unwrap_err().contains("too short"));
        let spaced = Token::new("has a space in the middle").unwrap_err();
        assert!(spaced.contains("visible ASCII"), "{spaced}");
        assert!(!spaced.contains("has a space"));
        let token = Token::new("0123456789abcdef").unwrap();
        assert_eq!(format!("{token:?}"), "Token(***)");
        assert!(token.matches(b"0123456789abcdef"));
        assert!(!token.matches(b"0123456789abcdeF"));
        assert!(!token.matches(b"0123456789abcdef0"));
        assert!(!token.matches(b""));
    }

    #[test]
    fn bearer_and_cookie_are_read_exactly() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  abc "),
        );
        assert_eq!(bearer(&headers), Some(&b"abc"[..]));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer"));
        assert_eq!(bearer(&headers), Some(&b""[..]));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearerabc"));
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer(&headers), None);
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; aksguard_sessionx=1; aksguard_session=f00"),
        );
        assert_eq!(session_cookie(&headers), Some(&b"f00"[..]));
    }

    #[test]
    fn login_returns_only_to_this_server() {
        assert_eq!(
            safe_next(Some("/targets/3?severity=high")),
            "/targets/3?severity=high"
        );
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "x",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(percent_encode("/a b?c=d&e"), "/a%20b%3Fc%3Dd%26e");
        assert_eq!(escape_html("\"><script>"), "&quot;&gt;&lt;script&gt;");
    }

    #[test]
    fn the_cookie_is_random_http_only_and_strict() {
        let token = Token::new("0123456789abcdef").unwrap();
        let plain = Auth::new(token.clone(), false).unwrap();
        let tls = Auth::new(token, true).unwrap();
        assert_ne!(plain.session, tls.session);
        assert_eq!(plain.session.len(), 64);
        let cookie = plain.cookie();
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        assert!(!cookie.contains("Secure"));
        assert!(!cookie.contains("0123456789abcdef"));
        assert!(tls.cookie().to_str().unwrap().ends_with("; Secure"));
    }
}
