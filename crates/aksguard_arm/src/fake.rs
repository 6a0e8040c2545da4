//! A local Azure Resource Manager for tests (feature `fake-server`): plain HTTP on
//! 127.0.0.1, port 0, serving the resources a test gives it with Resource Manager's read
//! semantics, written from its REST reference rather than from aksguard's reader:
//!
//! - a bearer token is required (401 `InvalidAuthenticationToken` otherwise);
//! - every request names the api-version of its resource type (400 otherwise);
//! - `GET <resource id>` answers the resource, or 404 `ResourceNotFound`;
//! - `GET <scope>/providers/<namespace>/<type>` lists the resources of that type under the
//!   scope, `GET <resource id>/<child type>` the children, `GET /subscriptions` the
//!   subscriptions; role assignments follow their own rule: those at, above and below the
//!   scope, or only a principal's with `$filter=principalId eq '<id>'`; policy assignments
//!   likewise, or with `$filter=atScope()` only those at and above the scope;
//! - lists come in pages of `page_size` with a `nextLink` (`$skiptoken`);
//! - faults are injected by path: 403, 401, malformed JSON, a stall, 429 storms with
//!   `Retry-After`, 5xx, a `nextLink` to another host.
//!
//! [`examples`] builds the world of the corpus's REST bodies for the equivalence tests.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Response, StatusCode, Uri};
use serde_json::{Value, json};

pub mod examples;
pub mod exports;

/// A fault the server injects on requests whose path contains `path_contains`
/// (case-insensitive).
#[derive(Clone, Debug)]
pub struct FaultRule {
    pub path_contains: String,
    pub fault: Fault,
}

#[derive(Clone, Debug)]
pub enum Fault {
    /// 403 `AuthorizationFailed`.
    Forbidden,
    /// 401 `ExpiredAuthenticationToken`.
    Unauthorized,
    /// 200 with a body cut off in the middle.
    Malformed,
    /// Answers only after this long.
    Stall(Duration),
    /// 429 with `Retry-After: retry_after_secs`, for the first `times` requests.
    Throttle { times: usize, retry_after_secs: u64 },
    /// 503 for the first `times` requests.
    ServerError { times: usize },
    /// A list page whose `nextLink` points at another host.
    ForeignNextLink,
}

/// What the server holds.
#[derive(Clone, Debug, Default)]
pub struct ArmWorld {
    /// Subscription IDs (all enabled).
    pub subscriptions: Vec<String>,
    /// Every resource, each with `id`, `name` and `type`.
    pub resources: Vec<Value>,
    /// The bearer token it accepts.
    pub token: String,
    /// Items per page; 0 means 2.
    pub page_size: usize,
    pub faults: Vec<FaultRule>,
}

