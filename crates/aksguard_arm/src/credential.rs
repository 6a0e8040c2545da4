//! Which credential a scan signs its requests with, chosen from the environment in a fixed
//! order, explicitly: azure_identity 1.0 has no default chain (its authors removed
//! `DefaultAzureCredential` because a silent fallback from one credential to another is a
//! footgun), so aksguard picks exactly one and says which in a note.
//!
//! 1. `AKSGUARD_ARM_TOKEN`: a bearer token as is (`az account get-access-token --query
//!    accessToken -o tsv` in a pipeline).
//! 2. Workload identity: `AZURE_FEDERATED_TOKEN_FILE` + `AZURE_CLIENT_ID` + `AZURE_TENANT_ID`
//!    (what the AKS workload identity webhook injects into a pod).
//! 3. Managed identity, only where the environment says one is there: `IDENTITY_ENDPOINT` +
//!    `IDENTITY_HEADER` (App Service, Functions, Container Apps), or
//!    `AKSGUARD_ARM_MANAGED_IDENTITY=1` for the instance metadata endpoint of a VM, scale set
//!    or AKS node. The metadata endpoint is not probed: from a laptop that would be a slow,
//!    silent fallback. `AZURE_CLIENT_ID` then names a user-assigned identity. Cloud Shell and
//!    Azure ML (`MSI_ENDPOINT`) are not supported by azure_identity 1.0; Cloud Shell's `az` is
//!    logged in, so the Azure CLI is used there.
//! 4. Client secret: `AZURE_CLIENT_ID` + `AZURE_TENANT_ID` + `AZURE_CLIENT_SECRET`.
//! 5. The Azure CLI's login, when `az` is on `PATH`.
//!
//! `AZURE_AUTHORITY_HOST` (read by azure_identity) points the Entra ID credentials at a
//! sovereign cloud's login endpoint. A token is never printed, logged, or put in an error.

use std::path::Path;
use std::sync::Arc;

use azure_core::credentials::{Secret, TokenCredential};
use azure_identity::{
    AzureCliCredential, ClientSecretCredential, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};

pub const TOKEN_VAR: &str = "AKSGUARD_ARM_TOKEN";
pub const MANAGED_IDENTITY_VAR: &str = "AKSGUARD_ARM_MANAGED_IDENTITY";

/// The credential the environment selects, before anything is built or requested.
#[derive(Clone, PartialEq, Eq)]
pub enum Choice {
    Token(String),
    WorkloadIdentity {
        tenant_id: String,
        client_id: String,
        token_file: String,
    },
    ManagedIdentity {
        client_id: Option<String>,
        via: &'static str,
    },
    ClientSecret {
        tenant_id: String,
        client_id: String,
        secret: String,
    },
    AzureCli,
}

impl std::fmt::Debug for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Choice {
    /// What was chosen and why, for a note: names of variables, never their secret values.
    pub fn describe(&self) -> String {
        match self {
            Choice::Token(_) => format!("a bearer token from {TOKEN_VAR}"),
            Choice::WorkloadIdentity { client_id, .. } => {
                format!("workload identity (AZURE_FEDERATED_TOKEN_FILE, client ID {client_id})")
            }
            Choice::ManagedIdentity { client_id, via } => match client_id {
                Some(id) => format!("managed identity ({via}, user-assigned client ID {id})"),
                None => format!("managed identity ({via}, system-assigned)"),
            },
            Choice::ClientSecret { client_id, .. } => {
                format!("a client secret from AZURE_CLIENT_SECRET (client ID {client_id})")
            }
            Choice::AzureCli => "the Azure CLI's login (`az account get-access-token`)".into(),
        }
    }
}

