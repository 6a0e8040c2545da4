//! The token on every route (bearer header and the login cookie), the security headers on
//! every answer, the read-only methods, TLS, and the token never in an answer or a log line.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aksguard_server::TlsFiles;
use aksguard_server::security::CONTENT_SECURITY_POLICY;
use aksguard_store::test_support::Scratch;
use common::{TOKEN, answer, client, get, seeded, serve, with_token};
use reqwest::header::HeaderMap;

/// Every kind of route: pages, static files, API, OpenAPI, metrics, nothing.
const ROUTES: &[&str] = &[
    "/",
    "/targets/1",
    "/runs/1",
    "/static/app.js",
    "/api/v1/targets",
    "/api/v1/runs/1/findings?severity=high",
    "/api/v1/fleet",
    "/api/v1/openapi.json",
    "/metrics",
    "/no-such-page",
];

fn assert_security_headers(headers: &HeaderMap, what: &str) {
    assert_eq!(
        headers["content-security-policy"], CONTENT_SECURITY_POLICY,
        "{what}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(headers["referrer-policy"], "no-referrer", "{what}");
    assert_eq!(headers["x-frame-options"], "DENY", "{what}");
    if what.contains("/api/") || what.contains("/metrics") {
        assert_eq!(headers["cache-control"], "no-store", "{what}");
    }
}

/// Collects what the server logs while it lives.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Everything a client saw, to search for the token afterwards.
#[derive(Default)]
struct Seen(String);

impl Seen {
    fn add(&mut self, headers: &HeaderMap, body: &serde_json::Value) {
        for (name, value) in headers {
            self.0.push_str(&format!(
                "{name}: {}\n",
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
        self.0.push_str(&body.to_string());
    }
}

// Current-thread runtime: the server's tasks run on this thread, under the log collector.
#[tokio::test(flavor = "current_thread")]
async fn the_token_guards_every_route_and_never_leaks() {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut seen = Seen::default();

    for scratch in Scratch::all() {
        let engine = scratch.engine();
        let (store, _) = seeded(&scratch).await;
        let running = serve(store, with_token).await;
        let base = running.url();
        let client = client();
        for route in ROUTES {
            let what = format!("{engine} {route}");
            // No token: pages go to the login form, data answers 401.
            let (status, headers, body) = get(&client, &base, route).await;
            assert_security_headers(&headers, &what);
            seen.add(&headers, &body);
            let page = !route.starts_with("/api/") && *route != "/metrics";
            if page {
                assert_eq!(status, 303, "{what}: {body}");
                let location = headers["location"].to_str().unwrap();
                assert!(
                    location.starts_with("/login?next=%2F")
                        || location.starts_with("/login?next=/"),
                    "{what}: {location}"
                );
            } else {
                assert_eq!(status, 401, "{what}: {body}");
                assert_eq!(
                    headers["www-authenticate"], "Bearer realm=\"aksguard\"",
                    "{what}"
                );
                assert!(body["error"].as_str().unwrap().contains("Bearer"), "{what}");
            }
            // A wrong token: 401 everywhere (also for pages: the client said who it is).
            for wrong in [
                "Bearer wrong-token-wrong-token",
                "Bearer ",
                "Basic YWRtaW46YWRtaW4=",
            ] {
                let response = client
                    .get(format!("{base}{route}"))
                    .header("authorization", wrong)
                    .send()
                    .await
                    .unwrap();
                let (status, headers, body) = answer(response).await;
                seen.add(&headers, &body);
                let expected = if page && wrong.starts_with("Basic") {
                    303
                } else {
                    401
                };
                assert_eq!(status, expected, "{what} with `{wrong}`");
            }
            // The right token: through (404 only where nothing is served).
            let response = client
                .get(format!("{base}{route}"))
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap();
            let (status, headers, body) = answer(response).await;
            assert_security_headers(&headers, &what);
            seen.add(&headers, &body);
            assert!(status != 401 && status != 303, "{what}: {status} {body}");
            if route.starts_with("/api/v1/targets")
                || *route == "/metrics"
                || *route == "/api/v1/fleet"
            {
                assert_eq!(status, 200, "{what}: {body}");
            }
        }

        // /healthz answers without a token and says nothing.
        let (status, _, body) = get(&client, &base, "/healthz").await;
        assert_eq!((status, body.as_str()), (200, Some("ok")), "{engine}");

        // The browser's way: the form, a wrong token, the right one, then the cookie.
        let (status, headers, form) = get(&client, &base, "/login?next=/api/v1/targets").await;
        assert_eq!(status, 200, "{engine}");
        assert_security_headers(&headers, "login form");
        let form = form.as_str().unwrap();
        assert!(
            form.contains("<form method=\"post\" action=\"/login\">"),
            "{form}"
        );
        assert!(form.contains("value=\"/api/v1/targets\""), "{form}");
        assert!(
            !form.contains("<script") && !form.contains("style="),
            "{form}"
        );
        let (_, _, evil) = get(
            &client,
            &base,
            "/login?next=//evil.example/%22%3E%3Cscript%3E",
        )
        .await;
        assert!(
            evil.as_str().unwrap().contains("name=\"next\" value=\"/\""),
            "{evil}"
        );

        let login = |token: &str| {
            client
                .post(format!("{base}/login"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("token={token}&next=%2Fapi%2Fv1%2Ftargets"))
                .send()
        };
        let (status, headers, body) = answer(login("not-the-token-at-all-no").await.unwrap()).await;
        seen.add(&headers, &body);
        assert_eq!(status, 401, "{engine}");
        assert!(headers.get("set-cookie").is_none(), "{engine}");
        assert!(body.as_str().unwrap().contains("Wrong token"), "{body}");
        assert!(
            !body.as_str().unwrap().contains("not-the-token-at-all-no"),
            "the form echoes nothing"
        );

        let (status, headers, body) = answer(login(TOKEN).await.unwrap()).await;
        seen.add(&headers, &body);
        assert_eq!(status, 303, "{engine}: {body}");
        assert_eq!(headers["location"], "/api/v1/targets");
        let cookie = headers["set-cookie"].to_str().unwrap().to_owned();
        assert!(cookie.starts_with("aksguard_session="), "{cookie}");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
        let session = cookie.split(';').next().unwrap().to_owned();
        for route in ["/api/v1/targets", "/metrics"] {
            let response = client
                .get(format!("{base}{route}"))
                .header("cookie", format!("theme=dark; {session}"))
                .send()
                .await
                .unwrap();
            let (status, headers, body) = answer(response).await;
            seen.add(&headers, &body);
            assert_eq!(status, 200, "{engine} {route} with the cookie");
        }
        let forged = client
            .get(format!("{base}/api/v1/targets"))
            .header("cookie", format!("aksguard_session={TOKEN}"))
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 401, "the token is not a session");

        running.shutdown().await.unwrap();
    }

    let log = log.text();
    assert!(
        log.contains("login refused"),
        "the log is collected:\n{log}"
    );
    assert!(!log.contains(TOKEN), "the token is in the log:\n{log}");
    assert!(!seen.0.contains(TOKEN), "the token is in an answer");
}

#[tokio::test]
async fn only_get_and_head_are_served_and_every_answer_has_the_headers() {
    let scratch = Scratch::sqlite();
    let (store, _) = seeded(&scratch).await;
    let running = serve(store, |_| {}).await;
    let base = running.url();
    let client = client();
    for route in ROUTES.iter().chain(&["/login", "/healthz"]) {
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            if method == "POST" && *route == "/login" {
                continue;
            }
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let response = client
                .request(method.clone(), format!("{base}{route}"))
                .body("{}")
                .send()
                .await
                .unwrap();
            let (status, headers, _) = answer(response).await;
            assert_eq!(status, 405, "{method} {route}");
            assert_eq!(headers["allow"], "GET, HEAD", "{method} {route}");
            assert_security_headers(&headers, &format!("{method} {route}"));
        }
        let response = client.head(format!("{base}{route}")).send().await.unwrap();
        assert_ne!(response.status(), 405, "HEAD {route}");
        assert_security_headers(response.headers(), &format!("HEAD {route}"));
    }
    // Without a token there is no login form (nothing to log in to).
    let (status, headers, _) = get(&client, &base, "/login").await;
    assert_eq!(status, 404);
    assert_security_headers(&headers, "/login without a token");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn serves_https_with_the_given_certificate() {
    use rcgen::{CertificateParams, KeyPair};
    let scratch = Scratch::sqlite();
    let (store, ids) = seeded(&scratch).await;
    let dir = tempfile::tempdir().unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let files = TlsFiles {
        cert: dir.path().join("tls.crt"),
        key: dir.path().join("tls.key"),
    };
    std::fs::write(&files.cert, cert.pem()).unwrap();
    std::fs::write(&files.key, key.serialize_pem()).unwrap();
    let running = serve(store, |options| {
        with_token(options);
        options.tls = Some(files.clone());
    })
    .await;
    assert!(running.url().starts_with("https://"));
    let root = reqwest::Certificate::from_pem(cert.pem().as_bytes()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([root])
        .resolve("localhost", running.addr)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let base = format!("https://localhost:{}", running.addr.port());
    let response = client
        .get(format!("{base}/api/v1/targets/{}", ids.alpha))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_2, "h2 by ALPN");
    let (status, headers, body) = answer(response).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "alpha");
    assert_security_headers(&headers, "/api/v1/targets over TLS");
    let response = client
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
    // Plain HTTP to the TLS port is not served.
    let plain = client
        .get(format!("http://127.0.0.1:{}/healthz", running.addr.port()))
        .send()
        .await;
    assert!(plain.map(|r| r.status() != 200).unwrap_or(true));
    running.shutdown().await.unwrap();

    // A key that is not the certificate's is refused at start, naming both files.
    let other = KeyPair::generate().unwrap();
    std::fs::write(&files.key, other.serialize_pem()).unwrap();
    let store = aksguard_store::Store::open(scratch.location())
        .await
        .unwrap();
    let mut options = aksguard_server::ServeOptions::new("127.0.0.1:0".parse().unwrap());
    options.tls = Some(files.clone());
    let refused = aksguard_server::start(options, store).await.err().unwrap();
    assert!(
        refused.contains("tls.crt") && refused.contains("tls.key"),
        "{refused}"
    );
}

#[tokio::test]
async fn beyond_loopback_without_a_token_is_refused() {
    let scratch = Scratch::sqlite();
    let store = aksguard_store::Store::open(scratch.location())
        .await
        .unwrap();
    let options = aksguard_server::ServeOptions::new("0.0.0.0:0".parse().unwrap());
    let refused = aksguard_server::start(options, store).await.err().unwrap();
    assert!(
        refused.contains("--token") && refused.contains("--no-auth"),
        "{refused}"
    );
}
