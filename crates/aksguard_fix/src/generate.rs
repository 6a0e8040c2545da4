//! `aksguard fix --generate`: the objects absence findings ask for, written into one new
//! file per namespace for review. What passes each rule (read from the rules, so a re-scan
//! with the generated file is clean for them):
//!
//! - NET001 / NET002 / NET003: `default-deny-ingress` and `default-deny-egress`
//!   NetworkPolicies selecting all pods (`podSelector: {}`). The egress one allows DNS to
//!   kube-dns (UDP and TCP 53, by namespace and pod selector, which never match the metadata
//!   endpoint) and nothing else, so 169.254.169.254 is out of reach; a commented rule shows
//!   how to open the internet with `169.254.169.254/32` under `except`.
//! - NS003: a `ResourceQuota` and a `LimitRange` skeleton (sizes are placeholders to set).
//! - POD016 / IDN004: the ServiceAccount the pod runs as, when it is not in the scan, with
//!   `automountServiceAccountToken: false`. IDN003: a dedicated ServiceAccount named after
//!   the workload (automount off), and a note saying which `serviceAccountName` to set.
//! - REL004: a `PodDisruptionBudget` (`maxUnavailable: 1`) selecting the workload's pods.
//!
//! Nothing is generated where the namespace already has the object (an isolating policy of
//! that direction, a quota or limit range, the account); a finding the generated objects
//! cannot clear (a policy that reopens traffic, an explicit `automountServiceAccountToken:
//! true`) gets a note instead. [`write`] never overwrites a file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use aksguard_load::{LoadOptions, load_inputs};
use aksguard_model::netpol::policies_in;
use aksguard_model::{
    Finding, Inventory, LoadError, Node, Object, PodSpecView, UNSPECIFIED_NAMESPACE,
};
use aksguard_rules::Rule;
use aksguard_scan::ScanSettings;

/// The label findings on the unspecified namespace carry (`Namespace/(unspecified)`).
const UNSPECIFIED_LABEL: &str = "(unspecified)";

/// What `--generate` produces: files to write, and notes for what it cannot do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Generated {
    pub files: Vec<GeneratedFile>,
    pub notes: Vec<String>,
}

/// One namespace's new file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// The namespace (empty for objects without `metadata.namespace`).
    pub namespace: String,
    /// `aksguard-generated-<namespace>.yaml`.
    pub file_name: String,
    /// `Kind/name` of each object, in file order.
    pub objects: Vec<String>,
    pub text: String,
}

/// One object to generate, before it is written as YAML.
struct Planned {
    kind: &'static str,
    name: String,
    yaml: String,
    /// What the user must still do for the object to take effect.
    then: Option<String>,
}

/// What one scan of the inputs gave: the inventory the rules saw and their findings.
pub struct ScannedInputs {
    pub inventory: Inventory,
    pub findings: Vec<Finding>,
    /// Loading errors and the pipeline's (a scan of nothing fails closed).
    pub errors: Vec<LoadError>,
}

