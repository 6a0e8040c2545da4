//! `deploy/`, the webhook's Kustomize manifests: each overlay renders with `kubectl kustomize`
//! (what users run), and the render passes `aksguard scan --complete` with zero findings and
//! exit 0 ("we eat our own cooking"). The webhook configuration is also checked for what the
//! API server and the webhook need: paths the API server accepts, one entry per mode, the
//! exclusions, the failure policy, the CA injection.
//!
//! Needs kubectl on PATH. Without it the tests skip with a message, except under
//! `AKSGUARD_REQUIRE_SHARED=1` (set by `.ci/run`, which installs kubectl), where they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use aksguard_load::{Limits, load_text_all};
use aksguard_model::{Node, Object};
use aksguard_testkit::{shared_required, workspace_root};

fn deploy_dir() -> PathBuf {
    workspace_root().join("deploy")
}

/// Whether kubectl can run; when it cannot, says so and skips, or fails under
/// `AKSGUARD_REQUIRE_SHARED=1`.
fn kubectl_available() -> bool {
    let works = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|out| out.status.success());
    if works {
        return true;
    }
    assert!(
        !shared_required(),
        "kubectl is not on PATH but AKSGUARD_REQUIRE_SHARED is set: CI must render deploy/ \
         (.ci/run installs kubectl)"
    );
    eprintln!("SKIPPED: kubectl is not on PATH; deploy/ was not rendered");
    false
}

/// `kubectl kustomize DIR`, which must succeed and print something.
fn render(dir: &Path) -> String {
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .expect("run kubectl kustomize");
    assert!(
        out.status.success(),
        "kubectl kustomize {} failed: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("the render is UTF-8");
    assert!(
        !text.trim().is_empty(),
        "{} rendered nothing",
        dir.display()
    );
    text
}

/// Writes `rendered` to a file and runs `aksguard scan --complete` on it with `config` (or
/// `--no-config`); asserts exit 0, zero findings and zero errors, printing the table on failure.
fn assert_scan_is_clean(name: &str, rendered: &str, config: Option<&Path>) {
    assert_scan_is_clean_but_for(name, rendered, config, &[]);
}

/// A suppression a render may hold: an `aksguard.io/ignore` annotation on the object of this
/// kind and name, for these rules (with the reason the annotation gives).
struct AllowedSuppression {
    kind: &'static str,
    name: &'static str,
    rules: &'static [&'static str],
}

/// [`assert_scan_is_clean`], except that the findings `allowed` names may be suppressed by
/// their objects' annotations (each listed in the report with its reason); any other
/// suppression, and every active finding, fails.
fn assert_scan_is_clean_but_for(
    name: &str,
    rendered: &str,
    config: Option<&Path>,
    allowed: &[AllowedSuppression],
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(format!("{name}.yaml"));
    std::fs::write(&file, rendered).expect("write the render");
    let run = |format: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_aksguard"));
        command.args(["scan", "--complete", "--format", format]);
        match config {
            Some(config) => command.arg("--config").arg(config),
            None => command.arg("--no-config"),
        };
        command.arg(&file).output().expect("run aksguard scan")
    };
    let out = run("json");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: the JSON report does not parse ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let summary = &report["summary"];
    let suppressed = report["suppressed"].as_array().cloned().unwrap_or_default();
    let unexpected: Vec<String> = suppressed
        .iter()
        .filter(|finding| {
            let rule = finding["rule_id"].as_str().unwrap_or_default();
            let kind = finding["object"]["kind"].as_str().unwrap_or_default();
            let object = finding["object"]["name"].as_str().unwrap_or_default();
            let by_annotation = finding["suppression"]["kind"] == "annotation"
                && finding["suppression"]["reason"]
                    .as_str()
                    .is_some_and(|reason| reason.len() > 40);
            !(by_annotation
                && allowed
                    .iter()
                    .any(|a| a.kind == kind && a.name == object && a.rules.contains(&rule)))
        })
        .map(|finding| {
            format!(
                "{} on {}/{} ({})",
                finding["rule_id"],
                finding["object"]["kind"],
                finding["object"]["name"],
                finding["suppression"]
            )
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "{name}: suppressions nobody allowed: {unexpected:#?}"
    );
    let clean = out.status.code() == Some(0)
        && summary["findings"] == 0
        && summary["errors"] == 0
        && summary["suppressed"] == suppressed.len();
    if !clean {
        let table = run("table");
        panic!(
            "{name}: `aksguard scan --complete` of the render is not clean (exit {:?}, summary \
             {summary}):\n{}{}",
            out.status.code(),
            String::from_utf8_lossy(&table.stdout),
            String::from_utf8_lossy(&table.stderr)
        );
    }
    // Every document of the render was scanned (`kubectl kustomize` separates them with
    // `---` lines), and a render is never nearly empty.
    let documents = 1 + rendered.matches("\n---\n").count() as u64;
    assert!(
        summary["objects"]
            .as_u64()
            .is_some_and(|n| n >= 8 && n == documents),
        "{name}: not every one of the {documents} documents was scanned: {summary}"
    );
}

