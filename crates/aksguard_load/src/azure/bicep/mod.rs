//! `.bicep` files: translated into ARM templates by `aksguard_bicep`, then read by the one
//! ARM template evaluator ([`super::arm_template`]) with `format = Bicep`.
//!
//! Decided here:
//! - Local modules (`module m './x.bicep' = {…}`) are followed relative to the calling file,
//!   as nested deployments with an inline template and the caller's `params` bound, at most
//!   [`MAX_MODULE_DEPTH`] levels deep; a cycle, a missing file or one too deep is an error
//!   naming the caller's line. A followed module's resources are reported at the module
//!   file; its syntax errors are reported when that file is itself an input.
//! - Registry modules (`br/public:…`, `br:…`, `ts:…`) are not read: one notice per file names
//!   them. Calls of the Azure Verified Module for managed clusters are judged from their
//!   inputs ([`avm::bicep`]): an `avm-bicep` cluster at the caller's lines.
//! - Parameter files beside a Bicep file (`*.bicepparam` whose `using` names it,
//!   `<stem>.parameters.json`, `<stem>.parameters.<any>.json`, `parameters-<stem>.json`):
//!   the file is judged once per parameter file, and each cluster's name says which file
//!   (`aks (parameters: main.parameters.json)`); without one, with the defaults.
//! - Each Bicep file is read and translated once per load ([`BicepFiles`]).

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use aksguard_bicep::{MODULE_KEY, ModuleCall, ModuleTarget, Translation};
use aksguard_model::azure::{AzureFormat, AzureResources};
use aksguard_model::{Entry, LoadError, Node, Pos, Source, Value};

use super::arm_template::{FORMAT_KEY, GivenParam, SOURCE_KEY, VIA_KEY, push_template_with};
use super::avm;
use crate::k8s::StreamResult;
use crate::limits::Limits;
use crate::read;

/// Deepest chain of local modules followed.
pub(crate) const MAX_MODULE_DEPTH: usize = 8;

/// One load's translated Bicep files (inputs and the modules they call).
#[derive(Default)]
pub(crate) struct BicepFiles {
    files: Mutex<HashMap<PathBuf, Arc<OnceLock<Parsed>>>>,
    /// Files translated so far, for tests that a module is read once.
    translated: AtomicUsize,
}

/// A file's translation, or why it could not be read.
type Parsed = Result<Arc<Translation>, String>;

impl BicepFiles {
    /// The translation of `path`, from `text` when given (an input already read), else read
    /// from disk on first use.
    fn get(&self, path: &Path, text: Option<&str>, limits: &Limits) -> Parsed {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let cell = {
            // Only lookups and inserts happen under the lock: a poisoned lock is still whole.
            let mut files = self.files.lock().unwrap_or_else(PoisonError::into_inner);
            files.entry(key).or_default().clone()
        };
        cell.get_or_init(|| {
            self.translated.fetch_add(1, Ordering::Relaxed);
            let owned;
            let text = match text {
                Some(text) => text,
                None => {
                    let display = path.to_string_lossy();
                    owned = read::read_text(path, &display, limits).map_err(|e| e.message)?;
                    &owned
                }
            };
            Ok(Arc::new(aksguard_bicep::translate(text)))
        })
        .clone()
    }

    #[cfg(test)]
    pub(crate) fn translated_files(&self) -> usize {
        self.translated.load(Ordering::Relaxed)
    }
}

