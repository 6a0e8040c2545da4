//! Arbitrary bytes through the loader and every rule: nothing may panic, hang or exhaust
//! memory. Bytes go in as the CLI reads a file (`decode_text`: NUL, BOM and UTF-8 checks)
//! and, when that refuses them, as lossy UTF-8 so the YAML layer still sees the rest.
//!
//! One exception to "nothing may panic": libyaml-safer, the YAML fallback, panics on some
//! malformed input, and the loader catches that and refuses the document (see
//! `aksguard_load::yaml::lenient`). libFuzzer's panic hook aborts before any unwinding, so
//! panics raised inside that crate are let through to the loader's guard; every other panic
//! still aborts.

#![no_main]

use aksguard_load::{Limits, load_text, read::decode_text};
use aksguard_rules::{Checker, RuleSettings, all_rules};
use libfuzzer_sys::fuzz_target;

static LET_FALLBACK_PANICS_UNWIND: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    LET_FALLBACK_PANICS_UNWIND.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_fallback = info
                .location()
                .is_some_and(|l| l.file().contains("libyaml-safer"));
            if !in_fallback {
                abort(info);
            }
        }));
    });
    let limits = Limits::default();
    match decode_text(data.to_vec(), "fuzz.yaml") {
        Ok(text) => check(&text, &limits),
        Err(_) => check(&String::from_utf8_lossy(data), &limits),
    }
});

fn check(text: &str, limits: &Limits) {
    let (objects, errors) = load_text("fuzz.yaml", text, limits);
    for error in &errors {
        // Lines are 1-based and name a line the input has (breaks: LF, CRLF, lone CR; a
        // final break ends the last line).
        if let Some(line) = error.line {
            let text = text.replace("\r\n", "\n");
            let breaks = text.matches(['\n', '\r']).count();
            let lines = (breaks + usize::from(!text.ends_with(['\n', '\r']))).max(1);
            assert!(
                line >= 1 && line as usize <= lines,
                "line {line} of {lines}: {error}"
            );
        }
    }
    let settings = RuleSettings::default();
    let inventory = aksguard_model::Inventory::new(objects);
    let mut checker = Checker::new(&settings, &inventory);
    for rule in all_rules() {
        rule.run_inventory(&inventory, &mut checker);
        for object in inventory.objects() {
            let _ = object.display_name();
            rule.run(object, &mut checker);
        }
        for violation in checker.take() {
            assert!(violation.pos.line >= 1, "{} reported line 0", rule.id);
        }
    }
}
