//! What a who-can question asks about: a verb on a (sub)resource of an API group, parsed
//! from what a person types (`deploy`, `secret`, `deployments.apps/scale`).

use std::fmt;

use crate::resource_scope::builtin_is_cluster_scoped;

/// A verb on a (sub)resource of an API group, normalised: lower case, plural resource name,
/// group filled in for built-in resources outside the core group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    verb: String,
    group: String,
    resource: String,
}

/// Why a verb or resource cannot be asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetError {
    message: String,
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TargetError {}

impl Target {
    /// `pods`, `pods/exec`, `deployments.apps`, `deployments.apps/scale`, `deploy`, `secret`;
    /// `api_group` overrides the group.
    pub fn parse(
        verb: &str,
        resource: &str,
        api_group: Option<&str>,
    ) -> Result<Target, TargetError> {
        let verb = verb.trim().to_ascii_lowercase();
        if verb.is_empty() || verb.contains(char::is_whitespace) {
            return Err(TargetError {
                message: format!("`{verb}` is not a verb"),
            });
        }
        let text = resource.trim().to_ascii_lowercase();
        let (head, sub) = match text.split_once('/') {
            Some((head, sub)) => (head, Some(sub)),
            None => (text.as_str(), None),
        };
        if head.is_empty() || sub.is_some_and(str::is_empty) {
            return Err(TargetError {
                message: format!("`{resource}` is not a resource (e.g. pods, pods/exec)"),
            });
        }
        let (name, written_group) = match head.split_once('.') {
            Some((name, group)) => (name, Some(group)),
            None => (head, None),
        };
        let name = canonical_name(name);
        let group = match (api_group, written_group) {
            (Some(group), _) => group.to_owned(),
            (None, Some(group)) => group.to_owned(),
            (None, None) => GROUPS
                .iter()
                .find(|(r, _)| *r == name)
                .map_or(String::new(), |(_, g)| (*g).to_owned()),
        };
        let resource = match sub {
            Some(sub) => format!("{name}/{sub}"),
            None => name,
        };
        Ok(Target {
            verb,
            group,
            resource,
        })
    }

    pub fn verb(&self) -> &str {
        &self.verb
    }

    /// The API group, empty for the core group.
    pub fn group(&self) -> &str {
        &self.group
    }

    /// `pods` or `pods/exec`.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The group as people name it: `core` for the empty core group.
    pub fn display_group(&self) -> &str {
        if self.group.is_empty() {
            "core"
        } else {
            &self.group
        }
    }
}

/// API groups of built-in resources outside the core group, so `deployments` means
/// `deployments.apps`.
const GROUPS: &[(&str, &str)] = &[
    ("clusterrolebindings", "rbac.authorization.k8s.io"),
    ("clusterroles", "rbac.authorization.k8s.io"),
    ("controllerrevisions", "apps"),
    ("cronjobs", "batch"),
    ("csidrivers", "storage.k8s.io"),
    ("csinodes", "storage.k8s.io"),
    ("customresourcedefinitions", "apiextensions.k8s.io"),
    ("certificatesigningrequests", "certificates.k8s.io"),
    ("daemonsets", "apps"),
    ("deployments", "apps"),
    ("endpointslices", "discovery.k8s.io"),
    ("horizontalpodautoscalers", "autoscaling"),
    ("ingressclasses", "networking.k8s.io"),
    ("ingresses", "networking.k8s.io"),
    ("jobs", "batch"),
    ("leases", "coordination.k8s.io"),
    ("localsubjectaccessreviews", "authorization.k8s.io"),
    (
        "mutatingwebhookconfigurations",
        "admissionregistration.k8s.io",
    ),
    ("networkpolicies", "networking.k8s.io"),
    ("poddisruptionbudgets", "policy"),
    ("priorityclasses", "scheduling.k8s.io"),
    ("replicasets", "apps"),
    ("rolebindings", "rbac.authorization.k8s.io"),
    ("roles", "rbac.authorization.k8s.io"),
    ("runtimeclasses", "node.k8s.io"),
    ("selfsubjectaccessreviews", "authorization.k8s.io"),
    ("signers", "certificates.k8s.io"),
    ("statefulsets", "apps"),
    ("storageclasses", "storage.k8s.io"),
    ("subjectaccessreviews", "authorization.k8s.io"),
    ("tokenreviews", "authentication.k8s.io"),
    (
        "validatingadmissionpolicies",
        "admissionregistration.k8s.io",
    ),
    (
        "validatingadmissionpolicybindings",
        "admissionregistration.k8s.io",
    ),
    (
        "validatingwebhookconfigurations",
        "admissionregistration.k8s.io",
    ),
    ("volumeattachments", "storage.k8s.io"),
];

