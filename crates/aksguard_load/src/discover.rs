//! Turns command-line inputs (files, directories, globs, `-`) into the list of streams to
//! read. Directories are walked honouring `.gitignore`; symlinks are followed with loop
//! detection; Helm and Kustomize directories become rendered streams when possible.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use aksguard_model::LoadError;

use crate::kustomize;
use crate::render::{Renderer, find_on_path};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File {
        path: PathBuf,
        display: String,
    },
    Rendered {
        dir: PathBuf,
        display: String,
        renderer: Renderer,
        program: PathBuf,
        /// The raw manifests under `dir`, scanned instead if rendering fails.
        fallback: Vec<Input>,
        /// Notes for that case (Kustomize patches left out of the raw files).
        fallback_notices: Vec<String>,
    },
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    pub errors: Vec<LoadError>,
    /// Things the user should know that are not errors (e.g. a chart left unrendered).
    pub notices: Vec<String>,
}

const MANIFEST_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "tf", "bicep"];

fn is_manifest_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        MANIFEST_EXTENSIONS
            .iter()
            .any(|m| m.eq_ignore_ascii_case(e))
    })
}

fn has_glob_chars(arg: &str) -> bool {
    arg.contains(['*', '?', '['])
}

pub fn discover(args: &[String], render: bool) -> Discovered {
    let mut out = Discovered::default();
    let mut seen = HashSet::new();
    for arg in args {
        if arg == "-" {
            if !out.inputs.contains(&Input::Stdin) {
                out.inputs.push(Input::Stdin);
            }
            continue;
        }
        let path = Path::new(arg);
        if path.exists() {
            add_path(path, render, &mut seen, &mut out);
        } else if has_glob_chars(arg) {
            add_glob(arg, render, &mut seen, &mut out);
        } else {
            out.errors.push(LoadError::new(
                arg.as_str(),
                None,
                "no such file or directory",
            ));
        }
    }
    out
}

fn add_glob(pattern: &str, render: bool, seen: &mut HashSet<PathBuf>, out: &mut Discovered) {
    let matches = match glob::glob(pattern) {
        Ok(paths) => paths,
        Err(e) => {
            out.errors.push(LoadError::new(
                pattern,
                None,
                format!("invalid glob pattern: {e}"),
            ));
            return;
        }
    };
    let mut any = false;
    for entry in matches {
        match entry {
            Ok(path) => {
                any = true;
                add_path(&path, render, seen, out);
            }
            Err(e) => out.errors.push(LoadError::new(
                e.path().display().to_string(),
                None,
                format!("cannot read: {}", e.error()),
            )),
        }
    }
    if !any {
        out.errors.push(LoadError::new(
            pattern,
            None,
            "glob pattern matched no files",
        ));
    }
}

fn add_path(path: &Path, render: bool, seen: &mut HashSet<PathBuf>, out: &mut Discovered) {
    if path.is_dir() {
        walk_dir(path, render, seen, out);
    } else {
        add_file(path.to_path_buf(), seen, out);
    }
}

fn add_file(path: PathBuf, seen: &mut HashSet<PathBuf>, out: &mut Discovered) {
    let key = path.canonicalize().unwrap_or_else(|_| path.clone());
    if seen.insert(key) {
        let display = path.display().to_string();
        out.inputs.push(Input::File { path, display });
    }
}

fn walk_dir(root: &Path, render: bool, seen: &mut HashSet<PathBuf>, out: &mut Discovered) {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .follow_links(true)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    let mut files = Vec::new();
    let mut render_roots: Vec<(PathBuf, Renderer)> = Vec::new();
    let mut kustomizations = Vec::new();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let path = entry.path();
                if !entry.file_type().is_some_and(|t| t.is_file()) {
                    continue;
                }
                let name = entry.file_name().to_string_lossy();
                if let Some(renderer) = Renderer::marked_by(&name)
                    && let Some(dir) = path.parent()
                {
                    render_roots.push((dir.to_path_buf(), renderer));
                    if renderer == Renderer::Kustomize {
                        kustomizations.push(path.to_path_buf());
                    }
                }
                if is_manifest_name(path) {
                    files.push(path.to_path_buf());
                }
            }
            Err(err) => out.errors.push(walk_error(root, &err)),
        }
    }
    // Render only the outermost root of each tree: a chart's subcharts and a directory's
    // nested kustomizations are rendered as part of it.
    render_roots.sort();
    let mut outermost: Vec<(PathBuf, Renderer)> = Vec::new();
    for (dir, renderer) in render_roots {
        if !outermost.iter().any(|(outer, _)| dir.starts_with(outer)) {
            outermost.push((dir, renderer));
        }
    }
    let mut rendered: Vec<(PathBuf, Renderer, PathBuf)> = Vec::new();
    for (dir, renderer) in outermost {
        if !render {
            continue;
        }
        match find_on_path(renderer.program()) {
            Some(program) => rendered.push((dir, renderer, program)),
            None => out.notices.push(format!(
                "{} holds {} but `{}` is not on PATH: scanning its raw files instead of `{}` output",
                dir.display(),
                renderer.marker(),
                renderer.program(),
                renderer.describe()
            )),
        }
    }
    // Patch files are fragments, not objects: left out wherever raw files are scanned.
    let patches: HashMap<PathBuf, &Path> = kustomizations
        .iter()
        .flat_map(|k| {
            kustomize::patch_files(k)
                .into_iter()
                .map(move |p| (p, k.as_path()))
        })
        .collect();
    let patch_notice = |file: &Path, kustomization: &Path| {
        format!(
            "{}: a Kustomize patch (listed in {}), not a whole object: not scanned on its own; \
             render the kustomization to scan the patched objects",
            file.display(),
            kustomization.display()
        )
    };
    let mut fallbacks: Vec<Discovered> = rendered.iter().map(|_| Discovered::default()).collect();
    for file in files {
        let target = match rendered
            .iter()
            .position(|(dir, _, _)| file.starts_with(dir))
        {
            Some(i) => &mut fallbacks[i],
            None => &mut *out,
        };
        let canonical = file.canonicalize().unwrap_or_else(|_| file.clone());
        match patches.get(&canonical) {
            Some(kustomization) => target.notices.push(patch_notice(&file, kustomization)),
            None => add_file(file, seen, target),
        }
    }
    for ((dir, renderer, program), fallback) in rendered.into_iter().zip(fallbacks) {
        out.inputs.push(Input::Rendered {
            display: format!("{} ({})", dir.display(), renderer.describe()),
            dir,
            renderer,
            program,
            fallback: fallback.inputs,
            fallback_notices: fallback.notices,
        });
    }
}

