//! Loading: from command-line inputs to Kubernetes [`Object`]s and [`LoadError`]s.
//! Bad input never stops the load: each failure is an error entry and the rest goes on.

pub mod admission;
pub mod azure;
pub mod discover;
pub mod json;
pub mod k8s;
pub mod kustomize;
pub mod limits;
pub mod read;
pub mod render;
pub mod split;
pub mod vulns;
pub mod yaml;

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aksguard_model::azure::AzureResources;
use aksguard_model::{Finding, LoadError, Object, Source};
use rayon::prelude::*;

use crate::azure::bicep::BicepFiles;
use crate::azure::terraform::TerraformDirs;

/// Files parsed once per load and shared by the inputs that need them (a Terraform module's
/// sibling files, a Bicep file's modules and parameter files). It belongs to one load: a
/// long-running process drops it when the load ends, so nothing stale is served.
#[derive(Default)]
pub(crate) struct LoadCache {
    pub(crate) terraform: TerraformDirs,
    /// Bicep files translated once per load: inputs and the local modules they call.
    pub(crate) bicep: BicepFiles,
}

pub use discover::{Input, discover};
pub use limits::Limits;

#[derive(Clone, Debug)]
pub struct LoadOptions {
    pub limits: Limits,
    /// Render Helm charts and Kustomize directories when the tools are on PATH.
    pub render: bool,
    /// Counters a caller may watch from another thread (a progress bar); plain atomics, so
    /// the loader knows nothing of terminals.
    pub progress: Option<Arc<Progress>>,
}

/// How far a load has got: inputs discovered and inputs parsed.
#[derive(Debug, Default)]
pub struct Progress {
    pub total: AtomicUsize,
    pub done: AtomicUsize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            limits: Limits::default(),
            render: true,
            progress: None,
        }
    }
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub objects: Vec<Object>,
    /// AKS clusters, registries and related Azure resources (az JSON, ARM, Terraform).
    pub azure: AzureResources,
    pub errors: Vec<LoadError>,
    pub notices: Vec<String>,
    /// Streams read (files, stdin, rendered directories).
    pub files: usize,
    /// What [`load_inputs_with`]'s object hook returned, in no particular order (callers
    /// sort).
    pub findings: Vec<Finding>,
}

/// Loads every input. `stdin` is read only if `-` is among the inputs.
pub fn load_inputs(args: &[String], options: &LoadOptions, stdin: &mut dyn Read) -> Loaded {
    load_inputs_with(args, options, stdin, &|_| Vec::new())
}

