//! Writing a planned change in place, atomically: a temporary file beside the original
//! (same directory, so the rename cannot cross file systems) with the original's
//! permissions, renamed over it. A reader sees the old file or the new one, never half.

use std::io::Write;
use std::path::Path;

use crate::plan::FileChange;

/// Writes `change` over its file, unless the file changed since it was planned.
pub fn write_change(change: &FileChange) -> Result<(), String> {
    let path = Path::new(&change.path);
    let fail = |what: &str, err: std::io::Error| format!("{}: cannot {what}: {err}", change.path);
    let now = std::fs::read(path).map_err(|e| fail("read", e))?;
    if now != change.original.as_bytes() {
        return Err(format!(
            "{}: changed since it was scanned; not written (run aksguard fix again)",
            change.path
        ));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| fail("create a temporary file", e))?;
    temp.write_all(change.fixed.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| fail("write", e))?;
    let permissions = std::fs::metadata(path)
        .map_err(|e| fail("read", e))?
        .permissions();
    std::fs::set_permissions(temp.path(), permissions).map_err(|e| fail("set permissions", e))?;
    temp.persist(path).map_err(|e| fail("replace", e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_in_place_and_refuses_a_file_changed_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.yaml");
        std::fs::write(&path, "a: 1\n").unwrap();
        let change = FileChange {
            path: path.display().to_string(),
            original: "a: 1\n".to_owned(),
            fixed: "a: 2\n".to_owned(),
            fixed_findings: Vec::new(),
        };
        write_change(&change).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a: 2\n");
        let err = write_change(&change).unwrap_err();
        assert!(err.contains("changed since"), "{err}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }
}
