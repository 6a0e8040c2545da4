//! `read_azure` against the local Resource Manager of `aksguard_arm::fake`, serving the
//! corpus's REST bodies: what is read, paging, and each fault (403, 401, malformed JSON,
//! 429 storms, 5xx, a stalled answer, the overall timeout, a nextLink to another host).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use aksguard_arm::fake::examples::{
    self, Examples, GROUP_A, GUARD_ONLY_CLUSTER, MAIN_CLUSTER, PULL_REGISTRY, PUSH_REGISTRY,
    SUBSCRIPTION_A, SUBSCRIPTION_B,
};
use aksguard_arm::fake::{ArmWorld, FakeArm, Fault, FaultRule};
use aksguard_arm::{
    AzureListing, AzureRequest, Choice, Credential, ProgressEvent, RetryPolicy, read_azure,
};

const TOKEN: &str = "eyJ0eXAi.SECRET-TEST-TOKEN.sig";

fn corpus() -> Option<Examples> {
    let dir = aksguard_testkit::shared_path("corpus/aks/rest-api-examples")?;
    Some(examples::examples(&dir, TOKEN).expect("the corpus's REST bodies"))
}

fn request(arm: &FakeArm) -> AzureRequest {
    AzureRequest {
        endpoint: Some(arm.endpoint()),
        timeout: Duration::from_secs(60),
        request_timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(2),
        },
        ..AzureRequest::default()
    }
}

fn credential(token: &str) -> Credential {
    Credential::from_choice(Choice::Token(token.into())).expect("a token credential")
}

fn read(
    world: ArmWorld,
    tweak: impl FnOnce(&mut AzureRequest),
) -> (FakeArm, Result<AzureListing, String>) {
    let arm = FakeArm::start(world);
    let mut request = request(&arm);
    tweak(&mut request);
    let result = read_azure(&request, &credential(TOKEN), &|_| {});
    (arm, result)
}

fn with_faults(mut examples: Examples, faults: &[(&str, Fault)]) -> ArmWorld {
    examples.world.faults = faults
        .iter()
        .map(|(path, fault)| FaultRule {
            path_contains: (*path).to_owned(),
            fault: fault.clone(),
        })
        .collect();
    examples.world
}

fn cluster<'a>(listing: &'a AzureListing, name: &str) -> &'a aksguard_model::azure::ManagedCluster {
    listing
        .azure
        .clusters
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("cluster {name} not read"))
}

/// Everything a listing would show a user, to check no token is in it.
fn shown(listing: &AzureListing) -> String {
    format!(
        "{:?}\n{:?}\n{:?}",
        listing.errors, listing.unreadable, listing.notes
    )
}

