//! The HTTP side: authentication, injected faults, discovery documents, paged lists and
//! gets, each answer and failure as kube-apiserver shapes it, and a log of every request.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum_server::Handle;
use base64::Engine;
use serde_json::{Value, json};

use crate::catalog::Resource;
use crate::faults::Faults;
use crate::status;
use crate::store::{Bucket, Store};
use crate::tls;

/// Largest request body accepted (kube-apiserver's limit is 3 MiB).
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;
/// The most items one page holds, whatever `limit` asks.
pub const MAX_PAGE: usize = 10_000;
/// The most requests the log keeps (later ones are counted, not kept).
pub const MAX_LOGGED: usize = 1_000_000;

/// How the server is started.
#[derive(Clone, Debug)]
pub struct Options {
    pub listen: SocketAddr,
    /// HTTPS with a fresh CA (true) or plain HTTP.
    pub tls: bool,
    /// The bearer token required, or none (every request accepted).
    pub token: Option<String>,
    /// The user RBAC messages name.
    pub user: String,
    pub faults: Faults,
    /// Serve wgpolicyk8s.io/v1alpha2 PolicyReports and ClusterPolicyReports and accept their
    /// server-side apply (`PATCH`, `application/apply-patch+yaml`).
    pub policy_reports: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: true,
            token: None,
            user: "aksguard-test".to_owned(),
            faults: Faults::default(),
            policy_reports: false,
        }
    }
}

/// One request as it arrived, and its answer.
#[derive(Clone, Debug)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    pub at: Instant,
}

pub(crate) struct Shared {
    pub(crate) store: Store,
    pub(crate) options: Options,
    faults: RwLock<Faults>,
    /// One counter per throttle rule; one flag per once-only expiry; accepted requests.
    throttled: Mutex<Vec<u32>>,
    expired_once: Mutex<Vec<bool>>,
    accepted: AtomicU32,
    log: Mutex<Vec<Logged>>,
    authority: String,
    /// Objects written by server-side apply, by (resource, namespace, name): their JSON.
    pub(crate) applied: Mutex<BTreeMap<(String, String, String), String>>,
    pub(crate) next_version: AtomicU64,
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    /// The CA's PEM when serving HTTPS.
    pub ca_pem: Option<String>,
    shared: Arc<Shared>,
    handle: Handle<SocketAddr>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// `https://127.0.0.1:PORT` or `http://…`.
    pub fn url(&self) -> String {
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Logged> {
        self.shared.log.lock().expect("log lock").clone()
    }

    /// Replaces the faults (counters start again).
    pub fn set_faults(&self, faults: Faults) {
        *self.shared.throttled.lock().expect("lock") = vec![0; faults.throttle.len()];
        *self.shared.expired_once.lock().expect("lock") = vec![false; faults.expire.len()];
        self.shared.accepted.store(0, Ordering::SeqCst);
        *self.shared.faults.write().expect("lock") = faults;
    }

    /// Writes a kubeconfig for this server with `context` current.
    pub fn write_kubeconfig(&self, path: &std::path::Path, context: &str) -> Result<(), String> {
        tls::write_kubeconfig(
            path,
            &tls::KubeconfigSpec {
                server: &self.url(),
                ca_pem: self.ca_pem.as_deref(),
                token: self.shared.options.token.as_deref(),
                context,
            },
        )
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    /// Stops accepting, ends open connections and waits for the server task.
    pub async fn shutdown(self) {
        self.handle.shutdown();
        let _ = self.server.await;
    }
}

/// Binds `options.listen` and serves `store`.
pub async fn start(mut store: Store, options: Options) -> Result<Running, String> {
    if options.policy_reports {
        store.add_policy_report_kinds();
    }
    let listener = std::net::TcpListener::bind(options.listen)
        .map_err(|e| format!("cannot bind {}: {e}", options.listen))?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let faults = options.faults.clone();
    let shared = Arc::new(Shared {
        throttled: Mutex::new(vec![0; faults.throttle.len()]),
        expired_once: Mutex::new(vec![false; faults.expire.len()]),
        faults: RwLock::new(faults),
        accepted: AtomicU32::new(0),
        log: Mutex::new(Vec::new()),
        authority: addr.to_string(),
        applied: Mutex::new(BTreeMap::new()),
        next_version: AtomicU64::new(store.resource_version + 1),
        store,
        options: options.clone(),
    });
    let app = Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(shared.clone());
    let handle = Handle::new();
    let (ca_pem, server) = if options.tls {
        let certificates = tls::certificates()?;
        let config = axum_server::tls_rustls::RustlsConfig::from_config(certificates.config);
        let server = axum_server::from_tcp_rustls(listener, config)
            .map_err(|e| format!("{addr}: {e}"))?
            .handle(handle.clone())
            .serve(app.into_make_service());
        (Some(certificates.ca_pem), tokio::spawn(server))
    } else {
        let server = axum_server::from_tcp(listener)
            .map_err(|e| format!("{addr}: {e}"))?
            .handle(handle.clone())
            .serve(app.into_make_service());
        (None, tokio::spawn(server))
    };
    Ok(Running {
        addr,
        ca_pem,
        shared,
        handle,
        server,
    })
}

/// What a path names.
enum Target<'a> {
    Version,
    CoreVersions,
    Groups,
    Group(&'a str),
    GroupVersion(&'a str, &'a str),
    /// A list (name absent) or one object.
    Resource {
        resource: &'a Resource,
        namespace: Option<&'a str>,
        name: Option<&'a str>,
    },
    Unknown,
}

fn target<'a>(store: &'a Store, path: &'a str) -> Target<'a> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match segments.as_slice() {
        ["version"] => return Target::Version,
        ["api"] => return Target::CoreVersions,
        ["apis"] => return Target::Groups,
        ["apis", group] => return Target::Group(group),
        ["api", "v1", rest @ ..] => ("", "v1", rest),
        ["apis", group, version, rest @ ..] => (*group, *version, rest),
        _ => return Target::Unknown,
    };
    let (namespace, plural, name) = match rest {
        [] => return Target::GroupVersion(group, version),
        ["namespaces", ns, plural] => (Some(*ns), *plural, None),
        ["namespaces", ns, plural, name] => (Some(*ns), *plural, Some(*name)),
        [plural] => (None, *plural, None),
        [plural, name] => (None, *plural, Some(*name)),
        _ => return Target::Unknown,
    };
    match store.catalog.by_plural(group, version, plural) {
        Some(resource) if namespace.is_none() || resource.namespaced => Target::Resource {
            resource,
            namespace,
            name,
        },
        _ => Target::Unknown,
    }
}

pub(crate) fn json_response(code: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(body).expect("a JSON value serialises"),
    )
        .into_response()
}

