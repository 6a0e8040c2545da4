//! How one Azure resource names another, and whether a reference names a given resource.
//!
//! Sources name resources in three ways, and loaders normalise each into a [`Ref`] key:
//! - a **resource ID** (`az` output, REST bodies, plan JSON, resolved template expressions),
//!   kept as written;
//! - an ID whose subscription or resource group is an expression: ARM
//!   `resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'nodes')` or
//!   `subscription().id` with known names becomes
//!   `/subscriptions/{unknown}/resourceGroups/{unknown}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes`
//!   ([`UNKNOWN_SEGMENT`] matches any one segment);
//! - a **symbol** of the source when the ID exists only after deployment: a Terraform
//!   address qualified by its module call (`tf:<caller file>#module.net.azurerm_subnet.nodes`,
//!   from `azurerm_subnet.nodes.id`), an ARM symbolic resource name (`arm:<file>#identity`).
//!
//! A resource carries a [`ResourceKey`]: its ID when known (with unknown segments where its
//! source leaves them open) and its symbols. Joins compare keys, never display names, and are
//! case-insensitive as Azure IDs are. A reference with no key (an expression the loader could
//! not follow) joins nothing: what it names is Unknown, and no rule fires on it.

/// The ID segment a loader writes for a subscription or resource group it cannot resolve.
pub const UNKNOWN_SEGMENT: &str = "{unknown}";

/// A reference to another resource (or to one of its properties, such as an identity's
/// principal ID), as written and as the loader could resolve it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    /// As the source writes it, for messages: an ID, a GUID, or an expression.
    pub written: String,
    /// The normalised key (see the module documentation): an ID starting with `/`, or a
    /// symbol (`tf:…`, `arm:…`). `None` when the reference cannot be followed.
    pub key: Option<String>,
}

impl Ref {
    /// A reference written as a resource ID or other literal value (a GUID): the written
    /// text is its key.
    pub fn literal(text: impl Into<String>) -> Ref {
        let written: String = text.into();
        Ref {
            key: Some(written.trim().to_owned()),
            written,
        }
    }

    /// A reference whose target the loader resolved to `key`.
    pub fn resolved(written: impl Into<String>, key: impl Into<String>) -> Ref {
        Ref {
            written: written.into(),
            key: Some(key.into()),
        }
    }

    /// A reference that cannot be followed (an expression of unknown value).
    pub fn opaque(written: impl Into<String>) -> Ref {
        Ref {
            written: written.into(),
            key: None,
        }
    }

    /// The key when it is a resource ID (possibly with unknown segments).
    pub fn id(&self) -> Option<&str> {
        self.key.as_deref().filter(|k| k.starts_with('/'))
    }

    /// Whether this reference names the resource `key` describes.
    pub fn names(&self, key: &ResourceKey) -> bool {
        let Some(mine) = self.key.as_deref() else {
            return false;
        };
        if mine.starts_with('/') {
            key.id.as_deref().is_some_and(|id| ids_match(mine, id))
        } else {
            key.symbols.iter().any(|s| s.eq_ignore_ascii_case(mine))
        }
    }

    /// Whether two references name the same thing: equal symbols, or IDs that match (with
    /// unknown segments). Opaque references name nothing.
    pub fn same_target(&self, other: &Ref) -> bool {
        match (self.key.as_deref(), other.key.as_deref()) {
            (Some(a), Some(b)) if a.starts_with('/') && b.starts_with('/') => ids_match(a, b),
            (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
            _ => false,
        }
    }

    /// Whether the key is exactly `value`, ignoring case (principal and client IDs).
    pub fn is(&self, value: &str) -> bool {
        self.key
            .as_deref()
            .is_some_and(|k| k.trim().eq_ignore_ascii_case(value.trim()))
    }
}

/// How a resource can be named by others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceKey {
    /// The resource ID, possibly with [`UNKNOWN_SEGMENT`]s.
    pub id: Option<String>,
    /// Symbols of its source (`tf:…`, `arm:…`).
    pub symbols: Vec<String>,
}

impl ResourceKey {
    pub fn from_id(id: impl Into<String>) -> ResourceKey {
        ResourceKey {
            id: Some(id.into()),
            symbols: Vec::new(),
        }
    }

    /// Whether this key and `other` describe the same resource (an ID match, or a shared
    /// symbol).
    pub fn same_as(&self, other: &ResourceKey) -> bool {
        let ids = match (&self.id, &other.id) {
            (Some(a), Some(b)) => ids_match(a, b),
            _ => false,
        };
        ids || self
            .symbols
            .iter()
            .any(|s| other.symbols.iter().any(|o| o.eq_ignore_ascii_case(s)))
    }
}

/// Two resource IDs name the same resource: same segments ignoring case and a trailing `/`,
/// where [`UNKNOWN_SEGMENT`] on either side matches any one segment.
pub fn ids_match(a: &str, b: &str) -> bool {
    let a: Vec<&str> = a.trim().trim_end_matches('/').split('/').collect();
    let b: Vec<&str> = b.trim().trim_end_matches('/').split('/').collect();
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            *x == UNKNOWN_SEGMENT || *y == UNKNOWN_SEGMENT || x.eq_ignore_ascii_case(y)
        })
}