#[test]
fn reads_every_cluster_and_its_resources_of_every_subscription_across_pages() {
    let Some(examples) = corpus() else { return };
    let expected = examples.clusters.len();
    let events = Mutex::new(Vec::new());
    let arm = FakeArm::start(examples.world);
    let listing = read_azure(&request(&arm), &credential(TOKEN), &|e: ProgressEvent| {
        events.lock().unwrap().push(e)
    })
    .expect("read");
    assert!(listing.errors.is_empty(), "{:?}", listing.errors);
    assert!(listing.unreadable.is_empty());
    assert_eq!(expected, 15);
    assert_eq!(listing.azure.clusters.len(), expected);
    for cluster in &listing.azure.clusters {
        let id = cluster.id.as_deref().unwrap();
        assert_eq!(&*cluster.source.path, format!("azure://{id}"));
        // Everything that exists was listed: absence is conclusive.
        assert!(cluster.holds.diagnostic_settings && cluster.holds.maintenance_configurations);
        assert!(!cluster.node_pools.is_empty(), "{}", cluster.name);
        for pool in &cluster.node_pools {
            assert_eq!(
                &*pool.source.path,
                format!("azure://{id}/agentPools/{}", pool.name)
            );
        }
    }
    let main = cluster(&listing, MAIN_CLUSTER);
    assert_eq!(main.resource_group.as_deref(), Some(GROUP_A));
    assert_eq!(main.diagnostic_settings.len(), 1);
    assert_eq!(
        main.maintenance_configurations,
        ["aksManagedAutoUpgradeSchedule"]
    );
    assert_eq!(
        cluster(&listing, GUARD_ONLY_CLUSTER)
            .diagnostic_settings
            .len(),
        1
    );
    let mut registries: Vec<&str> = listing
        .azure
        .registries
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    registries.sort();
    assert_eq!(
        registries,
        [PULL_REGISTRY, PUSH_REGISTRY],
        "only those the kubelet identity uses"
    );
    // Four distinct assignments, though lists overlap (the subscription's Reader comes back
    // at every scope below it).
    assert_eq!(listing.azure.role_assignments.len(), 4);
    assert_eq!(listing.azure.pricings.len(), 4);
    let requests = arm.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.contains("%24skiptoken=") || r.contains("$skiptoken=")),
        "paged"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("/subscriptions?api-version=2022-12-01"))
    );
    assert_eq!(listing.requests, requests.len());
    let events = events.into_inner().unwrap();
    assert!(events.iter().all(|e| e.items.is_some()));
    assert!(
        events
            .iter()
            .any(|e| e.resource_type == "Microsoft.Insights/diagnosticSettings")
    );
    assert!(
        listing.notes[0].contains("AKSGUARD_ARM_TOKEN"),
        "{:?}",
        listing.notes
    );
    assert!(!shown(&listing).contains("SECRET-TEST-TOKEN"));
}

#[test]
fn only_the_subscription_resource_group_or_cluster_asked_for() {
    let Some(examples) = corpus() else { return };
    let world = examples.world;
    let (arm, listing) = read(world.clone(), |r| {
        r.subscriptions = vec![SUBSCRIPTION_B.into()]
    });
    let listing = listing.unwrap();
    assert_eq!(listing.azure.clusters.len(), 2);
    assert!(
        !arm.requests()
            .iter()
            .any(|r| r.starts_with("/subscriptions?")),
        "not listed"
    );
    let (arm, listing) = read(world.clone(), |r| {
        r.subscriptions = vec![SUBSCRIPTION_A.into()];
        r.resource_group = Some(GROUP_A.into());
        r.aks_name = Some(MAIN_CLUSTER.into());
    });
    let listing = listing.unwrap();
    assert_eq!(listing.azure.clusters.len(), 1);
    assert_eq!(listing.azure.clusters[0].name, MAIN_CLUSTER);
    assert!(arm.requests().iter().any(|r| r.starts_with(&format!(
        "/subscriptions/{SUBSCRIPTION_A}/resourceGroups/{GROUP_A}/providers/Microsoft.ContainerService/managedClusters/{MAIN_CLUSTER}?"
    ))));
    // A name that does not exist is an error, never an empty pass.
    let (_arm, listing) = read(world.clone(), |r| {
        r.subscriptions = vec![SUBSCRIPTION_A.into()];
        r.resource_group = Some(GROUP_A.into());
        r.aks_name = Some("aks-typo".into());
    });
    let listing = listing.unwrap();
    assert!(listing.azure.clusters.is_empty());
    assert_eq!(listing.errors.len(), 1);
    assert!(
        listing.errors[0]
            .message
            .contains("no AKS cluster named `aks-typo`"),
        "{:?}",
        listing.errors
    );
    let (_arm, listing) = read(world, |r| r.aks_name = Some(GUARD_ONLY_CLUSTER.into()));
    assert_eq!(listing.unwrap().azure.clusters.len(), 1);
}

