//! The parsed `.tf`/`.tfvars` files of each directory, for the length of one load.
//!
//! Every `.tf` file is loaded with the declarations of its directory (a Terraform module is
//! a directory), and the files of one directory are loaded in parallel, so each directory is
//! read and parsed once per load and shared. The cache belongs to the load: a long-running
//! process (the webhook, a server) drops it when the load ends, so it neither grows with
//! every directory ever loaded nor serves files that changed since.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use aksguard_model::Source;

use super::hcl::ParsedFile;
use crate::limits::Limits;

/// Parsed files of one directory, in path order (unparsable ones left out).
type DirFiles = Arc<Vec<Arc<ParsedFile>>>;

/// One load's parsed Terraform directories.
#[derive(Default)]
pub(crate) struct TerraformDirs {
    /// One cell per directory: the first file of a directory fills it while the others of
    /// that directory wait, so no directory is parsed twice even by parallel files.
    dirs: Mutex<HashMap<PathBuf, Arc<OnceLock<DirFiles>>>>,
    /// Files parsed so far, for tests that a directory is parsed once.
    parsed: AtomicUsize,
}

impl TerraformDirs {
    /// The parsed files of `dir`, read on first use.
    pub(crate) fn files(&self, dir: &Path, limits: &Limits) -> DirFiles {
        let cell = {
            // The map is only looked up and inserted into under the lock, which cannot leave
            // it half-updated, so a poisoned lock is still usable.
            let mut dirs = self.dirs.lock().unwrap_or_else(PoisonError::into_inner);
            dirs.entry(dir.to_path_buf()).or_default().clone()
        };
        cell.get_or_init(|| Arc::new(self.read(dir, limits)))
            .clone()
    }

    /// How many files this load has parsed for directory declarations.
    #[cfg(test)]
    pub(crate) fn parsed_files(&self) -> usize {
        self.parsed.load(Ordering::Relaxed)
    }

    fn read(&self, dir: &Path, limits: &Limits) -> Vec<Arc<ParsedFile>> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                name.ends_with(".tf")
                    || name == "terraform.tfvars"
                    || name.ends_with(".auto.tfvars")
            })
            .collect();
        paths.sort();
        let mut out = Vec::new();
        for path in paths {
            let too_big =
                std::fs::metadata(&path).map_or(true, |m| m.len() > limits.max_file_bytes);
            if too_big || !path.is_file() {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let source = Arc::new(Source {
                path: path.display().to_string().into(),
            });
            self.parsed.fetch_add(1, Ordering::Relaxed);
            if let Ok(file) = ParsedFile::parse(&text, source) {
                out.push(Arc::new(file));
            }
        }
        out
    }
}
