//! `scan --publish-policyreports`: writes the scan's `wgpolicyk8s.io/v1alpha2` PolicyReports
//! and ClusterPolicyReports to the scanned cluster with server-side apply (`PATCH`,
//! `application/apply-patch+yaml`, `fieldManager=aksguard`, `force=true`: the reports are
//! aksguard's alone, so it takes every field back), then deletes aksguard's reports the scan no
//! longer produced (a namespace that is clean now, a split part `-2`, `-3`… no longer needed),
//! found by their `app.kubernetes.io/managed-by` label.
//!
//! Any failure is an error for the caller (the scan exits 2): a cluster that silently kept an
//! old report would show findings that were fixed, or hide new ones. The reports themselves are
//! built by `aksguard_report::policyreport` (one renderer for `--format` and for this).

use std::collections::BTreeSet;

use http::Method;
use serde::Deserialize;
use serde_json::Value;
use tokio::time::Instant;

use crate::connect::{Connection, connect};
use crate::fetch::{Failure, Http};
use crate::listing::{ClusterRequest, MAX_RESTARTS};

/// The API group and version of the reports.
pub const GROUP_VERSION: &str = "wgpolicyk8s.io/v1alpha2";
/// The field manager of every apply (the owner of the reports' fields).
pub const FIELD_MANAGER: &str = "aksguard";
/// Reports per page when looking for stale ones.
const PAGE_SIZE: u32 = 500;
const APPLY_PATCH: &str = "application/apply-patch+yaml";

/// What was written to the cluster.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Published {
    /// The kubeconfig context written to (`in-cluster` in a pod).
    pub context: String,
    /// Applied reports: `namespace/name`, or `name` for ClusterPolicyReports.
    pub applied: Vec<String>,
    /// Stale reports deleted, named the same way.
    pub deleted: Vec<String>,
}

/// One of the two report kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Namespaced,
    Cluster,
}

impl Kind {
    fn of(kind: &str) -> Option<Kind> {
        match kind {
            "PolicyReport" => Some(Kind::Namespaced),
            "ClusterPolicyReport" => Some(Kind::Cluster),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Namespaced => "PolicyReport",
            Kind::Cluster => "ClusterPolicyReport",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Kind::Namespaced => "policyreports",
            Kind::Cluster => "clusterpolicyreports",
        }
    }

    /// The collection's path: in `namespace`, or across all namespaces / cluster-scoped.
    fn collection(self, namespace: Option<&str>) -> String {
        match namespace {
            Some(ns) => format!("/apis/{GROUP_VERSION}/namespaces/{ns}/{}", self.plural()),
            None => format!("/apis/{GROUP_VERSION}/{}", self.plural()),
        }
    }
}

/// A report to apply, checked.
struct Report<'a> {
    kind: Kind,
    namespace: Option<String>,
    name: String,
    object: &'a Value,
}

impl Report<'_> {
    fn id(&self) -> String {
        id(self.namespace.as_deref(), &self.name)
    }
}

fn id(namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_owned(),
    }
}

