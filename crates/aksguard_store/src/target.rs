//! Which target a scan's run belongs to, from what the scan read.
//!
//! Precedence when a scan mixes inputs (first that applies wins):
//! 1. `--azure` that read exactly one AKS cluster: kind `aks`, key = the cluster's resource ID
//!    in lower case (Azure IDs are case-insensitive), name = the cluster's name. The most
//!    stable identity: `--cluster` and files in the same scan describe that cluster.
//! 2. `--cluster`: kind `cluster`, key = the API server URL (+ `?namespaces=a,b`, sorted,
//!    when `-n` limited the scan: a partial view is another target), name = the context.
//! 3. Files in one git work tree: kind `repository`, key = the work tree's top directory
//!    (+ `?paths=a,b`, the scanned paths relative to it, sorted, unless the top itself was
//!    scanned), name = the directory's name; the run keeps `git rev-parse HEAD`.
//! 4. Other files: kind `files`, key = the canonical paths, sorted, joined by `,`.
//!
//! `--target-name NAME` keeps the kind and replaces key and name (key `name:NAME`): a renamed
//! checkout or a re-created cluster keeps its history. Scans with no identity (stdin only,
//! several AKS clusters and no `--cluster`, a `--cluster` or `--azure` that read no cluster)
//! are an error that says to name the target: a live source that failed must never put its
//! run into the history of the files scanned beside it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::record::{TargetKind, TargetSpec};

/// How long one `git` call may take: a hung network file system must not hang the scan.
const GIT_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest `--target-name` accepted (it is shown in tables and URLs).
const MAX_NAME_CHARS: usize = 200;

/// A live cluster the scan read (`--cluster`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScannedCluster {
    /// The API server's URL.
    pub server: String,
    /// The kubeconfig context (`in-cluster` in a pod).
    pub context: String,
    /// `-n` namespaces (empty: every namespace).
    pub namespaces: Vec<String>,
}

/// An AKS managed cluster read from Azure (`--azure`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScannedAks {
    /// The ARM resource ID.
    pub id: String,
    pub name: String,
}

/// What one scan read, as far as its identity goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScannedInputs {
    /// The paths as given on the command line (files, directories, globs, `-` for stdin).
    pub paths: Vec<String>,
    /// The directory relative paths are resolved against.
    pub cwd: PathBuf,
    /// Whether `--cluster` was given, and what it read (`None` when it could not).
    pub cluster_requested: bool,
    pub cluster: Option<ScannedCluster>,
    /// Whether `--azure` was given, and the AKS clusters it read.
    pub azure: bool,
    pub aks_clusters: Vec<ScannedAks>,
    /// `--target-name`.
    pub target_name: Option<String>,
}

/// A scan's target and, for a repository, its commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetectedTarget {
    pub spec: TargetSpec,
    pub commit: Option<String>,
}

/// The target of a scan of `inputs` (see the module documentation for the rules). `Err`
/// says why none can be told and what to pass instead.
pub fn detect_target(inputs: &ScannedInputs) -> Result<DetectedTarget, String> {
    let name_override = match &inputs.target_name {
        Some(name) => Some(check_target_name(name)?),
        None => None,
    };
    let detected = detect_automatic(inputs);
    match (detected, name_override) {
        (Ok(mut target), Some(name)) => {
            target.spec.key = format!("name:{name}");
            target.spec.name = name;
            Ok(target)
        }
        (Ok(target), None) => Ok(target),
        // Named by the user: the identity is the name, the kind what was read.
        (Err(_), Some(name)) => Ok(DetectedTarget {
            spec: TargetSpec {
                kind: fallback_kind(inputs),
                key: format!("name:{name}"),
                name,
            },
            commit: None,
        }),
        (Err(message), None) => Err(message),
    }
}

/// A `--target-name` as given, or why it cannot be one.
pub fn check_target_name(name: &str) -> Result<String, String> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err("--target-name is empty; give the target a name".to_owned());
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "--target-name is longer than {MAX_NAME_CHARS} characters"
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("--target-name holds a control character".to_owned());
    }
    Ok(trimmed.to_owned())
}

fn fallback_kind(inputs: &ScannedInputs) -> TargetKind {
    if inputs.azure {
        TargetKind::Aks
    } else if inputs.cluster_requested || inputs.cluster.is_some() {
        TargetKind::Cluster
    } else {
        TargetKind::Files
    }
}