fn load(name: &str, rendered: &str) -> Vec<Object> {
    let result = load_text_all(name, rendered, &Limits::default());
    assert!(
        result.errors.is_empty(),
        "{name}: {:?}",
        result
            .errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    result.objects
}

fn one<'a>(objects: &'a [Object], kind: &str) -> &'a Object {
    let found: Vec<&Object> = objects.iter().filter(|o| o.kind == kind).collect();
    assert_eq!(found.len(), 1, "expected one {kind}, found {}", found.len());
    found[0]
}

fn strs(node: Option<&Node>) -> Vec<&str> {
    node.map(|n| n.items().iter().filter_map(Node::as_str).collect())
        .unwrap_or_default()
}

fn text<'a>(node: &'a Node, path: &str) -> &'a str {
    node.at(path)
        .and_then(Node::as_str)
        .unwrap_or_else(|| panic!("`{path}` is missing or not a string"))
}

/// The API server's rule for a webhook service path: it starts with `/` and every segment
/// is a DNS subdomain name (lowercase alphanumerics, `-` and `.`), so no query string.
fn api_server_accepts_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    rest.split('/').all(|segment| {
        !segment.is_empty()
            && segment.len() <= 253
            && segment.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            })
    })
}

/// The namespaces every webhook entry must skip: the Kubernetes and AKS system namespaces
/// (as aksguard's NS rules list them) and the webhook's own.
fn excluded_namespaces() -> Vec<&'static str> {
    let mut excluded = aksguard_rules::SYSTEM_NAMESPACES.to_vec();
    excluded.push("aksguard-system");
    excluded
}

/// The mode each entry serves and the path that tells the webhook: one per value of the
/// namespace label `aksguard.io/mode`, plus the default.
const ENTRIES: &[(&str, &str)] = &[
    ("enforce.validate.aksguard.io", "/validate/enforce"),
    ("warn.validate.aksguard.io", "/validate/warn"),
    ("audit.validate.aksguard.io", "/validate/audit"),
    ("default.validate.aksguard.io", "/validate"),
];

fn match_expression<'a>(webhook: &'a Node, key: &str) -> &'a Node {
    webhook
        .at("namespaceSelector.matchExpressions")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .find(|e| e.get("key").and_then(Node::as_str) == Some(key))
        .unwrap_or_else(|| panic!("no namespaceSelector expression on `{key}`"))
}

/// Resources an entry's rules list with the given scope.
fn resources<'a>(webhook: &'a Node, scope: &str) -> Vec<&'a str> {
    webhook
        .get("rules")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter(|rule| rule.get("scope").and_then(Node::as_str) == Some(scope))
        .flat_map(|rule| strs(rule.get("resources")))
        .collect()
}

/// Checks the ValidatingWebhookConfiguration against what the API server and the webhook
/// need; `failure_policy` is the one every entry must have.
fn check_webhook_configuration(objects: &[Object], failure_policy: &str) {
    let vwc = one(objects, "ValidatingWebhookConfiguration");
    let annotations = vwc.root.at("metadata.annotations").expect("annotations");
    assert_eq!(
        annotations
            .get("admissions.enforcer/disabled")
            .and_then(Node::as_str),
        Some("true"),
        "AKS's Admissions Enforcer must be told to leave the selectors alone"
    );
    let webhooks = vwc.root.get("webhooks").expect("webhooks").items();
    let names: Vec<&str> = webhooks.iter().map(|w| text(w, "name")).collect();
    let expected: Vec<&str> = ENTRIES.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, expected);

    let service = one(objects, "Service");
    for (webhook, (name, path)) in webhooks.iter().zip(ENTRIES) {
        assert_eq!(text(webhook, "clientConfig.service.path"), *path, "{name}");
        assert!(api_server_accepts_path(path), "{name}: {path}");
        assert_eq!(
            text(webhook, "clientConfig.service.name"),
            service.name.as_deref().unwrap(),
            "{name}"
        );
        assert_eq!(
            text(webhook, "clientConfig.service.namespace"),
            service.namespace.as_deref().unwrap(),
            "{name}"
        );
        assert_eq!(text(webhook, "failurePolicy"), failure_policy, "{name}");
        assert_eq!(text(webhook, "sideEffects"), "None", "{name}");
        assert_eq!(text(webhook, "matchPolicy"), "Equivalent", "{name}");
        assert_eq!(
            webhook.get("timeoutSeconds").and_then(Node::as_i64),
            Some(3),
            "{name}"
        );
        assert_eq!(
            strs(webhook.get("admissionReviewVersions")),
            ["v1"],
            "{name}"
        );

        let skipped = match_expression(webhook, "kubernetes.io/metadata.name");
        assert_eq!(text(skipped, "operator"), "NotIn", "{name}");
        assert_eq!(strs(skipped.get("values")), excluded_namespaces(), "{name}");
        let managed = match_expression(webhook, "kubernetes.azure.com/managedby");
        assert_eq!(text(managed, "operator"), "NotIn", "{name}");
        assert_eq!(strs(managed.get("values")), ["aks"], "{name}");

        let mode = match_expression(webhook, "aksguard.io/mode");
        let mode_name = name.split('.').next().unwrap();
        if mode_name == "default" {
            // A missing label and any value that is not a mode (a typo) get the default
            // mode; only `off` switches the checks off.
            assert_eq!(text(mode, "operator"), "NotIn", "{name}");
            assert_eq!(
                strs(mode.get("values")),
                ["enforce", "warn", "audit", "off"],
                "{name}"
            );
        } else {
            assert_eq!(text(mode, "operator"), "In", "{name}");
            assert_eq!(strs(mode.get("values")), [mode_name], "{name}");
        }

        let namespaced = resources(webhook, "Namespaced");
        for kind in [
            "pods",
            "deployments",
            "statefulsets",
            "daemonsets",
            "replicasets",
            "jobs",
            "cronjobs",
            "replicationcontrollers",
            "roles",
            "rolebindings",
            "services",
            "ingresses",
            "networkpolicies",
        ] {
            assert!(namespaced.contains(&kind), "{name} does not judge {kind}");
        }
        // Cluster-scoped objects ignore namespaceSelector: listed in several entries they
        // would be judged (and denied or warned about) several times.
        let cluster = resources(webhook, "Cluster");
        let cluster_wide_rbac = cluster.contains(&"clusterroles");
        assert_eq!(cluster_wide_rbac, mode_name == "default", "{name}");
        assert_eq!(
            cluster_wide_rbac,
            cluster.contains(&"clusterrolebindings"),
            "{name}"
        );
        assert!(cluster.contains(&"namespaces"), "{name}");
        for rule in webhook.get("rules").map(Node::items).unwrap_or_default() {
            assert_eq!(strs(rule.get("operations")), ["CREATE", "UPDATE"], "{name}");
        }
    }
}