#[test]
fn a_forbidden_list_is_an_error_naming_type_scope_and_action_and_the_rest_completes() {
    let Some(examples) = corpus() else { return };
    let world = with_faults(
        examples,
        &[(
            &format!("{MAIN_CLUSTER}/providers/Microsoft.Insights/diagnosticSettings"),
            Fault::Forbidden,
        )],
    );
    let (_arm, listing) = read(world, |_| {});
    let listing = listing.unwrap();
    assert_eq!(listing.azure.clusters.len(), 15);
    assert_eq!(listing.errors.len(), 1, "{:?}", listing.errors);
    let error = &listing.errors[0];
    assert!(
        error.path.starts_with("azure:///subscriptions/") && error.path.ends_with(MAIN_CLUSTER)
    );
    for part in [
        "cannot read Microsoft.Insights/diagnosticSettings",
        "403 Forbidden, AuthorizationFailed",
        "`Microsoft.Insights/diagnosticSettings/read`",
        "not conclusive",
    ] {
        assert!(error.message.contains(part), "{part}: {}", error.message);
    }
    assert_eq!(listing.unreadable.len(), 1);
    assert_eq!(
        listing.unreadable[0].resource_type,
        "Microsoft.Insights/diagnosticSettings"
    );
    // The rules cannot judge what was not read; everything else was read in full.
    let main = cluster(&listing, MAIN_CLUSTER);
    assert!(!main.holds.diagnostic_settings && main.diagnostic_settings.is_empty());
    assert!(main.holds.maintenance_configurations);
    assert!(
        cluster(&listing, GUARD_ONLY_CLUSTER)
            .holds
            .diagnostic_settings
    );
}

#[test]
fn a_refused_credential_stops_the_read_with_a_clear_error_and_no_token() {
    let Some(examples) = corpus() else { return };
    let world = examples.world;
    let arm = FakeArm::start(world.clone());
    let err = read_azure(&request(&arm), &credential("eyJ.WRONG-SECRET.x"), &|_| {}).unwrap_err();
    assert!(
        err.contains("401 Unauthorized, InvalidAuthenticationToken"),
        "{err}"
    );
    assert!(err.contains("expired"), "{err}");
    assert!(!err.contains("WRONG-SECRET"), "{err}");
    // Expired mid-read: the same.
    let mut expiring = world;
    expiring.faults = vec![FaultRule {
        path_contains: "/agentPools".into(),
        fault: Fault::Unauthorized,
    }];
    let (_arm, result) = read(expiring.clone(), |_| {});
    let err = result.unwrap_err();
    assert!(
        err.contains("ExpiredAuthenticationToken") && !err.contains("SECRET-TEST-TOKEN"),
        "{err}"
    );
    // Whichever list meets it first.
    for path in [
        "/providers/Microsoft.Security/pricings",
        "/registries/",
        "/subscriptions",
    ] {
        expiring.faults[0].path_contains = path.into();
        let (_arm, result) = read(expiring.clone(), |_| {});
        let err = result.expect_err(path);
        assert!(
            err.contains("401 Unauthorized, ExpiredAuthenticationToken"),
            "{path}: {err}"
        );
    }
}

#[test]
fn malformed_json_is_an_error_naming_the_url_path_and_the_rest_goes_on() {
    let Some(examples) = corpus() else { return };
    let world = with_faults(
        examples,
        &[(
            &format!("{MAIN_CLUSTER}/maintenanceConfigurations"),
            Fault::Malformed,
        )],
    );
    let (_arm, listing) = read(world, |_| {});
    let listing = listing.unwrap();
    assert_eq!(listing.errors.len(), 1, "{:?}", listing.errors);
    let message = &listing.errors[0].message;
    assert!(message.contains(&format!(
        "GET /subscriptions/{SUBSCRIPTION_A}/resourceGroups/{GROUP_A}/providers/Microsoft.ContainerService/managedClusters/{MAIN_CLUSTER}/maintenanceConfigurations is not valid JSON"
    )), "{message}");
    assert!(
        !message.contains("api-version"),
        "no query string: {message}"
    );
    let main = cluster(&listing, MAIN_CLUSTER);
    assert!(!main.holds.maintenance_configurations && main.holds.diagnostic_settings);
    assert_eq!(listing.azure.clusters.len(), 15);
}

