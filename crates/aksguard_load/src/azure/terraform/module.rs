//! Local module calls: `module "x" { source = "../.." … }` is followed, so a module's
//! resources are judged as each caller configures them.
//!
//! - Only local sources (`./…`, `../…`) are followed; registry and git modules are named in
//!   one notice per loaded file, except the Azure Verified Module for managed clusters, whose
//!   call is translated from its inputs by `azure::avm::terraform` into the REST resources it
//!   deploys (judged as [`aksguard_model::azure::AzureFormat::AvmTerraform`]).
//! - The module directory's `.tf` files are read (parsed once per load, shared with direct
//!   loads of those files) with the caller's arguments bound to the module's variables.
//!   Arguments are evaluated in the caller's scope (literals, the caller's variables and
//!   locals, `count.index`/`each.*` of the call); anything else is Unknown, as is a variable
//!   with neither argument nor default. A module's tfvars files are not read.
//! - A resource keeps the module file that declares it as its source, and each value the
//!   position of the property in that file (values from the caller included, as ARM nested
//!   deployments do). Its address names the call (`module.aks.`) and it remembers the
//!   outermost caller's file, so clusters of different callers are told apart.
//! - `count`/`for_each` on a call expand as on resources. Calls nest at most
//!   [`MAX_MODULE_DEPTH`] deep; a call back into a module being read (a cycle), a source
//!   that is not a directory, or a directory without `.tf` files is an error at the call.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use aksguard_model::LoadError;

use hcl_edit::structure::Block;

use super::hcl::{ParsedFile, Scope};
use super::{Attr, Obj, Resource, TerraformDirs, Val, azapi};
use crate::azure::avm;
use crate::k8s::StreamResult;
use crate::limits::Limits;

/// Module calls nest at most this deep.
pub(crate) const MAX_MODULE_DEPTH: usize = 8;

/// Arguments of a `module` block that are Terraform's, not the module's variables.
const META_ARGUMENTS: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// What following calls needs for the length of one loaded file.
pub(crate) struct Follow<'a> {
    pub limits: &'a Limits,
    pub dirs: &'a TerraformDirs,
    /// The loaded file (the outermost caller), as resources name it.
    pub caller: String,
    pub out: &'a mut StreamResult,
    /// Calls inside followed modules that could not be followed.
    pub nested: Vec<String>,
    /// What calls of the managed-cluster Azure Verified Module deploy, as azapi resources
    /// (judged as the AVM form).
    pub avm: Vec<Resource>,
    /// The `output`s of followed module instances: (module path, output name, its value's
    /// expression), so references to `module.x.<output>` are followed (`symbols.rs`).
    pub outputs: Vec<(String, String, String)>,
}