/// Loads one `.bicep` input.
pub(crate) fn load_bicep(
    text: &str,
    source: &Arc<Source>,
    limits: &Limits,
    files: &BicepFiles,
) -> StreamResult {
    let mut out = StreamResult::default();
    let display: &str = &source.path;
    let translation = match files.get(Path::new(display), Some(text), limits) {
        Ok(t) => t,
        Err(message) => {
            out.errors.push(LoadError::new(display, None, message));
            return out;
        }
    };
    for problem in &translation.errors {
        out.errors.push(LoadError::new(
            display,
            Some(problem.pos.line),
            problem.message.clone(),
        ));
    }
    for problem in &translation.notices {
        out.notices.push(format!("{display}: {}", problem.message));
    }
    let mut assembly = Assembly {
        files,
        limits,
        errors: Vec::new(),
        registry: Vec::new(),
        avm_notes: Vec::new(),
        via: Vec::new(),
    };
    let mut stack = vec![canonical(Path::new(display))];
    let template = assembly.inline(&translation, display, &mut stack);
    out.errors.append(&mut assembly.errors);
    out.notices.append(&mut assembly.avm_notes);
    if !assembly.registry.is_empty() {
        out.notices.push(format!(
            "{display}: registry modules not read (their resources stay unknown): {}",
            assembly.registry.join(", ")
        ));
    }
    let parameter_files = parameter_files(Path::new(display), &mut out);
    if parameter_files.is_empty() {
        push_template_with(&template, source, AzureFormat::Bicep, &[], &mut out.azure);
    }
    for (name, given) in parameter_files {
        let mut found = AzureResources::default();
        push_template_with(&template, source, AzureFormat::Bicep, &given, &mut found);
        for cluster in &mut found.clusters {
            cluster.name = format!("{} (parameters: {name})", cluster.name);
        }
        for registry in &mut found.registries {
            registry.name = format!("{} (parameters: {name})", registry.name);
        }
        out.azure.extend(found);
    }
    out
}

/// Module calls filled in with the modules' templates.
struct Assembly<'a> {
    files: &'a BicepFiles,
    limits: &'a Limits,
    errors: Vec<LoadError>,
    /// Registry modules met (as written, with their line).
    registry: Vec<String>,
    /// What the AVM tables said about the calls (version fallbacks, inputs not mapped).
    avm_notes: Vec<String>,
    /// The module calls that led to the file being inlined (`main.bicep:12`), outermost
    /// first.
    via: Vec<String>,
}

impl Assembly<'_> {
    /// `translation`'s template with each module deployment's `template` filled in.
    fn inline(
        &mut self,
        translation: &Translation,
        display: &str,
        stack: &mut Vec<PathBuf>,
    ) -> Node {
        let mut template = translation.template.clone();
        let Some(resources) = entries_mut(&mut template)
            .and_then(|entries| entries.iter_mut().find(|e| e.key == "resources"))
        else {
            return template;
        };
        let Value::Seq(items) = &mut resources.value.value else {
            return template;
        };
        for resource in items.iter_mut() {
            let Some(index) = resource
                .get(MODULE_KEY)
                .and_then(Node::as_i64)
                .and_then(|i| usize::try_from(i).ok())
            else {
                continue;
            };
            let Some(call) = translation.modules.get(index) else {
                continue;
            };
            if let ModuleTarget::Registry(reference) = &call.target
                && let Some(version) = avm::bicep_module_version(reference)
            {
                self.avm_call(resource, version, call, display);
                continue;
            }
            if let Some(inner) = self.module(call, display, stack) {
                set_template(resource, inner);
            }
        }
        template
    }

    /// The inline template of one module call, or `None` (recorded why).
    fn module(
        &mut self,
        call: &ModuleCall,
        caller: &str,
        stack: &mut Vec<PathBuf>,
    ) -> Option<Node> {
        let line = call.pos.line;
        let written = match &call.target {
            ModuleTarget::Registry(reference) => {
                self.registry
                    .push(format!("`{reference}` ({caller}:{line})"));
                return None;
            }
            ModuleTarget::Local(path) => path,
        };
        let display = module_display(caller, written);
        let path = PathBuf::from(&display);
        let key = canonical(&path);
        if let Some(at) = stack.iter().position(|p| *p == key) {
            let chain: Vec<String> = stack[at..]
                .iter()
                .map(|p| p.display().to_string())
                .chain(std::iter::once(key.display().to_string()))
                .collect();
            self.errors.push(LoadError::new(
                caller,
                Some(line),
                format!(
                    "module `{}`: a module cycle ({}); not followed",
                    call.symbol,
                    chain.join(" → ")
                ),
            ));
            return None;
        }
        if stack.len() > MAX_MODULE_DEPTH {
            self.errors.push(LoadError::new(
                caller,
                Some(line),
                format!(
                    "module `{}` ({written}): modules nest more than {MAX_MODULE_DEPTH} levels deep; not followed",
                    call.symbol
                ),
            ));
            return None;
        }
        let translation = match self.files.get(&path, None, self.limits) {
            Ok(t) => t,
            Err(message) => {
                self.errors.push(LoadError::new(
                    caller,
                    Some(line),
                    format!(
                        "module `{}`: `{written}` cannot be read ({message}); its resources are not judged",
                        call.symbol
                    ),
                ));
                return None;
            }
        };
        stack.push(key);
        self.via.push(format!("{caller}:{line}"));
        let via = self.via.join(" → ");
        let mut template = self.inline(&translation, &display, stack);
        self.via.pop();
        stack.pop();
        if let Some(entries) = entries_mut(&mut template) {
            let pos = Pos::new(1, 1);
            entries.push(Entry {
                key: SOURCE_KEY.into(),
                key_pos: pos,
                value: Node::scalar(&display, false, pos),
            });
            entries.push(Entry {
                key: VIA_KEY.into(),
                key_pos: pos,
                value: Node::scalar(via, false, pos),
            });
        }
        Some(template)
    }
}

