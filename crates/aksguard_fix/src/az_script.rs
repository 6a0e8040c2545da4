//! `aksguard fix --az`: the `az` commands of the cluster findings' fixes as one reviewed
//! bash script on stdout. aksguard never runs it.
//!
//! Steps are ordered by what they disturb: settings applied in place first, then steps that
//! restart or reimage nodes (rolling), then steps that re-create a node pool or the cluster.
//! Each step says what it changes (the findings it fixes, with the fix's summary) and
//! whether nodes restart. The same command from several findings runs once.
//!
//! Every word is re-quoted for bash: a value the command carries is one literal word (no
//! `$`, backtick or `;` reaches the shell), and a placeholder the scan could not fill
//! (`<resource-group>`, `<cluster>`) becomes a variable the script requires
//! (`"$RESOURCE_GROUP"`, checked at the top), so running it unset fails before any step.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use aksguard_model::Finding;

/// How much a step disturbs the cluster; the script runs them in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Disruption {
    /// A setting changed in place: no node restarts.
    InPlace,
    /// Nodes are restarted or reimaged, one at a time (pods are drained and rescheduled).
    RestartsNodes,
    /// A node pool or the cluster is created or deleted: workloads move.
    Recreates,
}

impl Disruption {
    fn comment(self) -> &'static str {
        match self {
            Disruption::InPlace => "in place; no node restarts",
            Disruption::RestartsNodes => {
                "RESTARTS NODES: nodes are reimaged or upgraded one at a time, pods are drained"
            }
            Disruption::Recreates => {
                "RE-CREATES: creates or deletes a node pool or cluster; move workloads first"
            }
        }
    }
}

/// Flags of `az aks update` / `az aks nodepool update` that reimage or restart nodes.
const RESTARTING_FLAGS: &[&str] = &[
    "--ssh-access",
    "--network-plugin",
    "--network-plugin-mode",
    "--network-policy",
    "--network-dataplane",
    "--os-sku",
    "--enable-fips-image",
    "--disable-fips-image",
    "--enable-managed-identity",
    "--kubernetes-version",
    "--node-image-only",
    "--enable-secure-boot",
    "--enable-vtpm",
    "--enable-encryption-at-host",
];

/// The disruption of one command, from its words.
pub fn disruption_of(words: &[String]) -> Disruption {
    let has = |w: &str| words.iter().any(|x| x == w);
    let subcommand: Vec<&str> = words
        .iter()
        .skip(1)
        .take_while(|w| !w.starts_with('-'))
        .map(String::as_str)
        .collect();
    let last = subcommand.last().copied().unwrap_or_default();
    if matches!(last, "create" | "delete" | "add") {
        return Disruption::Recreates;
    }
    if last == "upgrade"
        || RESTARTING_FLAGS
            .iter()
            .any(|flag| has(flag) || words.iter().any(|w| w.starts_with(&format!("{flag}="))))
    {
        return Disruption::RestartsNodes;
    }
    Disruption::InPlace
}

/// One step of the script: a command and the findings it fixes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub words: Vec<Word>,
    pub disruption: Disruption,
    /// `RULE ManagedCluster/name (path:line): summary`, one per finding.
    pub fixes: Vec<String>,
}

/// A word of a command: literal text, or a placeholder the user must fill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Word {
    Literal(String),
    /// `<resource-group>` → `RESOURCE_GROUP`.
    Variable(String),
}

/// The steps for `findings`, ordered; commands that are not `az` commands or cannot be
/// split into words are left out and returned as notes.
pub fn steps(findings: &[Finding]) -> (Vec<Step>, Vec<String>) {
    let mut out: Vec<Step> = Vec::new();
    let mut notes = Vec::new();
    for finding in findings {
        let Some(fix) = &finding.fix else { continue };
        for command in &fix.commands {
            let origin = format!(
                "{} {}/{} ({}:{}): {}",
                finding.rule_id,
                finding.object.kind,
                finding.object.name,
                finding.location.path,
                finding.location.line,
                fix.summary
            );
            let words = match split_words(command) {
                Ok(words) if words.first().map(String::as_str) == Some("az") => words,
                Ok(_) => {
                    notes.push(format!("not an az command, left out: {command} ({origin})"));
                    continue;
                }
                Err(why) => {
                    notes.push(format!("{why}, left out: {command} ({origin})"));
                    continue;
                }
            };
            let disruption = disruption_of(&words);
            let words: Vec<Word> = words.into_iter().map(word_of).collect();
            match out.iter_mut().find(|s| s.words == words) {
                Some(step) => {
                    if !step.fixes.contains(&origin) {
                        step.fixes.push(origin);
                    }
                }
                None => out.push(Step {
                    words,
                    disruption,
                    fixes: vec![origin],
                }),
            }
        }
    }
    // Stable: the report's order within each kind of step.
    out.sort_by_key(|s| s.disruption);
    (out, notes)
}