fn raw_json(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

pub(crate) fn status_response(body: &Value) -> Response {
    let code = body.get("code").and_then(Value::as_u64).unwrap_or(500) as u16;
    json_response(code, body)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let path = uri.path().to_owned();
    let query = uri.query().unwrap_or("").to_owned();
    let response = answer(&shared, &method, &path, &query, &headers, &body).await;
    let mut log = shared.log.lock().expect("log lock");
    if log.len() < MAX_LOGGED {
        log.push(Logged {
            method: method.to_string(),
            path,
            query,
            status: response.status().as_u16(),
            at,
        });
    }
    response
}

fn qualified_of(target: &Target<'_>) -> Option<String> {
    match target {
        Target::Resource { resource, .. } => Some(resource.qualified()),
        _ => None,
    }
}

async fn answer(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    // Authentication first, as kube-apiserver does.
    if let Some(token) = &shared.options.token {
        let limit = shared.faults.read().expect("lock").unauthorized_after;
        let accepted = shared.accepted.fetch_add(1, Ordering::SeqCst);
        if bearer(headers) != Some(token.as_str()) || limit.is_some_and(|n| accepted >= n) {
            return status_response(&status::unauthorized());
        }
    }
    let target = target(&shared.store, path);
    let qualified = qualified_of(&target);
    let faults = shared.faults.read().expect("lock").clone();
    let concerns = |resource: &Option<String>| match resource {
        None => true,
        Some(r) => qualified.as_deref() == Some(r.as_str()),
    };
    // Priority and fairness: 429 before authorization.
    {
        let mut counters = shared.throttled.lock().expect("lock");
        for (i, rule) in faults.throttle.iter().enumerate() {
            if concerns(&rule.resource) && counters[i] < rule.first {
                counters[i] += 1;
                let mut response =
                    status_response(&status::too_many_requests(rule.retry_after_seconds));
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(rule.retry_after_seconds),
                );
                return response;
            }
        }
    }
    for stall in &faults.stall {
        if concerns(&stall.resource) {
            match stall.delay_ms {
                Some(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
                // Never answers: the connection stays open until the client gives up or the
                // server stops.
                None => std::future::pending::<()>().await,
            }
        }
    }
    match target {
        Target::Version => json_response(200, &version()),
        Target::CoreVersions => json_response(
            200,
            &json!({
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": shared.authority}],
            }),
        ),
        Target::Groups => json_response(200, &group_list(&shared.store)),
        Target::Group(group) => match group_of(&shared.store, group) {
            Some(g) => {
                let mut g = g;
                g["kind"] = json!("APIGroup");
                g["apiVersion"] = json!("v1");
                json_response(200, &g)
            }
            None => status_response(&status::not_found_path()),
        },
        Target::GroupVersion(group, version) => {
            match shared.store.catalog.group_version(group, version) {
                Some(resources) => {
                    let group_version = if group.is_empty() {
                        version.to_owned()
                    } else {
                        format!("{group}/{version}")
                    };
                    let mut list = json!({
                        "kind": "APIResourceList",
                        "groupVersion": group_version,
                        "resources": resources.map(Resource::discovery_entry).collect::<Vec<_>>(),
                    });
                    if !group.is_empty() {
                        list["apiVersion"] = json!("v1");
                    }
                    json_response(200, &list)
                }
                None => status_response(&status::not_found_path()),
            }
        }
        Target::Unknown => status_response(&status::not_found_path()),
        Target::Resource {
            resource,
            namespace,
            name,
        } => {
            let verb = match (method, name) {
                (&Method::GET, None)
                    if query_param(query, "watch").is_some_and(|w| w == "true" || w == "1") =>
                {
                    "watch"
                }
                (&Method::GET, None) => "list",
                (&Method::GET, Some(_)) => "get",
                (&Method::PATCH, _) => "patch",
                (&Method::DELETE, Some(_)) => "delete",
                _ => {
                    return status_response(&status::method_not_supported(&format!(
                        "{method} is not supported on {}",
                        resource.qualified()
                    )));
                }
            };
            if faults.forbidden.iter().any(|f| *f == resource.qualified()) {
                return status_response(&status::forbidden(
                    &shared.options.user,
                    verb,
                    &resource.plural,
                    &resource.group,
                    namespace,
                ));
            }
            match verb {
                "list" => list(shared, &faults, resource, namespace, query),
                "get" => get(shared, resource, namespace, name.unwrap_or("")),
                "patch" => crate::apply::apply(
                    shared,
                    resource,
                    namespace,
                    name.unwrap_or(""),
                    query,
                    headers,
                    body,
                ),
                "delete" => crate::apply::delete(shared, resource, namespace, name.unwrap_or("")),
                _ => status_response(&status::method_not_supported(
                    "watch is not implemented by aksguard-fakekube",
                )),
            }
        }
    }
}

fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "emulationMajor": "1",
        "emulationMinor": "33",
        "gitVersion": "v1.33.2",
        "gitCommit": "a57b6f7709f6c2722b92f07b8b4c48210a51fc40",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.24.4",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// Kubernetes version priority: GA over beta over alpha, higher numbers first.
fn version_priority(version: &str) -> (u8, u32, u32) {
    let Some(rest) = version.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let major = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    let (level, minor) = if tail.is_empty() {
        (3, 0)
    } else if let Some(n) = tail.strip_prefix("beta") {
        (2, n.parse().unwrap_or(0))
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n.parse().unwrap_or(0))
    } else {
        (0, 0)
    };
    (level, major, minor)
}