impl Assembly<'_> {
    /// A call of the Azure Verified Module for managed clusters, judged from its inputs: the
    /// module deployment becomes an outer-scope deployment whose template holds the cluster
    /// resource [`avm::bicep::cluster_from_bicep_call`] builds from the call's `params` (the
    /// caller's expressions, resolved by the evaluator in the caller's scope), at the
    /// caller's lines, with format `AvmBicep`.
    fn avm_call(&mut self, resource: &mut Node, version: &str, call: &ModuleCall, caller: &str) {
        let mut params = Vec::new();
        for entry in resource
            .at("properties.parameters")
            .map_or(&[][..], Node::entries)
        {
            if let Some(value) = entry.value.get("value") {
                params.push(Entry {
                    key: entry.key.clone(),
                    key_pos: entry.key_pos,
                    value: value.clone(),
                });
            }
        }
        let params = Node {
            pos: call.pos,
            value: Value::Map(params),
        };
        let pos = resource.pos;
        let built = avm::bicep::cluster_from_bicep_call(version, &params, pos);
        for note in built.notes {
            self.avm_notes
                .push(format!("{caller}:{}: {note}", call.pos.line));
        }
        let template = Node {
            pos,
            value: Value::Map(vec![
                Entry {
                    key: "resources".into(),
                    key_pos: pos,
                    value: Node {
                        pos,
                        value: Value::Seq(vec![built.resource]),
                    },
                },
                Entry {
                    key: FORMAT_KEY.into(),
                    key_pos: pos,
                    value: Node::scalar(AzureFormat::AvmBicep.label(), false, pos),
                },
            ]),
        };
        // Outer scope: the call's expressions read the caller's parameters and variables.
        if let Some(properties) = entries_mut(resource)
            .and_then(|entries| entries.iter_mut().find(|e| e.key == "properties"))
            && let Some(inner) = entries_mut(&mut properties.value)
        {
            inner.retain(|e| e.key != "expressionEvaluationOptions" && e.key != "parameters");
        }
        set_template(resource, template);
    }
}

/// Sets `properties.template` of a module deployment resource.
fn set_template(resource: &mut Node, template: Node) {
    let Some(entries) = entries_mut(resource) else {
        return;
    };
    let Some(properties) = entries.iter_mut().find(|e| e.key == "properties") else {
        return;
    };
    let pos = properties.value.pos;
    if let Some(inner) = entries_mut(&mut properties.value) {
        inner.push(Entry {
            key: "template".into(),
            key_pos: pos,
            value: template,
        });
    }
}

