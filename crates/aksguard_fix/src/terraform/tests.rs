use super::*;
use crate::iac::apply_edits;
use crate::iac::splice_between;

fn change(attribute: &str, value: &str) -> IacChange {
    IacChange {
        language: "terraform",
        attribute: attribute.into(),
        value: value.into(),
        variable: None,
    }
}

/// Applies `change` at `line` and returns the edited text.
fn edited(text: &str, line: u32, change: &IacChange) -> String {
    let path: Arc<str> = Arc::from("main.tf");
    match apply(&path, text, line, change).expect("applies") {
        IacOutcome::Edits(edits) => {
            let out = apply_edits(text, &edits).unwrap();
            assert_eq!(
                apply(&path, &out, line, change).unwrap(),
                IacOutcome::AlreadySet,
                "a second application changes nothing"
            );
            out
        }
        other => panic!("expected edits, got {other:?}"),
    }
}

fn outcome(text: &str, line: u32, change: &IacChange) -> IacOutcome {
    apply(&Arc::from("main.tf"), text, line, change).expect("applies")
}

const CLUSTER: &str = r#"# The production cluster.
resource "azurerm_kubernetes_cluster" "aks" {
  name                = "prod"   # keep the name
  location            = "westeurope"
  run_command_enabled = true

  default_node_pool {
    name       = "system"
    vm_size    = "Standard_D4s_v5"
  }
}
"#;

#[test]
fn replaces_a_literal_value_and_nothing_else() {
    let out = edited(CLUSTER, 2, &change("run_command_enabled", "false"));
    assert_eq!(
        out,
        CLUSTER.replace("run_command_enabled = true", "run_command_enabled = false")
    );
}

#[test]
fn inserts_a_missing_attribute_with_the_block_indentation() {
    let out = edited(CLUSTER, 2, &change("local_account_disabled", "true"));
    assert_eq!(
        out,
        CLUSTER.replace("  }\n}\n", "  }\n  local_account_disabled = true\n}\n")
    );
    let out = edited(
        CLUSTER,
        8,
        &change("default_node_pool.host_encryption_enabled", "true"),
    );
    assert!(
        out.contains(
            "    vm_size    = \"Standard_D4s_v5\"\n    host_encryption_enabled = true\n  }\n"
        ),
        "{out}"
    );
}

#[test]
fn inserts_missing_nested_blocks() {
    let out = edited(
        CLUSTER,
        5,
        &change(
            "api_server_access_profile.authorized_ip_ranges",
            r#"["203.0.113.0/24"]"#,
        ),
    );
    assert!(
        out.ends_with(
            "  }\n  api_server_access_profile {\n    authorized_ip_ranges = [\"203.0.113.0/24\"]\n  }\n}\n"
        ),
        "{out}"
    );
}

#[test]
fn an_object_value_for_a_block_sets_each_member() {
    let text = "resource \"azurerm_kubernetes_cluster\" \"aks\" {\n  azure_active_directory_role_based_access_control {\n    azure_rbac_enabled = false // was off\n  }\n}\n";
    let out = edited(
        text,
        1,
        &change(
            "azure_active_directory_role_based_access_control",
            "{ azure_rbac_enabled = true, tenant_id = \"t\" }",
        ),
    );
    assert_eq!(
        out,
        "resource \"azurerm_kubernetes_cluster\" \"aks\" {\n  azure_active_directory_role_based_access_control {\n    azure_rbac_enabled = true // was off\n    tenant_id = \"t\"\n  }\n}\n"
    );
}

#[test]
fn variables_and_expressions_are_not_edited() {
    let text = "resource \"azurerm_kubernetes_cluster\" \"aks\" {\n  run_command_enabled = var.run_command\n  local_account_disabled = local.strict && var.x\n}\n";
    let IacOutcome::FromVariable { note, variable } =
        outcome(text, 1, &change("run_command_enabled", "false"))
    else {
        panic!("a note naming the variable")
    };
    assert_eq!(variable, "var.run_command");
    assert!(
        note.contains("`run_command`") && note.contains("main.tf:2"),
        "{note}"
    );
    let IacOutcome::Note(note) = outcome(text, 1, &change("local_account_disabled", "true")) else {
        panic!("a note")
    };
    assert!(
        note.contains("`x`") && note.contains("not edited"),
        "{note}"
    );
    let mut named = change("run_command_enabled", "false");
    named.variable = Some("var.run_command".into());
    assert!(
        matches!(outcome(text, 1, &named), IacOutcome::FromVariable { note, .. } if note.contains("`var.run_command`"))
    );
    let local = "resource \"azurerm_kubernetes_cluster\" \"aks\" {\n  run_command_enabled = local.run_command\n}\n";
    assert!(matches!(
        outcome(local, 1, &change("run_command_enabled", "false")),
        IacOutcome::FromVariable { variable, .. } if variable == "local.run_command"
    ));
}

