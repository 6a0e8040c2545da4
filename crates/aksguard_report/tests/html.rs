//! The HTML report: structure (parsed strictly as XML, so a tag left open or mis-nested fails),
//! escaping of everything that comes from a finding, the CSP, no network references, and an
//! insta snapshot of the page with the static CSS and script elided. The real-browser check is
//! `crates/aksguard/tests/html_browser.rs`.

use aksguard_model::{
    ControlException, ControlResult, ControlStatus, Finding, FrameworkResult, LoadError, Location,
    ObjectRef, Severity, Suppressed, Suppression, SuppressionKind, fingerprint,
};
use aksguard_report::{ScanReport, html};
use aksguard_rules::find_rule;
use roxmltree::{Document, Node};

const XSS: &str = "<script>alert(1)</script>";

fn finding(
    rule_id: &str,
    severity: Severity,
    object: (&str, Option<&str>, &str),
    container: Option<&str>,
    path: &str,
    line: u32,
    message: &str,
) -> Finding {
    let rule = find_rule(rule_id).expect("a real rule");
    let (kind, namespace, name) = object;
    let object = ObjectRef {
        api_version: if kind == "Deployment" {
            "apps/v1"
        } else {
            "v1"
        }
        .into(),
        kind: kind.into(),
        namespace: namespace.map(Into::into),
        name: name.into(),
    };
    Finding {
        rule_id: rule.id,
        severity,
        rule: rule.text(),
        message: message.into(),
        fingerprint: fingerprint(rule.id, &object, container, message),
        object: std::sync::Arc::new(object),
        container: container.map(Into::into),
        location: Location {
            path: path.into(),
            line,
            column: 5,
            template: None,
        },
        fix: None,
        on_attack_path: false,
    }
}