/// The Deployment runs what the webhook's command line needs, from a pinned image, with the
/// certificate mounted so that renewals reach the files.
fn check_deployment(objects: &[Object]) {
    let deployment = one(objects, "Deployment");
    assert_eq!(
        deployment.root.at("spec.replicas").and_then(Node::as_i64),
        Some(2)
    );
    let pod = deployment.root.at("spec.template.spec").expect("pod spec");
    let container = &pod.get("containers").expect("containers").items()[0];
    // `<registry>/aksguard/aksguard:<version>@sha256:<64 hex digits>`: the release workflow
    // rewrites the version and the digest, so both must be where it looks for them.
    let image = text(container, "image");
    let (name, digest) = image
        .split_once("@sha256:")
        .unwrap_or_else(|| panic!("image `{image}` is not pinned by a sha256 digest"));
    assert!(
        digest.len() == 64
            && digest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "image `{image}`: the digest is not 64 lowercase hex digits"
    );
    let (repository, version) = name
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("image `{image}` has no version tag"));
    assert!(
        repository.ends_with("/aksguard/aksguard"),
        "image `{image}` is not aksguard's"
    );
    assert!(
        version.split('.').count() == 3 && version.split('.').all(|n| n.parse::<u32>().is_ok()),
        "image `{image}`: the tag is not a version"
    );
    let args = strs(container.get("args"));
    assert_eq!(args.first(), Some(&"webhook"), "{args:?}");
    for flag in ["--tls-cert=", "--tls-key=", "--config="] {
        assert!(
            args.iter().any(|a| a.starts_with(flag)),
            "{flag} in {args:?}"
        );
    }
    for mount in container
        .get("volumeMounts")
        .map(Node::items)
        .unwrap_or_default()
    {
        assert!(
            mount.get("subPath").is_none(),
            "a subPath mount never sees a renewed certificate"
        );
    }
    assert!(
        objects.iter().any(|o| o.kind == "PodDisruptionBudget"),
        "no PodDisruptionBudget"
    );
}

#[test]
fn base_renders_and_passes_its_own_scan() {
    if !kubectl_available() {
        return;
    }
    let rendered = render(&deploy_dir().join("base"));
    let objects = load("base", &rendered);
    check_webhook_configuration(&objects, "Ignore");
    check_deployment(&objects);
    assert_scan_is_clean("base", &rendered, Some(&deploy_dir().join("aksguard.toml")));
}

#[test]
fn cert_manager_overlay_injects_the_ca_of_its_certificate() {
    if !kubectl_available() {
        return;
    }
    let rendered = render(&deploy_dir().join("overlays/cert-manager"));
    let objects = load("cert-manager", &rendered);
    check_webhook_configuration(&objects, "Ignore");
    check_deployment(&objects);
    let vwc = one(&objects, "ValidatingWebhookConfiguration");
    let inject = vwc
        .root
        .at("metadata.annotations")
        .and_then(|a| a.get("cert-manager.io/inject-ca-from"))
        .and_then(Node::as_str)
        .expect("cert-manager.io/inject-ca-from");
    // It names the Certificate that writes the Secret the pods mount.
    let certificate = objects
        .iter()
        .find(|o| {
            o.kind == "Certificate"
                && format!(
                    "{}/{}",
                    o.namespace.as_deref().unwrap_or(""),
                    o.name.as_deref().unwrap_or("")
                ) == inject
        })
        .unwrap_or_else(|| panic!("no Certificate {inject}"));
    let secret = text(&certificate.root, "spec.secretName");
    let deployment = one(&objects, "Deployment");
    let volumes = deployment
        .root
        .at("spec.template.spec.volumes")
        .expect("volumes")
        .items();
    assert!(
        volumes
            .iter()
            .any(|v| v.at("secret.secretName").and_then(Node::as_str) == Some(secret)),
        "the pods do not mount {secret}"
    );
    let names: Vec<&str> = strs(certificate.root.at("spec.dnsNames"));
    assert!(
        names.contains(&"aksguard-webhook.aksguard-system.svc"),
        "{names:?}"
    );
    assert_scan_is_clean(
        "cert-manager",
        &rendered,
        Some(&deploy_dir().join("aksguard.toml")),
    );
}

