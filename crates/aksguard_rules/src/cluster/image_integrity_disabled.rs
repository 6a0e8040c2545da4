use aksguard_model::Severity;
use aksguard_model::azure::{Lookup, ManagedCluster};

use crate::checker::{Checker, Violation};
use crate::cluster::helpers::{node_flag, pos_of};
use crate::meta::{Check, Family, Reference, Rule};

pub(crate) static RULE: Rule = Rule {
    id: "AKS039",
    slug: "image-integrity-disabled",
    title: "Image Integrity (image signature verification) is not enabled",
    family: Family::Cluster,
    severity: Severity::Low,
    checks: "Every AKS cluster whose `securityProfile.imageIntegrity.enabled` is known and not \
             true, or absent (the default is disabled). An unresolvable value never fires. \
             Image Integrity is an AKS preview feature (aks-preview CLI extension, feature \
             flag `EnableImageIntegrityPreview`) with no azurerm Terraform attribute; it \
             verifies Notary Project signatures through Ratify and an Azure Policy \
             assignment, so it also needs the Azure Policy add-on (AKS010) and the OIDC \
             issuer. A signature check enforced another way (your own Ratify or Kyverno \
             deployment) is not visible here.",
    rationale: "Without signature verification the cluster runs whatever image a tag points \
                to: a registry compromise, a poisoned CI pipeline or a typo-squatted image is \
                deployed as readily as your own build. Verifying signatures at admission \
                ensures only images signed by your pipeline's key run.",
    remediation: "Enable Image Integrity (`az aks update --enable-image-integrity`, aks-preview \
                  extension), sign images with Notation in your pipeline, and assign the \
                  built-in image-signature policy to the cluster; or enforce signatures with \
                  your own Ratify or Kyverno deployment.",
    references: &[Reference::Guide(
        "Use Image Integrity to validate signed images before deploying them to AKS",
        "https://learn.microsoft.com/azure/aks/image-integrity",
    )],
    fix: crate::RuleFix {
        summary: Some("Enable Image Integrity (signature verification at deployment)."),
        safety: aksguard_model::FixSafety::Review,
        commands: &["az aks update {cluster-args} --enable-image-integrity"],
        iac: &[crate::IacSetting::arm(
            "securityProfile.imageIntegrity.enabled",
            "true",
        )],
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::Cluster(check),
};

fn check(cluster: &ManagedCluster, out: &mut Checker<'_>) {
    const PATH: &str = "securityProfile.imageIntegrity.enabled";
    let state = match cluster.settings.get(PATH) {
        Lookup::Known(node) => match node_flag(node) {
            Some(false) => format!("`{PATH}` is false"),
            Some(true) | None => return,
        },
        Lookup::Absent => format!("`{PATH}` is not set (defaults to disabled)"),
        Lookup::Unknown(_) => return,
    };
    let message = format!(
        "{state}: image signatures are not verified at admission, so any image a tag \
         points to can run (preview feature: needs the aks-preview extension, the Azure \
         Policy add-on and the OIDC issuer)."
    );
    out.report(Violation::at(pos_of(cluster, PATH), message));
}
