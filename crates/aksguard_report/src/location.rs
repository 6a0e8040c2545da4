//! Where a finding is, as every report shows it.
//!
//! A finding from a file carries the file's path and a position in it. A finding from a live
//! scan carries no file: `cluster://<context>/<namespace>/<Kind>/<name>` (cluster-scoped
//! objects: `cluster://<context>/<Kind>/<name>`) for an object read from the Kubernetes API,
//! `azure://<ARM resource id>` for a resource read from Azure Resource Manager, always at line
//! 1, column 1. Reports never read such a path as a file, never make it relative to a
//! directory, and never print its meaningless `:1:1` (JSON keeps the numbers: its fields are a
//! contract).

use std::borrow::Cow;

use aksguard_model::{Finding, Location};

pub use aksguard_model::finding::{AZURE_SCHEME, CLUSTER_SCHEME};

/// What a location's path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A file, `<stdin>` or a rendered chart/kustomization: the position means something.
    File,
    /// An object read from the Kubernetes API (`cluster://…`).
    Cluster,
    /// A resource read from Azure Resource Manager (`azure://…`).
    Azure,
}

impl Place {
    pub fn of(path: &str) -> Place {
        if path.starts_with(CLUSTER_SCHEME) {
            Place::Cluster
        } else if path.starts_with(AZURE_SCHEME) {
            Place::Azure
        } else {
            Place::File
        }
    }

    /// Whether the path names something that is not a file (no position, nothing to read).
    pub fn is_live(self) -> bool {
        self != Place::File
    }
}

/// Whether `path` names a live object or resource rather than a file.
pub fn is_live(path: &str) -> bool {
    Place::of(path).is_live()
}

/// `k8s/web.yaml:12:5` for a file; the live location alone (`cluster://aks/shop/Deployment/web`),
/// whose line and column carry no position.
pub fn position(location: &Location) -> Cow<'_, str> {
    if is_live(&location.path) {
        Cow::Borrowed(&location.path)
    } else {
        Cow::Owned(format!(
            "{}:{}:{}",
            location.path, location.line, location.column
        ))
    }
}

/// `k8s/web.yaml:12` for a file (line only); the live location alone.
pub fn line_position(location: &Location) -> Cow<'_, str> {
    if is_live(&location.path) {
        Cow::Borrowed(&location.path)
    } else {
        Cow::Owned(format!("{}:{}", location.path, location.line))
    }
}

/// What findings are grouped under, as a file groups its objects: the file (with its Helm
/// template when known), the cluster (`cluster://<context>`) its objects were read from, or
/// the Azure resource itself.
pub fn origin(finding: &Finding) -> Cow<'_, str> {
    let location = &finding.location;
    match Place::of(&location.path) {
        Place::File => match &location.template {
            Some(template) => Cow::Owned(format!("{} (from {template})", location.path)),
            None => Cow::Borrowed(&location.path),
        },
        Place::Cluster => Cow::Borrowed(cluster_of(finding).unwrap_or(&location.path)),
        Place::Azure => Cow::Borrowed(&location.path),
    }
}

/// `cluster://<context>`: the location without the object's `/<namespace>/<Kind>/<name>`
/// (which the finding's object names). `None` when the path does not end that way, so a
/// context holding `/` is never cut short by guessing.
pub fn cluster_of(finding: &Finding) -> Option<&str> {
    let path: &str = &finding.location.path;
    path.strip_prefix(CLUSTER_SCHEME)?;
    let object = &finding.object;
    let suffix = match &object.namespace {
        Some(ns) => format!("/{ns}/{}/{}", object.kind, object.name),
        None => format!("/{}/{}", object.kind, object.name),
    };
    let cluster = path.strip_suffix(suffix.as_str())?;
    (cluster.len() > CLUSTER_SCHEME.len()).then_some(cluster)
}

/// The identifier tools know the object or resource by: the ARM resource id
/// (`/subscriptions/…`) of an Azure resource, the whole `cluster://…` location of a
/// Kubernetes object (context, namespace, kind and name). `None` for files.
pub fn resource_id(path: &str) -> Option<Cow<'_, str>> {
    match Place::of(path) {
        Place::File => None,
        Place::Cluster => Some(Cow::Borrowed(path)),
        Place::Azure => {
            let id = &path[AZURE_SCHEME.len()..];
            Some(if id.starts_with('/') {
                Cow::Borrowed(id)
            } else {
                Cow::Owned(format!("/{id}"))
            })
        }
    }
}