#[test]
fn throttling_and_server_errors_are_retried_within_bounds() {
    let Some(examples) = corpus() else { return };
    let world = with_faults(
        examples,
        &[
            (
                "/managedClusters",
                Fault::Throttle {
                    times: 3,
                    retry_after_secs: 0,
                },
            ),
            (
                "/providers/Microsoft.Security/pricings",
                Fault::ServerError { times: 2 },
            ),
        ],
    );
    let (arm, listing) = read(world, |_| {});
    let listing = listing.unwrap();
    assert!(listing.errors.is_empty(), "{:?}", listing.errors);
    assert_eq!(listing.azure.clusters.len(), 15);
    assert_eq!(listing.azure.pricings.len(), 4);
    assert!(listing.requests >= arm.requests().len() && arm.requests().len() > 40);
    // A storm longer than the retries: an error for that list, the rest read.
    let Some(examples) = corpus() else { return };
    let world = with_faults(
        examples,
        &[(
            &format!("/subscriptions/{SUBSCRIPTION_B}/providers/Microsoft.Security/pricings"),
            Fault::Throttle {
                times: 100,
                retry_after_secs: 1,
            },
        )],
    );
    let started = Instant::now();
    let (arm, listing) = read(world, |r| r.retry.max_delay = Duration::from_millis(50));
    let listing = listing.unwrap();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(listing.errors.len(), 1, "{:?}", listing.errors);
    assert!(
        listing.errors[0]
            .message
            .contains("throttled (429), still after 3 retries"),
        "{:?}",
        listing.errors
    );
    let pricing_requests = arm
        .requests()
        .iter()
        .filter(|r| r.contains("/Microsoft.Security/pricings"))
        .count();
    assert_eq!(
        pricing_requests,
        2 + 3,
        "one per subscription, three retries of one"
    );
    assert_eq!(listing.azure.pricings.len(), 2);
}

#[test]
fn a_stalled_answer_times_out_alone_and_the_overall_timeout_keeps_what_was_read() {
    let Some(examples) = corpus() else { return };
    let world = with_faults(
        examples,
        &[(
            &format!("/subscriptions/{SUBSCRIPTION_B}/providers/Microsoft.Security/pricings"),
            Fault::Stall(Duration::from_secs(30)),
        )],
    );
    let started = Instant::now();
    let (_arm, listing) = read(world.clone(), |r| {
        r.request_timeout = Duration::from_millis(700)
    });
    let listing = listing.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(listing.errors.len(), 1, "{:?}", listing.errors);
    assert!(
        listing.errors[0].message.contains("no answer within 0.7 s"),
        "{:?}",
        listing.errors
    );
    assert_eq!(listing.azure.clusters.len(), 15);
    // The whole read bounded: what was read is kept, the rest is an error.
    let started = Instant::now();
    let (_arm, listing) = read(world, |r| r.timeout = Duration::from_secs(2));
    let listing = listing.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(
        listing
            .errors
            .iter()
            .any(|e| e.message.contains("did not finish within 2 s")),
        "{:?}",
        listing.errors
    );
    assert!(!listing.azure.clusters.is_empty());
}

#[test]
fn a_next_link_to_another_host_is_not_followed() {
    let Some(examples) = corpus() else { return };
    let world = with_faults(
        examples,
        &[(
            &format!("/subscriptions/{SUBSCRIPTION_A}/providers/Microsoft.Security/pricings"),
            Fault::ForeignNextLink,
        )],
    );
    let (_arm, listing) = read(world, |_| {});
    let listing = listing.unwrap();
    assert_eq!(listing.errors.len(), 1);
    assert!(
        listing.errors[0]
            .message
            .contains("nextLink to another host (http://203.0.113.9)"),
        "{:?}",
        listing.errors
    );
}

