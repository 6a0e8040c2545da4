//! `cargo run -p xtask -- bicep-to-arm IN_DIR OUT_DIR`: writes every `.bicep` file under
//! IN_DIR as the ARM template JSON aksguard's Bicep front end translates it into
//! (`aksguard_bicep::translate`), at the same relative path with `.json` for `.bicep`.
//!
//! For `bench/bicep.sh`, which times the same clusters as Bicep and as ARM JSON where no Bicep
//! compiler (`bicep build`) is installed. As `bicep build` does, each local module call becomes
//! a nested deployment carrying the module's template inline (`properties.template`, inner
//! expression scope), at most [`MAX_DEPTH`] levels deep; registry modules keep no template.
//! Not a general Bicep compiler: the output is what aksguard reads, not what Azure deploys.

use std::path::{Path, PathBuf};

use aksguard_bicep::{MODULE_KEY, ModuleTarget, translate};
use aksguard_model::{Entry, Node, Pos, Value};

/// Deepest chain of local modules inlined (the loader's limit too).
const MAX_DEPTH: usize = 8;

pub fn run(args: &[String]) -> Result<(), String> {
    let [input, output] = args else {
        return Err("usage: cargo run -p xtask -- bicep-to-arm IN_DIR OUT_DIR".to_owned());
    };
    let (input, output) = (Path::new(input), Path::new(output));
    let mut files = Vec::new();
    bicep_files(input, &mut files)?;
    if files.is_empty() {
        return Err(format!("no .bicep file under {}", input.display()));
    }
    let mut problems = 0usize;
    for file in &files {
        let relative = file.strip_prefix(input).unwrap_or(file);
        let target = output.join(relative).with_extension("json");
        let mut stack = Vec::new();
        let template = compiled(file, &mut stack, &mut problems)?;
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let json = serde_json::to_string_pretty(&template.to_json())
            .map_err(|e| format!("cannot serialise {}: {e}", file.display()))?;
        std::fs::write(&target, json + "\n")
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    println!(
        "bicep-to-arm: {} files translated into {} ({problems} translation problems)",
        files.len(),
        output.display()
    );
    Ok(())
}

/// Every `.bicep` file under `dir`, sorted.
fn bicep_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            bicep_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "bicep") {
            out.push(path);
        }
    }
    Ok(())
}

/// `file`'s template with its local modules inlined; `stack` holds the callers (cycles stop).
fn compiled(file: &Path, stack: &mut Vec<PathBuf>, problems: &mut usize) -> Result<Node, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let translation = translate(&text);
    *problems += translation.errors.len();
    let mut template = translation.template;
    stack.push(file.canonicalize().unwrap_or_else(|_| file.to_path_buf()));
    if let Some(Value::Seq(resources)) = template.at_mut("resources").map(|n| &mut n.value) {
        for resource in resources.iter_mut() {
            let Some(call) = resource
                .get(MODULE_KEY)
                .and_then(Node::as_i64)
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| translation.modules.get(i))
            else {
                continue;
            };
            remove_key(resource, MODULE_KEY);
            let ModuleTarget::Local(written) = &call.target else {
                continue;
            };
            let module = file.parent().unwrap_or(Path::new("")).join(written);
            let key = module.canonicalize().unwrap_or_else(|_| module.clone());
            if stack.len() > MAX_DEPTH || stack.contains(&key) || !module.is_file() {
                *problems += 1;
                continue;
            }
            let inner = compiled(&module, stack, problems)?;
            set_inline_template(resource, inner);
        }
    }
    stack.pop();
    Ok(template)
}

fn remove_key(node: &mut Node, key: &str) {
    if let Value::Map(entries) = &mut node.value {
        entries.retain(|e| e.key != key);
    }
}

/// `properties.template` and `properties.expressionEvaluationOptions.scope: inner`, as
/// `bicep build` writes a module.
fn set_inline_template(resource: &mut Node, template: Node) {
    let Some(Value::Map(properties)) = resource.at_mut("properties").map(|n| &mut n.value) else {
        return;
    };
    let pos = Pos::new(1, 1);
    let scope = Node {
        pos,
        value: Value::Map(vec![Entry {
            key: "scope".into(),
            key_pos: pos,
            value: Node::scalar("inner", false, pos),
        }]),
    };
    properties.retain(|e| e.key != "template" && e.key != "expressionEvaluationOptions");
    properties.push(Entry {
        key: "expressionEvaluationOptions".into(),
        key_pos: pos,
        value: scope,
    });
    properties.push(Entry {
        key: "template".into(),
        key_pos: pos,
        value: template,
    });
}
