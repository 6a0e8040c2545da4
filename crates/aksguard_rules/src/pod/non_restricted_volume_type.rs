use aksguard_model::{Node, PodSpecView, Severity};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};

/// Volume types the Pod Security Standards restricted profile allows.
pub const RESTRICTED_VOLUME_TYPES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

pub(crate) static RULE: Rule = Rule {
    id: "POD028",
    slug: "non-restricted-volume-type",
    title: "Pod uses a volume type outside the restricted set",
    family: Family::Pod,
    severity: Severity::Medium,
    checks: "Each pod volume (`volumes[*]`) whose type, i.e. its key other than `name`, is \
             outside the Pod Security Standards restricted set: configMap, csi, downwardAPI, \
             emptyDir, ephemeral, persistentVolumeClaim, projected, secret (names compared \
             exactly, as the API does). One finding per offending key, at the volume, with no \
             container. A type key with a null value is unset, and a volume with no type \
             defaults to emptyDir, so neither fires. hostPath fires here too (POD013 rates \
             the path itself). Applies to Windows pods too.",
    rationale: "Types outside the restricted set reach the AKS node or external storage \
                directly from the pod spec: hostPath exposes node files, in-tree and \
                flexVolume drivers run node-side plugins with node credentials, and nfs, iscsi \
                or azureFile with inline secrets bypass PersistentVolume administration. The \
                restricted set keeps storage behind PersistentVolumeClaims and CSI drivers \
                that cluster admins control.",
    remediation: "Replace the volume with a `persistentVolumeClaim` (backed by an Azure Disk or \
                  Azure Files CSI StorageClass), a `csi` volume such as the Secrets Store CSI \
                  driver, or a `configMap`, `secret`, `projected`, `downwardAPI` or `emptyDir` \
                  volume.",
    references: &[
        Reference::Pss("restricted", "Volume Types"),
        guides::USE_PSA,
        guides::USE_AZURE_POLICY,
    ],
    fix: crate::RuleFix {
        summary: Some(
            "Replace the volume with a persistentVolumeClaim, a CSI volume, or a configMap, secret, projected, downwardAPI or emptyDir volume.",
        ),
        ..crate::RuleFix::MANUAL
    },
    linux_only: false,
    reads_other_objects: false,
    check: Check::PodSpec(check),
};

fn check(pod: &PodSpecView<'_>, out: &mut Checker<'_>) {
    let Some(volumes) = pod.get("volumes") else {
        return;
    };
    for (index, volume) in volumes.items().iter().enumerate() {
        let name = volume
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or("<unnamed>");
        for entry in volume.entries() {
            // With duplicate keys the last one wins, as in the API server's decoder.
            let shadowed = volume
                .entry(&entry.key)
                .is_some_and(|last| !std::ptr::eq(last, entry));
            if shadowed
                || entry.key == "name"
                || entry.value.is_null()
                || RESTRICTED_VOLUME_TYPES.contains(&entry.key.as_str())
            {
                continue;
            }
            out.report(Violation::at(
                volume.pos,
                format!(
                    "volume `{name}` has type {} ({}[{index}].{}), outside the restricted set",
                    entry.key,
                    pod.path("volumes"),
                    entry.key
                ),
            ));
        }
    }
}
