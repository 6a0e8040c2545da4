//! `aksguard who-can` on RBAC manifests in a temporary directory: cluster-wide and namespaced
//! grants, aggregated ClusterRoles, RoleBindings to ClusterRoles, built-in cluster-admin,
//! subresources and API groups, roles missing from the scan, exit codes.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

/// RBAC objects spread over several files, as a chart or a GitOps repository holds them.
const FILES: &[(&str, &str)] = &[
    (
        "roles/aggregated.yaml",
        r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring
aggregationRule:
  clusterRoleSelectors:
    - matchLabels: {contoso.com/aggregate-to-monitoring: "true"}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring-secrets
  labels: {contoso.com/aggregate-to-monitoring: "true"}
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: unrelated-part
  labels: {contoso.com/aggregate-to-other: "true"}
rules:
  - apiGroups: [""]
    resources: [pods/exec]
    verbs: [create]
"#,
    ),
    (
        "roles/shop.yaml",
        r#"apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
  namespace: shop
rules:
  - apiGroups: [apps]
    resources: [deployments]
    verbs: [get, create, update]
  - apiGroups: [""]
    resources: [secrets]
    resourceNames: [shop-db]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: exec
rules:
  - apiGroups: [""]
    resources: ["pods/*", nodes]
    verbs: [create, get]
"#,
    ),
    (
        "bindings.yaml",
        r#"apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: monitoring
subjects:
  - {kind: ServiceAccount, name: prometheus, namespace: monitoring}
  - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: sre}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: admins
subjects:
  - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: platform-admins}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: deployer
  namespace: shop
subjects:
  - {kind: ServiceAccount, name: pipeline, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
---
# A RoleBinding to a ClusterRole: granted in `shop` only.
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: oncall-exec
  namespace: shop
subjects:
  - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: oncall}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: exec}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: editors
  namespace: billing
subjects:
  - {kind: Group, apiGroup: rbac.authorization.k8s.io, name: billing-devs}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
"#,
    ),
];