/// Chooses from `env` (a variable's value, `None` when unset or empty). `Err` when nothing
/// is there to authenticate with.
pub fn choose(env: &dyn Fn(&str) -> Option<String>) -> Result<Choice, String> {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if let Some(token) = var(TOKEN_VAR) {
        let token = token.trim().trim_start_matches("Bearer ").trim().to_owned();
        return Ok(Choice::Token(token));
    }
    let client_id = var("AZURE_CLIENT_ID");
    let tenant_id = var("AZURE_TENANT_ID");
    if let Some(token_file) = var("AZURE_FEDERATED_TOKEN_FILE") {
        return match (tenant_id, client_id) {
            (Some(tenant_id), Some(client_id)) => Ok(Choice::WorkloadIdentity {
                tenant_id,
                client_id,
                token_file,
            }),
            _ => Err(
                "AZURE_FEDERATED_TOKEN_FILE is set but AZURE_CLIENT_ID or AZURE_TENANT_ID \
                      is not: workload identity needs all three"
                    .into(),
            ),
        };
    }
    let app_service = var("IDENTITY_ENDPOINT").is_some() && var("IDENTITY_HEADER").is_some();
    let asked = var(MANAGED_IDENTITY_VAR).is_some_and(|v| matches!(v.trim(), "1" | "true"));
    if app_service || asked {
        let via = if app_service {
            "IDENTITY_ENDPOINT"
        } else {
            "instance metadata endpoint"
        };
        return Ok(Choice::ManagedIdentity { client_id, via });
    }
    if let Some(secret) = var("AZURE_CLIENT_SECRET") {
        return match (tenant_id, client_id) {
            (Some(tenant_id), Some(client_id)) => Ok(Choice::ClientSecret {
                tenant_id,
                client_id,
                secret,
            }),
            _ => Err(
                "AZURE_CLIENT_SECRET is set but AZURE_CLIENT_ID or AZURE_TENANT_ID is \
                      not: a client secret needs all three"
                    .into(),
            ),
        };
    }
    if var("PATH").is_some_and(|path| az_on_path(&path)) {
        return Ok(Choice::AzureCli);
    }
    Err(format!(
        "no Azure credential: set {TOKEN_VAR} (e.g. from `az account get-access-token`), \
         use workload identity (AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID), \
         a managed identity ({MANAGED_IDENTITY_VAR}=1), a client secret (AZURE_CLIENT_ID, \
         AZURE_TENANT_ID, AZURE_CLIENT_SECRET), or log in with `az login`"
    ))
}

fn az_on_path(path: &str) -> bool {
    std::env::split_paths(path).any(|dir| {
        ["az", "az.cmd", "az.exe"]
            .iter()
            .any(|name| Path::new(&dir).join(name).is_file())
    })
}

/// A credential ready to sign requests.
#[derive(Clone)]
pub struct Credential {
    choice: Choice,
    source: Source,
}

#[derive(Clone)]
enum Source {
    Fixed(Arc<str>),
    Azure(Arc<dyn TokenCredential>),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("choice", &self.choice.describe())
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// The credential the process environment selects.
    pub fn from_env() -> Result<Credential, String> {
        Credential::from_choice(choose(&|name| std::env::var(name).ok())?)
    }