#[test]
fn static_secret_overlay_sets_a_ca_bundle_on_every_entry() {
    if !kubectl_available() {
        return;
    }
    let rendered = render(&deploy_dir().join("overlays/static-secret"));
    let objects = load("static-secret", &rendered);
    check_webhook_configuration(&objects, "Ignore");
    let vwc = one(&objects, "ValidatingWebhookConfiguration");
    for webhook in vwc.root.get("webhooks").unwrap().items() {
        // The committed placeholder is not base64, so the API server refuses it until the
        // documented `sed` replaced it.
        assert_eq!(
            text(webhook, "clientConfig.caBundle"),
            "REPLACE_WITH_BASE64_CA_CERT"
        );
    }
    assert!(
        objects.iter().all(|o| o.kind != "Secret"),
        "a private key belongs in no manifest"
    );
    assert_scan_is_clean(
        "static-secret",
        &rendered,
        Some(&deploy_dir().join("aksguard.toml")),
    );
}

#[test]
fn aks_overlay_passes_the_default_registry_policy() {
    if !kubectl_available() {
        return;
    }
    let rendered = render(&deploy_dir().join("overlays/aks"));
    let objects = load("aks", &rendered);
    check_webhook_configuration(&objects, "Ignore");
    check_deployment(&objects);
    check_scanner(&objects);
    // Without components/store the scanner records nothing and needs no Secret.
    let cron_job = one(&objects, "CronJob");
    let scanner = &cron_job
        .root
        .at("spec.jobTemplate.spec.template.spec.containers")
        .expect("containers")
        .items()[0];
    assert!(env(scanner, "AKSGUARD_STORE").is_none());
    assert!(!strs(scanner.get("args")).contains(&"--store"));
    // No aksguard.toml: the image comes from an Azure Container Registry, which the default
    // allowed registries accept.
    assert_scan_is_clean("aks", &rendered, None);
}

/// The in-cluster scanner (components/scanner): a CronJob running `aksguard scan --cluster`
/// as a ServiceAccount bound to the ClusterRole generated from the kinds a live scan lists,
/// with read verbs only and nothing on Secrets.
fn check_scanner(objects: &[Object]) {
    let cron_job = one(objects, "CronJob");
    let pod = cron_job
        .root
        .at("spec.jobTemplate.spec.template.spec")
        .expect("pod spec");
    let container = &pod.get("containers").expect("containers").items()[0];
    let args = strs(container.get("args"));
    assert_eq!(&args[..2], ["scan", "--cluster"], "{args:?}");
    // Writing to the cluster comes only with the policyreport-writer component's RBAC.
    let writer_role = objects.iter().any(|o| {
        o.kind == "ClusterRole" && o.name.as_deref() == Some("aksguard-policyreport-writer")
    });
    assert_eq!(
        args.contains(&"--publish-policyreports"),
        writer_role,
        "--publish-policyreports with the writer's RBAC and only then: {args:?}"
    );
    let deployment = one(objects, "Deployment");
    let webhook_image = deployment
        .root
        .at("spec.template.spec.containers")
        .map(|c| text(&c.items()[0], "image"))
        .expect("webhook image");
    assert_eq!(
        text(container, "image"),
        webhook_image,
        "the scanner runs the webhook's pinned image"
    );
    let service_account = text(pod, "serviceAccountName");

    let role = objects
        .iter()
        .find(|o| o.kind == "ClusterRole" && o.name.as_deref() == Some("aksguard-scanner"))
        .expect("ClusterRole aksguard-scanner");
    let mut granted = Vec::new();
    for rule in role.root.get("rules").expect("rules").items() {
        assert_eq!(
            strs(rule.get("verbs")),
            aksguard_kube::rbac::READ_VERBS,
            "read verbs only"
        );
        for group in strs(rule.get("apiGroups")) {
            for resource in strs(rule.get("resources")) {
                assert_ne!(resource, "secrets", "the scanner never reads Secrets");
                assert_ne!(resource, "*");
                granted.push((group.to_owned(), resource.to_owned()));
            }
        }
    }
    granted.sort();
    let mut listed: Vec<(String, String)> = aksguard_kube::resources::resources()
        .iter()
        .map(|r| (r.group.to_owned(), r.resource.to_owned()))
        .collect();
    listed.sort();
    assert_eq!(
        granted, listed,
        "the ClusterRole grants exactly what a live scan lists"
    );

    let binding = objects
        .iter()
        .find(|o| o.kind == "ClusterRoleBinding" && o.name.as_deref() == Some("aksguard-scanner"))
        .expect("ClusterRoleBinding aksguard-scanner");
    assert_eq!(text(&binding.root, "roleRef.name"), "aksguard-scanner");
    let subject = &binding.root.get("subjects").expect("subjects").items()[0];
    assert_eq!(text(subject, "name"), service_account);
    assert_eq!(
        text(subject, "namespace"),
        cron_job.namespace.as_deref().unwrap()
    );
}

