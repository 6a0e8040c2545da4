//! The cluster's Azure surroundings read live give the same model, and the same findings, as
//! the same resources scanned as `az … -o json` files: the realistic subscription of
//! `crates/aksguard/tests/data/subscription/az`, served by the local Resource Manager in
//! REST shape ([`aksguard_arm::fake::exports`]). Also: pages, resources named twice read
//! once, and a 403 on one kind leaving that kind unread (not conclusive) and the rest read.

use std::path::PathBuf;
use std::time::Duration;

use aksguard_arm::fake::exports::world_from_az_exports;
use aksguard_arm::fake::{ArmWorld, FakeArm, Fault, FaultRule};
use aksguard_arm::{AzureListing, AzureRequest, Choice, Credential, read_azure};
use aksguard_config::{CliOverrides, ConfigSource, parse_date};
use aksguard_load::{LoadOptions, load_inputs};
use aksguard_model::azure::{AzureResources, Link, Ref, kinds};
use aksguard_scan::{ScanSettings, SettingsRequest, scan_objects};

const TOKEN: &str = "surroundings-token";

fn exports_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../aksguard/tests/data/subscription/az")
}

fn world() -> ArmWorld {
    world_from_az_exports(&exports_dir(), TOKEN).expect("the az exports")
}

fn read(world: ArmWorld) -> (FakeArm, AzureListing) {
    let arm = FakeArm::start(world);
    let request = AzureRequest {
        endpoint: Some(arm.endpoint()),
        timeout: Duration::from_secs(60),
        request_timeout: Duration::from_secs(10),
        ..AzureRequest::default()
    };
    let credential = Credential::from_choice(Choice::Token(TOKEN.into())).unwrap();
    let listing = read_azure(&request, &credential, &|_| {}).expect("the read");
    (arm, listing)
}

fn from_files() -> AzureResources {
    let loaded = load_inputs(
        &[exports_dir().to_string_lossy().into_owned()],
        &LoadOptions::default(),
        &mut std::io::empty(),
    );
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    loaded.azure
}

