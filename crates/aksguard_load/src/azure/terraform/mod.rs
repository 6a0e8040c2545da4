//! Terraform (azurerm provider v3 and v4, and azapi): `.tf` configuration and
//! `terraform show -json` plan/state files, normalised into the same REST-shaped model as `az`
//! and ARM input.
//!
//! Both front ends produce [`Resource`]s: a resource type, its Terraform address and a
//! generic body of attributes ([`Val`], positioned) and nested blocks. [`map`] holds the one
//! mapping table from azurerm attribute names to ARM REST property paths; [`azapi`] reads
//! azapi bodies, which are the REST shape already (and what the AVM front end builds).
//!
//! Open semantics, decided here:
//! - A `.tf` file is loaded with the variable defaults, `terraform.tfvars`/`*.auto.tfvars`
//!   values and `locals` of every `.tf` file of its directory (a Terraform module is a
//!   directory). When a name is declared in the file itself, that declaration wins; a name
//!   declared in several sibling files (not a valid module: e.g. a fixture folder) is Unknown.
//! - Clusters are emitted by the file that declares them. Node pools, diagnostic settings and
//!   azapi patches join a cluster of their own file, or of the single sibling file declaring
//!   that cluster.
//! - Local `module` calls are followed ([`module`]): the module's clusters are emitted by the
//!   calling file, with the module file as their source.
//! - `count` / `for_each` (and `dynamic` blocks) over resolvable values expand into one copy
//!   each (at most 100); `count = 0` and empty collections leave the resource out; anything
//!   else loads the resource once, with `count.index`/`each.*` values Unknown.
//! - Anything not a literal, a variable with a default, a local built from those, or a pure
//!   function of them ([`functions`]) is Unknown: resource attributes, module outputs, data
//!   sources. Rules never fire on it.

mod azapi;
mod dir_cache;
mod functions;
mod hcl;
mod map;
mod module;
mod plan;
mod surroundings;
mod surroundings_rest;
mod symbols;

use std::path::Path;
use std::sync::Arc;

use aksguard_model::azure::AzureFormat;
use aksguard_model::{Node, Pos, Source};

use crate::k8s::StreamResult;
use crate::limits::Limits;

pub(crate) use dir_cache::TerraformDirs;
pub(crate) use plan::{from_plan, is_plan};

/// A Terraform value: resolved, or unknown with the reason.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    List(Vec<Val>),
    Map(Vec<(String, Val)>),
    Unknown(String),
}

impl Val {
    fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) | Val::Num(s) => Some(s),
            _ => None,
        }
    }

    fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            Val::Str(s) if s == "true" => Some(true),
            Val::Str(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// The first unknown inside, if any.
    fn unknown_reason(&self) -> Option<&str> {
        match self {
            Val::Unknown(reason) => Some(reason),
            Val::List(items) => items.iter().find_map(Val::unknown_reason),
            Val::Map(entries) => entries.iter().find_map(|(_, v)| v.unknown_reason()),
            _ => None,
        }
    }

    /// The value as a positioned node (every node at `pos`); `None` for null.
    fn to_node(&self, pos: Pos) -> Option<Node> {
        use aksguard_model::Value;
        Some(match self {
            Val::Null | Val::Unknown(_) => return None,
            Val::Bool(b) => Node::scalar(b.to_string(), true, pos),
            Val::Num(n) => Node::scalar(n.clone(), true, pos),
            Val::Str(s) => Node::scalar(s.clone(), false, pos),
            Val::List(items) => Node {
                pos,
                value: Value::Seq(items.iter().filter_map(|v| v.to_node(pos)).collect()),
            },
            Val::Map(entries) => Node {
                pos,
                value: Value::Map(
                    entries
                        .iter()
                        .filter_map(|(k, v)| {
                            v.to_node(pos).map(|value| aksguard_model::Entry {
                                key: k.into(),
                                key_pos: pos,
                                value,
                            })
                        })
                        .collect(),
                ),
            },
        })
    }
}

/// An attribute: its value, where it is written, and the expression as written (for role
/// assignment principals and scopes).
#[derive(Clone, Debug)]
pub(crate) struct Attr {
    pub val: Val,
    pub pos: Pos,
    pub text: Option<String>,
    /// Positions of the elements of a literal list (`.tf`), so findings on one element
    /// point at its own line.
    pub items: Vec<Pos>,
}

