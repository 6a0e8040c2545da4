//! The security graph (internet, entry points, workloads, identities, RBAC permissions,
//! nodes, Azure roles, secrets, registries) built from one scan's inventory and findings, and
//! the ranked attack paths through it with their cheapest cuts.
