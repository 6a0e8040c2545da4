//! Files from the shared corpus (`../shared/corpus`, next to the workspace) that kubectl's
//! libyaml-based decoder accepts but strict YAML 1.2 refuses: each loads, without an error,
//! with the objects it defines, and the object in the lenient document has its values and
//! the lines they are written on.
//!
//! When the corpus is absent (a plain clone) the test prints why and passes, unless
//! `AKSGUARD_REQUIRE_SHARED=1` (as in CI), when it fails.

use std::path::{Path, PathBuf};

use aksguard_load::{Limits, load_text_all};
use aksguard_model::{Node, Object};

fn corpus_dir() -> Option<PathBuf> {
    aksguard_testkit::shared_path("corpus")
}

/// Loads one corpus file and checks it gives no error and `kinds.len()` objects of those
/// kinds, in order.
fn load(corpus: &Path, file: &str, kinds: &[&str]) -> Vec<Object> {
    let path = corpus.join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let result = load_text_all(file, &text, &Limits::default());
    assert!(
        result.errors.is_empty(),
        "{file}: {:?}",
        result
            .errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    let loaded: Vec<&str> = result.objects.iter().map(|o| &*o.kind).collect();
    assert_eq!(loaded, kinds, "{file}");
    result.objects
}

fn strs(node: &Node) -> Vec<&str> {
    node.items().iter().filter_map(Node::as_str).collect()
}

fn container<'a>(object: &'a Object, name: &str) -> &'a Node {
    object
        .root
        .at("spec.template.spec.containers")
        .expect("containers")
        .items()
        .iter()
        .find(|c| c.get("name").and_then(Node::as_str) == Some(name))
        .unwrap_or_else(|| panic!("no container {name}"))
}

#[test]
fn flow_sequence_closed_at_its_keys_indentation() {
    let Some(corpus) = corpus_dir() else {
        return;
    };
    let objects = load(
        &corpus,
        "real/istio-samples/security/spire/spire-quickstart.yaml",
        &[
            "Namespace",
            "CSIDriver",
            "ServiceAccount",
            "ConfigMap",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "ConfigMap",
            "ConfigMap",
            "Deployment",
            "Service",
            "Service",
            "Service",
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "ValidatingWebhookConfiguration",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "ConfigMap",
            "DaemonSet",
        ],
    );
    // The last document is the one only the fallback reads.
    let agent = &objects[25];
    assert_eq!(agent.name.as_deref(), Some("spire-agent"));
    assert_eq!(agent.root.pos.line, 866);
    let driver = container(agent, "spiffe-csi-driver");
    assert_eq!(
        strs(driver.get("args").unwrap()),
        [
            "-workload-api-socket-dir",
            "/spire-agent-socket",
            "-csi-socket-path",
            "/spiffe-csi/csi.sock"
        ]
    );
    assert_eq!(driver.entry("args").unwrap().key_pos.line, 907);
    // The first key after the `]`.
    let env = driver.entry("env").unwrap();
    assert_eq!((env.key_pos.line, env.key_pos.col), (911, 11));
    assert_eq!(
        env.value.items()[0].get("name").and_then(Node::as_str),
        Some("MY_NODE_NAME")
    );
}

#[test]
fn quoted_scalar_continued_left_of_its_item() {
    let Some(corpus) = corpus_dir() else {
        return;
    };
    for file in [
        "peers/checkov/kubernetes/ImageDigest/kafka-withrepo-PASSED.yaml",
        "peers/checkov/kubernetes/ImagePullPolicy/kafka-PullPolicyAlways-PASSED.yaml",
        "peers/checkov/kubernetes/ImageTagFixed/kafka-ImageWithRepo-PASSED.yaml",
    ] {
        let objects = load(&corpus, file, &["StatefulSet"]);
        let kafka = container(&objects[0], "k8skafka");
        let command = kafka.get("command").unwrap().items();
        assert_eq!(strs(kafka.get("command").unwrap())[..2], ["sh", "-c"]);
        let script = command[2].as_str().unwrap();
        assert!(
            script.starts_with("exec kafka-server-start.sh ")
                && script.contains(" --override listeners=PLAINTEXT://:9093 ")
                && !script.contains('\n'),
            "{file}: {script:?}"
        );
        assert_eq!(
            (command[2].pos.line, command[2].pos.col),
            (52, 15),
            "{file}"
        );
        // Keys after the scalar keep their lines.
        let after = kafka.entry("env").or_else(|| kafka.entry("volumeMounts"));
        let after = after.unwrap_or_else(|| panic!("{file}: no key after `command`"));
        let expected = line_of(&corpus.join(file), &format!("{}:", after.key));
        assert_eq!(after.key_pos.line, expected, "{file}");
    }
}

#[test]
fn quoted_scalar_continued_at_its_keys_indentation() {
    let Some(corpus) = corpus_dir() else {
        return;
    };
    let file = "peers/gatekeeper-library/library/general/httpsonly/template.yaml";
    let objects = load(&corpus, file, &["ConstraintTemplate"]);
    let properties = objects[0]
        .root
        .at("spec.crd.spec.validation.openAPIV3Schema.properties.tlsOptional")
        .expect("tlsOptional");
    assert_eq!(
        properties.get("description").and_then(Node::as_str),
        Some("When set to `true` the TLS {} is optional, defaults to false.")
    );
    let targets = objects[0].root.at("spec.targets").expect("targets");
    assert_eq!(targets.pos.line, 35);
    let rego = targets.items()[0].get("rego").and_then(Node::as_str);
    assert!(rego.is_some_and(|r| r.starts_with("package k8shttpsonly\n")));
}

/// The 1-based line of the first line whose trimmed text starts with `start`, after line 52
/// (an independent count of where a key is written).
fn line_of(path: &Path, start: &str) -> u32 {
    let text = std::fs::read_to_string(path).expect("readable");
    let index = text
        .lines()
        .enumerate()
        .skip(52)
        .find(|(_, l)| l.trim_start().starts_with(start))
        .map(|(i, _)| i)
        .expect("the key is in the file");
    u32::try_from(index + 1).expect("small")
}