fn sample_report() -> ScanReport {
    let mut from_chart = finding(
        "IMG001",
        Severity::Medium,
        ("Deployment", Some("shop"), "web"),
        Some("app"),
        "<stdin>",
        14,
        "image `nginx:latest` uses the mutable `latest` tag",
    );
    from_chart.location.template = Some("shop/templates/web.yaml".into());
    let findings = vec![
        finding(
            "POD001",
            Severity::Critical,
            ("Deployment", Some("shop"), "web"),
            Some("app"),
            "k8s/web.yaml",
            12,
            "container `app` runs privileged (securityContext.privileged: true)",
        ),
        from_chart,
        finding(
            "POD007",
            Severity::High,
            ("Deployment", Some("shop"), "web"),
            None,
            "k8s/web.yaml",
            8,
            "container `app` has a writable root filesystem",
        ),
        finding(
            "SEC001",
            Severity::Low,
            ("Deployment", Some("billing"), "api"),
            Some("api"),
            "k8s/billing/api.yaml",
            20,
            "environment variable `DB_PASSWORD` has a literal value (masked)",
        ),
        finding(
            "RBAC001",
            Severity::Info,
            ("ClusterRole", None, "everything"),
            None,
            "k8s/rbac.yaml",
            3,
            "ClusterRole `everything` grants `*` on `*`",
        ),
    ];
    let suppressed = vec![
        Suppressed {
            finding: finding(
                "POD007",
                Severity::High,
                ("Deployment", Some("legacy"), "billing-v1"),
                None,
                "k8s/legacy.yaml",
                9,
                "container `agent` has a writable root filesystem",
            ),
            suppression: Suppression {
                kind: SuppressionKind::Exception,
                reason: "legacy agent writes to /var/cache until Q2".to_owned(),
                expires: Some("2027-03-31".to_owned()),
            },
        },
        Suppressed {
            finding: finding(
                "IMG001",
                Severity::Medium,
                ("Deployment", Some("shop"), "batch"),
                Some("job"),
                "k8s/batch.yaml",
                30,
                "image `busybox` has no tag",
            ),
            suppression: Suppression {
                kind: SuppressionKind::Annotation,
                reason: "pinned by digest in the release pipeline".to_owned(),
                expires: None,
            },
        },
    ];
    let control = |id: &str, status: ControlStatus, rules: Vec<&'static str>, findings: usize| {
        ControlResult {
            id: id.to_owned(),
            title: format!("Control {id}"),
            status,
            passed: status == ControlStatus::Pass,
            not_judged: if status == ControlStatus::NotAssessed {
                rules.clone()
            } else {
                Vec::new()
            },
            reason: (status == ControlStatus::NotAssessed)
                .then(|| "POD004: no workload in the scan".to_owned()),
            rules,
            findings,
            exceptions: if status == ControlStatus::Excepted {
                vec![ControlException {
                    rule_id: "POD009",
                    suppression: Suppression {
                        kind: SuppressionKind::Exception,
                        reason: "CNI agent".to_owned(),
                        expires: Some("2027-01-31".to_owned()),
                    },
                    findings: 1,
                }]
            } else {
                Vec::new()
            },
            weight: match status {
                ControlStatus::Pass | ControlStatus::Excepted => 2.0,
                ControlStatus::Fail => 3.5,
                ControlStatus::NotAssessed => 0.0,
            },
        }
    };
    ScanReport {
        findings,
        suppressed,
        errors: vec![
            LoadError::new(
                "k8s/broken.yaml",
                Some(7),
                "invalid YAML: mapping values are not allowed here",
            ),
            LoadError::new("k8s/huge.yaml", None, "file is larger than 67108864 bytes"),
        ],
        files: 6,
        objects: 9,
        rules: ["POD001", "POD007", "IMG001", "SEC001", "RBAC001"]
            .iter()
            .map(|id| find_rule(id).unwrap())
            .collect(),
        frameworks: vec![
            FrameworkResult {
                id: "pss-baseline",
                title: "Kubernetes Pod Security Standards (baseline)",
                score: 62.5,
                assessed: 3,
                controls: vec![
                    control(
                        "Privileged Containers",
                        ControlStatus::Fail,
                        vec!["POD001"],
                        1,
                    ),
                    control("Host Namespaces", ControlStatus::Fail, vec!["POD007"], 1),
                    control("Capabilities", ControlStatus::Excepted, vec!["POD009"], 0),
                    control("HostProcess", ControlStatus::NotAssessed, vec!["POD004"], 0),
                ],
            },
            FrameworkResult {
                id: "cis-aks",
                title: "CIS Azure Kubernetes Service Benchmark",
                score: 100.0,
                assessed: 1,
                controls: vec![control("4.1.1", ControlStatus::Pass, vec!["RBAC001"], 0)],
            },
        ],
        ..ScanReport::default()
    }
}

/// The page with the contents of `<style>` and `<script>` removed (checked separately), so the
/// rest must be well-formed XML.
fn markup(html: &str) -> String {
    let mut out = html.to_owned();
    for (open, close) in [("<style>", "</style>"), ("<script>", "</script>")] {
        let start = out.find(open).expect("has the element") + open.len();
        let end = out[start..].find(close).expect("element closed") + start;
        out.replace_range(start..end, "");
    }
    out
}

fn parse(html: &str) -> Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    Document::parse_with_options(html, options)
        .unwrap_or_else(|e| panic!("the HTML report is not well-formed: {e}"))
}

fn has_class(node: &Node, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|c| c == class))
}

fn by_class<'a, 'i>(doc: &'a Document<'i>, class: &str) -> Vec<Node<'a, 'i>> {
    doc.descendants().filter(|n| has_class(n, class)).collect()
}

fn by_id<'a, 'i>(doc: &'a Document<'i>, id: &str) -> Option<Node<'a, 'i>> {
    doc.descendants().find(|n| n.attribute("id") == Some(id))
}