fn group_of(store: &Store, name: &str) -> Option<Value> {
    let groups = store.catalog.groups();
    let versions = groups.get(name)?;
    let mut sorted = versions.clone();
    sorted.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
    let entry = |v: &str| json!({"groupVersion": format!("{name}/{v}"), "version": v});
    Some(json!({
        "name": name,
        "versions": sorted.iter().map(|v| entry(v)).collect::<Vec<_>>(),
        "preferredVersion": entry(sorted[0]),
    }))
}

fn group_list(store: &Store) -> Value {
    let groups: Vec<Value> = store
        .catalog
        .groups()
        .keys()
        .filter_map(|name| group_of(store, name))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// The value of a query parameter, percent-decoded.
pub(crate) fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then(|| percent_decode(v))
    })
}

fn percent_decode(text: &str) -> String {
    fn hex(byte: u8) -> Option<u8> {
        (byte as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%' && i + 3 <= bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match (decoded, bytes[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, byte) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The opaque continue token: where the next page starts, which page it is, and for which
/// list it was made.
#[derive(serde::Serialize, serde::Deserialize)]
struct Continue {
    rv: u64,
    start: usize,
    page: u32,
    list: String,
}

fn list_key(resource: &Resource, namespace: Option<&str>) -> String {
    format!("{}/{}", resource.qualified(), namespace.unwrap_or(""))
}

fn list(
    shared: &Shared,
    faults: &Faults,
    resource: &Resource,
    namespace: Option<&str>,
    query: &str,
) -> Response {
    if query_param(query, "fieldSelector").is_some_and(|s| !s.is_empty()) {
        return status_response(&status::bad_request(
            "fieldSelector is not implemented by aksguard-fakekube",
        ));
    }
    // Label selectors only over applied reports (what a report writer lists to find its own).
    let mut applied = crate::apply::bucket(shared, resource);
    if let Some(selector) = query_param(query, "labelSelector").filter(|s| !s.is_empty()) {
        let selected = match applied.take() {
            Some(bucket) => crate::apply::select(bucket, &selector),
            None => Err(format!(
                "labelSelector is not implemented by aksguard-fakekube on {}",
                resource.qualified()
            )),
        };
        match selected {
            Ok(bucket) => applied = Some(bucket),
            Err(message) => return status_response(&status::bad_request(&message)),
        }
    }
    let limit = match query_param(query, "limit").filter(|l| !l.is_empty()) {
        None => None,
        Some(text) => match text.parse::<i64>() {
            Ok(n) if n > 0 => Some((n as usize).min(MAX_PAGE)),
            Ok(_) => None,
            Err(_) => {
                return status_response(&status::bad_request(&format!(
                    "limit {text:?} is not a number"
                )));
            }
        },
    };
    let key = list_key(resource, namespace);
    let (start, page) = match query_param(query, "continue").filter(|c| !c.is_empty()) {
        None => (0, 1),
        Some(token) => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(token.as_bytes())
                .ok()
                .and_then(|bytes| serde_json::from_slice::<Continue>(&bytes).ok());
            match decoded {
                Some(c) if c.list == key && c.rv == shared.store.resource_version => {
                    (c.start, c.page)
                }
                _ => {
                    return status_response(&status::bad_request(
                        "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
                    ));
                }
            }
        }
    };
    let qualified = resource.qualified();
    if page > 1 {
        let mut once = shared.expired_once.lock().expect("lock");
        for (i, rule) in faults.expire.iter().enumerate() {
            if rule.resource == qualified && rule.page == page && (rule.always || !once[i]) {
                once[i] = true;
                return status_response(&status::expired());
            }
        }
    }
    let bucket = applied.as_ref().unwrap_or_else(|| {
        shared
            .store
            .buckets
            .get(&(
                resource.group.clone(),
                resource.version.clone(),
                resource.plural.clone(),
            ))
            .unwrap_or(&EMPTY)
    });
    let range = bucket.range(namespace);
    let first = range.start + start.min(range.len());
    let end = match limit {
        Some(n) => (first + n).min(range.end),
        None => range.end,
    };
    let mut metadata = json!({"resourceVersion": shared.store.resource_version.to_string()});
    if end < range.end {
        let token = Continue {
            rv: shared.store.resource_version,
            start: end - range.start,
            page: page + 1,
            list: key,
        };
        metadata["continue"] = json!(
            base64::engine::general_purpose::STANDARD
                .encode(serde_json::to_vec(&token).expect("a token serialises"))
        );
        metadata["remainingItemCount"] = json!(range.end - end);
    }
    let items = &bucket.items[first..end];
    let mut body =
        String::with_capacity(items.iter().map(|i| i.json.len() + 1).sum::<usize>() + 256);
    body.push_str(&format!(
        "{{\"kind\":\"{}List\",\"apiVersion\":\"{}\",\"metadata\":{},\"items\":[",
        resource.kind,
        resource.api_version(),
        metadata
    ));
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&item.json);
    }
    body.push_str("]}");
    if faults
        .malformed
        .iter()
        .any(|m| m.resource == qualified && m.page == page)
    {
        // Cut mid-document: a proxy or server that died while writing.
        body.truncate(body.len() / 2);
    }
    raw_json(body)
}

