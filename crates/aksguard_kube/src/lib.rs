//! The live cluster scan's Kubernetes side: lists, through the Kubernetes API, every kind the
//! rules read (and custom resources that embed a pod template) into the scan's model, object
//! by object through the scan's per-object hook; and writes the scan's PolicyReports back to
//! the cluster ([`publish`]).
//!
//! Without the default `client` feature the crate is only [`resources`] (the kinds listed)
//! and [`rbac`] (the in-cluster scanner's ClusterRole generated from them).

pub mod rbac;
pub mod resources;

#[cfg(feature = "client")]
mod connect;
#[cfg(feature = "client")]
mod crd;
#[cfg(feature = "client")]
mod discovery;
#[cfg(feature = "client")]
mod fetch;
#[cfg(feature = "client")]
mod items;
#[cfg(feature = "client")]
mod listing;
#[cfg(feature = "client")]
pub mod publish;

#[cfg(feature = "client")]
pub use connect::IN_CLUSTER;
#[cfg(feature = "client")]
pub use fetch::{MAX_RETRIES, MAX_RETRY_AFTER};
#[cfg(feature = "client")]
pub use listing::{
    ClusterListing, ClusterRequest, MAX_RESTARTS, ObjectHook, ProgressEvent, ProgressHook,
    ResourceCount, UnreadableResource, list_cluster,
};