/// Loads and scans `paths` through the scan pipeline (stdin, `-`, is not read: what is
/// generated or scripted is for files).
pub fn scan_paths(
    paths: &[String],
    rules: &[&'static Rule],
    settings: &ScanSettings,
) -> ScannedInputs {
    let loaded = load_inputs(paths, &LoadOptions::default(), &mut std::io::empty());
    let (inventory, outcome) = aksguard_scan::scan_objects(
        loaded.objects,
        loaded.azure,
        rules,
        settings,
        &paths.join(", "),
    );
    let mut errors = loaded.errors;
    errors.extend(outcome.errors);
    ScannedInputs {
        inventory,
        findings: outcome.findings,
        errors,
    }
}

/// The objects `findings` (from scanning `inventory`) ask for, by namespace.
pub fn generate(inventory: &Inventory, findings: &[Finding]) -> Generated {
    let mut planned: BTreeMap<String, Vec<Planned>> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut add = |namespace: &str, object: Planned| {
        let list = planned.entry(namespace.to_owned()).or_default();
        if !list
            .iter()
            .any(|o| o.kind == object.kind && o.name == object.name)
        {
            list.push(object);
        }
    };
    for finding in findings {
        match finding.rule_id {
            "NET001" | "NET002" | "NET003" => {
                let namespace = namespace_of(finding);
                let ingress = finding.rule_id == "NET001";
                match default_deny(inventory, &namespace, ingress) {
                    Ok(Some(object)) => add(&namespace, object),
                    Ok(None) => {}
                    Err(note) => notes.push(format!("{}: {note}", finding.rule_id)),
                }
            }
            "NS003" => {
                let namespace = namespace_of(finding);
                if namespace != UNSPECIFIED_NAMESPACE && !has_quota(inventory, &namespace) {
                    add(&namespace, resource_quota(&namespace));
                    add(&namespace, limit_range(&namespace));
                }
            }
            "POD016" | "IDN003" | "IDN004" | "REL004" => {
                let Some((object, pod)) = workload_of(inventory, finding) else {
                    continue;
                };
                let namespace = object.namespace.clone().unwrap_or_default();
                let planned = match finding.rule_id {
                    "REL004" => disruption_budget(inventory, object),
                    "IDN003" => dedicated_account(inventory, object),
                    _ => used_account(inventory, object, &pod),
                };
                match planned {
                    Ok(Some(object)) => {
                        if let Some(then) = &object.then {
                            notes.push(format!("{}: {then}", finding.rule_id));
                        }
                        add(&namespace, object)
                    }
                    Ok(None) => {}
                    Err(note) => notes.push(format!("{}: {note}", finding.rule_id)),
                }
            }
            _ => {}
        }
    }
    let files = planned
        .into_iter()
        .filter(|(_, objects)| !objects.is_empty())
        .map(|(namespace, objects)| file_of(namespace, objects))
        .collect();
    notes.dedup();
    Generated { files, notes }
}

/// Writes every file into `dir` (created when missing). Nothing is written when any of them
/// exists already: a generated file never replaces one.
pub fn write(dir: &Path, generated: &Generated) -> Result<Vec<PathBuf>, String> {
    let paths: Vec<PathBuf> = generated
        .files
        .iter()
        .map(|f| dir.join(&f.file_name))
        .collect();
    let existing: Vec<String> = paths
        .iter()
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        return Err(format!(
            "{} already exist(s); nothing written (aksguard never overwrites a file: remove it \
             or choose another --out)",
            existing.join(", ")
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (path, file) in paths.iter().zip(&generated.files) {
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        std::io::Write::write_all(&mut out, file.text.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(paths)
}

/// The namespace a namespace-level finding is on (`Namespace/<name>`), else its object's.
fn namespace_of(finding: &Finding) -> String {
    if finding.object.kind == "Namespace" {
        let name = finding.object.name.as_str();
        if name == UNSPECIFIED_LABEL {
            String::new()
        } else {
            name.to_owned()
        }
    } else {
        finding
            .object
            .namespace
            .as_deref()
            .unwrap_or_default()
            .to_owned()
    }
}

/// The workload a finding is on, with its pod spec.
fn workload_of<'a>(
    inventory: &'a Inventory,
    finding: &Finding,
) -> Option<(&'a Object, PodSpecView<'a>)> {
    inventory.workloads().find(|(object, _)| {
        object.kind == finding.object.kind
            && object.name.as_deref() == Some(finding.object.name.as_str())
            && object.namespace.as_deref() == finding.object.namespace.as_deref()
    })
}

/// A default-deny policy for one direction, unless one already isolates the namespace
/// (then a note when it is reopened, or nothing).
fn default_deny(
    inventory: &Inventory,
    namespace: &str,
    ingress: bool,
) -> Result<Option<Planned>, String> {
    let policies = policies_in(inventory, namespace);
    let isolating = policies.iter().find(|p| {
        p.selects_all_pods()
            && if ingress {
                p.policy_types.ingress
            } else {
                p.policy_types.egress
            }
    });
    if let Some(policy) = isolating {
        let direction = if ingress { "ingress" } else { "egress" };
        return Err(format!(
            "{} already has NetworkPolicy `{}` isolating {direction}; another default-deny \
             would change nothing (policies add up): narrow the rule that allows the traffic",
            phrase(namespace),
            policy.name()
        ));
    }
    let wanted = if ingress {
        "default-deny-ingress"
    } else {
        "default-deny-egress"
    };
    let name = free_name(inventory, "NetworkPolicy", namespace, wanted);
    let mut yaml = header("networking.k8s.io/v1", "NetworkPolicy", &name, namespace);
    if ingress {
        yaml.push_str(
            "spec:\n  # Every pod of the namespace; no ingress rule, so nothing may connect in\n  # \
             until narrower policies allow it.\n  podSelector: {}\n  policyTypes:\n    - Ingress\n",
        );
    } else {
        yaml.push_str(concat!(
            "spec:\n",
            "  # Every pod of the namespace may only resolve names; allow each workload's\n",
            "  # destinations with narrower policies.\n",
            "  podSelector: {}\n",
            "  policyTypes:\n",
            "    - Egress\n",
            "  egress:\n",
            "    # DNS to kube-dns (CoreDNS) in kube-system, over UDP and TCP.\n",
            "    - to:\n",
            "        - namespaceSelector:\n",
            "            matchLabels:\n",
            "              kubernetes.io/metadata.name: kube-system\n",
            "          podSelector:\n",
            "            matchLabels:\n",
            "              k8s-app: kube-dns\n",
            "      ports:\n",
            "        - protocol: UDP\n",
            "          port: 53\n",
            "        - protocol: TCP\n",
            "          port: 53\n",
            "    # To open egress beyond the cluster, add a rule like this; its `except` keeps the\n",
            "    # node's instance metadata endpoint (managed-identity tokens) out of reach:\n",
            "    # - to:\n",
            "    #     - ipBlock:\n",
            "    #         cidr: 0.0.0.0/0\n",
            "    #         except:\n",
            "    #           - 169.254.169.254/32\n",
        ));
    }
    Ok(Some(Planned {
        kind: "NetworkPolicy",
        name,
        yaml,
        then: None,
    }))
}

/// Whether the namespace has a ResourceQuota or a LimitRange (either passes NS003).
fn has_quota(inventory: &Inventory, namespace: &str) -> bool {
    ["ResourceQuota", "LimitRange"]
        .iter()
        .any(|kind| inventory.of_kind_in(kind, namespace).next().is_some())
}

fn resource_quota(namespace: &str) -> Planned {
    let mut yaml = header("v1", "ResourceQuota", "compute-quota", namespace);
    yaml.push_str(concat!(
        "spec:\n",
        "  # Placeholders: size them to what this namespace's workloads need.\n",
        "  hard:\n",
        "    requests.cpu: \"4\"\n",
        "    requests.memory: 8Gi\n",
        "    limits.cpu: \"8\"\n",
        "    limits.memory: 16Gi\n",
        "    pods: \"50\"\n",
    ));
    Planned {
        kind: "ResourceQuota",
        name: "compute-quota".into(),
        yaml,
        then: None,
    }
}

fn limit_range(namespace: &str) -> Planned {
    let mut yaml = header("v1", "LimitRange", "container-defaults", namespace);
    yaml.push_str(concat!(
        "spec:\n",
        "  # Placeholders: defaults for containers that set no requests or limits, and a cap.\n",
        "  limits:\n",
        "    - type: Container\n",
        "      defaultRequest:\n",
        "        cpu: 100m\n",
        "        memory: 128Mi\n",
        "      default:\n",
        "        cpu: 500m\n",
        "        memory: 512Mi\n",
        "      max:\n",
        "        cpu: \"2\"\n",
        "        memory: 4Gi\n",
    ));
    Planned {
        kind: "LimitRange",
        name: "container-defaults".into(),
        yaml,
        then: None,
    }
}

/// The ServiceAccount a pod runs as, created with automount off when the scan lacks it.
fn used_account(
    inventory: &Inventory,
    object: &Object,
    pod: &PodSpecView<'_>,
) -> Result<Option<Planned>, String> {
    let namespace = object.namespace.as_deref().unwrap_or_default();
    if pod
        .get("automountServiceAccountToken")
        .and_then(Node::as_bool)
        == Some(true)
    {
        return Err(format!(
            "{} sets automountServiceAccountToken: true on the pod, which overrides any \
             ServiceAccount: set it to false there",
            describe(object)
        ));
    }
    let account = account_name(pod);
    if let Some(existing) = inventory.service_account(namespace, &account) {
        return Err(format!(
            "ServiceAccount `{account}` of {} is in the scan ({}): set \
             automountServiceAccountToken: false on it",
            phrase(namespace),
            existing.source.path
        ));
    }
    Ok(Some(service_account(&account, namespace, None)))
}

/// A ServiceAccount for the workload alone, unless one of its name exists.
fn dedicated_account(inventory: &Inventory, object: &Object) -> Result<Option<Planned>, String> {
    let namespace = object.namespace.as_deref().unwrap_or_default();
    let Some(name) = object.name.as_deref().filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let note = format!(
        "set `serviceAccountName: {name}` in {}'s pod spec to use its dedicated ServiceAccount",
        describe(object)
    );
    if inventory.service_account(namespace, name).is_some() {
        return Err(format!(
            "{note} (ServiceAccount `{name}` is already in the scan)"
        ));
    }
    Ok(Some(service_account(name, namespace, Some(&note))))
}

fn service_account(name: &str, namespace: &str, note: Option<&str>) -> Planned {
    let mut yaml = String::new();
    if let Some(note) = note {
        let _ = writeln!(yaml, "# Then {note}.");
    }
    yaml.push_str(&header("v1", "ServiceAccount", name, namespace));
    yaml.push_str("# Pods get an API token only where they mount one on purpose.\n");
    yaml.push_str("automountServiceAccountToken: false\n");
    Planned {
        kind: "ServiceAccount",
        name: name.to_owned(),
        yaml,
        then: note.map(str::to_owned),
    }
}

/// A budget allowing one pod of the workload down at a time.
fn disruption_budget(inventory: &Inventory, object: &Object) -> Result<Option<Planned>, String> {
    let namespace = object.namespace.as_deref().unwrap_or_default();
    let labels = object
        .root
        .at("spec.selector.matchLabels")
        .filter(|l| !l.entries().is_empty())
        .or_else(|| {
            PodSpecView::of(object)
                .and_then(|pod| Inventory::pod_labels(&pod))
                .filter(|l| !l.entries().is_empty())
        });
    let Some(labels) = labels else {
        return Err(format!(
            "{} has no labels to select its pods: add a PodDisruptionBudget by hand",
            describe(object)
        ));
    };
    let base = object.name.as_deref().unwrap_or("workload");
    let name = free_name(
        inventory,
        "PodDisruptionBudget",
        namespace,
        &format!("{base}-pdb"),
    );
    let mut yaml = header("policy/v1", "PodDisruptionBudget", &name, namespace);
    let _ = writeln!(yaml, "spec:");
    let _ = writeln!(
        yaml,
        "  # Voluntary disruptions (node drains, upgrades) take down one pod at a time."
    );
    let _ = writeln!(yaml, "  maxUnavailable: 1");
    let _ = writeln!(yaml, "  selector:\n    matchLabels:");
    for entry in labels.entries() {
        let value = entry.value.as_str().unwrap_or_default();
        let _ = writeln!(yaml, "      {}: {}", scalar(&entry.key), scalar(value));
    }
    Ok(Some(Planned {
        kind: "PodDisruptionBudget",
        name,
        yaml,
        then: None,
    }))
}

/// The ServiceAccount a pod runs as (`serviceAccountName`, else `serviceAccount`, else
/// `default`).
fn account_name(pod: &PodSpecView<'_>) -> String {
    ["serviceAccountName", "serviceAccount"]
        .iter()
        .filter_map(|key| pod.get(key).and_then(Node::as_str))
        .find(|name| !name.is_empty())
        .unwrap_or("default")
        .to_owned()
}

/// `wanted`, or `wanted-aksguard` when an object of that kind and name is already there.
fn free_name(inventory: &Inventory, kind: &str, namespace: &str, wanted: &str) -> String {
    let taken = |name: &str| {
        inventory
            .of_kind_in(kind, namespace)
            .any(|o| o.name.as_deref() == Some(name))
    };
    if taken(wanted) {
        format!("{wanted}-aksguard")
    } else {
        wanted.to_owned()
    }
}

/// `apiVersion`, `kind` and `metadata` (namespace only when there is one: objects for the
/// unspecified namespace are applied together with the workloads that set none).
fn header(api_version: &str, kind: &str, name: &str, namespace: &str) -> String {
    let mut out = format!(
        "apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {}\n",
        scalar(name)
    );
    if namespace != UNSPECIFIED_NAMESPACE {
        let _ = writeln!(out, "  namespace: {}", scalar(namespace));
    }
    let _ = writeln!(out, "  labels:\n    app.kubernetes.io/managed-by: aksguard");
    out
}

/// A YAML scalar: plain when it is a simple name that YAML reads as that string, else
/// double-quoted (a JSON string is valid YAML).
fn scalar(text: &str) -> String {
    let simple = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'/'))
        && text.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if simple {
        text.to_owned()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}

fn phrase(namespace: &str) -> String {
    if namespace == UNSPECIFIED_NAMESPACE {
        "the unspecified namespace".to_owned()
    } else {
        format!("namespace `{namespace}`")
    }
}

fn describe(object: &Object) -> String {
    format!(
        "{}/{} ({})",
        object.kind,
        object.name.as_deref().unwrap_or("<unnamed>"),
        object.source.path
    )
}

/// A file name part from a namespace: DNS-label characters kept, others replaced.
fn file_part(namespace: &str) -> String {
    if namespace == UNSPECIFIED_NAMESPACE {
        return "unspecified-namespace".to_owned();
    }
    namespace
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The order objects are written in: what isolates first, then what they use.
const KIND_ORDER: &[&str] = &[
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "ServiceAccount",
    "PodDisruptionBudget",
];

fn file_of(namespace: String, mut objects: Vec<Planned>) -> GeneratedFile {
    objects.sort_by(|a, b| {
        let rank = |kind: &str| KIND_ORDER.iter().position(|k| *k == kind);
        (rank(a.kind), &a.name).cmp(&(rank(b.kind), &b.name))
    });
    let mut text = format!(
        "# Generated by `aksguard fix --generate` for {}: review before applying.\n",
        phrase(&namespace)
    );
    let names = objects
        .iter()
        .map(|o| format!("{}/{}", o.kind, o.name))
        .collect();
    for object in &objects {
        text.push_str("---\n");
        text.push_str(&object.yaml);
    }
    GeneratedFile {
        file_name: format!("aksguard-generated-{}.yaml", file_part(&namespace)),
        namespace,
        objects: names,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_when_yaml_would_read_them_otherwise() {
        assert_eq!(scalar("web-api"), "web-api");
        assert_eq!(scalar("app.kubernetes.io/name"), "app.kubernetes.io/name");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("8080"), "\"8080\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(file_part("shop"), "shop");
        assert_eq!(file_part("../x"), ".._x");
        assert_eq!(file_part(""), "unspecified-namespace");
    }
}
