//! The one fix builder of the AKS/ACR rules: the rule's `RuleFix` (summary, safety, `az`
//! command templates, IaC settings) spelled for one cluster, node pool or registry: the
//! command with its real resource group and names, the IaC change in the language of the
//! source the resource came from (a Terraform cluster names the azurerm attribute the user
//! wrote, an ARM template the property path).

use aksguard_model::azure::{AzureFormat, ContainerRegistry, ManagedCluster, NodePool};
use aksguard_model::{Fix, IacChange};

use crate::cluster::helpers::{cluster_words, shell_word_or};
use crate::meta::{IacSetting, Rule};

/// What an AKS/ACR finding is about.
pub enum AzureTarget<'a> {
    Cluster(&'a ManagedCluster),
    /// A node pool; `index` is its place in `cluster.node_pools` (Terraform's
    /// `default_node_pool` comes first).
    Pool {
        cluster: &'a ManagedCluster,
        pool: &'a NodePool,
        index: usize,
    },
    Registry(&'a ContainerRegistry),
}

impl AzureTarget<'_> {
    fn format(&self) -> AzureFormat {
        match self {
            AzureTarget::Cluster(cluster) | AzureTarget::Pool { cluster, .. } => cluster.format,
            AzureTarget::Registry(registry) => registry.format,
        }
    }

    /// A command template with this target's names filled in (see `RuleFix::commands`).
    pub fn fill(&self, template: &str) -> String {
        let mut out = template.to_owned();
        match self {
            AzureTarget::Cluster(cluster) | AzureTarget::Pool { cluster, .. } => {
                let (group, name) = cluster_words(cluster);
                out = out
                    .replace(
                        "{cluster-args}",
                        &format!("--resource-group {group} --name {name}"),
                    )
                    .replace("{group}", &group)
                    .replace("{cluster}", &name);
                if let AzureTarget::Pool { pool, .. } = self {
                    out = out.replace("{pool}", &shell_word_or(&pool.name, "<pool>"));
                }
            }
            AzureTarget::Registry(registry) => {
                out = out.replace("{registry}", &registry_word(registry));
            }
        }
        out
    }

    /// `setting` in the language of this target's source; `None` when that language cannot
    /// write it, or the source is not code (`az` output, Azure Verified Module inputs).
    pub fn iac(&self, setting: &IacSetting) -> Option<IacChange> {
        let pool_prefix = match self {
            AzureTarget::Pool {
                index: 0,
                pool,
                cluster,
            } if std::sync::Arc::ptr_eq(&pool.source, &cluster.source) => "default_node_pool.",
            _ => "",
        };
        let on_pool = matches!(self, AzureTarget::Pool { .. });
        // `identity` and `sku` sit beside `properties`, at the resource's root.
        let at_root = ["identity.", "sku."]
            .iter()
            .any(|root| setting.arm.starts_with(root));
        let properties = if on_pool || at_root {
            ""
        } else {
            "properties."
        };
        let (language, attribute, value) = match self.format() {
            AzureFormat::Terraform | AzureFormat::TerraformPlan => {
                if setting.terraform.is_empty() {
                    return None;
                }
                (
                    "terraform",
                    format!("{pool_prefix}{}", setting.terraform),
                    setting.terraform_value,
                )
            }
            AzureFormat::TerraformAzapi => (
                "terraform",
                format!("body.{properties}{}", setting.arm),
                setting.arm_value,
            ),
            AzureFormat::ArmTemplate | AzureFormat::ArmRest => (
                "arm",
                format!("{properties}{}", setting.arm),
                setting.arm_value,
            ),
            AzureFormat::Bicep => (
                "bicep",
                format!("{properties}{}", setting.arm),
                setting.arm_value,
            ),
            AzureFormat::AzCli | AzureFormat::AvmBicep | AzureFormat::AvmTerraform => {
                return None;
            }
        };
        let azapi = self.format() == AzureFormat::TerraformAzapi;
        if setting.arm.is_empty() && (language != "terraform" || azapi) {
            return None;
        }
        Some(IacChange {
            language,
            attribute,
            value: value.to_owned(),
            variable: None,
        })
    }
}

/// The registry's name as a command-line word, or `<registry>` when unresolved.
pub(crate) fn registry_word(registry: &ContainerRegistry) -> String {
    let name = registry.name.trim();
    let resolved = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if resolved {
        name.to_owned()
    } else {
        "<registry>".to_owned()
    }
}

/// The fix of one finding on `target`: the violation's own fix (`own`) where it says
/// something, the rule's definition for the rest (summary, safety, commands, IaC).
pub fn build(rule: &Rule, target: &AzureTarget<'_>, own: Option<Fix>) -> Fix {
    let mut fix = own.unwrap_or_else(|| Fix::new(rule.fix_summary(), rule.fix.safety));
    if fix.commands.is_empty() {
        fix.commands = rule.fix.commands.iter().map(|t| target.fill(t)).collect();
    }
    if fix.iac.is_empty() {
        fix.iac = rule.fix.iac.iter().filter_map(|s| target.iac(s)).collect();
    }
    fix
}

/// A fix with the rule's summary and safety and these commands (rules whose command
/// depends on what they found: a version, a principal); the builder adds the IaC.
pub fn with_commands(rule: &Rule, commands: impl IntoIterator<Item = String>) -> Fix {
    let mut fix = Fix::new(rule.fix_summary(), rule.fix.safety);
    fix.commands = commands.into_iter().collect();
    fix
}