/// A resource or block body.
#[derive(Clone, Debug, Default)]
pub(crate) struct Obj {
    pub pos: Pos,
    pub attrs: Vec<(String, Attr)>,
    pub blocks: Vec<(String, Obj)>,
    /// Names of `dynamic "<name>"` blocks: their presence and content are unknown.
    pub dynamic: Vec<String>,
    /// Lists of objects, each item positioned (REST bodies: `agentPoolProfiles`, `logs`).
    pub lists: Vec<(String, Vec<Obj>)>,
}

impl Obj {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, a)| a)
    }

    pub fn block(&self, name: &str) -> Option<&Obj> {
        self.blocks.iter().find(|(k, _)| k == name).map(|(_, b)| b)
    }

    pub fn blocks<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Obj> + 'a {
        self.blocks
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, b)| b)
    }

    pub fn is_dynamic(&self, name: &str) -> bool {
        self.dynamic.iter().any(|d| d == name)
    }
}

/// One Terraform resource instance.
#[derive(Clone, Debug)]
pub(crate) struct Resource {
    pub kind: String,
    /// The resource name label (`main` of `azurerm_kubernetes_cluster.main`).
    pub label: String,
    /// The copy's key of a `count` / `for_each` resource (`[0]`, `["a"]`); empty otherwise.
    pub instance: String,
    /// The module path prefix of its address (`module.aks.`; empty at the root).
    pub module: String,
    /// Read once for a `count`/`for_each` that is not resolvable: it may not exist.
    pub conditional: bool,
    /// For a resource of a followed local module: the file of the outermost module call,
    /// so resources from different callers of one module are told apart.
    pub caller: Option<String>,
    pub body: Obj,
    pub source: Arc<Source>,
    /// For node pools, diagnostic settings and azapi children: the cluster they name, as
    /// `<kind>.<label>`, when the reference is `azurerm_kubernetes_cluster.<label>.id` or
    /// `azapi_resource.<label>.id`.
    pub cluster_ref: Option<String>,
    /// For plan/state: the resolved `id` (clusters) or the referenced id (node pools,
    /// diagnostic settings), to join by value.
    pub id: Option<String>,
    /// What its references resolve against (shared by the resources of one load).
    pub names: Arc<symbols::Names>,
}

impl Resource {
    /// The Terraform address (`module.aks.azurerm_kubernetes_cluster.main[0]`).
    pub fn address(&self) -> String {
        format!(
            "{}{}.{}{}",
            self.module, self.kind, self.label, self.instance
        )
    }

    /// How other resources of its module refer to it (`azapi_resource.aks`).
    pub fn reference(&self) -> String {
        format!("{}.{}", self.kind, self.label)
    }

    /// The address as a display name when the `name` is not resolvable, naming the module
    /// call's file for a resource of a followed module.
    pub fn placeholder(&self) -> String {
        match &self.caller {
            Some(caller) => format!("<{} ({caller})>", self.address()),
            None => format!("<{}>", self.address()),
        }
    }
}