#[test]
fn scanner_cluster_role_is_the_generated_one() {
    let committed =
        std::fs::read_to_string(workspace_root().join(aksguard_kube::rbac::CLUSTER_ROLE_PATH))
            .expect("read the scanner ClusterRole");
    assert_eq!(
        committed,
        aksguard_kube::rbac::cluster_role_yaml(),
        "run `cargo run -p xtask -- generate-docs`"
    );
}

/// The scanner component pins the same image as the base (the base's `images:` reaches only
/// the base's objects), so a release that bumps one and not the other fails here.
#[test]
fn scanner_component_pins_the_base_image() {
    let pin = |path: &str| {
        let text = std::fs::read_to_string(deploy_dir().join(path)).expect("read kustomization");
        let start = text.find("\nimages:").expect("an images: entry");
        text[start..].trim().to_owned()
    };
    for pinned in [
        "components/scanner/kustomization.yaml",
        "overlays/dashboard/kustomization.yaml",
    ] {
        assert_eq!(pin("base/kustomization.yaml"), pin(pinned), "{pinned}");
    }
}

/// `overlays/aks` rendered with `components/<component>` added, as a user's overlay would.
fn render_aks_with(component: &str) -> String {
    // kustomize refuses absolute paths to other kustomizations: refer to them relatively
    // from a temporary directory inside the workspace's target folder.
    let scratch = tempfile::Builder::new()
        .prefix(&format!("deploy-{component}"))
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temp dir");
    let up = relative_to_root(scratch.path());
    std::fs::write(
        scratch.path().join("kustomization.yaml"),
        format!(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n\
             resources:\n  - {up}/deploy/overlays/aks\n\
             components:\n  - {up}/deploy/components/{component}\n"
        ),
    )
    .expect("write kustomization");
    render(scratch.path())
}

#[test]
fn policyreport_writer_component_grants_only_policyreports() {
    if !kubectl_available() {
        return;
    }
    let rendered = render_aks_with("policyreport-writer");
    let objects = load("policyreport-writer", &rendered);
    check_scanner(&objects);
    let writer = objects
        .iter()
        .find(|o| {
            o.kind == "ClusterRole" && o.name.as_deref() == Some("aksguard-policyreport-writer")
        })
        .expect("ClusterRole aksguard-policyreport-writer");
    for rule in writer.root.get("rules").expect("rules").items() {
        assert_eq!(strs(rule.get("apiGroups")), ["wgpolicyk8s.io"]);
        assert_eq!(
            strs(rule.get("resources")),
            ["policyreports", "clusterpolicyreports"]
        );
        for verb in strs(rule.get("verbs")) {
            assert!(
                ["get", "list", "create", "patch", "delete"].contains(&verb),
                "{verb}"
            );
        }
    }
    assert_scan_is_clean("policyreport-writer", &rendered, None);
}

#[test]
fn fail_closed_component_turns_every_entry_to_fail() {
    if !kubectl_available() {
        return;
    }
    let rendered = render_aks_with("fail-closed");
    let objects = load("fail-closed", &rendered);
    check_webhook_configuration(&objects, "Fail");
    assert_scan_is_clean("fail-closed", &rendered, None);
}

/// `../..` steps from `dir` up to the filesystem root, followed by the workspace root's path
/// (both canonical), so that the result names the workspace relative to `dir`.
fn relative_to_root(dir: &Path) -> String {
    let dir = dir.canonicalize().expect("canonical temp dir");
    let ups = dir.components().count() - 1;
    let root = workspace_root();
    let root = root.to_str().expect("UTF-8 workspace path");
    format!("{}{root}", "../".repeat(ups).trim_end_matches('/'))
}

#[test]
fn webhook_paths_follow_the_api_servers_rule() {
    assert!(api_server_accepts_path("/validate"));
    assert!(api_server_accepts_path("/validate/enforce"));
    // What the API server refuses: a query string, upper case, empty segments.
    assert!(!api_server_accepts_path("/validate?mode=enforce"));
    assert!(!api_server_accepts_path("/Validate"));
    assert!(!api_server_accepts_path("/validate//warn"));
    assert!(!api_server_accepts_path("validate"));
}

/// The README's commands for a certificate without cert-manager ("Without cert-manager"),
/// between its `static-secret-commands` markers.
fn documented_static_secret_commands() -> String {
    let readme =
        std::fs::read_to_string(workspace_root().join("README.md")).expect("read README.md");
    let start = readme
        .find("<!-- static-secret-commands:start -->")
        .expect("README.md has the static-secret-commands start marker");
    let end = readme
        .find("<!-- static-secret-commands:end -->")
        .expect("README.md has the static-secret-commands end marker");
    let block = &readme[start..end];
    let body = block
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(body, _)| body)
        .expect("a ```sh block between the markers");
    body.to_owned()
}