/// A module's path as shown: the caller's directory joined with the written path, with the
/// written path's `.` and `..` folded where they can be.
fn module_display(caller: &str, written: &str) -> String {
    let parent = Path::new(caller).parent().unwrap_or(Path::new(""));
    let mut parts: Vec<Component<'_>> = parent.components().collect();
    // A caller path that itself climbs (`repo/../shared/x.bicep`) is kept as written: folding
    // its `..` would show a different path than the one the user gave.
    let fixed = if parts.contains(&Component::ParentDir) {
        parts.len()
    } else {
        0
    };
    for part in Path::new(written).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if parts.len() > fixed && matches!(parts.last(), Some(Component::Normal(_))) =>
            {
                parts.pop();
            }
            other => parts.push(other),
        }
    }

    parts
        .iter()
        .collect::<PathBuf>()
        .to_string_lossy()
        .into_owned()
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The parameter files beside a Bicep file, each as (file name, values), in name order.
fn parameter_files(bicep: &Path, out: &mut StreamResult) -> Vec<(String, Vec<GivenParam>)> {
    let (Some(dir), Some(stem)) = (bicep.parent(), bicep.file_stem().and_then(|s| s.to_str()))
    else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    names.sort();
    let own_name = bicep.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let mut found = Vec::new();
    for name in names {
        let path = dir.join(&name);
        let display = path.to_string_lossy().into_owned();
        if name.ends_with(".bicepparam") {
            let Ok(text) = read::read_text(&path, &display, &Limits::default()) else {
                continue;
            };
            let file = aksguard_bicep::parse_bicepparam(&text);
            let names_this = file
                .using
                .as_deref()
                .and_then(|u| Path::new(u).file_name()?.to_str().map(str::to_owned))
                .is_some_and(|u| u == own_name);
            if !names_this {
                continue;
            }
            for problem in &file.errors {
                out.errors.push(LoadError::new(
                    &display,
                    Some(problem.pos.line),
                    problem.message.clone(),
                ));
            }
            found.push((name, file.values));
        } else if is_json_parameter_name(&name, stem) {
            match read_json_parameters(&path, &display) {
                Ok(values) => found.push((name, values)),
                Err(err) => out.errors.push(err),
            }
        }
    }
    found
}

/// `<stem>.parameters.json`, `<stem>.parameters.<any>.json` or `parameters-<stem>.json`.
pub(crate) fn is_json_parameter_name(name: &str, stem: &str) -> bool {
    let Some(base) = name.strip_suffix(".json") else {
        return false;
    };
    base == format!("parameters-{stem}")
        || base
            .strip_prefix(stem)
            .and_then(|rest| rest.strip_prefix(".parameters"))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// The values of an ARM parameters file (`deploymentParameters` schema).
fn read_json_parameters(path: &Path, display: &str) -> Result<Vec<GivenParam>, LoadError> {
    let text = read::read_text(path, display, &Limits::default())?;
    let root = crate::yaml::parse_documents(&text, 1, &Limits::default())
        .ok()
        .and_then(|docs| docs.into_iter().next())
        .flatten()
        .ok_or_else(|| LoadError::new(display, None, "not a readable parameters file"))?;
    let mut values = Vec::new();
    for entry in root.get("parameters").map_or(&[][..], Node::entries) {
        let value = match entry.value.get("value") {
            Some(value) => Ok(value.clone()),
            None => Err(format!(
                "parameter `{}` is passed by reference (Key Vault) in {display}",
                entry.key
            )),
        };
        values.push((entry.key.to_string(), value));
    }
    Ok(values)
}

fn entries_mut(node: &mut Node) -> Option<&mut Vec<Entry>> {
    match &mut node.value {
        Value::Map(entries) => Some(entries),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