/// The IaC change for a resource other than a cluster or registry (a Defender pricing, a
/// route table, a role assignment), in the language of the file it was read from: `.tf` is
/// Terraform, `.bicep` Bicep, other `.json` ARM; `None` for `az` output and anything else.
pub fn iac_for_file(path: &str, arm: (&str, &str), terraform: (&str, &str)) -> Option<IacChange> {
    let lower = path.to_ascii_lowercase();
    let (language, (attribute, value)) = if lower.ends_with(".tf") {
        ("terraform", terraform)
    } else if lower.ends_with(".bicep") {
        ("bicep", arm)
    } else if lower.ends_with(".json") && !lower.ends_with(".az.json") {
        ("arm", arm)
    } else {
        return None;
    };
    (!attribute.is_empty()).then(|| IacChange {
        language,
        attribute: attribute.to_owned(),
        value: value.to_owned(),
        variable: None,
    })
}

/// A command template with placeholders for the names (for docs and `aksguard rule`).
pub fn generic_command(template: &str) -> String {
    template
        .replace(
            "{cluster-args}",
            "--resource-group <resource-group> --name <cluster>",
        )
        .replace("{group}", "<resource-group>")
        .replace("{cluster}", "<cluster>")
        .replace("{pool}", "<pool>")
        .replace("{registry}", "<registry>")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use aksguard_model::azure::{AzureFormat, ManagedCluster, Settings};
    use aksguard_model::{Node, Pos, Source};

    use super::*;

    fn cluster(format: AzureFormat, group: Option<&str>) -> ManagedCluster {
        let node = Node {
            pos: Pos::new(1, 1),
            value: aksguard_model::Value::Map(Vec::new()),
        };
        ManagedCluster {
            name: "aks-prod".into(),
            id: None,
            resource_group: group.map(str::to_owned),
            location: None,
            pos: Pos::new(1, 1),
            source: Arc::new(Source {
                path: "main.tf".into(),
            }),
            format,
            settings: Settings::new(node),
            node_pools: Vec::new(),
            diagnostic_settings: Vec::new(),
            maintenance_configurations: Vec::new(),
            refs: Default::default(),
            holds: Default::default(),
        }
    }

    const RUN_COMMAND: IacSetting = IacSetting::new(
        "apiServerAccessProfile.disableRunCommand",
        "true",
        "run_command_enabled",
        "false",
    );

    #[test]
    fn commands_get_the_real_names_or_placeholders() {
        let known = cluster(AzureFormat::Terraform, Some("rg-prod"));
        let target = AzureTarget::Cluster(&known);
        assert_eq!(
            target.fill("az aks update {cluster-args} --disable-run-command"),
            "az aks update --resource-group rg-prod --name aks-prod --disable-run-command"
        );
        let unknown = cluster(AzureFormat::ArmTemplate, Some("[resourceGroup().name]"));
        assert_eq!(
            AzureTarget::Cluster(&unknown).fill("{cluster-args}"),
            "--resource-group <resource-group> --name aks-prod"
        );
        assert_eq!(
            generic_command("az aks nodepool update -g {group} --cluster-name {cluster} -n {pool}"),
            "az aks nodepool update -g <resource-group> --cluster-name <cluster> -n <pool>"
        );
    }

    #[test]
    fn iac_is_spelled_for_the_source_language() {
        let spelled = |format| {
            let cluster = cluster(format, None);
            AzureTarget::Cluster(&cluster)
                .iac(&RUN_COMMAND)
                .map(|c| (c.language, c.attribute, c.value))
        };
        assert_eq!(
            spelled(AzureFormat::Terraform),
            Some(("terraform", "run_command_enabled".into(), "false".into()))
        );
        assert_eq!(
            spelled(AzureFormat::ArmTemplate),
            Some((
                "arm",
                "properties.apiServerAccessProfile.disableRunCommand".into(),
                "true".into()
            ))
        );
        assert_eq!(spelled(AzureFormat::Bicep).map(|c| c.0), Some("bicep"));
        assert_eq!(
            spelled(AzureFormat::TerraformAzapi).map(|c| c.1),
            Some("body.properties.apiServerAccessProfile.disableRunCommand".into())
        );
        // `az` output and module inputs are not code the user can edit this way.
        assert_eq!(spelled(AzureFormat::AzCli), None);
        assert_eq!(spelled(AzureFormat::AvmTerraform), None);
        // `identity` and `sku` sit beside `properties`.
        let cluster = cluster(AzureFormat::ArmTemplate, None);
        let identity = IacSetting::new("identity.type", "\"SystemAssigned\"", "", "");
        assert_eq!(
            AzureTarget::Cluster(&cluster)
                .iac(&identity)
                .map(|c| c.attribute),
            Some("identity.type".into())
        );
        // A setting azurerm cannot write has no Terraform change.
        let only_arm = IacSetting::arm("securityProfile.sshAccess", "\"Disabled\"");
        let tf = self::cluster(AzureFormat::Terraform, None);
        assert_eq!(AzureTarget::Cluster(&tf).iac(&only_arm), None);
    }

    #[test]
    fn files_of_other_resources_are_spelled_by_extension() {
        let arm = ("properties.pricingTier", "\"Standard\"");
        let tf = ("tier", "\"Standard\"");
        assert_eq!(
            iac_for_file("p.tf", arm, tf).map(|c| c.language),
            Some("terraform")
        );
        assert_eq!(
            iac_for_file("p.bicep", arm, tf).map(|c| c.language),
            Some("bicep")
        );
        assert_eq!(
            iac_for_file("p.json", arm, tf).map(|c| c.language),
            Some("arm")
        );
        assert_eq!(iac_for_file("p.az.json", arm, tf), None);
        assert_eq!(iac_for_file("p.yaml", arm, tf), None);
    }
}