/// Whether `tool` runs (`tool version`-style probe given as `args`); else skips with a
/// message, or fails under `AKSGUARD_REQUIRE_SHARED=1`.
fn tool_available(tool: &str, args: &[&str]) -> bool {
    if Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|out| out.status.success())
    {
        return true;
    }
    assert!(
        !shared_required(),
        "{tool} is not on PATH but AKSGUARD_REQUIRE_SHARED is set"
    );
    eprintln!("SKIPPED: {tool} is not on PATH");
    false
}

#[test]
fn documented_openssl_commands_give_a_certificate_the_static_overlay_trusts() {
    if !kubectl_available() || !tool_available("openssl", &["version"]) {
        return;
    }
    // A scratch copy of the repository's layout: the overlay's two files (the commands edit
    // ca-bundle.yaml in place), with `../../base` pointing back at the real base.
    let scratch = tempfile::Builder::new()
        .prefix("deploy-static-secret")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("temp dir");
    let overlay = scratch.path().join("deploy/overlays/static-secret");
    std::fs::create_dir_all(&overlay).expect("create the overlay copy");
    let source = deploy_dir().join("overlays/static-secret");
    let kustomization = std::fs::read_to_string(source.join("kustomization.yaml"))
        .expect("read kustomization.yaml");
    let base = format!("{}/deploy/base", relative_to_root(&overlay));
    assert!(kustomization.contains("  - ../../base\n"));
    std::fs::write(
        overlay.join("kustomization.yaml"),
        kustomization.replace("  - ../../base\n", &format!("  - {base}\n")),
    )
    .expect("write kustomization.yaml");
    std::fs::copy(
        source.join("ca-bundle.yaml"),
        overlay.join("ca-bundle.yaml"),
    )
    .expect("copy ca-bundle.yaml");

    let out = Command::new("bash")
        .args([
            "-euo",
            "pipefail",
            "-c",
            &documented_static_secret_commands(),
        ])
        .current_dir(scratch.path())
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "the README's commands failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The serving certificate verifies against the CA for a TLS server.
    let certs = scratch.path().join("certs");
    let verify = Command::new("openssl")
        .args(["verify", "-purpose", "sslserver", "-CAfile"])
        .arg(certs.join("ca.crt"))
        .arg(certs.join("tls.crt"))
        .output()
        .expect("run openssl verify");
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );

    let rendered = render(&overlay);
    let objects = load("static-secret (documented)", &rendered);
    // Its subjectAltName is the name the API server calls: <service>.<namespace>.svc.
    let service = one(&objects, "Service");
    let host = format!(
        "DNS:{}.{}.svc",
        service.name.as_deref().unwrap(),
        service.namespace.as_deref().unwrap()
    );
    let san = Command::new("openssl")
        .args(["x509", "-noout", "-ext", "subjectAltName", "-in"])
        .arg(certs.join("tls.crt"))
        .output()
        .expect("run openssl x509");
    let san = String::from_utf8_lossy(&san.stdout);
    assert!(san.contains(&host), "{host} not in {san}");

    // Every entry's caBundle is the CA certificate, base64-encoded.
    let ca = std::fs::read(certs.join("ca.crt")).expect("read ca.crt");
    let vwc = one(&objects, "ValidatingWebhookConfiguration");
    for webhook in vwc.root.get("webhooks").unwrap().items() {
        let bundle = text(webhook, "clientConfig.caBundle");
        let decoded = Command::new("base64")
            .arg("-d")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write as _;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(bundle.as_bytes())?;
                child.wait_with_output()
            })
            .expect("run base64 -d");
        assert!(decoded.status.success(), "caBundle is not base64");
        assert_eq!(decoded.stdout, ca, "caBundle is not certs/ca.crt");
    }
    assert_scan_is_clean(
        "static-secret-documented",
        &rendered,
        Some(&deploy_dir().join("aksguard.toml")),
    );
}

/// The entry of `container`'s `env` named `name`.
fn env<'a>(container: &'a Node, name: &str) -> Option<&'a Node> {
    container
        .get("env")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .find(|entry| entry.get("name").and_then(Node::as_str) == Some(name))
}

/// `var` is read from key `key` of the Secret `secret`, which must exist for the pod to start
/// (`optional: false`): never a literal value in the manifest.
fn assert_env_from_secret(container: &Node, var: &str, secret: &str, key: &str) {
    let entry = env(container, var).unwrap_or_else(|| panic!("no env {var}"));
    assert!(entry.get("value").is_none(), "{var} has a literal value");
    let reference = entry
        .at("valueFrom.secretKeyRef")
        .unwrap_or_else(|| panic!("{var} is not read from a Secret"));
    assert_eq!(text(reference, "name"), secret, "{var}");
    assert_eq!(text(reference, "key"), key, "{var}");
    assert_eq!(
        reference.get("optional").and_then(Node::as_bool),
        Some(false),
        "{var}: a missing Secret must keep the pod from starting"
    );
}