fn fixture() -> TempDir {
    let dir = TempDir::new().unwrap();
    for (name, text) in FILES {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn aksguard(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("aksguard").expect("binary is built");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// Runs who-can with `--format json` and returns the exit code and the report.
fn who_can(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let output = aksguard(dir)
        .arg("who-can")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "not JSON ({err}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), report)
}

/// `Kind name via BindingKind binding-name` for each grant, sorted.
fn grants(report: &Value) -> Vec<String> {
    let mut grants: Vec<String> = report["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            format!(
                "{} {} via {} {}",
                g["subject"]["kind"].as_str().unwrap(),
                g["subject"]["name"].as_str().unwrap(),
                g["binding"]["kind"].as_str().unwrap(),
                g["binding"]["name"].as_str().unwrap()
            )
        })
        .collect();
    grants.sort();
    grants
}

#[test]
fn cluster_wide_grants_include_aggregated_roles_and_builtin_cluster_admin() {
    let dir = fixture();
    let (code, report) = who_can(dir.path(), &["list", "secrets"]);
    assert_eq!(code, Some(0));
    assert_eq!(report["scope"], "cluster-wide");
    assert_eq!(
        grants(&report),
        [
            "Group platform-admins via ClusterRoleBinding admins",
            "Group sre via ClusterRoleBinding monitoring",
            "ServiceAccount prometheus via ClusterRoleBinding monitoring",
        ]
    );
    let monitoring = report["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["subject"]["name"] == "sre")
        .unwrap();
    assert_eq!(monitoring["role"]["aggregated"], true);
    assert_eq!(monitoring["binding"]["path"], "./bindings.yaml");
    assert_eq!(monitoring["binding"]["line"], 7);
}

#[test]
fn namespace_adds_its_role_bindings_including_ones_to_cluster_roles() {
    let dir = fixture();
    let (code, report) = who_can(dir.path(), &["create", "pods/exec", "-n", "shop"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        grants(&report),
        [
            "Group oncall via RoleBinding oncall-exec",
            "Group platform-admins via ClusterRoleBinding admins",
        ]
    );
    // The aggregated role's unrelated part is not picked up, and shop's grant stays in shop.
    let (_, elsewhere) = who_can(dir.path(), &["create", "pods/exec", "-n", "billing"]);
    assert_eq!(
        grants(&elsewhere),
        ["Group platform-admins via ClusterRoleBinding admins"]
    );
    // A RoleBinding never grants a cluster-scoped resource, even through a ClusterRole.
    let (_, nodes) = who_can(dir.path(), &["get", "nodes", "-n", "shop"]);
    assert_eq!(
        grants(&nodes),
        ["Group platform-admins via ClusterRoleBinding admins"]
    );
}

#[test]
fn api_groups_short_names_and_resource_names() {
    let dir = fixture();
    for args in [
        &["create", "deployments.apps", "-n", "shop"][..],
        &["create", "deploy", "-n", "shop"],
        &["create", "deployments", "--api-group", "apps", "-n", "shop"],
    ] {
        let (code, report) = who_can(dir.path(), args);
        assert_eq!(code, Some(0));
        assert_eq!(report["group"], "apps", "{args:?}");
        assert_eq!(
            grants(&report),
            [
                "Group platform-admins via ClusterRoleBinding admins",
                "ServiceAccount pipeline via RoleBinding deployer",
            ],
            "{args:?}"
        );
    }
    // In the legacy group the Role grants nothing.
    let (_, legacy) = who_can(
        dir.path(),
        &["create", "deployments.extensions", "-n", "shop"],
    );
    assert_eq!(
        grants(&legacy),
        ["Group platform-admins via ClusterRoleBinding admins"]
    );
    let (_, secrets) = who_can(dir.path(), &["get", "secrets", "-n", "shop"]);
    let pipeline = secrets["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["subject"]["name"] == "pipeline")
        .expect("the deployer Role reads one secret");
    assert_eq!(pipeline["resource_names"], serde_json::json!(["shop-db"]));
}

#[test]
fn all_namespaces_and_roles_missing_from_the_scan() {
    let dir = fixture();
    let (code, report) = who_can(dir.path(), &["get", "pods/log", "-A"]);
    assert_eq!(code, Some(0));
    assert_eq!(report["scope"], "all-namespaces");
    let unknown: Vec<&str> = report["unknown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["role"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        unknown,
        ["edit"],
        "the built-in edit role is not in the scan"
    );
    assert!(grants(&report).contains(&"Group oncall via RoleBinding oncall-exec".to_owned()));
}

#[test]
fn table_output_and_no_subject() {
    let dir = fixture();
    let output = aksguard(dir.path())
        .args(["who-can", "escalate", "clusterroles", "-n", "shop"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "answered, even if only by cluster-admin"
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("Who can escalate clusterroles (rbac.authorization.k8s.io group)"));
    assert!(text.contains("SUBJECT"));
    assert!(text.contains("Group platform-admins"));
    assert!(text.contains("ClusterRole cluster-admin (built in)"));

    let output = aksguard(dir.path())
        .args(["who-can", "impersonate", "users", "bindings.yaml"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(text.contains("platform-admins"));

    let empty = TempDir::new().unwrap();
    std::fs::write(
        empty.path().join("role.yaml"),
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: a}\n",
    )
    .unwrap();
    let output = aksguard(empty.path())
        .args(["who-can", "get", "pods", "-A"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        String::from_utf8(output.stdout)
            .unwrap()
            .contains("No subject in the scanned files is granted this.")
    );
}

#[test]
fn load_errors_and_empty_inputs_exit_2() {
    let dir = fixture();
    std::fs::write(dir.path().join("broken.yaml"), "kind: [unclosed\n").unwrap();
    let output = aksguard(dir.path())
        .args(["who-can", "list", "secrets"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("broken.yaml"));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("Group sre"),
        "the answer from the readable files is still printed"
    );

    let empty = TempDir::new().unwrap();
    let output = aksguard(empty.path())
        .args(["who-can", "list", "secrets"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no Kubernetes objects"));

    let output = aksguard(dir.path())
        .args(["who-can", "get", "pods/"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