struct Shared {
    world: ArmWorld,
    /// Requests answered so far, per fault rule.
    fault_hits: Mutex<Vec<usize>>,
    /// Each request's path and query, in arrival order.
    log: Mutex<Vec<String>>,
    origin: String,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// Counts a request in flight for as long as it lives.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The running server; stopped when dropped.
pub struct FakeArm {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeArm {
    pub fn start(world: ArmWorld) -> FakeArm {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("address");
        let faults = world.faults.len();
        let shared = Arc::new(Shared {
            world,
            fault_hits: Mutex::new(vec![0; faults]),
            log: Mutex::new(Vec::new()),
            origin: format!("http://{addr}"),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let app = Router::new().fallback(answer).with_state(state);
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        FakeArm {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:<port>`, for `AKSGUARD_ARM_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request's path and query so far.
    pub fn requests(&self) -> Vec<String> {
        self.shared
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl FakeArm {
    /// The most requests that were being answered at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for FakeArm {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // A stalled answer may still be sleeping; the thread is not waited for then.
        if let Some(thread) = self.thread.take()
            && thread.is_finished()
        {
            let _ = thread.join();
        }
    }
}

/// api-versions as Resource Manager's REST reference gives them for each type.
const VERSIONS: &[(&str, &str)] = &[
    ("microsoft.containerservice/managedclusters", "2025-07-01"),
    (
        "microsoft.insights/diagnosticsettings",
        "2021-05-01-preview",
    ),
    ("microsoft.security/pricings", "2024-01-01"),
    ("microsoft.authorization/roleassignments", "2022-04-01"),
    ("microsoft.containerregistry/registries", "2023-07-01"),
    (
        "microsoft.managedidentity/userassignedidentities",
        "2023-01-31",
    ),
    ("microsoft.network/virtualnetworks", "2024-05-01"),
    ("microsoft.network/networksecuritygroups", "2024-05-01"),
    ("microsoft.network/routetables", "2024-05-01"),
    ("microsoft.network/applicationgateways", "2024-05-01"),
    (
        "microsoft.network/applicationgatewaywebapplicationfirewallpolicies",
        "2024-05-01",
    ),
    ("microsoft.authorization/policyassignments", "2023-04-01"),
    ("microsoft.insights/scheduledqueryrules", "2021-08-01"),
    ("microsoft.insights/metricalerts", "2018-03-01"),
    ("microsoft.insights/activitylogalerts", "2020-10-01"),
    ("microsoft.security/securitycontacts", "2023-12-01-preview"),
];

fn respond(status: StatusCode, body: String) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert("content-type", "application/json".parse().expect("header"));
    response
}

fn arm_error(status: StatusCode, code: &str, message: &str) -> Response<Body> {
    respond(
        status,
        json!({"error": {"code": code, "message": message}}).to_string(),
    )
}

async fn answer(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response<Body> {
    let _counted = InFlight::enter(&shared);
    let path = uri.path().to_owned();
    let query = Query(
        uri.query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default(),
    );
    shared
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(match uri.query() {
            Some(q) => format!("{path}?{q}"),
            None => path.clone(),
        });
    let expected = format!("Bearer {}", shared.world.token);
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return arm_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        );
    }
    if let Some(fault) = shared.fault_for(&path) {
        match fault {
            Fault::Forbidden => {
                return arm_error(
                    StatusCode::FORBIDDEN,
                    "AuthorizationFailed",
                    "The client does not have authorization to perform this action.",
                );
            }
            Fault::Unauthorized => {
                return arm_error(
                    StatusCode::UNAUTHORIZED,
                    "ExpiredAuthenticationToken",
                    "The access token expiry UTC time is earlier than current UTC time.",
                );
            }
            Fault::Malformed => {
                return respond(StatusCode::OK, r#"{"value": [{"id": "/subscr"#.into());
            }
            Fault::Stall(duration) => tokio::time::sleep(duration).await,
            Fault::Throttle {
                retry_after_secs, ..
            } => {
                let mut response = arm_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequests",
                    "Too many requests.",
                );
                response.headers_mut().insert(
                    "retry-after",
                    retry_after_secs.to_string().parse().expect("header"),
                );
                return response;
            }
            Fault::ServerError { .. } => {
                return arm_error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    "Try again.",
                );
            }
            Fault::ForeignNextLink => {
                return respond(
                    StatusCode::OK,
                    json!({"value": [], "nextLink": format!("http://203.0.113.9{path}?api-version=x")})
                        .to_string(),
                );
            }
        }
    }
    shared.route(&path, &query)
}

impl Shared {
    /// The fault to inject on `path`, counting the bounded ones.
    fn fault_for(&self, path: &str) -> Option<Fault> {
        let lower = path.to_ascii_lowercase();
        let mut hits = self
            .fault_hits
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for (rule, hit) in self.world.faults.iter().zip(hits.iter_mut()) {
            if !lower.contains(&rule.path_contains.to_ascii_lowercase()) {
                continue;
            }
            let limit = match rule.fault {
                Fault::Throttle { times, .. } | Fault::ServerError { times } => Some(times),
                _ => None,
            };
            if limit.is_some_and(|limit| *hit >= limit) {
                continue;
            }
            *hit += 1;
            return Some(rule.fault.clone());
        }
        None
    }

    fn route(&self, path: &str, query: &Query) -> Response<Body> {
        let lower = path.trim_end_matches('/').to_ascii_lowercase();
        if lower == "/subscriptions" {
            if query.get("api-version") != Some("2022-12-01") {
                return bad_version();
            }
            let items: Vec<Value> = self
                .world
                .subscriptions
                .iter()
                .map(|s| {
                    json!({"id": format!("/subscriptions/{s}"), "subscriptionId": s,
                           "displayName": format!("sub {s}"), "state": "Enabled"})
                })
                .collect();
            return self.page(path, query, items);
        }
        // The type the path is about: after the last `/providers/`, namespace/type.
        let Some((scope, after)) = lower.rsplit_once("/providers/") else {
            return not_found();
        };
        let segments: Vec<&str> = after.split('/').collect();
        if segments.len() < 2 {
            return not_found();
        }
        let provider_type = format!("{}/{}", segments[0], segments[1]);
        let version = VERSIONS
            .iter()
            .find(|(t, _)| *t == provider_type)
            .map(|(_, v)| *v);
        if version.is_none() || query.get("api-version") != version {
            return bad_version();
        }
        let id_of = |r: &Value| {
            r.get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        let type_of = |r: &Value| {
            r.get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        if segments.len() % 2 == 1 {
            // A resource ID.
            return match self.world.resources.iter().find(|r| id_of(r) == lower) {
                Some(resource) => respond(StatusCode::OK, resource.to_string()),
                None => not_found(),
            };
        }
        if segments.len() == 2 && provider_type == "microsoft.authorization/roleassignments" {
            return self.role_assignments(path, scope, query);
        }
        if segments.len() == 2 && provider_type == "microsoft.authorization/policyassignments" {
            return self.policy_assignments(path, scope, query);
        }
        let items: Vec<Value> = if segments.len() == 2 {
            // `<scope>/providers/<namespace>/<type>`: that type anywhere under the scope.
            self.world
                .resources
                .iter()
                .filter(|r| {
                    type_of(r) == provider_type && id_of(r).starts_with(&format!("{scope}/"))
                })
                .cloned()
                .collect()
        } else {
            // `<resource id>/<child type>`: the direct children.
            let prefix = format!("{lower}/");
            self.world
                .resources
                .iter()
                .filter(|r| {
                    let id = id_of(r);
                    id.strip_prefix(&prefix)
                        .is_some_and(|rest| !rest.contains('/'))
                })
                .cloned()
                .collect()
        };
        self.page(path, query, items)
    }

    /// Role assignments at, above and below `scope`, or a principal's with a filter.
    fn role_assignments(&self, path: &str, scope: &str, query: &Query) -> Response<Body> {
        let principal = match query.get("$filter") {
            None => None,
            Some(filter) => match filter
                .strip_prefix("principalId eq '")
                .and_then(|rest| rest.strip_suffix('\''))
            {
                Some(id) => Some(id.to_ascii_lowercase()),
                None => {
                    return arm_error(
                        StatusCode::BAD_REQUEST,
                        "UnsupportedQuery",
                        "The filter is not supported.",
                    );
                }
            },
        };
        let items: Vec<Value> = self
            .resources_of_type("Microsoft.Authorization/roleAssignments")
            .filter(|r| {
                let properties = &r["properties"];
                let at = properties["scope"]
                    .as_str()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let related = within(&at, scope) || within(scope, &at);
                let theirs = principal.as_deref().is_none_or(|p| {
                    properties["principalId"]
                        .as_str()
                        .is_some_and(|id| id.eq_ignore_ascii_case(p))
                });
                related && theirs
            })
            .cloned()
            .collect();
        self.page(path, query, items)
    }

    /// The world's resources of one type (any case).
    fn resources_of_type<'a>(&'a self, resource_type: &'a str) -> impl Iterator<Item = &'a Value> {
        self.world.resources.iter().filter(move |r| {
            r.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(resource_type))
        })
    }

    /// Policy assignments at, above and below `scope`, or with `$filter=atScope()` at and
    /// above it only (what applies to the scope).
    fn policy_assignments(&self, path: &str, scope: &str, query: &Query) -> Response<Body> {
        let at_scope = match query.get("$filter") {
            None => false,
            Some("atScope()") => true,
            Some(_) => {
                return arm_error(
                    StatusCode::BAD_REQUEST,
                    "InvalidFilterInQueryString",
                    "The filter is not supported.",
                );
            }
        };
        let items: Vec<Value> = self
            .resources_of_type("Microsoft.Authorization/policyAssignments")
            .filter(|r| {
                let at = r["properties"]["scope"]
                    .as_str()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                within(&at, scope) || (!at_scope && within(scope, &at))
            })
            .cloned()
            .collect();
        self.page(path, query, items)
    }

    /// One page of `items` (sorted by ID), with a `nextLink` when more follow.
    fn page(&self, path: &str, query: &Query, mut items: Vec<Value>) -> Response<Body> {
        items.sort_by_key(|r| {
            r.get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_ascii_lowercase()
        });
        let size = if self.world.page_size == 0 {
            2
        } else {
            self.world.page_size
        };
        let Ok(start) = query.get("$skiptoken").unwrap_or("0").parse::<usize>() else {
            return arm_error(
                StatusCode::BAD_REQUEST,
                "InvalidSkipToken",
                "Bad skip token.",
            );
        };
        let end = (start + size).min(items.len());
        let page: Vec<Value> = items.get(start..end).unwrap_or_default().to_vec();
        let mut body = json!({ "value": page });
        if end < items.len() {
            let mut next = url::form_urlencoded::Serializer::new(String::new());
            for key in ["api-version", "$filter"] {
                if let Some(value) = query.get(key) {
                    next.append_pair(key, value);
                }
            }
            next.append_pair("$skiptoken", &end.to_string());
            body["nextLink"] = json!(format!("{}{path}?{}", self.origin, next.finish()));
        }
        respond(StatusCode::OK, body.to_string())
    }
}

/// The query parameters of a request.
struct Query(Vec<(String, String)>);

impl Query {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn not_found() -> Response<Body> {
    arm_error(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        "The resource was not found.",
    )
}

fn bad_version() -> Response<Body> {
    arm_error(
        StatusCode::BAD_REQUEST,
        "InvalidApiVersionParameter",
        "The api-version is invalid for this resource type.",
    )
}

/// Whether scope `inner` is `outer` or below it (IDs lower-cased).
fn within(outer: &str, inner: &str) -> bool {
    inner == outer || inner.starts_with(&format!("{}/", outer.trim_end_matches('/')))
}