#[test]
fn older_spellings_are_edited_where_the_resource_uses_them() {
    let v3 = "resource \"azurerm_kubernetes_cluster_node_pool\" \"user\" {\n  name = \"user\"\n  enable_node_public_ip = true\n}\n";
    assert_eq!(
        edited(v3, 1, &change("node_public_ip_enabled", "false")),
        v3.replace(
            "enable_node_public_ip = true",
            "enable_node_public_ip = false"
        )
    );
    let registry = "resource \"azurerm_container_registry\" \"r\" {\n  sku = \"Premium\"\n  retention_policy {\n    days = 30\n  }\n  trust_policy {\n    enabled = false\n  }\n}\n";
    let out = edited(registry, 1, &change("trust_policy_enabled", "true"));
    assert!(
        out.contains("    enabled = true\n") && !out.contains("trust_policy_enabled"),
        "{out}"
    );
    let out = edited(registry, 1, &change("retention_policy_in_days", "7"));
    assert!(
        out.contains("    days = 30\n    enabled = true\n")
            && !out.contains("retention_policy_in_days"),
        "{out}"
    );
}

#[test]
fn identity_replaces_the_service_principal_block() {
    let text = "resource \"azurerm_kubernetes_cluster\" \"c\" {\n  name = \"c\"\n  service_principal { # old\n    client_id     = \"x\"\n    client_secret = \"y\"\n  } # gone\n}\n";
    assert_eq!(
        edited(text, 1, &change("identity.type", "\"SystemAssigned\"")),
        "resource \"azurerm_kubernetes_cluster\" \"c\" {\n  name = \"c\"\n  identity {\n    type = \"SystemAssigned\"\n  }\n}\n"
    );
}

#[test]
fn a_new_entra_block_needs_the_admin_groups() {
    let text = "resource \"azurerm_kubernetes_cluster\" \"c\" {\n  name = \"c\"\n}\n";
    let out = outcome(
        text,
        1,
        &change(
            "azure_active_directory_role_based_access_control.azure_rbac_enabled",
            "true",
        ),
    );
    assert!(
        matches!(&out, IacOutcome::Note(n) if n.contains("admin_group_object_ids")),
        "{out:?}"
    );
}

#[test]
fn module_inputs_and_dynamic_blocks_are_not_edited() {
    let text = "module \"aks\" {\n  source = \"./aks\"\n}\nresource \"azurerm_kubernetes_cluster\" \"c\" {\n  dynamic \"api_server_access_profile\" {\n    for_each = var.p\n    content {}\n  }\n}\n";
    assert!(
        matches!(outcome(text, 2, &change("run_command_enabled", "false")), IacOutcome::Note(n) if n.contains("`module` block"))
    );
    assert!(matches!(
        outcome(text, 4, &change("api_server_access_profile.authorized_ip_ranges", "[]")),
        IacOutcome::Note(n) if n.contains("dynamic")
    ));
}

#[test]
fn keeps_crlf_tabs_comments_and_heredocs() {
    let text = "resource \"azurerm_kubernetes_cluster\" \"aks\" {\r\n\t# comment {\r\n\tdescription = <<-EOT\r\n\t  }\r\n\tEOT\r\n}\r\n";
    let out = edited(text, 1, &change("run_command_enabled", "false"));
    assert_eq!(
        out,
        text.replace("\tEOT\r\n}", "\tEOT\r\n\trun_command_enabled = false\r\n}")
    );
}

#[test]
fn opens_an_empty_one_line_block_and_refuses_a_full_one() {
    let text = "resource \"azurerm_kubernetes_cluster\" \"aks\" {}\n";
    let out = edited(text, 1, &change("run_command_enabled", "false"));
    assert_eq!(
        out,
        "resource \"azurerm_kubernetes_cluster\" \"aks\" {\n  run_command_enabled = false\n}\n"
    );
    let text = "resource \"azurerm_kubernetes_cluster\" \"aks\" {\n  network_profile { network_plugin = \"azure\" }\n}\n";
    assert!(
        apply(
            &Arc::from("main.tf"),
            text,
            2,
            &change("network_profile.network_policy", "\"cilium\"")
        )
        .is_err()
    );
}

