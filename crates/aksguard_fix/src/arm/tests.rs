use super::*;
use crate::iac::apply_edits;

fn change(attribute: &str, value: &str) -> IacChange {
    IacChange {
        language: "arm",
        attribute: attribute.into(),
        value: value.into(),
        variable: None,
    }
}

fn outcome(text: &str, line: u32, change: &IacChange) -> IacOutcome {
    apply(&Arc::from("azuredeploy.json"), text, line, change).expect("applies")
}

/// Applies `change` at `line`, checks a second run is a no-op, returns the edited text.
fn edited(text: &str, line: u32, change: &IacChange) -> String {
    match outcome(text, line, change) {
        IacOutcome::Edits(edits) => {
            let out = apply_edits(text, &edits).unwrap();
            assert_eq!(outcome(&out, line, change), IacOutcome::AlreadySet, "{out}");
            out
        }
        other => panic!("expected edits, got {other:?}"),
    }
}

const TEMPLATE: &str = r#"{
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "parameters": { "runCommand": { "type": "bool", "defaultValue": false } },
    "resources": [
        {
            "type": "Microsoft.ContainerService/managedClusters",
            "apiVersion": "2024-05-01",
            "name": "prod",
            "properties": {
                "dnsPrefix": "prod",
                "enableRBAC": false,
                "apiServerAccessProfile": {
                    "disableRunCommand": "[parameters('runCommand')]"
                },
                "agentPoolProfiles": [
                    { "name": "system", "count": 3 }
                ]
            }
        }
    ]
}
"#;

#[test]
fn replaces_a_value_keeping_every_other_byte() {
    let out = edited(TEMPLATE, 11, &change("properties.enableRBAC", "true"));
    assert_eq!(
        out,
        TEMPLATE.replace("\"enableRBAC\": false", "\"enableRBAC\": true")
    );
    let out = edited(TEMPLATE, 6, &change("enableRBAC", "true"));
    assert_eq!(
        out,
        TEMPLATE.replace("\"enableRBAC\": false", "\"enableRBAC\": true")
    );
}

#[test]
fn inserts_missing_members_and_objects_with_the_object_indentation() {
    let out = edited(
        TEMPLATE,
        9,
        &change("properties.disableLocalAccounts", "true"),
    );
    assert!(
        out.contains(
            "                ],\n                \"disableLocalAccounts\": true\n            }"
        ),
        "{out}"
    );
    let out = edited(
        TEMPLATE,
        9,
        &change(
            "properties.securityProfile.defender.securityMonitoring.enabled",
            "true",
        ),
    );
    assert!(
        out.contains("                ],\n                \"securityProfile\": {\n                    \"defender\": {\n                        \"securityMonitoring\": {\n                            \"enabled\": true\n                        }\n                    }\n                }\n            }"),
        "{out}"
    );
    let pooled = "{ \"name\": \"system\", \"count\": 3, \"enableEncryptionAtHost\": true }";
    // A node-pool finding points into the pool's item: its path is relative to the item.
    let out = edited(TEMPLATE, 16, &change("enableEncryptionAtHost", "true"));
    assert!(out.contains(pooled), "{out}");
    let out = edited(
        TEMPLATE,
        9,
        &change(
            "properties.agentPoolProfiles[name=system].enableEncryptionAtHost",
            "true",
        ),
    );
    assert!(
        out.contains("{ \"name\": \"system\", \"count\": 3, \"enableEncryptionAtHost\": true }"),
        "{out}"
    );
}

#[test]
fn parameters_and_variables_are_not_edited() {
    let IacOutcome::FromVariable { note, variable } = outcome(
        TEMPLATE,
        13,
        &change(
            "properties.apiServerAccessProfile.disableRunCommand",
            "true",
        ),
    ) else {
        panic!("a note naming the parameter")
    };
    assert_eq!(variable, "parameters('runCommand')");
    assert!(
        note.contains("parameter `runCommand`") && note.contains("azuredeploy.json:13"),
        "{note}"
    );
    let text = TEMPLATE.replace(
        "\"apiServerAccessProfile\": {\n                    \"disableRunCommand\": \"[parameters('runCommand')]\"\n                }",
        "\"apiServerAccessProfile\": \"[variables('profile')]\"",
    );
    let IacOutcome::FromVariable { note, variable } = outcome(
        &text,
        9,
        &change(
            "properties.apiServerAccessProfile.disableRunCommand",
            "true",
        ),
    ) else {
        panic!("a note")
    };
    assert!(note.contains("variable `profile`"), "{note}");
    assert_eq!(variable, "variables('profile')");
}