/// Applies `reports` (PolicyReport and ClusterPolicyReport objects, each labelled
/// `owner_label`) to the cluster of `request` (its kubeconfig, context, namespaces and
/// timeouts), then deletes the reports labelled `owner_label` that `reports` no longer holds:
/// PolicyReports only in `request.namespaces` when it names some (a `-n` scan says nothing
/// about the other namespaces), ClusterPolicyReports always. Stops at the first failure;
/// stale reports are deleted only once every report was applied, and only when `prune`: a
/// scan that could not read everything must not clear the reports of what it did not see.
pub fn publish_reports(
    request: &ClusterRequest,
    reports: &[Value],
    owner_label: (&str, &str),
    prune: bool,
) -> Result<Published, String> {
    let checked = check_reports(reports, owner_label)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let Connection {
            client,
            context,
            server,
        } = connect(
            request.kubeconfig.as_deref(),
            request.context.as_deref(),
            request.request_timeout,
        )
        .await?;
        let http = Http {
            client,
            request_timeout: request.request_timeout,
            deadline: Instant::now() + request.timeout,
        };
        let at = format!("cluster `{context}` ({server})");
        check_crds(&http, &at).await?;
        let mut published = Published {
            context,
            ..Published::default()
        };
        let mut written: BTreeSet<(Kind, String)> = BTreeSet::new();
        for report in &checked {
            apply(&http, report, &at).await?;
            published.applied.push(report.id());
            written.insert((report.kind, report.id()));
        }
        let scopes: Vec<(Kind, Option<&str>)> = if !prune {
            Vec::new()
        } else if request.namespaces.is_empty() {
            vec![(Kind::Namespaced, None), (Kind::Cluster, None)]
        } else {
            request
                .namespaces
                .iter()
                .map(|ns| (Kind::Namespaced, Some(ns.as_str())))
                .chain([(Kind::Cluster, None)])
                .collect()
        };
        for (kind, namespace) in scopes {
            for (report_namespace, name) in
                list_owned(&http, kind, namespace, owner_label, &at).await?
            {
                let key = id(report_namespace.as_deref(), &name);
                // Only aksguard's own names: a label alone could be copied onto another
                // tool's report.
                if written.contains(&(kind, key.clone())) || !name.starts_with("aksguard-") {
                    continue;
                }
                delete(&http, kind, report_namespace.as_deref(), &name, &at).await?;
                published.deleted.push(key);
            }
        }
        Ok(published)
    })
}

/// Each report's kind, name and namespace, checked before anything is written: a report
/// without the owner label would never be cleaned up.
fn check_reports<'a>(
    reports: &'a [Value],
    owner_label: (&str, &str),
) -> Result<Vec<Report<'a>>, String> {
    reports
        .iter()
        .enumerate()
        .map(|(i, object)| {
            let text = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
            let what = format!("report {}", i + 1);
            if text("/apiVersion") != Some(GROUP_VERSION) {
                return Err(format!("{what} is not a {GROUP_VERSION} object"));
            }
            let kind = text("/kind").and_then(Kind::of).ok_or_else(|| {
                format!("{what} is neither a PolicyReport nor a ClusterPolicyReport")
            })?;
            let name = text("/metadata/name")
                .filter(|n| is_path_segment(n))
                .ok_or_else(|| format!("{what} has no valid metadata.name"))?;
            let namespace = text("/metadata/namespace");
            match (kind, namespace) {
                (Kind::Namespaced, Some(ns)) if is_path_segment(ns) => {}
                (Kind::Cluster, None) => {}
                _ => return Err(format!("{what} ({name}) has a wrong metadata.namespace")),
            }
            if object
                .pointer("/metadata/labels")
                .and_then(|labels| labels.get(owner_label.0))
                .and_then(Value::as_str)
                != Some(owner_label.1)
            {
                return Err(format!(
                    "{what} ({name}) lacks the label {}={}",
                    owner_label.0, owner_label.1
                ));
            }
            Ok(Report {
                kind,
                namespace: namespace.map(str::to_owned),
                name: name.to_owned(),
                object,
            })
        })
        .collect()
}