#[test]
fn the_node_pool_resource_takes_default_node_pool_attributes() {
    let text =
        "resource \"azurerm_kubernetes_cluster_node_pool\" \"user\" {\n  name = \"user\"\n}\n";
    let out = edited(
        text,
        2,
        &change("default_node_pool.host_encryption_enabled", "true"),
    );
    assert!(
        out.contains("  name = \"user\"\n  host_encryption_enabled = true\n}"),
        "{out}"
    );
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let path: Arc<str> = Arc::from("main.tf");
    let good = change("run_command_enabled", "false");
    assert!(apply(&path, "resource \"a\" \"b\" {", 1, &good).is_err());
    assert!(apply(&path, CLUSTER, 99, &good).is_err());
    assert!(apply(&path, CLUSTER, 0, &good).is_err());
    assert!(apply(&path, CLUSTER, 2, &change("a..b", "1")).is_err());
    assert!(matches!(
        apply(&path, CLUSTER, 2, &change("x", "[\"<cidr>\"]")),
        Ok(IacOutcome::Note(n)) if n.contains("(<cidr>)")
    ));
    assert!(apply(&path, CLUSTER, 2, &change("default_node_pool", "true")).is_err());
    let mut arm = good.clone();
    arm.language = "arm";
    assert!(apply(&path, CLUSTER, 2, &arm).is_err());
}

#[test]
fn one_splice_covers_the_difference() {
    let s = splice_between("abcXdef", "abcYYdef");
    assert_eq!((s.start, s.end, s.replacement.as_str()), (3, 4, "YY"));
    let s = splice_between("aé", "aè");
    assert_eq!((s.start, s.end), (1, 3));
    let s = splice_between("aa", "aaa");
    assert_eq!((s.start, s.end, s.replacement.as_str()), (2, 2, "a"));
}

const AZAPI: &str = r#"resource "azapi_resource" "aks" {
  type = "Microsoft.ContainerService/managedClusters@2024-09-01"
  body = {
    properties = {
      disableLocalAccounts = false # keep
      addonProfiles = {
        azureKeyvaultSecretsProvider = {
          enabled = false
          config  = null
        }
      }
      agentPoolProfiles = [
        {
          name = "system"
        },
        {
          name = "user"
        },
      ]
    }
  }
}
"#;

#[test]
fn azapi_bodies_are_edited_in_place() {
    let out = edited(
        AZAPI,
        1,
        &change("body.properties.disableLocalAccounts", "true"),
    );
    assert_eq!(out, AZAPI.replace("= false # keep", "= true # keep"));
    let out = edited(
        AZAPI,
        1,
        &change(
            "body.properties.apiServerAccessProfile.disableRunCommand",
            "true",
        ),
    );
    assert!(
        out.contains("      ]\n      apiServerAccessProfile = {\n        disableRunCommand = true\n      }\n    }\n"),
        "{out}"
    );
    let out = edited(
        AZAPI,
        1,
        &change(
            "body.properties.addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation",
            "\"true\"",
        ),
    );
    assert!(
        out.contains(
            "          config  = {\n            enableSecretRotation = \"true\"\n          }\n"
        ),
        "{out}"
    );
    // A pool setting goes into the item holding the finding's line.
    let out = edited(AZAPI, 17, &change("body.enableEncryptionAtHost", "true"));
    assert!(
        out.contains(
            "          name = \"user\"\n          enableEncryptionAtHost = true\n        },"
        ),
        "{out}"
    );
    let encoded = "resource \"azapi_resource\" \"r\" {\n  body = jsonencode({\n    properties = {\n      adminUserEnabled = true\n    }\n  })\n}\n";
    assert_eq!(
        edited(
            encoded,
            1,
            &change("body.properties.adminUserEnabled", "false")
        ),
        encoded.replace("= true", "= false")
    );
    let entra = outcome(
        AZAPI,
        1,
        &change("body.properties.aadProfile.enableAzureRBAC", "true"),
    );
    assert!(
        matches!(&entra, IacOutcome::Note(n) if n.contains("adminGroupObjectIDs")),
        "{entra:?}"
    );
}
