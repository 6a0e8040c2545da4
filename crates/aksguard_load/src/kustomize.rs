//! Kustomize patch files. A file a kustomization lists as a patch (`patches:` entries with a
//! `path:`, `patchesStrategicMerge:`, `patchesJson6902:` entries with a `path:`) is a
//! fragment merged into an object of the base, not an object of its own: a strategic-merge
//! patch of a Deployment usually lacks its selector and containers, so judged alone it would
//! yield findings about fields the real object has. Raw scans (`--no-render`, or `kubectl`
//! not on PATH or failing) leave such files out and say so.

use std::path::{Path, PathBuf};

use aksguard_model::Node;

use crate::limits::Limits;
use crate::yaml::parse_documents;

/// The files `kustomization` lists as patches, canonicalized, that exist. A kustomization
/// that cannot be read or parsed lists none (it is not scanned itself; `kubectl kustomize`
/// reports its errors when rendering).
pub fn patch_files(kustomization: &Path) -> Vec<PathBuf> {
    let Some(dir) = kustomization.parent() else {
        return Vec::new();
    };
    let Ok(text) = std::fs::read_to_string(kustomization) else {
        return Vec::new();
    };
    let Ok(documents) = parse_documents(&text, 1, &Limits::default()) else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    for root in documents.iter().flatten() {
        for key in ["patches", "patchesJson6902"] {
            for entry in root.get(key).map(Node::items).unwrap_or_default() {
                if let Some(path) = entry.get("path").and_then(Node::as_str) {
                    paths.push(path);
                }
            }
        }
        for entry in root
            .get("patchesStrategicMerge")
            .map(Node::items)
            .unwrap_or_default()
        {
            // Entries are file paths or inline patches (YAML text, several lines).
            if let Some(path) = entry.as_str().filter(|p| !p.contains('\n')) {
                paths.push(path);
            }
        }
    }
    paths
        .into_iter()
        .filter_map(|path| dir.join(path).canonicalize().ok())
        .filter(|path| path.is_file())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_patch_form_is_listed_and_resources_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in ["a.yaml", "b.yaml", "c.yaml", "res.yaml"] {
            std::fs::write(root.join(file), "apiVersion: v1\nkind: ConfigMap\n").unwrap();
        }
        std::fs::write(
            root.join("kustomization.yaml"),
            "resources: [res.yaml]\n\
             patches:\n  - path: a.yaml\n  - patch: |-\n      - op: remove\n        path: /x\n\
             patchesStrategicMerge:\n  - b.yaml\n  - |-\n    apiVersion: v1\n    kind: ConfigMap\n\
             patchesJson6902:\n  - path: c.yaml\n    target: {kind: ConfigMap, name: x}\n\
             \n  - path: missing.yaml\n",
        )
        .unwrap();
        let mut found = patch_files(&root.join("kustomization.yaml"));
        found.sort();
        let expected: Vec<PathBuf> = ["a.yaml", "b.yaml", "c.yaml"]
            .iter()
            .map(|f| root.join(f).canonicalize().unwrap())
            .collect();
        assert_eq!(found, expected);
        assert!(patch_files(&root.join("nope.yaml")).is_empty());
    }
}