/// Names and namespaces go into URL paths unescaped: only DNS-label-like text is accepted.
fn is_path_segment(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

/// Both report kinds must be served, else no write is tried (an apply would answer a bare 404).
async fn check_crds(http: &Http, at: &str) -> Result<(), String> {
    let not_installed = |kind: Kind| {
        format!(
            "the {GROUP_VERSION} {} CRD is not installed in {at}: install the PolicyReport CRDs \
             (Kyverno, Policy Reporter and the Kubernetes Policy WG ship them) or drop \
             --publish-policyreports",
            kind.name()
        )
    };
    let body = match http.get(&format!("/apis/{GROUP_VERSION}")).await {
        Ok(body) => body,
        Err(Failure::NotFound) => return Err(not_installed(Kind::Namespaced)),
        Err(failure) => {
            return Err(format!(
                "cannot read the API discovery of {GROUP_VERSION} in {at}: {}",
                failure.describe()
            ));
        }
    };
    #[derive(Deserialize)]
    struct ResourceList {
        #[serde(default)]
        resources: Vec<ApiResource>,
    }
    #[derive(Deserialize)]
    struct ApiResource {
        name: String,
    }
    let list: ResourceList = serde_json::from_slice(&body).map_err(|e| {
        format!("the API discovery of {GROUP_VERSION} in {at} is not an APIResourceList: {e}")
    })?;
    for kind in [Kind::Namespaced, Kind::Cluster] {
        if !list.resources.iter().any(|r| r.name == kind.plural()) {
            return Err(not_installed(kind));
        }
    }
    Ok(())
}

/// What a failed request on `kind` means, naming the verb and resource.
fn failed(
    failure: &Failure,
    verb: &str,
    kind: Kind,
    namespace: Option<&str>,
    target: &str,
    at: &str,
) -> String {
    let resource = format!("{}.wgpolicyk8s.io", kind.plural());
    let scope = match (kind, namespace) {
        (Kind::Namespaced, Some(ns)) => format!(" in namespace `{ns}`"),
        (Kind::Namespaced, None) => " in all namespaces".to_owned(),
        (Kind::Cluster, _) => String::new(),
    };
    match failure {
        Failure::Forbidden => format!(
            "cannot {verb} {target}: the credentials may not `{verb}` {resource}{scope} in {at} \
             (403 Forbidden; the scanner gets these permissions from \
             deploy/components/policyreport-writer)"
        ),
        Failure::NotFound if verb == "patch" => format!(
            "cannot {verb} {target}: {resource}{scope} is not served by {at} (404: the \
             {GROUP_VERSION} {} CRD is not installed, or the namespace does not exist)",
            kind.name()
        ),
        other => format!("cannot {verb} {target} in {at}: {}", other.describe()),
    }
}

async fn apply(http: &Http, report: &Report<'_>, at: &str) -> Result<(), String> {
    let path = format!(
        "{}/{}?fieldManager={FIELD_MANAGER}&force=true",
        report.kind.collection(report.namespace.as_deref()),
        report.name
    );
    // JSON is YAML: the API server takes it as an apply patch as it is.
    let body = serde_json::to_vec(report.object)
        .map_err(|e| format!("cannot serialise {}: {e}", report.id()))?;
    let target = format!("{} {}", report.kind.name(), report.id());
    http.send(Method::PATCH, &path, Some((APPLY_PATCH, &body)))
        .await
        .map(drop)
        .map_err(|f| {
            failed(
                &f,
                "patch",
                report.kind,
                report.namespace.as_deref(),
                &target,
                at,
            )
        })
}

async fn delete(
    http: &Http,
    kind: Kind,
    namespace: Option<&str>,
    name: &str,
    at: &str,
) -> Result<(), String> {
    let path = format!("{}/{name}", kind.collection(namespace));
    let target = format!("the stale {} {}", kind.name(), id(namespace, name));
    match http.send(Method::DELETE, &path, None).await {
        // Already gone (another run, or a retried delete that had gone through): fine.
        Ok(_) | Err(Failure::NotFound) => Ok(()),
        Err(failure) => Err(failed(&failure, "delete", kind, namespace, &target, at)),
    }
}

/// (namespace, name) of every report of `kind` labelled `owner_label`, in `namespace` or
/// everywhere, page by page; a list whose continue token expired is started again.
async fn list_owned(
    http: &Http,
    kind: Kind,
    namespace: Option<&str>,
    owner_label: (&str, &str),
    at: &str,
) -> Result<Vec<(Option<String>, String)>, String> {
    #[derive(Deserialize)]
    struct List {
        #[serde(default)]
        metadata: ListMeta,
        #[serde(default)]
        items: Vec<Item>,
    }
    #[derive(Deserialize, Default)]
    struct ListMeta {
        #[serde(rename = "continue", default)]
        continue_token: Option<String>,
    }
    #[derive(Deserialize)]
    struct Item {
        metadata: ItemMeta,
    }
    #[derive(Deserialize)]
    struct ItemMeta {
        name: String,
        #[serde(default)]
        namespace: Option<String>,
    }
    let selector = percent_encode(&format!("{}={}", owner_label.0, owner_label.1));
    let base = format!(
        "{}?labelSelector={selector}&limit={PAGE_SIZE}",
        kind.collection(namespace)
    );
    let target = format!("aksguard's {}s", kind.name());
    let mut restarts = 0;
    'restart: loop {
        let mut found = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let path = match &token {
                Some(t) => format!("{base}&continue={}", percent_encode(t)),
                None => base.clone(),
            };
            let body = match http.get(&path).await {
                Ok(body) => body,
                Err(Failure::Gone) if restarts < MAX_RESTARTS => {
                    restarts += 1;
                    continue 'restart;
                }
                Err(failure) => return Err(failed(&failure, "list", kind, namespace, &target, at)),
            };
            let page: List = serde_json::from_slice(&body)
                .map_err(|e| format!("cannot list {target} in {at}: a malformed page: {e}"))?;
            found.extend(page.items.into_iter().map(|i| {
                let namespace = match kind {
                    Kind::Namespaced => i.metadata.namespace,
                    Kind::Cluster => None,
                };
                (namespace, i.metadata.name)
            }));
            match page.metadata.continue_token.filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next),
                None => return Ok(found),
            }
        }
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for a query value.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OWNER: (&str, &str) = ("app.kubernetes.io/managed-by", "aksguard");

    fn report(kind: &str, namespace: Option<&str>, name: &str) -> Value {
        let mut object = json!({"apiVersion": GROUP_VERSION, "kind": kind,
            "metadata": {"name": name, "labels": {OWNER.0: OWNER.1}}});
        if let Some(ns) = namespace {
            object["metadata"]["namespace"] = json!(ns);
        }
        object
    }

    #[test]
    fn reports_are_checked_before_anything_is_written() {
        let good = [
            report("PolicyReport", Some("shop"), "aksguard-shop"),
            report("ClusterPolicyReport", None, "aksguard-cluster"),
        ];
        let checked = check_reports(&good, OWNER).unwrap();
        assert_eq!(checked[0].id(), "shop/aksguard-shop");
        assert_eq!(checked[1].id(), "aksguard-cluster");

        let mut unlabelled = report("PolicyReport", Some("shop"), "aksguard-shop");
        unlabelled["metadata"]["labels"] = json!({});
        let bad = [
            (report("Pod", Some("shop"), "x"), "neither"),
            (report("PolicyReport", None, "aksguard-x"), "namespace"),
            (
                report("ClusterPolicyReport", Some("shop"), "aksguard-x"),
                "namespace",
            ),
            (
                report("PolicyReport", Some("shop"), "../x"),
                "metadata.name",
            ),
            (
                report("PolicyReport", Some("a/b"), "aksguard-x"),
                "namespace",
            ),
            (unlabelled, "lacks the label"),
            (
                json!({"kind": "PolicyReport"}),
                "not a wgpolicyk8s.io/v1alpha2",
            ),
        ];
        for (object, expected) in bad {
            let error = check_reports(std::slice::from_ref(&object), OWNER)
                .err()
                .unwrap_or_default();
            assert!(error.contains(expected), "{object}: {error}");
        }
    }

    #[test]
    fn selectors_and_tokens_are_percent_encoded() {
        assert_eq!(
            percent_encode("app.kubernetes.io/managed-by=aksguard"),
            "app.kubernetes.io%2Fmanaged-by%3Daksguard"
        );
        assert_eq!(percent_encode("ab+/=="), "ab%2B%2F%3D%3D");
    }

    #[test]
    fn failures_name_the_verb_and_the_resource() {
        let forbidden = failed(
            &Failure::Forbidden,
            "delete",
            Kind::Namespaced,
            Some("shop"),
            "the stale PolicyReport shop/aksguard-shop",
            "cluster `c` (https://x)",
        );
        assert!(
            forbidden.contains("may not `delete` policyreports.wgpolicyk8s.io in namespace `shop`"),
            "{forbidden}"
        );
        let missing = failed(&Failure::NotFound, "patch", Kind::Cluster, None, "t", "c");
        assert!(
            missing.contains("ClusterPolicyReport CRD is not installed"),
            "{missing}"
        );
    }
}