fn walk_error(root: &Path, err: &ignore::Error) -> LoadError {
    // The walker wraps errors (`WithDepth`, `WithPath`, ...); name the innermost path and
    // recognise a loop however deeply it is wrapped.
    let mut path = None;
    let mut inner = err;
    loop {
        match inner {
            ignore::Error::WithPath { path: p, err } => {
                path = Some(p.display().to_string());
                inner = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                inner = err;
            }
            _ => break,
        }
    }
    let (path, message) = match inner {
        ignore::Error::Loop { ancestor, child } => (
            child.display().to_string(),
            format!(
                "symbolic link loop (points back to {}); not followed",
                ancestor.display()
            ),
        ),
        _ => (
            path.unwrap_or_else(|| root.display().to_string()),
            format!("cannot read: {err}"),
        ),
    };
    LoadError::new(path, None, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A base and an overlay whose patch is a Deployment fragment (modelled on gke-samples
    /// workloads/migrate-x86-app-to-multi-arch): scanned raw, the patch is noted, not loaded.
    #[test]
    fn kustomize_patches_are_noted_not_scanned_raw() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "base/kustomization.yaml",
            "resources:\n  - hello-deployment.yaml\n",
        );
        write(
            "base/hello-deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\n",
        );
        write(
            "overlays/arm/kustomization.yaml",
            "resources:\n  - ../../base\npatches:\n  - path: add_arm_support.yaml\n",
        );
        write(
            "overlays/arm/add_arm_support.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: hello-deployment\n",
        );
        write(
            "overlays/multiarch/Kustomization",
            "patchesStrategicMerge:\n  - increase_replicas.yaml\n",
        );
        write(
            "overlays/multiarch/increase_replicas.yaml",
            "apiVersion: apps/v1\nkind: Deployment\n",
        );
        let found = discover(&[root.display().to_string()], false);
        let files: Vec<String> = found
            .inputs
            .iter()
            .map(|input| match input {
                Input::File { path, .. } => path.strip_prefix(root).unwrap().display().to_string(),
                other => panic!("unexpected input {other:?}"),
            })
            .collect();
        // Kustomization files are read too (they hold no object).
        assert_eq!(
            files,
            [
                "base/hello-deployment.yaml",
                "base/kustomization.yaml",
                "overlays/arm/kustomization.yaml"
            ],
            "{found:?}"
        );
        assert_eq!(found.notices.len(), 2, "{:?}", found.notices);
        assert!(found.notices[0].contains("add_arm_support.yaml: a Kustomize patch (listed in "));
        assert!(found.notices[0].ends_with("render the kustomization to scan the patched objects"));
        assert!(found.notices[1].contains("increase_replicas.yaml: a Kustomize patch"));
        assert!(found.errors.is_empty(), "{:?}", found.errors);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_name_the_link_and_the_rest_is_walked() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("pod.yaml"), "apiVersion: v1\nkind: Pod\n").unwrap();
        std::os::unix::fs::symlink("..", sub.join("loop")).unwrap();
        let root = dir.path().display().to_string();
        let found = discover(&[root], false);
        assert_eq!(found.inputs.len(), 1, "{:?}", found.inputs);
        assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
        let err = &found.errors[0];
        assert!(err.path.ends_with("loop"), "{err}");
        assert!(err.message.contains("symbolic link loop"), "{err}");
    }
}
