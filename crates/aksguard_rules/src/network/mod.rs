//! NET: network policy and exposure (RULES.md "NET").

use crate::meta::Rule;

mod application_gateway_without_waf;
mod dangling_network_policy;
mod helpers;
mod imds_reachable_from_pods;
mod ingress_host_without_tls;
mod ingress_nginx_snippet_annotation;
mod ingress_rule_allows_all_sources;
mod ingress_without_waf;
mod istio_mtls_not_strict;
mod no_default_deny_egress;
mod no_default_deny_ingress;
mod node_port_service;
mod node_subnet_nsg_open_inbound;
mod non_isolated_workload;
mod public_load_balancer_service;
mod service_external_ips;
mod unrestricted_load_balancer_sources;

pub(crate) const RULES: &[&Rule] = &[
    &no_default_deny_ingress::RULE,
    &no_default_deny_egress::RULE,
    &imds_reachable_from_pods::RULE,
    &non_isolated_workload::RULE,
    &ingress_rule_allows_all_sources::RULE,
    &public_load_balancer_service::RULE,
    &node_port_service::RULE,
    &ingress_host_without_tls::RULE,
    &ingress_without_waf::RULE,
    &unrestricted_load_balancer_sources::RULE,
    &service_external_ips::RULE,
    &dangling_network_policy::RULE,
    &ingress_nginx_snippet_annotation::RULE,
    &node_subnet_nsg_open_inbound::RULE,
    &application_gateway_without_waf::RULE,
    &istio_mtls_not_strict::RULE,
];
