//! `aksguard frameworks`: the compliance frameworks, their controls and the rules enforcing
//! each (derived from the rules' references by the engine).

use aksguard_engine::frameworks::{
    Framework, ScanResults, assess, assess_all, frameworks, select_framework,
};
use aksguard_model::FrameworkResult;
use aksguard_rules::Rule;
use serde_json::json;

use crate::cli::{FrameworksArgs, FrameworksFormat};
use crate::commands::{EXIT_CLEAN, EXIT_ERROR};

pub fn run(args: &FrameworksArgs) -> u8 {
    let text = match args.format {
        FrameworksFormat::Text => text(),
        FrameworksFormat::Json => json(),
    };
    print!("{text}");
    EXIT_CLEAN
}

fn text() -> String {
    let mut out = String::new();
    for framework in frameworks() {
        out.push_str(&format!("{}  {}\n", framework.id, framework.title));
        out.push_str(&format!("  {}\n", framework.description));
        for control in &framework.controls {
            let rules: Vec<&str> = control.rules.iter().map(|r| r.id).collect();
            out.push_str(&format!(
                "    {}: {} [{}]\n",
                control.id,
                control.title,
                rules.join(", ")
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "{} frameworks. `aksguard scan --framework ID` runs one and scores it.\n",
        frameworks().len()
    ));
    out
}

fn json() -> String {
    let list: Vec<_> = frameworks()
        .iter()
        .map(|framework| {
            json!({
                "id": framework.id,
                "title": framework.title,
                "description": framework.description,
                "controls": framework.controls.iter().map(|control| json!({
                    "id": control.id,
                    "title": control.title,
                    "rules": control.rules.iter().map(|r| r.id).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&list).expect("serialises") + "\n"
}

/// `scan --framework ID`: the framework and the selected rules it maps (the intersection with
/// `--select`/`--ignore` and aksguard.toml). Fails closed with exit 2 on an unknown framework
/// or when the selection leaves none of its rules (`--parse-only` runs no rule anyway).
pub fn limit_rules(
    id: Option<&str>,
    rules: Vec<&'static Rule>,
    parse_only: bool,
) -> Result<(Option<&'static Framework>, Vec<&'static Rule>), u8> {
    let Some(id) = id else {
        return Ok((None, rules));
    };
    let framework = select_framework(id).map_err(|err| {
        eprintln!("error: {err}");
        EXIT_ERROR
    })?;
    let limited: Vec<&'static Rule> = rules
        .into_iter()
        .filter(|rule| framework.contains(rule))
        .collect();
    if limited.is_empty() && !parse_only {
        eprintln!(
            "error: the rule selection (--select/--ignore, aksguard.toml) leaves no rule of \
             framework `{}`, so nothing could be assessed",
            framework.id
        );
        return Err(EXIT_ERROR);
    }
    Ok((Some(framework), limited))
}

/// The report's framework results: the chosen framework's, else every framework some of
/// whose rules ran (the HTML report shows their scores).
pub fn assess_scan(
    framework: Option<&'static Framework>,
    scan: ScanResults<'_>,
) -> Vec<FrameworkResult> {
    match framework {
        Some(framework) => vec![assess(framework, scan)],
        None => assess_all(scan),
    }
}
