//! The JSON report serialises findings on all cores in chunks; its bytes must be those of the
//! one pretty-printed document, at every chunk and batch boundary.

mod sample;

use aksguard_report::json;

/// The report as one `serde_json` document (what `json::write` must reproduce).
fn as_one_document(report: &aksguard_report::ScanReport) -> String {
    let mut value: serde_json::Value =
        serde_json::from_str(&json::render(report)).expect("the report is JSON");
    value["findings"] = serde_json::to_value(&report.findings).expect("findings serialise");
    let mut text = serde_json::to_string_pretty(&value).expect("serialises");
    text.push('\n');
    text
}

#[test]
fn findings_written_in_parallel_read_as_one_document() {
    let base = sample::sample_report();
    for count in [0, 1, 255, 256, 257, 2_048, 2_049, 5_000] {
        let mut report = base.clone();
        report.findings = base.findings.iter().cycle().take(count).cloned().collect();
        let written = json::render(&report);
        assert_eq!(written, as_one_document(&report), "{count} findings");
    }
}

#[test]
fn fixes_are_written_as_serde_writes_them() {
    let base = sample::report_with_fixes();
    for count in [3, 300] {
        let mut report = base.clone();
        report.findings = base.findings.iter().cycle().take(count).cloned().collect();
        report.findings[2].on_attack_path = true;
        let written = json::render(&report);
        assert_eq!(written, as_one_document(&report), "{count} findings");
        let value: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(
            value["findings"][0]["fix"]["edits"][0]["replacement"],
            "false"
        );
        assert_eq!(
            value["findings"][1]["fix"]["iac"][0]["language"],
            "terraform"
        );
        assert_eq!(value["findings"][2]["on_attack_path"], true);
        assert_eq!(value["findings"][2]["fix"]["safety"], "safe");
    }
}