impl Follow<'_> {
    /// The resources of the local modules `file` calls (read with `scope`), recursively.
    /// `stack` holds the module directories being read (canonical), for cycles.
    pub(crate) fn calls(
        &mut self,
        file: &ParsedFile,
        scope: &Scope,
        prefix: &str,
        stack: &mut Vec<PathBuf>,
    ) -> Vec<Resource> {
        let mut resources = Vec::new();
        let mut registry: Vec<String> = Vec::new();
        for block in file.module_blocks() {
            let Some(name) = block.labels.first().map(|l| l.as_str().to_owned()) else {
                continue;
            };
            let pos = file.block_pos(block);
            let source = block
                .body
                .get_attribute("source")
                .and_then(|a| a.value.as_str())
                .unwrap_or_default()
                .to_owned();
            if avm::is_terraform_module(&source) {
                self.avm_call(file, block, &name, scope, prefix);
                continue;
            }
            if !is_local(&source) {
                registry.push(format!("\"{name}\" ({source})"));
                continue;
            }
            if stack.len() > MAX_MODULE_DEPTH {
                self.problem(
                    file,
                    prefix,
                    pos.line,
                    format!(
                        "module \"{name}\": modules nest deeper than {MAX_MODULE_DEPTH} levels; not followed"
                    ),
                );
                continue;
            }
            let dir = match file_dir(file).map(|d| normalize(&d.join(&source))) {
                Some(dir) => dir,
                None => continue,
            };
            let canonical = match std::fs::canonicalize(&dir) {
                Ok(canonical) if canonical.is_dir() => canonical,
                _ => {
                    self.problem(
                        file,
                        prefix,
                        pos.line,
                        format!(
                            "module \"{name}\": source \"{source}\" ({}) is not a directory",
                            dir.display()
                        ),
                    );
                    continue;
                }
            };
            if stack.contains(&canonical) {
                self.problem(
                    file,
                    prefix,
                    pos.line,
                    format!(
                        "module \"{name}\": source \"{source}\" calls a module that is already being read (a cycle); not followed"
                    ),
                );
                continue;
            }
            let files = self.dirs.files(&dir, self.limits);
            let tf_files: Vec<Arc<ParsedFile>> =
                files.iter().filter(|f| !f.is_tfvars()).cloned().collect();
            if tf_files.is_empty() {
                self.problem(
                    file,
                    prefix,
                    pos.line,
                    format!(
                        "module \"{name}\": source \"{source}\" ({}) holds no readable .tf file",
                        dir.display()
                    ),
                );
                continue;
            }
            let address = format!("{prefix}module.{name}");
            let copies = file.instances(&block.body, scope, &address, pos, &mut self.out.notices);
            stack.push(canonical);
            for (instance, call_scope) in copies {
                let args = block
                    .body
                    .attributes()
                    .filter(|a| !META_ARGUMENTS.contains(&a.key.as_str()))
                    .map(|a| {
                        let val = match call_scope.eval(&a.value, 0) {
                            Val::Unknown(reason) => Val::Unknown(format!(
                                "{reason} (passed by {address}{instance} in {})",
                                file.source.path
                            )),
                            val => val,
                        };
                        (a.key.as_str().to_owned(), val)
                    })
                    .collect();
                let module_scope = Scope::module(&tf_files, args);
                let module_prefix = format!("{address}{instance}.");
                for module_file in &tf_files {
                    for (name, text) in module_file.outputs() {
                        self.outputs.push((module_prefix.clone(), name, text));
                    }
                    let mut found = module_file.resources(&module_scope, &mut self.out.notices);
                    for resource in &mut found {
                        resource.module = module_prefix.clone();
                        resource.caller = Some(self.caller.clone());
                    }
                    resources.extend(found);
                    resources.extend(self.calls(module_file, &module_scope, &module_prefix, stack));
                }
            }
            stack.pop();
        }
        if prefix.is_empty() && !self.nested.is_empty() {
            self.nested.sort();
            self.nested.dedup();
            self.out.notices.push(format!(
                "{}: modules it calls make calls that were not followed, so what those configure is not judged: {}",
                file.source.path,
                self.nested.join("; ")
            ));
            self.nested.clear();
        }
        // Registry modules of the loaded file itself, once (a followed module's own are
        // reported when it is loaded directly).
        if prefix.is_empty() && !registry.is_empty() {
            self.out.notices.push(format!(
                "{}: registry module{} {} not followed; what {} configure{} is not judged",
                file.source.path,
                if registry.len() == 1 { "" } else { "s" },
                registry.join(", "),
                if registry.len() == 1 { "it" } else { "they" },
                if registry.len() == 1 { "s" } else { "" },
            ));
        }
        resources
    }

    /// A call of the managed-cluster Azure Verified Module: its arguments, evaluated in the
    /// caller's scope (each copy of a `count`/`for_each` call on its own), become the REST
    /// resources the module would deploy (see `azure::avm::terraform`), positioned at the
    /// caller's lines, with the address the module gives them (`module.x.azapi_resource.this`).
    fn avm_call(
        &mut self,
        file: &ParsedFile,
        block: &Block,
        name: &str,
        scope: &Scope,
        prefix: &str,
    ) {
        let pos = file.block_pos(block);
        let version = block
            .body
            .get_attribute("version")
            .and_then(|a| a.value.as_str())
            .unwrap_or_default()
            .to_owned();
        let address = format!("{prefix}module.{name}");
        let caller = (!prefix.is_empty()).then(|| self.caller.clone());
        for (instance, call_scope) in
            file.instances(&block.body, scope, &address, pos, &mut self.out.notices)
        {
            let args = file.block_obj(block, &call_scope);
            let deployed = avm::terraform::cluster_from_terraform_call(&version, &args, pos);
            for note in deployed.notes {
                self.out
                    .notices
                    .push(format!("{}:{}: {note}", file.source.path, pos.line));
            }
            let module = format!("{address}{instance}.");
            let resource = |label: String, rest_type: &str, name: Option<Attr>, body: Obj| {
                let mut attrs = vec![(
                    "type".to_owned(),
                    Attr {
                        val: Val::Str(format!("{rest_type}@avm")),
                        pos,
                        text: None,
                        items: Vec::new(),
                    },
                )];
                attrs.extend(name.map(|n| ("name".to_owned(), n)));
                Resource {
                    kind: azapi::RESOURCE.to_owned(),
                    label,
                    instance: String::new(),
                    conditional: false,
                    module: module.clone(),
                    caller: caller.clone(),
                    body: Obj {
                        pos: body.pos,
                        attrs,
                        blocks: vec![("body".to_owned(), body)],
                        ..Obj::default()
                    },
                    source: file.source.clone(),
                    cluster_ref: None,
                    id: None,
                    names: Default::default(),
                }
            };
            let mut cluster = resource(
                "this".into(),
                "Microsoft.ContainerService/managedClusters",
                deployed.body.attr("name").cloned(),
                deployed.body.clone(),
            );
            cluster.body.pos = pos;
            if let Some(location) = deployed.body.attr("location") {
                cluster
                    .body
                    .attrs
                    .push(("location".into(), location.clone()));
            }
            if let Some(parent) = args.attr("parent_id") {
                cluster
                    .body
                    .attrs
                    .push(("parent_id".into(), parent.clone()));
            }
            let this = cluster.reference();
            self.avm.push(cluster);
            for (i, setting) in deployed.diagnostic_settings.into_iter().enumerate() {
                let mut child = resource(
                    format!("diagnostic_settings_{i}"),
                    "Microsoft.Insights/diagnosticSettings",
                    setting.attr("name").cloned(),
                    setting,
                );
                child.cluster_ref = Some(this.clone());
                self.avm.push(child);
            }
            for (i, (config, at)) in deployed.maintenance_configurations.into_iter().enumerate() {
                let name = Attr {
                    val: Val::Str(config),
                    pos: at,
                    text: None,
                    items: Vec::new(),
                };
                let mut child = resource(
                    format!("maintenance_{i}"),
                    "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
                    Some(name),
                    Obj {
                        pos: at,
                        ..Obj::default()
                    },
                );
                child.cluster_ref = Some(this.clone());
                self.avm.push(child);
            }
        }
    }

    /// A call that cannot be followed: an error at the call when the loaded file makes it
    /// (the user's own typo); inside a followed module, a line of one notice (the module's
    /// own load reports the error), so callers of a broken module do not repeat it.
    fn problem(&mut self, file: &ParsedFile, prefix: &str, line: u32, message: String) {
        if prefix.is_empty() {
            self.out.errors.push(LoadError::new(
                file.source.path.to_string(),
                Some(line),
                message,
            ));
        } else {
            self.nested
                .push(format!("{}:{line}: {message}", file.source.path));
        }
    }
}

