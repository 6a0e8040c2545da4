//! Kubernetes API versions that are no longer served, and the release that removed each
//! (REL001). The one file to edit when Kubernetes removes more APIs: add rows and move
//! [`NEWEST_KNOWN_VERSION`].
//!
//! Source: the Kubernetes "Deprecated API Migration Guide",
//! <https://kubernetes.io/docs/reference/using-api/deprecation-guide/>, as of 2025-06
//! (removals up to v1.32; none are scheduled for 1.33 or 1.34). Removed versions of the
//! same group that the guide does not list by kind (authorization.k8s.io/v1beta1
//! SelfSubjectRulesReview went with the rest of that group version) are included.

/// The newest Kubernetes minor version this table is known to be complete for; the default
/// target of REL001 when `--k8s-version` is not given.
pub(crate) const NEWEST_KNOWN_VERSION: (u32, u32) = (1, 34);

/// `(apiVersion, kind, removed in (major, minor), what to use instead)`. The replacement is
/// an apiVersion, or a short hint where there is none.
pub(crate) type RemovedApi = (&'static str, &'static str, (u32, u32), &'static str);

#[rustfmt::skip]
pub(crate) const REMOVED_APIS: &[RemovedApi] = &[
    // v1.16
    ("extensions/v1beta1", "NetworkPolicy", (1, 16), "networking.k8s.io/v1"),
    ("extensions/v1beta1", "PodSecurityPolicy", (1, 16), "policy/v1beta1 (itself removed in 1.25: migrate to Pod Security Admission)"),
    ("extensions/v1beta1", "DaemonSet", (1, 16), "apps/v1"),
    ("apps/v1beta2", "DaemonSet", (1, 16), "apps/v1"),
    ("extensions/v1beta1", "Deployment", (1, 16), "apps/v1"),
    ("apps/v1beta1", "Deployment", (1, 16), "apps/v1"),
    ("apps/v1beta2", "Deployment", (1, 16), "apps/v1"),
    ("apps/v1beta1", "StatefulSet", (1, 16), "apps/v1"),
    ("apps/v1beta2", "StatefulSet", (1, 16), "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet", (1, 16), "apps/v1"),
    ("apps/v1beta1", "ReplicaSet", (1, 16), "apps/v1"),
    ("apps/v1beta2", "ReplicaSet", (1, 16), "apps/v1"),
    // v1.22
    ("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration", (1, 22), "admissionregistration.k8s.io/v1"),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", (1, 22), "admissionregistration.k8s.io/v1"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", (1, 22), "apiextensions.k8s.io/v1"),
    ("apiregistration.k8s.io/v1beta1", "APIService", (1, 22), "apiregistration.k8s.io/v1"),
    ("authentication.k8s.io/v1beta1", "TokenReview", (1, 22), "authentication.k8s.io/v1"),
    ("authorization.k8s.io/v1beta1", "LocalSubjectAccessReview", (1, 22), "authorization.k8s.io/v1"),
    ("authorization.k8s.io/v1beta1", "SelfSubjectAccessReview", (1, 22), "authorization.k8s.io/v1"),
    ("authorization.k8s.io/v1beta1", "SubjectAccessReview", (1, 22), "authorization.k8s.io/v1"),
    ("authorization.k8s.io/v1beta1", "SelfSubjectRulesReview", (1, 22), "authorization.k8s.io/v1"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest", (1, 22), "certificates.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", "Lease", (1, 22), "coordination.k8s.io/v1"),
    ("extensions/v1beta1", "Ingress", (1, 22), "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "Ingress", (1, 22), "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "IngressClass", (1, 22), "networking.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole", (1, 22), "rbac.authorization.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", (1, 22), "rbac.authorization.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", "Role", (1, 22), "rbac.authorization.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding", (1, 22), "rbac.authorization.k8s.io/v1"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass", (1, 22), "scheduling.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "CSIDriver", (1, 22), "storage.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "CSINode", (1, 22), "storage.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "StorageClass", (1, 22), "storage.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment", (1, 22), "storage.k8s.io/v1"),
    // v1.25
    ("batch/v1beta1", "CronJob", (1, 25), "batch/v1"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice", (1, 25), "discovery.k8s.io/v1"),
    ("events.k8s.io/v1beta1", "Event", (1, 25), "events.k8s.io/v1"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler", (1, 25), "autoscaling/v2"),
    ("policy/v1beta1", "PodDisruptionBudget", (1, 25), "policy/v1"),
    ("policy/v1beta1", "PodSecurityPolicy", (1, 25), "Pod Security Admission (PodSecurityPolicy has no replacement API)"),
    ("node.k8s.io/v1beta1", "RuntimeClass", (1, 25), "node.k8s.io/v1"),
    // v1.26
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", (1, 26), "flowcontrol.apiserver.k8s.io/v1 (v1beta3 before 1.29)"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration", (1, 26), "flowcontrol.apiserver.k8s.io/v1 (v1beta3 before 1.29)"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", (1, 26), "autoscaling/v2"),
    // v1.27
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity", (1, 27), "storage.k8s.io/v1"),
    // v1.29
    ("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", (1, 29), "flowcontrol.apiserver.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", (1, 29), "flowcontrol.apiserver.k8s.io/v1"),
    // v1.32
    ("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", (1, 32), "flowcontrol.apiserver.k8s.io/v1"),
    ("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", (1, 32), "flowcontrol.apiserver.k8s.io/v1"),
];

/// Removed versions whose replacement reads the same fields the same way, so changing
/// `apiVersion` alone is the whole migration (`aksguard fix`, REL001). Left out: renamed or
/// restructured fields (Ingress backends, HPA v2beta1 metrics, webhook and CRD schemas,
/// EndpointSlice topology, PriorityLevelConfiguration shares), changed defaults (apps/*
/// workloads), and replacements a still-supported cluster may not serve yet (flowcontrol v1,
/// 1.29+). policy/v1 reads an empty PodDisruptionBudget selector as every pod where
/// v1beta1 read it as none: only a non-empty selector keeps its meaning.
#[rustfmt::skip]
const SAME_SCHEMA: &[(&str, &str)] = &[
    ("batch/v1beta1", "CronJob"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
    ("policy/v1beta1", "PodDisruptionBudget"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "Role"),
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("coordination.k8s.io/v1beta1", "Lease"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
];

/// Whether `api_version`/`kind` becomes its replacement by changing `apiVersion` alone.
pub(crate) fn same_schema(api_version: &str, kind: &str) -> bool {
    SAME_SCHEMA.contains(&(api_version, kind))
}

/// The removal of `kind` in `api_version` if it was removed in or before `target`.
/// apiVersion and kind compare exactly, as the API server does.
pub(crate) fn removed_by(
    api_version: &str,
    kind: &str,
    target: (u32, u32),
) -> Option<&'static RemovedApi> {
    REMOVED_APIS
        .iter()
        .find(|(version, removed_kind, _, _)| *version == api_version && *removed_kind == kind)
        .filter(|(_, _, removed_in, _)| *removed_in <= target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_removals_up_to_the_target_only() {
        let cronjob = removed_by("batch/v1beta1", "CronJob", (1, 25)).unwrap();
        assert_eq!(cronjob.2, (1, 25));
        assert_eq!(cronjob.3, "batch/v1");
        assert!(removed_by("batch/v1beta1", "CronJob", (1, 24)).is_none());
        assert!(removed_by("batch/v1beta1", "CronJob", (1, 15)).is_none());
        assert!(removed_by("apps/v1beta1", "Deployment", (1, 16)).is_some());
        // Minor versions compare numerically, not as text (1.100 > 1.32 > 1.4).
        assert!(removed_by("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", (1, 4)).is_none());
        assert!(
            removed_by(
                "flowcontrol.apiserver.k8s.io/v1beta3",
                "FlowSchema",
                (1, 100)
            )
            .is_some()
        );
        assert!(removed_by("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", (2, 0)).is_some());
    }

    #[test]
    fn current_versions_and_other_kinds_are_not_removed() {
        let newest = NEWEST_KNOWN_VERSION;
        assert!(removed_by("apps/v1", "Deployment", newest).is_none());
        assert!(removed_by("batch/v1", "CronJob", newest).is_none());
        // A kind that never existed in that version is not in the table.
        assert!(removed_by("batch/v1beta1", "Job", newest).is_none());
        // Exact matching: no case folding, no prefix matching.
        assert!(removed_by("Apps/v1beta1", "Deployment", newest).is_none());
        assert!(removed_by("apps/v1beta1", "deployment", newest).is_none());
    }

    #[test]
    fn same_schema_rows_are_removed_apis_with_an_api_version_as_replacement() {
        for (version, kind) in SAME_SCHEMA {
            let row = removed_by(version, kind, NEWEST_KNOWN_VERSION)
                .unwrap_or_else(|| panic!("{version} {kind} is not a removed API"));
            assert!(
                row.3.contains('/') && !row.3.contains(' '),
                "{version} {kind}: {}",
                row.3
            );
        }
    }

    #[test]
    fn table_is_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for (version, kind, removed_in, replacement) in REMOVED_APIS {
            assert!(
                seen.insert((version, kind)),
                "duplicate row {version} {kind}"
            );
            assert!(version.contains('/'), "{version} has no group");
            assert!(!kind.is_empty() && !replacement.is_empty());
            assert!(
                *removed_in <= NEWEST_KNOWN_VERSION,
                "{version} {kind} removed after the newest known version"
            );
            assert_ne!(*replacement, *version);
        }
    }
}