/// No Secret object and no credential in the render: the store URL (with its password) and
/// the dashboard's token are created with `kubectl create secret`, outside the manifests.
fn assert_no_secret_values(name: &str, objects: &[Object], rendered: &str) {
    assert!(
        objects.iter().all(|o| o.kind != "Secret"),
        "{name}: a credential belongs in no manifest"
    );
    for scheme in ["postgres://", "postgresql://", "sqlite:"] {
        assert!(
            !rendered.contains(scheme),
            "{name}: a store URL in the render"
        );
    }
    for flag in ["--token", "--store="] {
        assert!(
            !rendered.contains(flag),
            "{name}: `{flag}` puts a value on the command line"
        );
    }
}

/// The pod of a workload and its first container.
fn pod_and_container<'a>(workload: &'a Object, pod_path: &str) -> (&'a Node, &'a Node) {
    let pod = workload.root.at(pod_path).expect("pod spec");
    let container = &pod.get("containers").expect("containers").items()[0];
    (pod, container)
}

/// The TCP ports (number or name) the rules of a NetworkPolicy's `direction` open, with their
/// protocols.
fn policy_ports(policy: &Object, direction: &str) -> Vec<String> {
    policy
        .root
        .at(&format!("spec.{direction}"))
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .flat_map(|rule| rule.get("ports").map(Node::items).unwrap_or_default())
        .map(|port| {
            let number = port.get("port").and_then(Node::as_str).unwrap_or("any");
            format!(
                "{number}/{}",
                port.get("protocol").and_then(Node::as_str).unwrap_or("TCP")
            )
        })
        .collect()
}