fn id(reference: Option<&Ref>) -> String {
    reference
        .and_then(|r| r.key.clone())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn link(link: &Link) -> String {
    match link {
        Link::To(target) => id(Some(target)),
        Link::Absent => "absent".into(),
        Link::Unknown(why) => format!("unknown: {why}"),
    }
}

/// Every surrounding resource and what the rules read of it, one sorted line each.
/// Role assignments leave out what only `az` prints (the role's and principal's names).
fn summary(azure: &AzureResources) -> Vec<String> {
    let key = |k: &aksguard_model::azure::ResourceKey| {
        k.id.clone().unwrap_or_default().to_ascii_lowercase()
    };
    let mut lines = Vec::new();
    for c in &azure.clusters {
        // In name order: Resource Manager lists pools by ID, a body in its own order.
        let mut pools: Vec<String> = c
            .node_pools
            .iter()
            .map(|p| {
                format!(
                    "{}={:?}/{:?}",
                    p.name,
                    p.settings.get("nodeImageVersion").as_str(),
                    p.settings.get("vnetSubnetID").as_str()
                )
            })
            .collect();
        pools.sort();
        lines.push(format!("cluster {} {pools:?}", c.name));
    }
    for r in &azure.role_assignments {
        lines.push(format!(
            "role {} {} {}",
            r.id.clone().unwrap_or_default().to_ascii_lowercase(),
            id(r.principal.as_ref()),
            id(r.scope.as_ref())
        ));
    }
    for i in &azure.identities {
        lines.push(format!(
            "identity {} {:?} {:?}",
            key(&i.meta.key),
            i.principal_id,
            i.client_id
        ));
    }
    for f in &azure.federated_credentials {
        lines.push(format!(
            "federated {} {} {:?} {:?}",
            key(&f.meta.key),
            id(f.identity.as_ref()),
            f.issuer,
            f.subject
        ));
    }
    for s in &azure.subnets {
        lines.push(format!(
            "subnet {} nsg={} rt={}",
            key(&s.meta.key),
            link(&s.nsg),
            link(&s.route_table)
        ));
    }
    for n in &azure.nsgs {
        lines.push(format!(
            "nsg {} {:?} {:?}",
            key(&n.meta.key),
            n.rules_unknown,
            n.rules
                .iter()
                .map(|r| (
                    &r.name,
                    &r.direction,
                    &r.access,
                    r.priority,
                    &r.protocol,
                    &r.sources,
                    &r.ports
                ))
                .collect::<Vec<_>>()
        ));
    }
    for t in &azure.route_tables {
        lines.push(format!(
            "routes {} {:?}",
            key(&t.meta.key),
            t.routes
                .iter()
                .map(|r| (&r.name, &r.address_prefix, &r.next_hop_type, &r.next_hop_ip))
                .collect::<Vec<_>>()
        ));
    }
    for g in &azure.application_gateways {
        lines.push(format!(
            "gateway {} {:?} {:?} {}",
            key(&g.meta.key),
            g.sku_tier,
            g.inline_waf.as_ref().map(|w| (w.enabled, w.mode.clone())),
            link(&g.waf_policy)
        ));
    }
    for p in &azure.waf_policies {
        lines.push(format!(
            "waf {} {:?} {:?}",
            key(&p.meta.key),
            p.settings.enabled,
            p.settings.mode
        ));
    }
    for p in &azure.policy_assignments {
        lines.push(format!(
            "policy {} {:?} {} {:?} {:?}",
            key(&p.meta.key),
            p.definition,
            id(p.scope.as_ref()),
            p.effect,
            p.enforcement_mode
        ));
    }
    for a in &azure.alert_rules {
        lines.push(format!(
            "alert {} {:?} {:?} {:?}",
            key(&a.meta.key),
            a.kind,
            a.scopes
                .as_ref()
                .map(|s| s.iter().map(|r| id(Some(r))).collect::<Vec<_>>()),
            a.enabled
        ));
    }
    for c in &azure.security_contacts {
        lines.push(format!("contact {} {:?}", key(&c.meta.key), c.notifies));
    }
    for p in &azure.pricings {
        lines.push(format!(
            "pricing {} {:?} {:?}",
            p.plan,
            p.tier,
            p.extensions.as_ref().map(|e| e
                .iter()
                .map(|x| (x.name.clone(), x.enabled))
                .collect::<Vec<_>>())
        ));
    }
    for r in &azure.registries {
        lines.push(format!("registry {}", r.name));
    }
    lines.sort();
    lines
}

fn findings(azure: AzureResources) -> Vec<(String, String, String)> {
    let settings = ScanSettings::resolve(&SettingsRequest {
        source: ConfigSource::Disabled,
        overrides: CliOverrides {
            complete: true,
            ..CliOverrides::default()
        },
        as_of: Some(parse_date("2026-12-01").unwrap()),
        baseline: None,
        write_baseline: None,
    })
    .unwrap();
    let rules = settings.effective.rules.clone();
    let (_, outcome) = scan_objects(Vec::new(), azure, &rules, &settings, "azure");
    let mut keys: Vec<(String, String, String)> = outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.rule_id.to_owned(),
                f.object.kind.to_string(),
                f.object.name.to_string(),
            )
        })
        .collect();
    keys.sort();
    keys
}