static EMPTY: Bucket = Bucket { items: Vec::new() };

fn get(shared: &Shared, resource: &Resource, namespace: Option<&str>, name: &str) -> Response {
    let missing = || {
        status_response(&status::not_found_object(
            &resource.qualified(),
            &resource.plural,
            &resource.group,
            name,
        ))
    };
    let applied = crate::apply::bucket(shared, resource);
    let Some(bucket) = applied.as_ref().or_else(|| {
        shared.store.buckets.get(&(
            resource.group.clone(),
            resource.version.clone(),
            resource.plural.clone(),
        ))
    }) else {
        return missing();
    };
    let range = bucket.range(if resource.namespaced {
        Some(namespace.unwrap_or(""))
    } else {
        None
    });
    let Some(item) = bucket.items[range].iter().find(|i| i.name == name) else {
        return missing();
    };
    if resource.builtin {
        raw_json(format!(
            "{{\"kind\":\"{}\",\"apiVersion\":\"{}\",{}",
            resource.kind,
            resource.api_version(),
            &item.json[1..]
        ))
    } else {
        raw_json(item.json.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_percent_decoded() {
        assert_eq!(
            query_param("limit=2&continue=ab%3D%3D", "continue").as_deref(),
            Some("ab==")
        );
        assert_eq!(query_param("limit=2", "continue"), None);
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn preferred_versions_are_ga_then_beta_then_alpha() {
        let mut versions = vec!["v1alpha1", "v1", "v2beta1", "v1beta2"];
        versions.sort_by_key(|v| std::cmp::Reverse(version_priority(v)));
        assert_eq!(versions, ["v1", "v2beta1", "v1beta2", "v1alpha1"]);
    }
}