/// The live location as an absolute URI: the scheme kept, everything after it
/// percent-encoded except `/` and RFC 3986 unreserved characters (a context such as
/// `user@aks:prod` or a resource group with spaces stays one valid URI). `None` for files.
pub fn live_uri(path: &str) -> Option<String> {
    let (scheme, rest) = match Place::of(path) {
        Place::File => return None,
        Place::Cluster => (CLUSTER_SCHEME, &path[CLUSTER_SCHEME.len()..]),
        // `azure://` + `/subscriptions/…`: an empty authority, then the id as the path.
        Place::Azure => (AZURE_SCHEME, &path[AZURE_SCHEME.len()..]),
    };
    let mut uri = String::with_capacity(path.len() + 8);
    uri.push_str(scheme);
    if Place::of(path) == Place::Azure && !rest.starts_with('/') {
        uri.push('/');
    }
    uri.push_str(&crate::sarif::encode_path(rest));
    Some(uri)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use aksguard_model::{Fingerprint, ObjectRef, RuleText, Severity};

    use super::*;

    static TEXT: RuleText = RuleText {
        title: "t",
        remediation: "r",
        references: Vec::new(),
    };

    fn finding(path: &str, namespace: Option<&str>, kind: &str, name: &str) -> Finding {
        Finding {
            rule_id: "POD001",
            severity: Severity::High,
            rule: &TEXT,
            message: "m".into(),
            object: Arc::new(ObjectRef {
                api_version: "apps/v1".into(),
                kind: kind.into(),
                namespace: namespace.map(Into::into),
                name: name.into(),
            }),
            container: None,
            location: Location {
                path: path.into(),
                line: 1,
                column: 1,
                template: None,
            },
            fingerprint: Fingerprint(0),
            fix: None,
            on_attack_path: false,
        }
    }

    #[test]
    fn sources_are_told_apart_by_scheme() {
        assert_eq!(Place::of("k8s/web.yaml"), Place::File);
        assert_eq!(Place::of("<stdin>"), Place::File);
        assert_eq!(Place::of("cluster://aks/shop/Pod/p"), Place::Cluster);
        assert_eq!(Place::of("azure:///subscriptions/s"), Place::Azure);
        // A relative file whose first directory is called `cluster:` is still a file.
        assert_eq!(Place::of("cluster:/x.yaml"), Place::File);
    }

    #[test]
    fn live_positions_print_no_line_or_column() {
        let file = finding("k8s/web.yaml", Some("shop"), "Deployment", "web");
        assert_eq!(position(&file.location), "k8s/web.yaml:1:1");
        assert_eq!(line_position(&file.location), "k8s/web.yaml:1");
        let live = finding(
            "cluster://aks-prod/shop/Deployment/web",
            Some("shop"),
            "Deployment",
            "web",
        );
        assert_eq!(
            position(&live.location),
            "cluster://aks-prod/shop/Deployment/web"
        );
        assert_eq!(
            line_position(&live.location),
            "cluster://aks-prod/shop/Deployment/web"
        );
    }

    #[test]
    fn cluster_objects_are_grouped_by_their_cluster() {
        let namespaced = finding(
            "cluster://aks-prod/shop/Deployment/web",
            Some("shop"),
            "Deployment",
            "web",
        );
        assert_eq!(origin(&namespaced), "cluster://aks-prod");
        let cluster_scoped = finding(
            "cluster://user@aks/ctx/ClusterRole/admin",
            None,
            "ClusterRole",
            "admin",
        );
        // A context holding `/` is kept whole.
        assert_eq!(origin(&cluster_scoped), "cluster://user@aks/ctx");
        // A path that does not end in the object: the whole path, never a guess.
        let odd = finding("cluster://aks/other/Pod/x", Some("shop"), "Pod", "y");
        assert_eq!(origin(&odd), "cluster://aks/other/Pod/x");
        let azure = "azure:///subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks";
        let resource = finding(azure, None, "ManagedCluster", "aks");
        assert_eq!(origin(&resource), azure);
        let mut templated = finding("charts/web (helm template)", None, "Pod", "p");
        templated.location.template = Some("web/templates/pod.yaml".into());
        assert_eq!(
            origin(&templated),
            "charts/web (helm template) (from web/templates/pod.yaml)"
        );
    }

    #[test]
    fn resource_ids_and_uris() {
        assert_eq!(resource_id("k8s/a.yaml"), None);
        assert_eq!(
            resource_id("cluster://aks/shop/Pod/p").as_deref(),
            Some("cluster://aks/shop/Pod/p")
        );
        assert_eq!(
            resource_id("azure:///subscriptions/s/resourceGroups/rg").as_deref(),
            Some("/subscriptions/s/resourceGroups/rg")
        );
        assert_eq!(
            resource_id("azure://subscriptions/s").as_deref(),
            Some("/subscriptions/s")
        );
        assert_eq!(live_uri("k8s/a.yaml"), None);
        assert_eq!(
            live_uri("cluster://user@aks:prod/shop/Pod/my pod").as_deref(),
            Some("cluster://user%40aks%3Aprod/shop/Pod/my%20pod")
        );
        assert_eq!(
            live_uri("azure:///subscriptions/s/resourceGroups/My RG (dev)").as_deref(),
            Some("azure:///subscriptions/s/resourceGroups/My%20RG%20%28dev%29")
        );
        assert_eq!(
            live_uri("azure://subscriptions/s").as_deref(),
            Some("azure:///subscriptions/s")
        );
    }
}