thread_local! {
    /// The bytes of the file this thread is loading (see [`load_inputs_with`]).
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Read buffers above this capacity are not kept for the next file.
const READ_BUFFER_KEPT: usize = 16 << 20;

/// What the loader does with each Kubernetes object as soon as it is parsed, on the loader's
/// threads: the scan runs its per-object rules and trims the object (see the engine's
/// `Evaluation::on_object`). The findings are collected in [`Loaded::findings`].
pub type ObjectHook<'a> = &'a (dyn Fn(&mut Object) -> Vec<Finding> + Sync);

/// [`load_inputs`], passing each object through `on_object` as it is parsed. Each input is
/// read, parsed and handed over on one thread, so no more source text is held at once than
/// the threads are working on.
pub fn load_inputs_with(
    args: &[String],
    options: &LoadOptions,
    stdin: &mut dyn Read,
    on_object: ObjectHook<'_>,
) -> Loaded {
    // Terraform directories parsed for this load only: nothing outlives the call.
    let cache = LoadCache::default();
    load_inputs_in(args, options, stdin, on_object, &cache)
}

/// [`load_inputs_with`], sharing parsed files through `cache`.
pub(crate) fn load_inputs_in(
    args: &[String],
    options: &LoadOptions,
    stdin: &mut dyn Read,
    on_object: ObjectHook<'_>,
    cache: &LoadCache,
) -> Loaded {
    let discovered = discover(args, options.render);
    let mut loaded = Loaded {
        errors: discovered.errors,
        notices: discovered.notices,
        ..Loaded::default()
    };
    // Stdin is read up front on this thread; everything else in parallel.
    let stdin_text = discovered
        .inputs
        .contains(&Input::Stdin)
        .then(|| read_stdin(stdin, &options.limits));
    if let Some(progress) = &options.progress {
        progress
            .total
            .store(discovered.inputs.len(), Ordering::Relaxed);
    }
    // One vector for all inputs, grown as they finish: per-input batches concatenated at the
    // end would hold every finding twice at that moment.
    let findings: Mutex<Vec<Finding>> = Mutex::new(Vec::new());
    let parts: Vec<Loaded> = discovered
        .inputs
        .par_iter()
        .map(|input| {
            let mut part = Loaded::default();
            let mut found = Vec::new();
            let mut take = |mut result: k8s::StreamResult, part: &mut Loaded| {
                for object in &mut result.objects {
                    found.extend(on_object(object));
                }
                part.objects.append(&mut result.objects);
                part.errors.append(&mut result.errors);
                part.notices.append(&mut result.notices);
                part.azure.extend(result.azure);
            };
            if let Input::File { path, display } = input {
                // Plain files are read into one buffer per thread, reused: a large scan then
                // allocates no file-sized text per file (which the allocator would hold on to
                // for a while after it is freed).
                READ_BUFFER.with_borrow_mut(|bytes| {
                    let text = read::read_bytes(path, display, &options.limits, bytes)
                        .and_then(|()| read::decode_str(bytes, display));
                    match text {
                        Ok(text) => {
                            part.files += 1;
                            take(
                                load_source(text, &source(display), &options.limits, cache),
                                &mut part,
                            );
                        }
                        Err(err) => part.errors.push(err),
                    }
                    if bytes.capacity() > READ_BUFFER_KEPT {
                        *bytes = Vec::new();
                    }
                });
            } else {
                let outcome = read_input(input, stdin_text.as_ref(), &options.limits);
                part.notices.extend(outcome.notices);
                for stream in outcome.streams {
                    match stream {
                        Ok((source, text)) => {
                            part.files += 1;
                            take(
                                load_source(&text, &source, &options.limits, cache),
                                &mut part,
                            );
                        }
                        Err(err) => part.errors.push(err),
                    }
                }
            }
            if !found.is_empty() {
                // A poisoned lock means a hook panicked; that panic is the error.
                if let Ok(mut all) = findings.lock() {
                    all.append(&mut found);
                }
            }
            if let Some(progress) = &options.progress {
                progress.done.fetch_add(1, Ordering::Relaxed);
            }
            part
        })
        .collect();
    // Sized once: doubling a vector of hundreds of thousands of objects would briefly need
    // twice its memory.
    loaded
        .objects
        .reserve_exact(parts.iter().map(|p| p.objects.len()).sum());
    for mut part in parts {
        loaded.objects.append(&mut part.objects);
        loaded.errors.append(&mut part.errors);
        loaded.notices.append(&mut part.notices);
        loaded.azure.extend(part.azure);
        loaded.files += part.files;
    }
    loaded.findings = findings.into_inner().unwrap_or_default();
    // `az` list output of diagnostic settings and maintenance configurations joins the
    // clusters of other files.
    let notes = azure::join_listed(&mut loaded.azure);
    loaded.notices.extend(notes);
    // Standalone NSG rules, routes and subnet associations join their parents.
    let notes = loaded.azure.join_surroundings();
    loaded.notices.extend(notes);
    loaded
}

/// Parses one stream by its kind: Terraform `.tf` and Bicep `.bicep` (by extension), else
/// YAML/JSON manifests and Azure JSON (detected by content).
fn load_source(
    text: &str,
    source: &Arc<Source>,
    limits: &Limits,
    cache: &LoadCache,
) -> k8s::StreamResult {
    if source.path.ends_with(".tf") {
        return azure::terraform::load_tf(text, source, limits, &cache.terraform);
    }
    if source.path.ends_with(".bicep") {
        return azure::bicep::load_bicep(text, source, limits, &cache.bicep);
    }
    k8s::load_stream(text, source, limits)
}

/// Loads one in-memory stream with everything it holds: Kubernetes objects, Azure resources
/// and errors (fixtures, the webhook). A `.tf` path reads its directory's declarations
/// afresh on every call.
pub fn load_text_all(path: &str, text: &str, limits: &Limits) -> k8s::StreamResult {
    load_source(text, &source(path), limits, &LoadCache::default())
}

/// Loads one in-memory stream (tests, benchmarks, the webhook).
pub fn load_text(path: &str, text: &str, limits: &Limits) -> (Vec<Object>, Vec<LoadError>) {
    let result = k8s::load_stream(text, &source(path), limits);
    (result.objects, result.errors)
}

fn read_stdin(stdin: &mut dyn Read, limits: &Limits) -> Result<String, LoadError> {
    let mut bytes = Vec::new();
    stdin
        .take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| LoadError::new("<stdin>", None, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(LoadError::new(
            "<stdin>",
            None,
            format!(
                "input over the {}-byte limit; not scanned",
                limits.max_file_bytes
            ),
        ));
    }
    read::decode_text(bytes, "<stdin>")
}

type Stream = Result<(Arc<Source>, String), LoadError>;

/// The text streams one input yields (a failed render yields its raw files instead).
struct ReadOutcome {
    streams: Vec<Stream>,
    notices: Vec<String>,
}

impl ReadOutcome {
    fn one(stream: Stream) -> Self {
        ReadOutcome {
            streams: vec![stream],
            notices: Vec::new(),
        }
    }
}

fn read_input(
    input: &Input,
    stdin_text: Option<&Result<String, LoadError>>,
    limits: &Limits,
) -> ReadOutcome {
    match input {
        Input::Stdin => ReadOutcome::one(
            stdin_text
                .cloned()
                .unwrap_or_else(|| Err(LoadError::new("<stdin>", None, "stdin was not read")))
                .map(|text| (source("<stdin>"), text)),
        ),
        Input::File { path, display } => ReadOutcome::one(
            read::read_text(path, display, limits).map(|text| (source(display), text)),
        ),
        Input::Rendered {
            dir,
            display,
            renderer,
            program,
            fallback,
            fallback_notices,
        } => match renderer.render(program, dir) {
            Ok(bytes) => ReadOutcome::one(
                read::decode_text(bytes, display).map(|text| (source(display), text)),
            ),
            // Rendering can fail for reasons outside the manifests (a gitignored .env, a
            // missing chart dependency); the raw files are still worth scanning.
            Err(message) => ReadOutcome {
                streams: fallback
                    .iter()
                    .flat_map(|input| read_input(input, None, limits).streams)
                    .collect(),
                notices: std::iter::once(format!(
                    "{display}: {message}; scanned its raw files instead"
                ))
                .chain(fallback_notices.iter().cloned())
                .collect(),
            },
        },
    }
}

pub(crate) fn source(path: &str) -> Arc<Source> {
    Arc::new(Source { path: path.into() })
}