/// kubectl short names and irregular singulars.
const ALIASES: &[(&str, &str)] = &[
    ("cj", "cronjobs"),
    ("cm", "configmaps"),
    ("crd", "customresourcedefinitions"),
    ("csr", "certificatesigningrequests"),
    ("deploy", "deployments"),
    ("ds", "daemonsets"),
    ("ep", "endpoints"),
    ("hpa", "horizontalpodautoscalers"),
    ("ing", "ingresses"),
    ("ingress", "ingresses"),
    ("netpol", "networkpolicies"),
    ("networkpolicy", "networkpolicies"),
    ("no", "nodes"),
    ("ns", "namespaces"),
    ("pdb", "poddisruptionbudgets"),
    ("po", "pods"),
    ("pv", "persistentvolumes"),
    ("pvc", "persistentvolumeclaims"),
    ("rc", "replicationcontrollers"),
    ("rs", "replicasets"),
    ("sa", "serviceaccounts"),
    ("sts", "statefulsets"),
    ("svc", "services"),
];

/// Expands short names and singulars of built-in resources (`deploy`, `secret`).
fn canonical_name(name: &str) -> String {
    if let Some((_, full)) = ALIASES.iter().find(|(short, _)| *short == name) {
        return (*full).to_owned();
    }
    let known =
        |n: &str| builtin_is_cluster_scoped(n).is_some() || GROUPS.iter().any(|(r, _)| *r == n);
    let plural = format!("{name}s");
    if !known(name) && known(&plural) {
        plural
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(resource: &str, group: Option<&str>) -> (String, String) {
        let t = Target::parse("get", resource, group).unwrap();
        (t.group, t.resource)
    }

    #[test]
    fn resources_groups_and_short_names() {
        let pair = |g: &str, r: &str| (g.to_owned(), r.to_owned());
        assert_eq!(parse("pods", None), pair("", "pods"));
        assert_eq!(parse("pods/exec", None), pair("", "pods/exec"));
        assert_eq!(parse("deployments.apps", None), pair("apps", "deployments"));
        assert_eq!(
            parse("deployments.apps/scale", None),
            pair("apps", "deployments/scale")
        );
        assert_eq!(parse("deploy", None), pair("apps", "deployments"));
        assert_eq!(parse("secret", None), pair("", "secrets"));
        assert_eq!(parse("Secrets", None), pair("", "secrets"));
        assert_eq!(
            parse("certificates.cert-manager.io", None),
            pair("cert-manager.io", "certificates")
        );
        assert_eq!(
            parse("widgets", Some("contoso.com")),
            pair("contoso.com", "widgets")
        );
        assert_eq!(
            parse("deployments", Some("extensions")),
            pair("extensions", "deployments")
        );
        assert!(Target::parse("get", "/exec", None).is_err());
        assert!(Target::parse("get", "pods/", None).is_err());
        assert!(Target::parse("", "pods", None).is_err());
    }

    #[test]
    fn verbs_are_normalised_and_errors_name_the_input() {
        let target = Target::parse(" LIST ", "cm", None).unwrap();
        assert_eq!(
            (target.verb(), target.group(), target.resource()),
            ("list", "", "configmaps")
        );
        assert_eq!(target.display_group(), "core");
        assert_eq!(
            Target::parse("get", "pods/", None).unwrap_err().to_string(),
            "`pods/` is not a resource (e.g. pods, pods/exec)"
        );
        assert_eq!(
            Target::parse("get all", "pods", None)
                .unwrap_err()
                .to_string(),
            "`get all` is not a verb"
        );
    }
}