/// The script for `findings`.
pub fn script(findings: &[Finding]) -> String {
    let (steps, notes) = steps(findings);
    let mut out = String::from("#!/usr/bin/env bash\n");
    out.push_str(
        "# Cluster remediation generated by `aksguard fix --az`. Review every step before \
         running it:\n# aksguard never runs this script. Steps that change settings in place \
         come first,\n# then steps that restart nodes, then steps that re-create node pools or \
         clusters.\n",
    );
    out.push_str("set -euo pipefail\n");
    let variables: BTreeSet<&str> = steps
        .iter()
        .flat_map(|s| &s.words)
        .filter_map(|w| match w {
            Word::Variable(name) => Some(name.as_str()),
            Word::Literal(_) => None,
        })
        .collect();
    if !variables.is_empty() {
        out.push_str("\n# Values the scan could not read: set them before running.\n");
        for name in &variables {
            let _ = writeln!(
                out,
                ": \"${{{name}:?set {name} before running this script}}\""
            );
        }
    }
    for note in &notes {
        let _ = writeln!(out, "\n# {}", one_line(note));
    }
    if steps.is_empty() {
        out.push_str("\n# No cluster finding has an az command to run.\n");
    }
    for (index, step) in steps.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n# Step {} of {} ({})",
            index + 1,
            steps.len(),
            step.disruption.comment()
        );
        for fix in &step.fixes {
            let _ = writeln!(out, "# Fixes {}", one_line(fix));
        }
        let words: Vec<String> = step.words.iter().map(render).collect();
        out.push_str(&words.join(" "));
        out.push('\n');
    }
    out
}

/// A comment stays one line whatever the finding's text holds.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

fn word_of(word: String) -> Word {
    let placeholder = word.len() > 2
        && word.starts_with('<')
        && word.ends_with('>')
        && word[1..word.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if placeholder {
        Word::Variable(
            word[1..word.len() - 1]
                .to_ascii_uppercase()
                .replace('-', "_"),
        )
    } else {
        Word::Literal(word)
    }
}

/// A word as bash reads it back: plain when it holds only safe characters, else in single
/// quotes (a `'` inside closed, escaped and reopened).
fn render(word: &Word) -> String {
    match word {
        Word::Variable(name) => format!("\"${name}\""),
        Word::Literal(text) => {
            let safe = !text.is_empty()
                && text.bytes().all(|b| {
                    b.is_ascii_alphanumeric()
                        || matches!(
                            b,
                            b'-' | b'_' | b'.' | b'/' | b':' | b'=' | b',' | b'@' | b'+'
                        )
                });
            if safe {
                text.clone()
            } else {
                format!("'{}'", text.replace('\'', r"'\''"))
            }
        }
    }
}

/// Splits a command into words as a POSIX shell would, without expanding anything:
/// single quotes, double quotes (`\` escapes `"`, `\`, `$` and backtick there) and
/// backslashes outside quotes. An unclosed quote is an error.
pub fn split_words(command: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut in_word = false;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut current));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => current.push(c),
                        None => return Err("an unclosed single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            current.extend(chars.next());
                        }
                        Some(c) => current.push(c),
                        None => return Err("an unclosed double quote".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => current.push(c),
                    None => return Err("a trailing backslash".into()),
                }
            }
            c => {
                in_word = true;
                current.push(c);
            }
        }
    }
    if in_word {
        words.push(current);
    }
    Ok(words)
}

#[cfg(test)]
mod tests;
