//! JUnit XML: parses, has the documented layout (one suite per rule, one failing case per
//! object with findings, one passing case per clean rule, skipped cases for suppressed
//! findings, error cases for load errors), consistent counts, and survives XML
//! metacharacters and unicode in messages.

mod sample;

use aksguard_report::junit;
use roxmltree::{Document, Node};

fn cases<'a>(suite: Node<'a, 'a>) -> Vec<Node<'a, 'a>> {
    suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect()
}

fn child<'a>(node: Node<'a, 'a>, tag: &str) -> Option<Node<'a, 'a>> {
    node.children().find(|n| n.has_tag_name(tag))
}

fn count(node: Node<'_, '_>, attribute: &str) -> usize {
    node.attribute(attribute).unwrap().parse().unwrap()
}

#[test]
fn layout_counts_and_escaping() {
    let xml = junit::render(&sample::sample_report());
    let doc = Document::parse(&xml).expect("JUnit output is well-formed XML");
    let root = doc.root_element();
    assert!(root.has_tag_name("testsuites"));
    assert_eq!(root.attribute("name"), Some("aksguard"));
    // Some JUnit readers require `time` everywhere.
    for node in root.descendants().filter(|n| {
        n.has_tag_name("testsuites") || n.has_tag_name("testsuite") || n.has_tag_name("testcase")
    }) {
        assert_eq!(node.attribute("time"), Some("0.000"), "{node:?}");
    }

    let suites: Vec<Node> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: Vec<&str> = suites
        .iter()
        .map(|s| s.attribute("name").unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "POD001 Container runs privileged",
            "POD007 Container root filesystem is writable",
            "IMG001 Image uses the latest tag or no tag",
            &format!(
                "SEC001 {}",
                aksguard_rules::find_rule("SEC001").unwrap().title
            ),
            &format!(
                "NET001 {}",
                aksguard_rules::find_rule("NET001").unwrap().title
            ),
            &format!(
                "RBAC001 {}",
                aksguard_rules::find_rule("RBAC001").unwrap().title
            ),
            junit::ERRORS_SUITE,
        ]
    );

    // Counts on every suite and on the root agree with the cases.
    let (mut tests, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
    for suite in &suites {
        let cases = cases(*suite);
        let of = |tag: &str| cases.iter().filter(|c| child(**c, tag).is_some()).count();
        assert_eq!(count(*suite, "tests"), cases.len());
        assert_eq!(count(*suite, "failures"), of("failure"));
        assert_eq!(count(*suite, "errors"), of("error"));
        assert_eq!(count(*suite, "skipped"), of("skipped"));
        tests += cases.len();
        failures += of("failure");
        errors += of("error");
        skipped += of("skipped");
    }
    assert_eq!(count(root, "tests"), tests);
    assert_eq!(count(root, "failures"), failures);
    assert_eq!(count(root, "errors"), errors);
    // Findings on 4 objects (two POD001 findings share Deployment shop/web) → 5 failing
    // cases; 3 suppressed; 2 load errors; RBAC001 and NET001 have no active finding.
    assert_eq!((failures, errors, skipped), (5, 2, 3));
    assert_eq!(tests, 5 + 2 + 3 + 2);

    // POD001: one failing case for the object, listing both findings; one skipped case.
    let pod001 = cases(suites[0]);
    assert_eq!(pod001.len(), 2);
    assert_eq!(pod001[0].attribute("name"), Some("Deployment shop/web"));
    assert_eq!(pod001[0].attribute("classname"), Some("k8s/web.yaml"));
    let failure = child(pod001[0], "failure").unwrap();
    assert_eq!(failure.attribute("type"), Some("critical"));
    assert_eq!(
        failure.attribute("message"),
        Some("container `app` runs privileged (securityContext.privileged: true)")
    );
    let text = failure.text().unwrap();
    assert!(text.contains("k8s/web.yaml:12:7 critical POD001 [container app]"));
    // XML metacharacters and quotes survive the round trip.
    assert!(text.contains("runs privileged & <unsafe> \"quoted\" 'single'"));
    assert!(text.contains("fix: Remove `securityContext.privileged`"));
    assert_eq!(
        pod001[1].attribute("name"),
        Some("DaemonSet kube-system/csi-node (suppressed)")
    );
    let skip = child(pod001[1], "skipped").unwrap();
    assert_eq!(
        skip.attribute("message"),
        Some("suppressed: CSI drivers need privileged")
    );
    assert!(skip.text().unwrap().contains("suppressed by annotation"));

    // POD007: ./ path and k8s/web.yaml are distinct classnames as given; the exception's
    // reason with `<`, `&` and its expiry.
    let pod007 = cases(suites[1]);
    let skipped_case = pod007
        .iter()
        .find(|c| child(**c, "skipped").is_some())
        .unwrap();
    let skip = child(*skipped_case, "skipped").unwrap();
    assert_eq!(
        skip.attribute("message"),
        Some("suppressed: billing is rewritten in Q3 <see JIRA-12> & until then accepted")
    );
    assert!(skip.text().unwrap().contains("(expires 2027-03-31)"));

    // IMG001: unicode object and path; stdin; a newline inside a message is kept as text.
    let img001 = cases(suites[2]);
    assert_eq!(
        img001[0].attribute("name"),
        Some("CronJob débit/rapport-été")
    );
    assert_eq!(
        img001[0].attribute("classname"),
        Some("k8s/my dir/ünïcode café.yaml")
    );
    assert_eq!(img001[1].attribute("classname"), Some("<stdin>"));
    let failure = child(img001[1], "failure").unwrap();
    assert_eq!(
        failure.attribute("message"),
        Some("image `busybox` has no tag second line"),
        "attributes on one line"
    );
    assert!(failure.text().unwrap().contains("no tag\nsecond line"));

    // SEC001: rendered chart, template named in the classname.
    let sec001 = cases(suites[3]);
    assert_eq!(
        sec001[0].attribute("classname"),
        Some("charts/shop (helm template) (shop/templates/api.yaml)")
    );

    // NET001: only a suppressed (baseline) finding → passes, plus the skipped case.
    let net001 = cases(suites[4]);
    assert_eq!(net001.len(), 2);
    assert_eq!(
        net001[0].attribute("name"),
        Some("no findings in 11 objects")
    );
    assert!(net001[0].children().all(|n| !n.is_element()));
    assert!(child(net001[1], "skipped").is_some());

    // RBAC001: no findings → one passing case.
    let rbac001 = cases(suites[5]);
    assert_eq!(rbac001.len(), 1);
    assert_eq!(rbac001[0].attribute("classname"), Some("RBAC001"));

    // Load errors.
    let errors = cases(suites[6]);
    assert_eq!(errors[0].attribute("name"), Some("k8s/broken file.yaml:7"));
    let error = child(errors[0], "error").unwrap();
    assert_eq!(
        error.attribute("message"),
        Some("invalid YAML: did not find expected key <here> & \"there\"")
    );
    assert_eq!(errors[1].attribute("name"), Some("k8s/huge.yaml"));
}

#[test]
fn control_characters_never_make_invalid_xml() {
    let mut report = sample::sample_report();
    report.findings[0].message = "bell \u{7} escape \u{1b}[31m nul \u{0} end".into();
    let xml = junit::render(&report);
    Document::parse(&xml).expect("still well-formed XML");
}

#[test]
fn a_clean_scan_has_one_passing_case_per_rule() {
    let mut report = sample::sample_report();
    report.findings.clear();
    report.suppressed.clear();
    report.errors.clear();
    let xml = junit::render(&report);
    let doc = Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(count(root, "tests"), sample::RULES.len());
    assert_eq!(count(root, "failures"), 0);
    assert_eq!(count(root, "errors"), 0);
    assert!(!xml.contains(junit::ERRORS_SUITE));
}
