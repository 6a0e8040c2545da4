//! Turns command-line inputs (files, directories, globs, `-`) into the list of streams to
//! read. Directories are walked honouring `.gitignore`; symlinks are followed with loop
//! detection; Helm and Kustomize directories become rendered streams when possible.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use aksguard_model::LoadError;

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
    },
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    pub errors: Vec<LoadError>,
    /// Things the user should know that are not errors (e.g. a chart left unrendered).
    pub notices: Vec<String>,
}

const MANIFEST_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "tf"];

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
    let mut fallbacks: Vec<Discovered> = rendered.iter().map(|_| Discovered::default()).collect();
    for file in files {
        match rendered
            .iter()
            .position(|(dir, _, _)| file.starts_with(dir))
        {
            Some(i) => add_file(file, seen, &mut fallbacks[i]),
            None => add_file(file, seen, out),
        }
    }
    for ((dir, renderer, program), fallback) in rendered.into_iter().zip(fallbacks) {
        out.inputs.push(Input::Rendered {
            display: format!("{} ({})", dir.display(), renderer.describe()),
            dir,
            renderer,
            program,
            fallback: fallback.inputs,
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