/// `./x`, `../x`, `.` and `..`: a path on this machine (Terraform's rule for local sources).
fn is_local(source: &str) -> bool {
    source == "."
        || source == ".."
        || source.starts_with("./")
        || source.starts_with("../")
        || source.starts_with(".\\")
        || source.starts_with("..\\")
}

/// The directory of the file (`.` for a bare file name).
fn file_dir(file: &ParsedFile) -> Option<PathBuf> {
    let path = Path::new(&*file.source.path);
    let dir = path.parent()?;
    Some(if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.to_path_buf()
    })
}

/// `a/b/../../c` → `c`, lexically, so a module's files read from a caller have the path
/// they have when loaded directly (and share their parse).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                let last = out.components().next_back();
                if matches!(last, Some(Component::Normal(_))) {
                    out.pop();
                } else if !matches!(last, Some(Component::RootDir | Component::Prefix(_))) {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalize_lexically() {
        for (input, expected) in [
            ("a/examples/x/../..", "a"),
            ("../shared/aks/examples/s/../..", "../shared/aks"),
            ("./m", "m"),
            ("x/..", "."),
            ("../../y", "../../y"),
            ("/a/../..", "/"),
        ] {
            assert_eq!(
                normalize(Path::new(input)),
                PathBuf::from(expected),
                "{input}"
            );
        }
    }

    #[test]
    fn local_sources() {
        assert!(is_local("../.."));
        assert!(is_local("./modules/aks"));
        assert!(is_local("../../"));
        assert!(!is_local("Azure/naming/azurerm"));
        assert!(!is_local("git::https://github.com/a/b.git"));
        assert!(!is_local("..foo"));
    }
}
