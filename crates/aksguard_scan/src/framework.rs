//! `--framework ID`: a scan limited to one compliance framework's rules, and the framework
//! results a report carries.

use aksguard_engine::frameworks::{Framework, ScanResults, assess, assess_all, select_framework};
use aksguard_model::FrameworkResult;
use aksguard_rules::Rule;

/// The framework `id` names and the selected rules it maps (the intersection with the rule
/// selection). Fails closed on an unknown framework, and when the selection leaves none of its
/// rules while some rule was meant to run (`rules_expected`; a parse-only scan runs none).
pub fn limit_to_framework(
    id: Option<&str>,
    rules: Vec<&'static Rule>,
    rules_expected: bool,
) -> Result<(Option<&'static Framework>, Vec<&'static Rule>), String> {
    let Some(id) = id else {
        return Ok((None, rules));
    };
    let framework = select_framework(id).map_err(|err| err.to_string())?;
    let limited: Vec<&'static Rule> = rules
        .into_iter()
        .filter(|rule| framework.contains(rule))
        .collect();
    if limited.is_empty() && rules_expected {
        return Err(format!(
            "the rule selection (--select/--ignore, aksguard.toml) leaves no rule of \
             framework `{}`, so nothing could be assessed",
            framework.id
        ));
    }
    Ok((Some(framework), limited))
}

/// The report's framework results: the chosen framework's, else every framework some of
/// whose rules ran (the HTML report shows their scores).
pub fn assess_frameworks(
    framework: Option<&'static Framework>,
    scan: ScanResults<'_>,
) -> Vec<FrameworkResult> {
    match framework {
        Some(framework) => vec![assess(framework, scan)],
        None => assess_all(scan),
    }
}