#[test]
fn every_fault_at_once_keeps_tokens_out_of_errors_and_notes() {
    let Some(examples) = corpus() else { return };
    let world = with_faults(
        examples,
        &[
            ("/agentPools", Fault::Forbidden),
            ("/diagnosticSettings", Fault::Malformed),
            ("/registries/", Fault::ServerError { times: 100 }),
            (
                "/maintenanceConfigurations",
                Fault::Stall(Duration::from_secs(30)),
            ),
        ],
    );
    let (_arm, listing) = read(world, |r| r.request_timeout = Duration::from_millis(500));
    let listing = listing.unwrap();
    assert!(listing.errors.len() >= 15 * 3, "{}", listing.errors.len());
    let shown = shown(&listing);
    assert!(
        !shown.contains("SECRET-TEST-TOKEN") && !shown.contains("eyJ0eXAi"),
        "{shown}"
    );
    // Forbidden agent pools: the pools are still judged from the cluster body.
    assert!(
        listing
            .azure
            .clusters
            .iter()
            .all(|c| !c.node_pools.is_empty())
    );
}

#[test]
fn bad_requests_and_endpoints_fail_before_anything_is_sent() {
    let credential = credential(TOKEN);
    let cases: [(AzureRequest, &str); 4] = [
        (
            AzureRequest {
                subscriptions: vec!["not-a-guid".into()],
                ..AzureRequest::default()
            },
            "is not a subscription ID",
        ),
        (
            AzureRequest {
                resource_group: Some("rg/../x".into()),
                ..AzureRequest::default()
            },
            "is not a resource group name",
        ),
        (
            AzureRequest {
                aks_name: Some("a?b".into()),
                ..AzureRequest::default()
            },
            "is not an AKS cluster name",
        ),
        (
            AzureRequest {
                endpoint: Some("http://management.azure.com".into()),
                ..AzureRequest::default()
            },
            "plain http is accepted only for a loopback host",
        ),
    ];
    for (request, expected) in cases {
        let err = read_azure(&request, &credential, &|_| {}).unwrap_err();
        assert!(err.contains(expected), "{err}");
    }
}

#[test]
fn kubelet_roles_off_registries_and_on_deleted_registries_are_notes() {
    let Some(mut examples) = corpus() else { return };
    let group = format!("/subscriptions/{SUBSCRIPTION_A}/resourceGroups/{GROUP_A}");
    let gone = format!("{group}/providers/Microsoft.ContainerRegistry/registries/acrgone");
    for (n, scope) in [(90, group.clone()), (91, gone.clone())] {
        examples.world.resources.push(serde_json::json!({
            "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-0000-0000-0000000000{n}"),
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {"scope": scope, "principalId": examples::KUBELET_OBJECT_ID,
                "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"}
        }));
    }
    let (_arm, listing) = read(examples.world, |_| {});
    let listing = listing.unwrap();
    assert!(listing.errors.is_empty(), "{:?}", listing.errors);
    let notes = listing.notes.join("\n");
    assert!(
        notes.contains(&format!("holds a role at {group}, not on a registry")),
        "{notes}"
    );
    assert!(
        notes.contains(&format!(
            "registry {gone} (named by a role assignment) does not exist"
        )),
        "{notes}"
    );
    assert_eq!(listing.azure.registries.len(), 2);
}

#[test]
fn requests_in_flight_stay_within_the_concurrency_bound() {
    let Some(examples) = corpus() else { return };
    // Every answer takes a while, so requests pile up unless the client holds them back.
    let world = with_faults(examples, &[("/", Fault::Stall(Duration::from_millis(40)))]);
    let (arm, listing) = read(world, |r| r.concurrency = 3);
    let listing = listing.unwrap();
    assert!(listing.errors.is_empty(), "{:?}", listing.errors);
    assert_eq!(listing.azure.clusters.len(), 15);
    let most = arm.max_in_flight();
    assert!((2..=3).contains(&most), "{most} requests at once");
}
