//! Helm charts and Kustomize directories are rendered with the user's own `helm` /
//! `kubectl` when they are on PATH, so we scan what would actually be deployed.

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Renderer {
    Helm,
    Kustomize,
}

impl Renderer {
    /// Which renderer a file name marks its directory for.
    pub fn marked_by(file_name: &str) -> Option<Renderer> {
        match file_name {
            "Chart.yaml" => Some(Renderer::Helm),
            "kustomization.yaml" | "kustomization.yml" | "Kustomization" => {
                Some(Renderer::Kustomize)
            }
            _ => None,
        }
    }

    pub fn program(self) -> &'static str {
        match self {
            Renderer::Helm => "helm",
            Renderer::Kustomize => "kubectl",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Renderer::Helm => "helm template",
            Renderer::Kustomize => "kubectl kustomize",
        }
    }

    pub fn marker(self) -> &'static str {
        match self {
            Renderer::Helm => "Chart.yaml",
            Renderer::Kustomize => "kustomization.yaml",
        }
    }

    /// Runs the renderer on `dir` and returns its stdout, or a readable failure.
    pub fn render(self, program: &Path, dir: &Path) -> Result<Vec<u8>, String> {
        let mut command = Command::new(program);
        match self {
            Renderer::Helm => command.arg("template").arg(dir),
            Renderer::Kustomize => command.arg("kustomize").arg(dir),
        };
        let output = command
            .output()
            .map_err(|e| format!("could not run {}: {e}", self.describe()))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let first_lines: Vec<&str> = stderr.lines().take(5).collect();
            return Err(format!(
                "{} failed ({}): {}",
                self.describe(),
                output.status,
                first_lines.join(" | ")
            ));
        }
        Ok(output.stdout)
    }
}

/// Finds an executable on PATH.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}
