//! Where the configuration comes from: `--config FILE`, `--no-config`, or `aksguard.toml`
//! found upward from the directory of the first scanned path (the current directory for `-`),
//! stopping at the filesystem root.

use std::path::{Path, PathBuf};

/// The file name looked for in each directory.
pub const CONFIG_FILE_NAME: &str = "aksguard.toml";

/// How to find the configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigSource {
    /// `--config FILE`: this file, which must exist.
    Explicit(PathBuf),
    /// Search upward from the directory of this scanned path.
    Discover(String),
    /// `--no-config`.
    Disabled,
}

/// The directory the upward search starts in for a scanned path: the path itself for a
/// directory, its parent for a file, the part before the first wildcard for a glob, and the
/// current directory for `-` (stdin). Always absolute.
pub fn start_dir(scanned: &str) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    if scanned == "-" || scanned.is_empty() {
        return cwd;
    }
    let is_glob = |part: &str| part.contains(['*', '?', '[', '{']);
    let path = Path::new(scanned);
    let mut literal = PathBuf::new();
    let mut globbed = false;
    for component in path.components() {
        if is_glob(&component.as_os_str().to_string_lossy()) {
            globbed = true;
            break;
        }
        literal.push(component);
    }
    let dir = if globbed || literal.is_dir() {
        literal
    } else {
        literal.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let absolute = if dir.is_absolute() {
        dir
    } else {
        cwd.join(dir)
    };
    absolute.canonicalize().unwrap_or(absolute)
}

/// The nearest `aksguard.toml` in `start` or any of its ancestors.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(CONFIG_FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// How a config path is shown: relative to the current directory when inside it.
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir()
        .ok()
        .map(|cwd| cwd.canonicalize().unwrap_or(cwd));
    let shown = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    shown.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_upward_and_stops_at_root() {
        let temp = tempfile::tempdir().unwrap();
        let root = temp.path().canonicalize().unwrap();
        let deep = root.join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(root.join("a").join(CONFIG_FILE_NAME), "").unwrap();
        assert_eq!(discover(&deep), Some(root.join("a").join(CONFIG_FILE_NAME)));
        let file = deep.join("x.yaml");
        std::fs::write(&file, "").unwrap();
        assert_eq!(start_dir(file.to_str().unwrap()), deep);
        assert_eq!(start_dir(deep.to_str().unwrap()), deep);
        let glob = format!("{}/b/**/*.yaml", root.join("a").display());
        assert_eq!(start_dir(&glob), root.join("a/b"));
    }
}
