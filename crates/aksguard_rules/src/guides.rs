//! Microsoft guidance pages that several rules cite, named once so titles and URLs
//! cannot drift apart between rules.

use crate::meta::Reference;

pub(crate) const CONTAINER_REGISTRY_IMAGE_TAG_VERSION: Reference = Reference::Guide(
    "Recommendations for tagging and versioning container images (ACR)",
    "https://learn.microsoft.com/azure/container-registry/container-registry-image-tag-version",
);

pub(crate) const CSI_SECRETS_STORE_DRIVER: Reference = Reference::Guide(
    "Use the Azure Key Vault provider for Secrets Store CSI Driver in AKS",
    "https://learn.microsoft.com/azure/aks/csi-secrets-store-driver",
);

pub(crate) const DEVELOPER_BEST_PRACTICES_POD_SECURITY: Reference = Reference::Guide(
    "AKS best practices for pod security",
    "https://learn.microsoft.com/azure/aks/developer-best-practices-pod-security",
);

pub(crate) const OPERATOR_BEST_PRACTICES_CONTAINER_IMAGE_MANAGEMENT: Reference = Reference::Guide(
    "AKS best practices for container image management and security",
    "https://learn.microsoft.com/azure/aks/operator-best-practices-container-image-management",
);

pub(crate) const SECURE_CONTAINER_ACCESS: Reference = Reference::Guide(
    "Secure container access to resources using built-in Linux security features",
    "https://learn.microsoft.com/azure/aks/secure-container-access",
);

pub(crate) const USE_PSA: Reference = Reference::Guide(
    "Use Pod Security Admission in AKS",
    "https://learn.microsoft.com/azure/aks/use-psa",
);

pub(crate) const WORKLOAD_IDENTITY_OVERVIEW: Reference = Reference::Guide(
    "Use Microsoft Entra Workload ID with AKS",
    "https://learn.microsoft.com/azure/aks/workload-identity-overview",
);

pub(crate) const APP_CLUSTER_RELIABILITY: Reference = Reference::Guide(
    "Deployment and cluster reliability best practices for AKS",
    "https://learn.microsoft.com/azure/aks/best-practices-app-cluster-reliability",
);

pub(crate) const AKS_IDENTITY_BEST_PRACTICES: Reference = Reference::Guide(
    "Best practices for authentication and authorization in AKS",
    "https://learn.microsoft.com/azure/aks/operator-best-practices-identity",
);

pub(crate) const KUBERNETES_RBAC_GOOD_PRACTICES: Reference = Reference::Guide(
    "Kubernetes: Role Based Access Control Good Practices",
    "https://kubernetes.io/docs/concepts/security/rbac-good-practices/",
);

pub(crate) const USE_NETWORK_POLICIES: Reference = Reference::Guide(
    "Secure traffic between pods by using network policies in AKS",
    "https://learn.microsoft.com/azure/aks/use-network-policies",
);

pub(crate) const OPERATOR_BEST_PRACTICES_NETWORK: Reference = Reference::Guide(
    "Best practices for network connectivity and security in AKS",
    "https://learn.microsoft.com/azure/aks/operator-best-practices-network",
);

pub(crate) const INTERNAL_LOAD_BALANCER: Reference = Reference::Guide(
    "Create an internal load balancer to use with AKS",
    "https://learn.microsoft.com/azure/aks/internal-lb",
);

pub(crate) const AKS_MANAGED_ENTRA_ID: Reference = Reference::Guide(
    "Enable AKS-managed Microsoft Entra integration",
    "https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id",
);

pub(crate) const AKS_CLUSTER_SECURITY_BEST_PRACTICES: Reference = Reference::Guide(
    "Best practices for cluster security and upgrades in AKS",
    "https://learn.microsoft.com/azure/aks/operator-best-practices-cluster-security",
);

pub(crate) const MONITOR_AKS: Reference = Reference::Guide(
    "Monitor Azure Kubernetes Service (AKS)",
    "https://learn.microsoft.com/azure/aks/monitor-aks",
);

pub(crate) const POLICY_FOR_KUBERNETES: Reference = Reference::Guide(
    "Understand Azure Policy for Kubernetes clusters",
    "https://learn.microsoft.com/azure/governance/policy/concepts/policy-for-kubernetes",
);

pub(crate) const USE_AZURE_POLICY: Reference = Reference::Guide(
    "Secure your cluster with Azure Policy (AKS)",
    "https://learn.microsoft.com/azure/aks/use-azure-policy",
);