fn detect_automatic(inputs: &ScannedInputs) -> Result<DetectedTarget, String> {
    if let [aks] = inputs.aks_clusters.as_slice() {
        return Ok(DetectedTarget {
            spec: TargetSpec {
                kind: TargetKind::Aks,
                key: aks.id.to_lowercase(),
                name: aks.name.clone(),
            },
            commit: None,
        });
    }
    if let Some(cluster) = &inputs.cluster {
        return Ok(DetectedTarget {
            spec: cluster_spec(cluster),
            commit: None,
        });
    }
    // A live source that could not be read must not fall back to the files of the same
    // scan: the run would land in another target's history.
    if inputs.cluster_requested {
        return Err(
            "--cluster could not read the cluster, so the run has no target to be stored \
             under: fix the connection, or name the target with --target-name"
                .to_owned(),
        );
    }
    if inputs.aks_clusters.len() > 1 {
        let names: Vec<&str> = inputs
            .aks_clusters
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        return Err(format!(
            "the scan read {} AKS clusters ({}), and a stored run belongs to one target: \
             scan one cluster (--aks-name, --resource-group) or name the target with \
             --target-name",
            names.len(),
            names.join(", ")
        ));
    }
    if inputs.azure {
        return Err(
            "--azure read no AKS cluster (or could not read Azure), so the run has no target \
             to be stored under: name the target with --target-name"
                .to_owned(),
        );
    }
    let files: Vec<&String> = inputs.paths.iter().filter(|p| p.as_str() != "-").collect();
    if files.is_empty() {
        return Err(
            "a scan of standard input has no identity to store it under: name the target \
             with --target-name"
                .to_owned(),
        );
    }
    let absolute: Vec<PathBuf> = files
        .iter()
        .map(|path| absolute_path(&inputs.cwd, path))
        .collect();
    if let Some(repository) = repository_of(&absolute) {
        return Ok(repository);
    }
    let mut keys: Vec<String> = absolute.iter().map(|p| p.display().to_string()).collect();
    keys.sort();
    keys.dedup();
    let name = match keys.as_slice() {
        [one] => last_component(Path::new(one)),
        _ => format!("{} paths", keys.len()),
    };
    Ok(DetectedTarget {
        spec: TargetSpec {
            kind: TargetKind::Files,
            key: keys.join(","),
            name,
        },
        commit: None,
    })
}

fn cluster_spec(cluster: &ScannedCluster) -> TargetSpec {
    let mut namespaces: Vec<&str> = cluster.namespaces.iter().map(String::as_str).collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    let key = if namespaces.is_empty() {
        cluster.server.clone()
    } else {
        format!("{}?namespaces={}", cluster.server, namespaces.join(","))
    };
    TargetSpec {
        kind: TargetKind::Cluster,
        key,
        name: cluster.context.clone(),
    }
}

/// `path` made absolute and canonical when it exists (a glob or a missing path is kept as
/// written, joined to `cwd`).
fn absolute_path(cwd: &Path, path: &str) -> PathBuf {
    let joined = cwd.join(path);
    joined.canonicalize().unwrap_or(joined)
}