fn text(node: &Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

#[test]
fn sample_report_structure() {
    let report = sample_report();
    let html = html::render(&report);
    let markup = markup(&html);
    let doc = parse(&markup);

    // Header counts.
    for (id, value) in [
        ("stat-files", "6"),
        ("stat-objects", "9"),
        ("stat-rules", "5"),
        ("stat-findings", "5"),
        ("stat-errors", "2"),
        ("stat-suppressed", "2"),
    ] {
        assert_eq!(text(&by_id(&doc, id).unwrap()), value, "{id}");
    }

    // Findings grouped by namespace (alphabetical, no namespace last), then object.
    let namespaces: Vec<&str> = by_class(&doc, "namespace")
        .iter()
        .map(|n| n.attribute("data-namespace").unwrap())
        .collect();
    assert_eq!(namespaces, ["billing", "shop", html::NO_NAMESPACE]);
    let findings = by_class(&doc, "finding");
    assert_eq!(findings.len(), report.findings.len());
    // Within an object, the most severe first.
    let rules: Vec<&str> = findings
        .iter()
        .map(|n| n.attribute("data-rule").unwrap())
        .collect();
    assert_eq!(rules, ["SEC001", "POD001", "POD007", "IMG001", "RBAC001"]);
    let severities: Vec<&str> = findings
        .iter()
        .map(|n| n.attribute("data-severity").unwrap())
        .collect();
    assert_eq!(severities, ["low", "critical", "high", "medium", "info"]);
    let pod001 = &findings[1];
    let pod001_text = text(pod001);
    assert!(pod001_text.contains("k8s/web.yaml:12:5"), "{pod001_text}");
    assert!(pod001_text.contains("Container runs privileged"));
    assert!(pod001_text.contains("app"));
    assert!(
        pod001_text.contains(
            find_rule("POD001")
                .unwrap()
                .remediation
                .split('`')
                .next()
                .unwrap()
        )
    );
    let link = pod001
        .descendants()
        .find(|n| has_class(n, "rule-id"))
        .unwrap();
    assert_eq!(
        link.attribute("href"),
        Some("https://github.com/aksguard/aksguard/blob/main/docs/rules/POD001.md")
    );
    // Backticked words become <code>, with the text kept.
    let message = pod001
        .descendants()
        .find(|n| has_class(n, "message"))
        .unwrap();
    assert_eq!(text(&message), report.findings[0].message.replace('`', ""));
    assert!(
        message
            .children()
            .any(|n| n.has_tag_name("code") && text(&n) == "app")
    );
    assert!(text(&findings[3]).contains("(from shop/templates/web.yaml)"));

    // The chart: a bar per severity, scaled to the largest; an arc per severity present whose
    // lengths add up to the whole circle.
    let chart = by_id(&doc, "severity-chart").unwrap();
    assert!(chart.has_tag_name("svg"));
    let bars: Vec<f64> = chart
        .descendants()
        .filter(|n| has_class(n, "bar"))
        .map(|n| n.attribute("width").unwrap().parse().unwrap())
        .collect();
    assert_eq!(bars, [240.0, 240.0, 240.0, 240.0, 240.0]);
    let arcs: Vec<f64> = chart
        .descendants()
        .filter(|n| has_class(n, "donut-arc"))
        .map(|n| {
            let dash = n.attribute("stroke-dasharray").unwrap();
            dash.split(' ').next().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(arcs.len(), 5);
    let circumference = 2.0 * std::f64::consts::PI * 60.0;
    assert!(
        (arcs.iter().sum::<f64>() - circumference).abs() < 0.1,
        "{arcs:?}"
    );

    // Frameworks: a panel per framework with its score and controls.
    let frameworks = by_class(&doc, "framework");
    assert_eq!(frameworks.len(), 2);
    assert_eq!(
        frameworks[0].attribute("data-framework"),
        Some("pss-baseline")
    );
    assert!(has_class(&frameworks[0], "grade-fair"));
    assert!(has_class(&frameworks[1], "grade-good"));
    let score = frameworks[0]
        .descendants()
        .find(|n| has_class(n, "score-value"))
        .unwrap();
    assert_eq!(text(&score), "63");
    let controls = by_id(&doc, "controls-pss-baseline").unwrap();
    assert!(controls.has_tag_name("details"));
    let rows: Vec<String> = controls
        .descendants()
        .filter(|n| n.has_tag_name("tr") && n.attribute("data-status").is_some())
        .map(|n| n.attribute("class").unwrap().to_owned())
        .collect();
    assert_eq!(rows, ["fail", "fail", "excepted", "not-assessed"]);
    let card = text(&frameworks[0]);
    assert!(card.contains("0 pass, 2 fail, 1 excepted"), "{card}");
    assert!(
        card.contains("3 of 4 controls assessed (1 not assessed"),
        "{card}"
    );
    let table = text(&controls);
    assert!(table.contains("not assessed"), "{table}");
    assert!(table.contains("POD004: no workload in the scan"), "{table}");
    assert!(
        table
            .contains("suppressed by exception \"CNI agent\" until 2027-01-31 (POD009, 1 finding)"),
        "{table}"
    );
    assert!(by_id(&doc, "no-frameworks").is_none());

    // Errors and suppressed findings (collapsed, with reasons).
    let errors = by_class(&doc, "load-error");
    assert_eq!(errors.len(), 2);
    assert!(text(&errors[0]).contains("k8s/broken.yaml7invalid YAML"));
    let suppressed = by_id(&doc, "suppressed").unwrap();
    let details = suppressed
        .descendants()
        .find(|n| n.has_tag_name("details"))
        .unwrap();
    assert!(
        details.attribute("open").is_none(),
        "suppressed findings start collapsed"
    );
    let rows = by_class(&doc, "suppressed-finding");
    assert_eq!(rows.len(), 2);
    assert!(text(&rows[0]).contains("legacy agent writes to /var/cache until Q2"));
    assert!(text(&rows[0]).contains("exception"));
    assert!(text(&rows[0]).contains("2027-03-31"));
    assert!(text(&rows[1]).contains("annotation"));

    // The filter box is hidden until the script shows it (the page reads fine without it).
    let filters = by_id(&doc, "filters").unwrap();
    assert_eq!(filters.attribute("hidden"), Some("hidden"));
    assert_eq!(
        filters
            .descendants()
            .filter(|n| n.attribute("type") == Some("checkbox"))
            .count(),
        5
    );
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let mut report = sample_report();
    let evil = &mut report.findings[0];
    evil.message = XSS.into();
    std::sync::Arc::make_mut(&mut evil.object).name = "\"><img src=x onerror=alert(2)>".into();
    std::sync::Arc::make_mut(&mut evil.object).namespace = Some("x' onmouseover='alert(3)".into());
    evil.container = Some("</style><script>alert(4)</script>".into());
    evil.location.path = "a<b>.yaml".into();
    evil.location.template = Some("</script><script>alert(5)</script>".into());
    report.errors[0].message = "<iframe src=javascript:alert(6)>".to_owned();
    report.errors[1].path = "<svg onload=alert(7)>".to_owned();
    report.suppressed[0].suppression.reason = "<b onclick=alert(8)>reason</b>".to_owned();
    report.suppressed[0].finding.message = format!("`{XSS}`").into();
    report.frameworks[0].controls[0].title = "<marquee>".to_owned();
    report.frameworks[0].controls[0].id = "\" onfocus=\"alert(9)".to_owned();
    let html = html::render(&report);

    // Nothing from the report became markup: exactly the page's own elements exist.
    assert!(!html.contains(XSS), "the message was not escaped");
    for raw in [
        "<img",
        "<iframe",
        "<svg onload",
        "<b ",
        "<marquee",
        "\" onfocus",
    ] {
        assert!(!html.contains(raw), "found unescaped {raw:?}");
    }
    assert_eq!(html.matches("<script").count(), 1);
    assert_eq!(html.matches("</script").count(), 1);
    assert_eq!(html.matches("<style").count(), 1);
    assert_eq!(html.matches("</style").count(), 1);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));

    // And the texts read back exactly as they were.
    let markup = markup(&html);
    let doc = parse(&markup);
    let messages: Vec<String> = by_class(&doc, "message").iter().map(text).collect();
    assert!(messages.contains(&XSS.to_owned()), "{messages:?}");
    let namespaces: Vec<&str> = by_class(&doc, "namespace")
        .iter()
        .map(|n| n.attribute("data-namespace").unwrap())
        .collect();
    assert!(namespaces.contains(&"x' onmouseover='alert(3)"));
    let all = text(&doc.root_element());
    for original in [
        "\"><img src=x onerror=alert(2)>",
        "</style><script>alert(4)</script>",
        "a<b>.yaml:12:5",
        "<iframe src=javascript:alert(6)>",
        "<svg onload=alert(7)>",
        "<b onclick=alert(8)>reason</b>",
        "<marquee>",
    ] {
        assert!(all.contains(original), "{original:?} is not shown as text");
    }
}

#[test]
fn self_contained_under_a_strict_csp() {
    let html = html::render(&sample_report());
    // The CSP comes first in <head>, allows only the page's own inline style and script.
    let csp = html::content_security_policy();
    assert!(csp.starts_with("default-src 'none'; style-src 'sha256-"));
    assert!(!csp.contains("unsafe"));
    let head = &html[..html.find("<style>").unwrap()];
    assert!(head.contains("http-equiv=\"Content-Security-Policy\""));
    let markup = markup(&html);
    let doc = parse(&markup);
    let meta = doc
        .descendants()
        .find(|n| n.attribute("http-equiv") == Some("Content-Security-Policy"))
        .unwrap();
    assert_eq!(meta.attribute("content"), Some(csp.as_str()));
    // The hashed assets are inserted verbatim (a changed byte would break the hash).
    assert!(html.contains(&format!("<style>{}</style>", html::CSS)));
    assert!(html.contains(&format!("<script>{}</script>", html::SCRIPT)));
    assert!(!html::SCRIPT.contains("</") && !html::CSS.contains("</"));

    // Nothing to fetch: no src attributes, no style attributes (the CSP hash would not cover
    // them), links only to in-page anchors and the rule docs, no url()/@import in the CSS,
    // no network API in the script.
    for node in doc.descendants().filter(|n| n.is_element()) {
        assert!(node.attribute("src").is_none(), "{node:?}");
        assert!(node.attribute("style").is_none(), "{node:?}");
        if let Some(href) = node.attribute("href") {
            assert!(
                href.starts_with('#')
                    || href
                        .starts_with("https://github.com/aksguard/aksguard/blob/main/docs/rules/"),
                "{href}"
            );
        }
    }
    for banned in ["url(", "@import", "http"] {
        assert!(!html::CSS.contains(banned), "{banned}");
    }
    for banned in [
        "fetch",
        "XMLHttpRequest",
        "http",
        "import",
        "eval",
        "innerHTML",
    ] {
        assert!(!html::SCRIPT.contains(banned), "{banned}");
    }
}

#[test]
fn empty_report_states() {
    let report = ScanReport {
        files: 1,
        objects: 2,
        ..ScanReport::default()
    };
    let html = html::render(&report);
    let markup = markup(&html);
    let doc = parse(&markup);
    assert!(by_id(&doc, "no-findings").is_some());
    assert!(by_id(&doc, "no-frameworks").is_some());
    assert!(by_id(&doc, "filters").is_none());
    assert!(by_class(&doc, "donut-clean").len() == 1);
    assert!(by_class(&doc, "donut-arc").is_empty());
    let chart = by_id(&doc, "severity-chart").unwrap();
    assert!(
        chart
            .descendants()
            .filter(|n| has_class(n, "bar"))
            .all(|n| n.attribute("width") == Some("0.0"))
    );
    assert!(text(&doc.root_element()).contains("No load errors"));
    assert!(text(&doc.root_element()).contains("No finding was suppressed"));
}

#[test]
fn many_findings_render() {
    let mut report = sample_report();
    let template = report.findings[0].clone();
    report.findings = (0..3000)
        .map(|i| {
            let mut f = template.clone();
            std::sync::Arc::make_mut(&mut f.object).name = format!("web-{}", i % 300).into();
            f.location.line = i;
            f
        })
        .collect();
    let html = html::render(&report);
    let markup = markup(&html);
    let doc = parse(&markup);
    assert_eq!(by_class(&doc, "finding").len(), 3000);
    assert_eq!(by_class(&doc, "object").len(), 300);
}

#[test]
fn snapshot() {
    let html = html::render(&sample_report());
    // The hashes change with every CSS or script edit; the CSP test checks them.
    let csp = html::content_security_policy()
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;");
    let elided = markup(&html).replace(&csp, "[CSP]");
    insta::assert_snapshot!(elided);
}