/// What an ID names above its resource: the subscription and resource group segments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdParts<'a> {
    /// The subscription ID (or [`UNKNOWN_SEGMENT`]).
    pub subscription: Option<&'a str>,
    /// The resource group name (or [`UNKNOWN_SEGMENT`]).
    pub resource_group: Option<&'a str>,
    /// Everything after the first `/providers/` (`Microsoft.Network/virtualNetworks/v`), or
    /// `None` for a subscription or resource group ID.
    pub provider_path: Option<&'a str>,
}

/// Splits a resource ID into its subscription, resource group and provider path; `None` when
/// `id` is not an ID (`/subscriptions/…` or `/providers/…`).
pub fn id_parts(id: &str) -> Option<IdParts<'_>> {
    let id = id.trim().trim_end_matches('/');
    if !id.starts_with('/') {
        return None;
    }
    let lower = id.to_ascii_lowercase();
    let provider_path = lower
        .find("/providers/")
        .map(|at| &id[at + "/providers/".len()..]);
    let head = match lower.find("/providers/") {
        Some(at) => &id[..at],
        None => id,
    };
    let segments: Vec<&str> = head.split('/').skip(1).collect();
    let mut parts = IdParts {
        subscription: None,
        resource_group: None,
        provider_path,
    };
    let mut i = 0;
    while i + 1 < segments.len() {
        if segments[i].eq_ignore_ascii_case("subscriptions") {
            parts.subscription = Some(segments[i + 1]);
        } else if segments[i].eq_ignore_ascii_case("resourceGroups") {
            parts.resource_group = Some(segments[i + 1]);
        } else {
            return None;
        }
        i += 2;
    }
    (i == segments.len()).then_some(parts)
}

/// The ID of the resource group holding `id` (`/subscriptions/s/resourceGroups/rg`).
pub fn resource_group_id(id: &str) -> Option<String> {
    let parts = id_parts(id)?;
    Some(format!(
        "/subscriptions/{}/resourceGroups/{}",
        parts.subscription?, parts.resource_group?
    ))
}

/// The ID of the subscription holding `id` (`/subscriptions/s`).
pub fn subscription_id(id: &str) -> Option<String> {
    Some(format!("/subscriptions/{}", id_parts(id)?.subscription?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBNET: &str = "/subscriptions/0000/resourceGroups/RG-Net/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes";

    #[test]
    fn ids_match_ignoring_case_and_unknown_segments() {
        assert!(ids_match(SUBNET, &SUBNET.to_ascii_lowercase()));
        assert!(ids_match(
            SUBNET,
            "/subscriptions/{unknown}/resourceGroups/{unknown}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nodes/"
        ));
        assert!(!ids_match(
            SUBNET,
            "/subscriptions/{unknown}/resourceGroups/{unknown}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pods"
        ));
        assert!(!ids_match(
            SUBNET,
            "/subscriptions/0000/resourceGroups/RG-Net"
        ));
    }

    #[test]
    fn references_name_keys_by_id_or_symbol_and_opaque_ones_nothing() {
        let key = ResourceKey {
            id: Some(SUBNET.into()),
            symbols: vec!["tf:main.tf#azurerm_subnet.nodes".into()],
        };
        assert!(Ref::literal(SUBNET.to_ascii_uppercase()).names(&key));
        assert!(
            Ref::resolved("azurerm_subnet.nodes.id", "tf:main.tf#azurerm_subnet.nodes").names(&key)
        );
        assert!(
            !Ref::resolved("azurerm_subnet.pods.id", "tf:main.tf#azurerm_subnet.pods").names(&key)
        );
        assert!(!Ref::opaque("var.subnet_id").names(&key));
        let rg = Ref::resolved(
            "azurerm_resource_group.rg.id",
            "/subscriptions/{unknown}/resourceGroups/rg",
        );
        assert!(rg.same_target(&Ref::literal("/subscriptions/0000/resourceGroups/RG/")));
        assert!(
            Ref::resolved("a", "tf:m.tf#azurerm_subnet.s")
                .same_target(&Ref::resolved("b", "TF:m.tf#azurerm_subnet.s"))
        );
        assert!(!Ref::opaque("var.x").same_target(&Ref::opaque("var.x")));
        assert!(Ref::literal(" ABC ").is("abc"));
    }

    #[test]
    fn ids_split_into_subscription_group_and_provider_path() {
        let parts = id_parts(SUBNET).unwrap();
        assert_eq!(parts.subscription, Some("0000"));
        assert_eq!(parts.resource_group, Some("RG-Net"));
        assert_eq!(
            parts.provider_path,
            Some("Microsoft.Network/virtualNetworks/vnet/subnets/nodes")
        );
        assert_eq!(
            resource_group_id(SUBNET).as_deref(),
            Some("/subscriptions/0000/resourceGroups/RG-Net")
        );
        assert_eq!(
            subscription_id(SUBNET).as_deref(),
            Some("/subscriptions/0000")
        );
        let sub = id_parts("/subscriptions/0000/").unwrap();
        assert_eq!(sub.resource_group, None);
        assert_eq!(sub.provider_path, None);
        assert!(id_parts("azurerm_subnet.nodes.id").is_none());
        assert!(id_parts("/subscriptions/0000/virtualNetworks/x").is_none());
    }
}