#[test]
fn the_live_read_of_the_surroundings_is_the_model_and_the_findings_of_the_az_exports() {
    let (arm, listing) = read(world());
    assert!(listing.errors.is_empty(), "{:?}", listing.errors);
    assert!(listing.unreadable.is_empty(), "{:?}", listing.unreadable);
    let files = from_files();
    let live = summary(&listing.azure);
    assert_eq!(live, summary(&files));
    // Every kind of the subscription is there, and what the rules read of each.
    for (what, count) in [
        ("cluster ", 1),
        ("role ", 5),
        ("identity ", 2),
        ("federated ", 1),
        ("subnet ", 1),
        ("nsg ", 1),
        ("routes ", 1),
        ("gateway ", 1),
        ("waf ", 1),
        ("policy ", 2),
        ("alert ", 2),
        ("contact ", 1),
        ("pricing ", 2),
        ("registry ", 1),
    ] {
        assert_eq!(
            live.iter().filter(|l| l.starts_with(what)).count(),
            count,
            "{what}: {live:#?}"
        );
    }
    let subnet = &listing.azure.subnets[0];
    assert!(matches!(subnet.nsg, Link::To(_)) && matches!(subnet.route_table, Link::To(_)));
    assert_eq!(
        listing.azure.nsgs[0].rules.len(),
        3,
        "default rules are left out"
    );
    assert!(listing.azure.holds_kind(kinds::POLICY_ASSIGNMENT));
    // Both pools name one subnet: it, its NSG and its route table are read once each.
    let requests = arm.requests();
    for path in [
        "/virtualNetworks/vnet-prod/subnets/snet-nodes?",
        "/networkSecurityGroups/nsg-nodes?",
        "/routeTables/rt-egress?",
        "/applicationGateways/agw-prod?",
        "/ApplicationGatewayWebApplicationFirewallPolicies/waf-prod?",
    ] {
        assert_eq!(
            requests.iter().filter(|r| r.contains(path)).count(),
            1,
            "{path}: {requests:#?}"
        );
    }
    // Policy assignments are read where they apply to the cluster, inherited ones included;
    // lists come in pages.
    assert!(
        requests.iter().any(|r| r.contains(
            "/managedClusters/aks-prod/providers/Microsoft.Authorization/policyAssignments?"
        ) && r.contains("atScope")),
        "{requests:#?}"
    );
    assert!(
        requests.iter().any(|r| r.contains("%24skiptoken=")),
        "{requests:#?}"
    );
    // Role assignments are read for the identity with a federated credential (a workload
    // identity) and for the kubelet identity, each by a principal filter, once.
    let filtered = |principal: &str| {
        requests
            .iter()
            .filter(|r| r.contains(&format!("principalId+eq+%27{principal}%27")))
            .count()
    };
    assert_eq!(
        filtered("0c1d2e3f-0000-4000-8000-000000000032"),
        1,
        "{requests:#?}"
    );
    assert_eq!(
        filtered("0c1d2e3f-0000-4000-8000-000000000022"),
        1,
        "{requests:#?}"
    );
    assert_eq!(findings(listing.azure), findings(files));
}

#[test]
fn a_forbidden_kind_is_unread_at_its_scope_and_the_rest_is_read() {
    let mut world = world();
    world.faults = vec![
        FaultRule {
            path_contains: "/providers/Microsoft.Network/networkSecurityGroups/".into(),
            fault: Fault::Forbidden,
        },
        FaultRule {
            path_contains: "/providers/Microsoft.Insights/metricAlerts".into(),
            fault: Fault::Forbidden,
        },
    ];
    let (_arm, listing) = read(world);
    let unread: Vec<(&str, Option<&str>)> = listing
        .unreadable
        .iter()
        .map(|u| (u.resource_type, u.rule_kind))
        .collect();
    assert_eq!(
        unread,
        vec![
            ("Microsoft.Insights/metricAlerts", Some(kinds::ALERT_RULE)),
            ("Microsoft.Network/networkSecurityGroups", Some(kinds::NSG)),
        ]
        .into_iter()
        .filter(|u| unread.contains(u))
        .collect::<Vec<_>>()
    );
    assert_eq!(unread.len(), 2, "{unread:?}");
    assert_eq!(listing.errors.len(), 2, "{:?}", listing.errors);
    let errors = format!("{:?}", listing.errors);
    assert!(
        errors.contains("Microsoft.Network/networkSecurityGroups/read"),
        "{errors}"
    );
    assert!(
        errors.contains("Microsoft.Insights/metricAlerts/read"),
        "{errors}"
    );
    assert!(!errors.contains(TOKEN));
    // The NSG is missing, its subnet still names it; the other alert rule was read.
    assert!(listing.azure.nsgs.is_empty());
    assert!(matches!(listing.azure.subnets[0].nsg, Link::To(_)));
    assert_eq!(listing.azure.alert_rules.len(), 1);
    assert_eq!(listing.azure.route_tables.len(), 1);
}

#[test]
fn a_subnet_that_does_not_exist_is_a_note_not_an_error() {
    let mut world = world();
    world.resources.retain(|r| {
        !r["type"]
            .as_str()
            .unwrap_or_default()
            .eq_ignore_ascii_case("Microsoft.Network/virtualNetworks/subnets")
    });
    let (_arm, listing) = read(world);
    assert!(listing.errors.is_empty(), "{:?}", listing.errors);
    assert!(listing.azure.subnets.is_empty());
    assert!(
        listing
            .notes
            .iter()
            .any(|n| n.contains("snet-nodes") && n.contains("does not exist")),
        "{:?}",
        listing.notes
    );
    // Its NSG and route table are not named by anything read, so not read.
    assert!(listing.azure.nsgs.is_empty() && listing.azure.route_tables.is_empty());
}