    pub fn from_choice(choice: Choice) -> Result<Credential, String> {
        let failed = |e: azure_core::Error| format!("{}: {e}", choice.describe());
        let source = match &choice {
            Choice::Token(token) => Source::Fixed(Arc::from(token.as_str())),
            Choice::WorkloadIdentity {
                tenant_id,
                client_id,
                token_file,
            } => Source::Azure(
                WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                    client_id: Some(client_id.clone()),
                    tenant_id: Some(tenant_id.clone()),
                    token_file_path: Some(token_file.into()),
                    ..Default::default()
                }))
                .map_err(failed)?,
            ),
            Choice::ManagedIdentity { client_id, .. } => Source::Azure(
                ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                    user_assigned_id: client_id.clone().map(UserAssignedId::ClientId),
                    ..Default::default()
                }))
                .map_err(failed)?,
            ),
            Choice::ClientSecret {
                tenant_id,
                client_id,
                secret,
            } => Source::Azure(
                ClientSecretCredential::new(
                    tenant_id,
                    client_id.clone(),
                    Secret::new(secret.clone()),
                    None,
                )
                .map_err(failed)?,
            ),
            Choice::AzureCli => Source::Azure(AzureCliCredential::new(None).map_err(failed)?),
        };
        Ok(Credential { choice, source })
    }

    /// What signs the requests, for a note.
    pub fn describe(&self) -> String {
        self.choice.describe()
    }

    /// A bearer token for `scope` (azure_identity caches and renews its own).
    pub(crate) async fn token(&self, scope: &str) -> Result<Arc<str>, String> {
        match &self.source {
            Source::Fixed(token) => Ok(token.clone()),
            Source::Azure(credential) => credential
                .get_token(&[scope], None)
                .await
                .map(|t| Arc::from(t.token.secret()))
                .map_err(|e| format!("{} could not get a token: {e}", self.describe())),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn pick(vars: &[(&str, &str)]) -> Result<Choice, String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        choose(&|name| map.get(name).cloned())
    }

    const SP: [(&str, &str); 3] = [
        ("AZURE_CLIENT_ID", "cid"),
        ("AZURE_TENANT_ID", "tid"),
        ("AZURE_CLIENT_SECRET", "s3cret"),
    ];

    #[test]
    fn the_token_variable_comes_first() {
        let mut vars = SP.to_vec();
        vars.push((TOKEN_VAR, "Bearer abc.def"));
        vars.push(("AZURE_FEDERATED_TOKEN_FILE", "/f"));
        assert_eq!(pick(&vars).unwrap(), Choice::Token("abc.def".into()));
    }

    #[test]
    fn workload_identity_before_managed_identity_before_client_secret() {
        let mut vars = SP.to_vec();
        vars.push(("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token"));
        vars.push((MANAGED_IDENTITY_VAR, "1"));
        assert!(matches!(
            pick(&vars).unwrap(),
            Choice::WorkloadIdentity { ref token_file, .. } if token_file == "/var/run/token"
        ));
        vars.retain(|(k, _)| *k != "AZURE_FEDERATED_TOKEN_FILE");
        assert_eq!(
            pick(&vars).unwrap(),
            Choice::ManagedIdentity {
                client_id: Some("cid".into()),
                via: "instance metadata endpoint"
            }
        );
        vars.retain(|(k, _)| *k != MANAGED_IDENTITY_VAR);
        assert!(matches!(pick(&vars).unwrap(), Choice::ClientSecret { .. }));
    }

    #[test]
    fn app_service_identity_needs_endpoint_and_header() {
        let only_endpoint = [("IDENTITY_ENDPOINT", "http://169.254.1.1/msi")];
        assert!(pick(&only_endpoint).is_err());
        let both = [
            ("IDENTITY_ENDPOINT", "http://169.254.1.1/msi"),
            ("IDENTITY_HEADER", "h"),
        ];
        assert_eq!(
            pick(&both).unwrap(),
            Choice::ManagedIdentity {
                client_id: None,
                via: "IDENTITY_ENDPOINT"
            }
        );
    }

    #[test]
    fn half_configured_identities_are_errors_not_fallbacks() {
        let err = pick(&[
            ("AZURE_FEDERATED_TOKEN_FILE", "/f"),
            ("AZURE_CLIENT_ID", "c"),
        ])
        .unwrap_err();
        assert!(err.contains("AZURE_TENANT_ID"), "{err}");
        let err = pick(&[("AZURE_CLIENT_SECRET", "s3cret")]).unwrap_err();
        assert!(
            err.contains("needs all three") && !err.contains("s3cret"),
            "{err}"
        );
    }

    #[test]
    fn the_azure_cli_when_az_is_on_path_else_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().to_str().unwrap().to_owned();
        let err = pick(&[("PATH", &empty)]).unwrap_err();
        assert!(err.starts_with("no Azure credential") && err.contains(TOKEN_VAR));
        assert!(pick(&[]).is_err());
        std::fs::write(dir.path().join("az"), "#!/bin/sh\n").unwrap();
        assert_eq!(pick(&[("PATH", &empty)]).unwrap(), Choice::AzureCli);
    }

    #[test]
    fn descriptions_and_debug_never_hold_secrets() {
        let mut vars = SP.to_vec();
        let secret = pick(&vars).unwrap();
        vars.push((TOKEN_VAR, "tok3n-value"));
        let token = pick(&vars).unwrap();
        for choice in [secret, token] {
            let shown = format!("{} {choice:?}", choice.describe());
            assert!(
                !shown.contains("s3cret") && !shown.contains("tok3n"),
                "{shown}"
            );
            let credential = Credential::from_choice(choice).unwrap();
            let shown = format!("{credential:?} {}", credential.describe());
            assert!(
                !shown.contains("s3cret") && !shown.contains("tok3n"),
                "{shown}"
            );
        }
    }
}