#[test]
fn an_empty_object_and_comments_and_crlf_are_handled() {
    let text = "{\r\n  // deploys the cluster\r\n  \"resources\": [\r\n    {\r\n      \"type\": \"Microsoft.ContainerService/managedClusters\",\r\n      \"apiVersion\": \"2024-05-01\",\r\n      \"properties\": {}\r\n    }\r\n  ]\r\n}\r\n";
    let out = edited(text, 7, &change("properties.disableLocalAccounts", "true"));
    assert_eq!(
        out,
        text.replace(
            "\"properties\": {}",
            "\"properties\": {\r\n        \"disableLocalAccounts\": true\r\n      }"
        )
    );
}

#[test]
fn symbolic_resources_and_nested_values() {
    let text = "{\n  \"languageVersion\": \"2.0\",\n  \"resources\": {\n    \"aks\": {\n      \"type\": \"Microsoft.ContainerService/managedClusters\",\n      \"apiVersion\": \"2024-05-01\",\n      \"sku\": { \"name\": \"Base\", \"tier\": \"Free\" },\n      \"properties\": {\n        \"aadProfile\": null\n      }\n    }\n  }\n}\n";
    let out = edited(text, 7, &change("sku.tier", "\"Standard\""));
    assert!(out.contains("\"tier\": \"Standard\""), "{out}");
    let out = edited(
        text,
        9,
        &change(
            "properties.aadProfile",
            "{\"managed\": true, \"enableAzureRBAC\": true}",
        ),
    );
    assert!(
        out.contains("\"aadProfile\": {\n          \"managed\": true,\n          \"enableAzureRBAC\": true\n        }"),
        "{out}"
    );
}

#[test]
fn bicep_gets_a_suggestion() {
    let mut bicep = change("properties.disableLocalAccounts", "true");
    bicep.language = "bicep";
    assert_eq!(
        outcome("", 3, &bicep),
        IacOutcome::Note(
            "azuredeploy.json:3 is Bicep, which aksguard does not edit: set \
             `disableLocalAccounts: true` in the resource's `properties` by hand."
                .into()
        )
    );
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let path: Arc<str> = Arc::from("t.json");
    let good = change("properties.enableRBAC", "true");
    for bad in ["", "{", "{\"a\": tru}", "[1,]", "{\"a\" 1}", "\"\\", "{} x"] {
        assert!(apply(&path, bad, 1, &good).is_err(), "{bad}");
    }
    assert!(
        apply(&path, TEMPLATE, 1, &good).is_err(),
        "line 1 is not in a resource"
    );
    assert!(apply(&path, TEMPLATE, 999, &good).is_err());
    assert!(apply(&path, TEMPLATE, 9, &change("properties.x", "not json")).is_err());
    assert!(matches!(
        apply(&path, TEMPLATE, 9, &change("properties.x", "[\"<cidr>\"]")),
        Ok(IacOutcome::Note(n)) if n.contains("only you can choose (<cidr>)")
    ));
    for bad in ["", "a..b", "[0]", "a[x]", "a[0"] {
        assert!(
            apply(&path, TEMPLATE, 9, &change(bad, "1")).is_err(),
            "{bad}"
        );
    }
    assert!(
        apply(
            &path,
            TEMPLATE,
            9,
            &change("properties.agentPoolProfiles[name=user].x", "1")
        )
        .is_err(),
        "a missing array item is not created"
    );
    let deep = "[".repeat(300) + &"]".repeat(300);
    assert!(apply(&path, &deep, 1, &good).is_err());
}