fn named<'a>(objects: &'a [Object], kind: &str, name: &str) -> &'a Object {
    objects
        .iter()
        .find(|o| o.kind == kind && o.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

/// `overlays/fleet-cluster` (the scanner with components/store): every scan is recorded in
/// the store of the Secret `aksguard-store` under the name in the ConfigMap `aksguard-cluster`,
/// and the scanner may reach PostgreSQL.
#[test]
fn store_component_records_each_scan_under_the_clusters_name() {
    if !kubectl_available() {
        return;
    }
    let rendered = render(&deploy_dir().join("overlays/fleet-cluster"));
    let objects = load("fleet-cluster", &rendered);
    check_webhook_configuration(&objects, "Ignore");
    check_deployment(&objects);
    check_scanner(&objects);
    assert_no_secret_values("fleet-cluster", &objects, &rendered);

    let cron_job = one(&objects, "CronJob");
    let (_, scanner) = pod_and_container(cron_job, "spec.jobTemplate.spec.template.spec");
    let args = strs(scanner.get("args"));
    // `--store` takes an optional URL: it comes last, so that nothing is taken for its value
    // and the URL comes from AKSGUARD_STORE.
    assert_eq!(args.last(), Some(&"--store"), "{args:?}");
    assert!(
        args.contains(&"--target-name=$(AKSGUARD_TARGET_NAME)"),
        "{args:?}"
    );
    assert_env_from_secret(scanner, "AKSGUARD_STORE", "aksguard-store", "url");
    let target = env(scanner, "AKSGUARD_TARGET_NAME")
        .and_then(|e| e.at("valueFrom.configMapKeyRef"))
        .expect("AKSGUARD_TARGET_NAME from a ConfigMap");
    assert_eq!(target.get("optional").and_then(Node::as_bool), Some(false));
    let config_map = named(&objects, "ConfigMap", text(target, "name"));
    let cluster_name = config_map
        .root
        .at("data")
        .and_then(|d| d.get(text(target, "key")))
        .and_then(Node::as_str)
        .expect("the cluster's name in the ConfigMap");
    assert!(!cluster_name.trim().is_empty());

    // PostgreSQL is reachable from the scanner's pods, besides the API server and DNS.
    let store_policy = named(&objects, "NetworkPolicy", "aksguard-scanner-store");
    let selector = store_policy
        .root
        .at("spec.podSelector.matchLabels")
        .expect("podSelector");
    assert_eq!(
        selector
            .get("app.kubernetes.io/component")
            .and_then(Node::as_str),
        Some("scanner")
    );
    assert_eq!(policy_ports(store_policy, "egress"), ["5432/TCP"]);
    assert_eq!(strs(store_policy.root.at("spec.policyTypes")), ["Egress"]);
    let scanner_policy = named(&objects, "NetworkPolicy", "aksguard-scanner");
    assert!(policy_ports(scanner_policy, "egress").contains(&"443/TCP".to_owned()));

    assert_scan_is_clean_but_for(
        "fleet-cluster",
        &rendered,
        None,
        &[AllowedSuppression {
            kind: "CronJob",
            name: "aksguard-scanner",
            rules: &["SEC001", "REL007"],
        }],
    );
}

/// `overlays/dashboard`: `aksguard serve` beyond loopback with its token and the store URL
/// from Secrets, hardened, two replicas behind a ClusterIP Service, reachable on its port only
/// and reaching DNS and PostgreSQL only.
#[test]
fn dashboard_overlay_serves_the_store_hardened() {
    if !kubectl_available() {
        return;
    }
    let rendered = render(&deploy_dir().join("overlays/dashboard"));
    let objects = load("dashboard", &rendered);
    assert_no_secret_values("dashboard", &objects, &rendered);
    for object in &objects {
        if object.kind != "Namespace" {
            assert_eq!(object.namespace.as_deref(), Some("aksguard-dashboard"));
        }
    }
    let namespace = one(&objects, "Namespace");
    assert_eq!(
        namespace
            .root
            .at("metadata.labels")
            .and_then(|l| l.get("pod-security.kubernetes.io/enforce"))
            .and_then(Node::as_str),
        Some("restricted")
    );

    let deployment = one(&objects, "Deployment");
    assert_eq!(
        deployment.root.at("spec.replicas").and_then(Node::as_i64),
        Some(2)
    );
    let (pod, container) = pod_and_container(deployment, "spec.template.spec");
    let args = strs(container.get("args"));
    assert_eq!(args, ["serve", "--listen=0.0.0.0:8080"]);
    assert_env_from_secret(container, "AKSGUARD_STORE", "aksguard-store", "url");
    assert_env_from_secret(
        container,
        "AKSGUARD_SERVE_TOKEN",
        "aksguard-dashboard",
        "token",
    );
    let image = text(container, "image");
    assert!(
        image.starts_with("ghcr.io/aksguard/aksguard:") && image.contains("@sha256:"),
        "{image}"
    );

    assert_eq!(
        pod.get("automountServiceAccountToken")
            .and_then(Node::as_bool),
        Some(false)
    );
    assert_eq!(
        pod.at("securityContext.runAsNonRoot")
            .and_then(Node::as_bool),
        Some(true)
    );
    assert_eq!(
        text(pod, "securityContext.seccompProfile.type"),
        "RuntimeDefault"
    );
    let security = container.get("securityContext").expect("securityContext");
    assert_eq!(
        security
            .get("readOnlyRootFilesystem")
            .and_then(Node::as_bool),
        Some(true)
    );
    assert_eq!(
        security
            .get("allowPrivilegeEscalation")
            .and_then(Node::as_bool),
        Some(false)
    );
    assert_eq!(strs(security.at("capabilities.drop")), ["ALL"]);
    for field in [
        "resources.requests.cpu",
        "resources.requests.memory",
        "resources.limits.memory",
    ] {
        text(container, field);
    }
    let port = &container.get("ports").expect("ports").items()[0];
    assert_eq!(port.get("containerPort").and_then(Node::as_i64), Some(8080));
    let port_name = text(port, "name");
    for probe in ["readinessProbe", "livenessProbe"] {
        // `aksguard serve` answers /healthz without the token (every other path needs it).
        let probe = container.get(probe).expect("probe");
        assert_eq!(text(probe, "httpGet.path"), "/healthz");
        assert_eq!(
            text(probe, "httpGet.port"),
            port_name,
            "probes check the served port"
        );
    }

    let service = one(&objects, "Service");
    assert_eq!(text(&service.root, "spec.type"), "ClusterIP");
    let service_port = &service.root.at("spec.ports").expect("ports").items()[0];
    assert_eq!(text(service_port, "targetPort"), port_name);
    let labels = deployment
        .root
        .at("spec.template.metadata.labels")
        .expect("pod labels");
    let selects = |selector: &Node| {
        selector
            .entries()
            .iter()
            .all(|entry| labels.get(&entry.key).and_then(Node::as_str) == entry.value.as_str())
    };
    assert!(selects(service.root.at("spec.selector").expect("selector")));
    let budget = one(&objects, "PodDisruptionBudget");
    assert_eq!(
        budget.root.at("spec.minAvailable").and_then(Node::as_i64),
        Some(1)
    );
    assert!(selects(
        budget
            .root
            .at("spec.selector.matchLabels")
            .expect("selector")
    ));

    let policy = named(&objects, "NetworkPolicy", "aksguard-dashboard");
    assert!(selects(
        policy
            .root
            .at("spec.podSelector.matchLabels")
            .expect("selector")
    ));
    assert_eq!(
        strs(policy.root.at("spec.policyTypes")),
        ["Ingress", "Egress"]
    );
    let ingress = policy_ports(policy, "ingress");
    assert!(
        !ingress.is_empty() && ingress.iter().all(|p| *p == format!("{port_name}/TCP")),
        "ingress on the served port only: {ingress:?}"
    );
    for rule in policy
        .root
        .at("spec.ingress")
        .map(Node::items)
        .unwrap_or_default()
    {
        assert!(
            !rule
                .get("from")
                .map(Node::items)
                .unwrap_or_default()
                .is_empty(),
            "every ingress rule names its sources"
        );
    }
    assert_eq!(
        policy_ports(policy, "egress"),
        ["53/UDP", "53/TCP", "5432/TCP"]
    );
    let deny = named(&objects, "NetworkPolicy", "default-deny");
    assert_eq!(
        strs(deny.root.at("spec.policyTypes")),
        ["Ingress", "Egress"]
    );

    assert_scan_is_clean_but_for(
        "dashboard",
        &rendered,
        Some(&deploy_dir().join("aksguard.toml")),
        &[AllowedSuppression {
            kind: "Deployment",
            name: "aksguard-dashboard",
            rules: &["SEC001", "REL007"],
        }],
    );
}
