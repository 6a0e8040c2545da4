//! SEC: secrets and credentials (RULES.md).

use aksguard_model::Object;

use crate::meta::Rule;

mod key_vault_without_workload_identity;
mod literal_credential;
mod secret_in_env;
mod secret_manifest;
mod service_account_token_secret;

pub(crate) const RULES: &[&Rule] = &[
    &secret_in_env::RULE,
    &literal_credential::RULE,
    &secret_manifest::RULE,
    &service_account_token_secret::RULE,
    &key_vault_without_workload_identity::RULE,
];

/// The Secret type of long-lived service account tokens.
pub(crate) const SA_TOKEN_TYPE: &str = "kubernetes.io/service-account-token";

/// A core `v1` Secret (not a SealedSecret, ExternalSecret or other look-alike).
pub(crate) fn core_secret(object: &Object) -> bool {
    object.kind == "Secret" && object.api_version == "v1"
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use aksguard_load::{Limits, load_text};
    use aksguard_model::Node;

    use crate::checker::Checker;
    use crate::settings::RuleSettings;

    /// Every literal a fixture could leak: env `value`s and the values of
    /// `data`/`stringData`/`binaryData`/`encryptedData` maps, at any depth.
    fn literals(node: &Node, out: &mut Vec<String>) {
        for entry in node.entries() {
            let data = matches!(
                entry.key.as_str(),
                "data" | "stringData" | "binaryData" | "encryptedData"
            );
            if entry.key == "value" {
                out.extend(entry.value.as_str().map(str::to_owned));
            }
            if data {
                let values = entry.value.entries().iter().map(|e| &e.value);
                out.extend(values.filter_map(Node::as_str).map(str::to_owned));
            }
            literals(&entry.value, out);
        }
        for item in node.items() {
            literals(item, out);
        }
    }

    /// Pieces of a literal that must not appear in a message: the whole value, each line,
    /// and every 12-character window of longer lines.
    fn pieces(literal: &str) -> Vec<String> {
        let mut pieces = vec![literal.trim().to_owned()];
        for line in literal.lines().map(str::trim) {
            pieces.push(line.to_owned());
            let chars: Vec<char> = line.chars().collect();
            if chars.len() >= 16 {
                pieces.extend(chars.windows(12).map(|w| w.iter().collect::<String>()));
            }
        }
        pieces.retain(|p| p.chars().count() >= 4);
        pieces
    }

    #[test]
    fn no_message_contains_a_fixture_value() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/secret");
        let settings = RuleSettings::default();
        let mut checked = 0;
        for rule_dir in std::fs::read_dir(&root).expect("secret fixtures exist") {
            let rule_dir = rule_dir.unwrap().path();
            for file in std::fs::read_dir(&rule_dir).unwrap() {
                let path = file.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                let (objects, _) =
                    load_text(&path.display().to_string(), &text, &Limits::default());
                let inventory = aksguard_model::Inventory::new(objects);
                for object in inventory.objects() {
                    let mut values = Vec::new();
                    literals(&object.root, &mut values);
                    for rule in super::RULES {
                        let mut checker = Checker::new(&settings, &inventory);
                        rule.run(object, &mut checker);
                        for violation in checker.take() {
                            checked += 1;
                            // The message's own vocabulary (`password in a URL`) is not a leak.
                            let mut message = violation.message.clone();
                            for phrase in super::literal_credential::message_vocabulary() {
                                message = message.replace(phrase, "");
                            }
                            for value in &values {
                                for piece in pieces(value) {
                                    assert!(
                                        !message.contains(&piece),
                                        "{} {}: message leaks {piece:?}: {}",
                                        path.display(),
                                        rule.id,
                                        violation.message
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 20, "only {checked} findings checked");
    }
}