fn last_component(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The repository target when every path lies in one git work tree.
fn repository_of(paths: &[PathBuf]) -> Option<DetectedTarget> {
    let mut top: Option<PathBuf> = None;
    let mut relative = Vec::new();
    for path in paths {
        let dir = existing_dir(path)?;
        let this_top = PathBuf::from(run_git(&dir, &["rev-parse", "--show-toplevel"])?);
        let this_top = this_top.canonicalize().unwrap_or(this_top);
        match &top {
            Some(known) if *known != this_top => return None,
            Some(_) => {}
            None => top = Some(this_top.clone()),
        }
        let rel = path.strip_prefix(&this_top).ok()?;
        relative.push(if rel.as_os_str().is_empty() {
            ".".to_owned()
        } else {
            rel.to_string_lossy().replace('\\', "/")
        });
    }
    let top = top?;
    relative.sort();
    relative.dedup();
    let mut key = top.display().to_string();
    if relative != ["."] {
        key.push_str("?paths=");
        key.push_str(&relative.join(","));
    }
    // A repository with no commit yet has no HEAD: the run simply keeps none.
    let commit = run_git(&top, &["rev-parse", "--verify", "-q", "HEAD"]);
    Some(DetectedTarget {
        spec: TargetSpec {
            kind: TargetKind::Repository,
            key,
            name: last_component(&top),
        },
        commit,
    })
}

/// The directory git should run in for `path`: itself when it is a directory, else its
/// nearest existing ancestor (a file's directory, a glob's fixed prefix).
fn existing_dir(path: &Path) -> Option<PathBuf> {
    let mut candidate = Some(path);
    while let Some(current) = candidate {
        if current.is_dir() {
            return Some(current.to_path_buf());
        }
        candidate = current.parent();
    }
    None
}

/// `git ARGS` in `dir`: its trimmed stdout when it succeeded within [`GIT_TIMEOUT`]; `None`
/// when git is missing, failed (not a work tree, no HEAD) or hung (it is killed).
fn run_git(dir: &Path, args: &[&str]) -> Option<String> {
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        // Reading must never take a lock a concurrent git command in the tree holds.
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + GIT_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    // The answers are one short line: they fit the pipe, so waiting first cannot deadlock.
    let output = child.wait_with_output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    }

    fn git_available() -> bool {
        Command::new("git")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn inputs(cwd: &Path, paths: &[&str]) -> ScannedInputs {
        ScannedInputs {
            paths: paths.iter().map(|p| (*p).to_owned()).collect(),
            cwd: cwd.to_path_buf(),
            ..ScannedInputs::default()
        }
    }

    fn aks(id: &str, name: &str) -> ScannedAks {
        ScannedAks {
            id: id.to_owned(),
            name: name.to_owned(),
        }
    }

    #[test]
    fn one_aks_cluster_is_the_target_by_its_lower_case_resource_id() {
        let target = detect_target(&ScannedInputs {
            azure: true,
            aks_clusters: vec![aks(
                "/subscriptions/S/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/Prod",
                "Prod",
            )],
            // Precedence: the AKS identity wins over the context and the files.
            cluster_requested: true,
            cluster: Some(ScannedCluster {
                server: "https://prod:443".into(),
                context: "prod".into(),
                namespaces: vec![],
            }),
            paths: vec!["policies/".into()],
            ..ScannedInputs::default()
        })
        .unwrap();
        assert_eq!(target.spec.kind, TargetKind::Aks);
        assert_eq!(
            target.spec.key,
            "/subscriptions/s/resourcegroups/rg/providers/microsoft.containerservice/managedclusters/prod"
        );
        assert_eq!(target.spec.name, "Prod");
        assert_eq!(target.commit, None);
    }

    #[test]
    fn a_live_cluster_is_its_server_and_the_sorted_namespaces_it_was_limited_to() {
        let mut scanned = ScannedInputs {
            cluster_requested: true,
            cluster: Some(ScannedCluster {
                server: "https://10.0.0.1:6443".into(),
                context: "dev".into(),
                namespaces: vec![],
            }),
            ..ScannedInputs::default()
        };
        let whole = detect_target(&scanned).unwrap().spec;
        assert_eq!(
            (whole.kind, whole.key.as_str(), whole.name.as_str()),
            (TargetKind::Cluster, "https://10.0.0.1:6443", "dev")
        );
        scanned.cluster.as_mut().unwrap().namespaces = vec!["b".into(), "a".into(), "b".into()];
        assert_eq!(
            detect_target(&scanned).unwrap().spec.key,
            "https://10.0.0.1:6443?namespaces=a,b"
        );
    }

    #[test]
    fn several_aks_clusters_without_a_cluster_or_name_is_an_error_that_says_what_to_do() {
        let scanned = ScannedInputs {
            azure: true,
            aks_clusters: vec![aks("/x/a", "a"), aks("/x/b", "b")],
            ..ScannedInputs::default()
        };
        let err = detect_target(&scanned).unwrap_err();
        assert!(err.contains("2 AKS clusters (a, b)"), "{err}");
        assert!(err.contains("--target-name"), "{err}");
        let named = detect_target(&ScannedInputs {
            target_name: Some("fleet-east".into()),
            ..scanned
        })
        .unwrap();
        assert_eq!(named.spec.kind, TargetKind::Aks);
        assert_eq!(named.spec.key, "name:fleet-east");
        assert_eq!(named.spec.name, "fleet-east");
    }

    #[test]
    fn a_live_source_that_read_nothing_is_never_stored_under_the_files() {
        let dir = tempfile::tempdir().unwrap();
        for scanned in [
            ScannedInputs {
                cluster_requested: true,
                ..inputs(dir.path(), &["."])
            },
            ScannedInputs {
                azure: true,
                ..inputs(dir.path(), &["."])
            },
        ] {
            let err = detect_target(&scanned).unwrap_err();
            assert!(err.contains("--target-name"), "{err}");
            let named = detect_target(&ScannedInputs {
                target_name: Some("prod".into()),
                ..scanned.clone()
            })
            .unwrap();
            let kind = if scanned.azure {
                TargetKind::Aks
            } else {
                TargetKind::Cluster
            };
            assert_eq!(
                (named.spec.kind, named.spec.key.as_str()),
                (kind, "name:prod")
            );
        }
    }

    #[test]
    fn stdin_alone_needs_a_name() {
        let dir = tempfile::tempdir().unwrap();
        let err = detect_target(&inputs(dir.path(), &["-"])).unwrap_err();
        assert!(err.contains("standard input"), "{err}");
        let named = detect_target(&ScannedInputs {
            target_name: Some("  piped  ".into()),
            ..inputs(dir.path(), &["-"])
        })
        .unwrap();
        assert_eq!(
            (named.spec.kind, named.spec.key.as_str()),
            (TargetKind::Files, "name:piped")
        );
    }

    #[test]
    fn bad_target_names_are_refused() {
        for bad in ["", "   ", "a\nb", &"x".repeat(201)] {
            assert!(check_target_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn files_outside_git_are_their_sorted_canonical_paths() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("a.yaml"), "").unwrap();
        let scanned = ScannedInputs {
            paths: vec!["b".into(), "a.yaml".into(), "./b/".into()],
            cwd: dir.path().to_path_buf(),
            ..ScannedInputs::default()
        };
        let target = detect_target(&scanned).unwrap();
        if target.spec.kind == TargetKind::Repository {
            eprintln!("SKIPPED: the temporary directory is inside a git work tree");
            return;
        }
        let root = dir.path().canonicalize().unwrap();
        assert_eq!(target.spec.kind, TargetKind::Files);
        assert_eq!(
            target.spec.key,
            format!(
                "{},{}",
                root.join("a.yaml").display(),
                root.join("b").display()
            )
        );
        assert_eq!(target.spec.name, "2 paths");
    }

    #[test]
    fn files_in_a_work_tree_are_the_repository_with_relative_paths_and_the_commit() {
        if !git_available() {
            eprintln!("SKIPPED: git is not installed");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().join("shop");
        std::fs::create_dir_all(top.join("k8s/prod")).unwrap();
        std::fs::create_dir_all(top.join("k8s/dev")).unwrap();
        std::fs::write(top.join("k8s/prod/a.yaml"), "kind: Pod\n").unwrap();
        git(&top, &["init", "-q"]);
        // No commit yet: a repository, without a commit.
        let before = detect_target(&inputs(&top, &["."])).unwrap();
        assert_eq!(before.spec.kind, TargetKind::Repository);
        assert_eq!(before.commit, None);
        git(&top, &["add", "."]);
        git(&top, &["commit", "-q", "-m", "one"]);

        let root = top.canonicalize().unwrap();
        let whole = detect_target(&inputs(&top, &["."])).unwrap();
        assert_eq!(whole.spec.key, root.display().to_string());
        assert_eq!(whole.spec.name, "shop");
        let commit = whole.commit.expect("HEAD is known");
        assert_eq!(commit.len(), 40, "{commit}");

        let some = detect_target(&inputs(
            &top.join("k8s"),
            &["prod/a.yaml", "dev", "prod/*.yaml"],
        ))
        .unwrap();
        assert_eq!(some.spec.kind, TargetKind::Repository);
        assert_eq!(
            some.spec.key,
            format!(
                "{}?paths=k8s/dev,k8s/prod/*.yaml,k8s/prod/a.yaml",
                root.display()
            )
        );
        assert_eq!(some.commit.as_deref(), Some(commit.as_str()));

        // Named: same kind and commit, the name is the identity.
        let named = detect_target(&ScannedInputs {
            target_name: Some("shop-manifests".into()),
            ..inputs(&top, &["."])
        })
        .unwrap();
        assert_eq!(named.spec.key, "name:shop-manifests");
        assert_eq!(named.spec.kind, TargetKind::Repository);
        assert_eq!(named.commit.as_deref(), Some(commit.as_str()));
    }

    #[test]
    fn paths_in_two_work_trees_are_files() {
        if !git_available() {
            eprintln!("SKIPPED: git is not installed");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        for repo in ["one", "two"] {
            std::fs::create_dir(dir.path().join(repo)).unwrap();
            git(&dir.path().join(repo), &["init", "-q"]);
        }
        let target = detect_target(&inputs(dir.path(), &["one", "two"])).unwrap();
        assert_eq!(target.spec.kind, TargetKind::Files);
        assert_eq!(target.commit, None);
    }
}