/// Loads one `.tf` file (with the declarations of its directory, parsed once per load in
/// `dirs`).
pub(crate) fn load_tf(
    text: &str,
    source: &Arc<Source>,
    limits: &Limits,
    dirs: &TerraformDirs,
) -> StreamResult {
    let mut out = StreamResult::default();
    let file = match hcl::ParsedFile::parse(text, source.clone()) {
        Ok(file) => file,
        Err(err) => {
            out.errors.push(err);
            return out;
        }
    };
    let siblings = sibling_files(&source.path, limits, dirs);
    let scope = hcl::Scope::build(&file, &siblings);
    let mut own = file.resources(&scope, &mut out.notices);
    // Sibling resources: those that may join this file's clusters (children, patches), and
    // all of them for the names references resolve against.
    let mut ignored = Vec::new();
    let mut sibling_resources = Vec::new();
    for sibling in siblings.iter() {
        let sibling_scope = hcl::Scope::build(sibling, &siblings_without(&siblings, sibling));
        sibling_resources.extend(sibling.resources(&sibling_scope, &mut ignored));
    }
    own.extend(
        sibling_resources
            .iter()
            .filter(|r| map::is_cluster_child(r) || azapi::is_cluster_patch(r))
            .cloned(),
    );
    let sibling_clusters: Vec<String> = siblings
        .iter()
        .flat_map(|f| f.cluster_addresses())
        .collect();
    // A sibling's child or patch joins a cluster of this file only if no sibling also
    // declares a cluster it names (a valid module has one).
    own.retain(|r| {
        Arc::ptr_eq(&r.source, source)
            || r.cluster_ref
                .as_deref()
                .is_some_and(|t| !sibling_clusters.iter().any(|c| c == t))
    });
    let reported = |r: &Resource| {
        Arc::ptr_eq(&r.source, source)
            && !r
                .cluster_ref
                .as_deref()
                .is_some_and(|t| sibling_clusters.iter().any(|c| c == t))
    };
    // Local modules this file calls, each module instance built on its own.
    let stack = Path::new(&*source.path)
        .parent()
        .map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        })
        .and_then(|d| std::fs::canonicalize(d).ok());
    let mut follow = module::Follow {
        limits,
        dirs,
        caller: source.path.to_string(),
        out: &mut out,
        nested: Vec::new(),
        avm: Vec::new(),
        outputs: Vec::new(),
    };
    let mut called = follow.calls(&file, &scope, "", &mut stack.into_iter().collect());
    let avm = std::mem::take(&mut follow.avm);
    let outputs = std::mem::take(&mut follow.outputs);
    // References resolve against every resource of the directory and of the modules called.
    let declared = std::iter::once(&file)
        .chain(siblings.iter().map(|f| &**f))
        .map(|f| (f.source.path.clone(), f.declared_addresses()))
        .collect();
    let mut names = symbols::Names::build(
        own.iter().chain(&sibling_resources).chain(&called),
        declared,
    );
    names.add_outputs(&source.path, outputs);
    let names = Arc::new(names);
    for resource in own.iter_mut().chain(called.iter_mut()) {
        resource.names = names.clone();
    }
    build(own, &reported, &mut out);
    build(called, &|_| true, &mut out);
    let notices = azapi::push_rest(avm, AzureFormat::AvmTerraform, &mut out.azure);
    out.notices.extend(notices);
    out
}

fn siblings_without(
    all: &[Arc<hcl::ParsedFile>],
    me: &hcl::ParsedFile,
) -> Vec<Arc<hcl::ParsedFile>> {
    all.iter()
        .filter(|f| f.source.path != me.source.path)
        .cloned()
        .collect()
}

/// The model of one module's resources: azapi type references resolved, children joined
/// to their clusters, patches applied. A patch whose cluster is not among `resources` gives
/// a notice when `reported` says so.
fn build(
    mut resources: Vec<Resource>,
    reported: &dyn Fn(&Resource) -> bool,
    out: &mut StreamResult,
) {
    azapi::resolve_type_references(&mut resources);
    let mut clusters = Vec::new();
    let mut children = Vec::new();
    let mut updates = Vec::new();
    for resource in resources {
        if map::is_cluster(&resource) {
            clusters.push(resource);
        } else if map::is_cluster_child(&resource) {
            children.push(resource);
        } else if azapi::is_cluster_patch(&resource) {
            updates.push(resource);
        } else {
            map::push_other(&resource, &mut out.azure);
        }
    }
    for update in &updates {
        if reported(update) && !clusters.iter().any(|c| azapi::patches(update, c)) {
            out.notices.push(azapi::unmatched_patch(update));
        }
    }
    map::push_clusters(&clusters, &children, &updates, &mut out.azure);
}

/// The other `.tf` files of `path`'s directory, parsed (unparsable ones are left out: they
/// are reported when loaded themselves).
fn sibling_files(path: &str, limits: &Limits, dirs: &TerraformDirs) -> Vec<Arc<hcl::ParsedFile>> {
    let path = Path::new(path);
    // A bare file name (an in-memory stream) has no directory to read.
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Vec::new();
    };
    let own_name = path.file_name();
    dirs.files(dir, limits)
        .iter()
        .filter(|f| Path::new(&*f.source.path).file_name() != own_name)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_azapi;
#[cfg(test)]
mod tests_modules;
#[cfg(test)]
mod tests_surroundings;
