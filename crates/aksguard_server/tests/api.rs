//! The JSON API and `/metrics` over a seeded store, on SQLite and PostgreSQL: answers,
//! 404/400, and every answer checked against the OpenAPI document's schemas.

mod common;

use aksguard_store::test_support::Scratch;
use common::{assert_valid, client, get, openapi, seeded, serve};
use serde_json::Value;

#[tokio::test]
async fn api_answers_match_the_store_and_the_document() {
    let document = openapi();
    for scratch in Scratch::all() {
        let engine = scratch.engine();
        let (store, ids) = seeded(&scratch).await;
        let running = serve(store, |_| {}).await;
        let base = running.url();
        let client = client();

        let (status, _, targets) = get(&client, &base, "/api/v1/targets").await;
        assert_eq!(status, 200, "{engine}: {targets}");
        assert_valid(&document, "TargetList", &targets);
        let names: Vec<&str> = targets["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["alpha", "beta"], "{engine}");

        for selector in [
            ids.alpha.to_string(),
            "alpha".into(),
            "https:%2F%2Falpha.example:443".into(),
        ] {
            let (status, _, target) =
                get(&client, &base, &format!("/api/v1/targets/{selector}")).await;
            assert_eq!(status, 200, "{engine} {selector}: {target}");
            assert_valid(&document, "Target", &target);
            assert_eq!(target["id"], ids.alpha, "{engine} {selector}");
            assert_eq!(target["runs"], 2, "{engine}");
        }

        let (status, _, runs) = get(
            &client,
            &base,
            &format!("/api/v1/targets/{}/runs?limit=1", ids.alpha),
        )
        .await;
        assert_eq!(status, 200, "{engine}: {runs}");
        assert_valid(&document, "RunList", &runs);
        assert_eq!(runs["runs"].as_array().unwrap().len(), 1, "{engine}");
        assert_eq!(
            runs["runs"][0]["id"], ids.alpha_second,
            "{engine}: newest first"
        );

        let (status, _, run) = get(
            &client,
            &base,
            &format!("/api/v1/runs/{}", ids.alpha_second),
        )
        .await;
        assert_eq!(status, 200, "{engine}: {run}");
        assert_valid(&document, "Run", &run);
        assert_eq!(run["counts"]["critical"], 1, "{engine}: {run}");
        assert_eq!(run["counts"]["medium"], 1, "{engine}: {run}");
        assert_eq!(run["errors"], 1, "{engine}");

        let (status, _, errors) = get(
            &client,
            &base,
            &format!("/api/v1/runs/{}/errors", ids.alpha_second),
        )
        .await;
        assert_eq!(status, 200, "{engine}: {errors}");
        assert_valid(&document, "RunErrors", &errors);
        assert_eq!(errors["errors"][0]["path"], "broken.yaml", "{engine}");

        let (status, _, paths) = get(
            &client,
            &base,
            &format!("/api/v1/runs/{}/paths", ids.alpha_second),
        )
        .await;
        assert_eq!(status, 200, "{engine}: {paths}");
        assert_valid(&document, "RunAttackPaths", &paths);
        assert_eq!(paths["computed"], true, "{engine}");
        assert_eq!(paths["total"], 3, "{engine}");
        assert_eq!(paths["paths"][0]["rank"], 1, "{engine}");
        assert_eq!(paths["paths"][0]["risk"], 10.0, "{engine}");
        // Markup in a chain comes back as data, unchanged.
        assert!(
            paths["paths"][0]["chain"]
                .as_str()
                .unwrap()
                .contains("Service/web/<script>alert(1)</script> (NET006)"),
            "{engine}: {paths}"
        );
        assert_eq!(paths["paths"][1]["rank"], 2, "{engine}");
        let (_, _, paths) = get(
            &client,
            &base,
            &format!("/api/v1/runs/{}/paths?limit=1", ids.alpha_second),
        )
        .await;
        assert_valid(&document, "RunAttackPaths", &paths);
        assert_eq!(paths["paths"].as_array().unwrap().len(), 1, "{engine}");
        assert_eq!(paths["total"], 3, "{engine}: the total is not limited");
        let (status, _, paths) = get(
            &client,
            &base,
            &format!("/api/v1/runs/{}/paths", ids.alpha_first),
        )
        .await;
        assert_eq!(status, 200, "{engine}: {paths}");
        assert_valid(&document, "RunAttackPaths", &paths);
        assert_eq!(paths["computed"], false, "{engine}: not computed, not zero");
        assert_eq!(paths["total"], Value::Null, "{engine}");
        assert_eq!(paths["paths"], serde_json::json!([]), "{engine}");

        let (status, _, vulns) = get(
            &client,
            &base,
            &format!("/api/v1/runs/{}/vulnerabilities", ids.alpha_second),
        )
        .await;
        assert_eq!(status, 200, "{engine}: {vulns}");
        assert_valid(&document, "RunVulnerabilities", &vulns);
        assert_eq!(
            vulns["vulnerabilities"],
            serde_json::json!({"reports": 1, "images": 2, "critical": 1, "high": 3,
                "medium": 4, "low": 5, "fixable": 2, "containers": 1}),
            "{engine}"
        );
        let (status, _, vulns) = get(
            &client,
            &base,
            &format!("/api/v1/runs/{}/vulnerabilities", ids.alpha_first),
        )
        .await;
        assert_eq!(status, 200, "{engine}: {vulns}");
        assert_valid(&document, "RunVulnerabilities", &vulns);
        assert_eq!(
            vulns["vulnerabilities"],
            Value::Null,
            "{engine}: no report, not zeros"
        );

        let findings_of =
            |query: &str| format!("/api/v1/runs/{}/findings{query}", ids.alpha_second);
        let (status, _, page) = get(&client, &base, &findings_of("")).await;
        assert_eq!(status, 200, "{engine}: {page}");
        assert_valid(&document, "FindingPage", &page);
        let rules = |page: &Value| -> Vec<String> {
            page["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["rule_id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            rules(&page),
            ["POD001", "NET001", "POD024"],
            "{engine}: by severity"
        );
        assert_eq!(page["next_offset"], Value::Null, "{engine}");
        // The markup in a message comes back as data, unchanged (escaping is the page's job).
        assert_eq!(
            page["findings"][1]["name"], "<script>alert(1)</script>",
            "{engine}"
        );

        let (_, _, page) = get(&client, &base, &findings_of("?severity=medium")).await;
        assert_eq!(
            rules(&page),
            ["POD001", "NET001"],
            "{engine}: at least medium"
        );
        let (_, _, page) = get(
            &client,
            &base,
            &findings_of("?namespace=db&kind=Deployment"),
        )
        .await;
        assert_eq!(rules(&page), ["NET001", "POD024"], "{engine}: namespace");
        let (_, _, page) = get(&client, &base, &findings_of("?rule=POD024&suppressed=true")).await;
        assert_eq!(
            page["findings"].as_array().unwrap().len(),
            2,
            "{engine}: {page}"
        );
        let (_, _, page) = get(&client, &base, &findings_of("?q=PRIVILEGED")).await;
        assert_eq!(rules(&page), ["POD001"], "{engine}: text");
        let (_, _, page) = get(&client, &base, &findings_of("?limit=2")).await;
        assert_eq!(page["next_offset"], 2, "{engine}: {page}");
        let (_, _, page) = get(&client, &base, &findings_of("?limit=2&offset=2")).await;
        assert_eq!(rules(&page), ["POD024"], "{engine}: second page");
        // As it stood at the first run: POD006 was open then.
        let (_, _, page) = get(
            &client,
            &base,
            &format!("/api/v1/runs/{}/findings", ids.alpha_first),
        )
        .await;
        assert_eq!(
            rules(&page),
            ["POD001", "POD006", "POD024"],
            "{engine}: at run 1"
        );

        let (status, _, diff) = get(
            &client,
            &base,
            &format!("/api/v1/diff?to={}", ids.alpha_second),
        )
        .await;
        assert_eq!(status, 200, "{engine}: {diff}");
        assert_valid(&document, "Diff", &diff);
        assert_eq!(
            diff["from"]["id"], ids.alpha_first,
            "{engine}: the run before"
        );
        assert_eq!(
            rules(&serde_json::json!({"findings": diff["new"]})),
            ["NET001"],
            "{engine}"
        );
        assert_eq!(
            rules(&serde_json::json!({"findings": diff["fixed"]})),
            ["POD006"],
            "{engine}"
        );
        assert_eq!(
            diff["still_open"].as_array().unwrap().len(),
            0,
            "{engine}: not asked"
        );
        assert_eq!(diff["still_open_counts"]["critical"], 1, "{engine}");
        let (_, _, diff) = get(
            &client,
            &base,
            &format!(
                "/api/v1/diff?from={}&to={}&all=true",
                ids.alpha_first, ids.alpha_second
            ),
        )
        .await;
        assert_valid(&document, "Diff", &diff);
        assert_eq!(
            diff["still_open"].as_array().unwrap().len(),
            2,
            "{engine}: {diff}"
        );

        let (status, _, fleet) = get(&client, &base, "/api/v1/fleet").await;
        assert_eq!(status, 200, "{engine}: {fleet}");
        assert_valid(&document, "Fleet", &fleet);
        assert_eq!(fleet["stale_after_days"], 7);
        let stale: Vec<(String, bool)> = fleet["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["target"]["name"].as_str().unwrap().to_owned(),
                    t["stale"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            stale,
            [("alpha".into(), false), ("beta".into(), true)],
            "{engine}"
        );

        let (status, headers, served) = get(&client, &base, "/api/v1/openapi.json").await;
        assert_eq!(status, 200, "{engine}");
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(served, document);

        running.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn bad_requests_say_what_is_wrong() {
    let document = openapi();
    for scratch in Scratch::all() {
        let engine = scratch.engine();
        let (store, ids) = seeded(&scratch).await;
        let running = serve(store, |_| {}).await;
        let base = running.url();
        let client = client();
        let run = ids.alpha_second;
        for (path, status, parameter) in [
            ("/api/v1/runs/999999".to_owned(), 404, None),
            ("/api/v1/runs/999999/findings".to_owned(), 404, None),
            ("/api/v1/runs/999999/errors".to_owned(), 404, None),
            ("/api/v1/runs/999999/paths".to_owned(), 404, None),
            ("/api/v1/runs/999999/vulnerabilities".to_owned(), 404, None),
            ("/api/v1/runs/abc/paths".to_owned(), 400, None),
            (
                format!("/api/v1/runs/{run}/paths?limit=0"),
                400,
                Some("limit"),
            ),
            (format!("/api/v1/runs/{run}/paths?rank=1"), 400, None),
            (
                format!("/api/v1/runs/{run}/vulnerabilities?limit=5"),
                400,
                None,
            ),
            ("/api/v1/targets/nobody".to_owned(), 404, None),
            ("/api/v1/targets/999999/runs".to_owned(), 404, None),
            ("/api/v1/nothing-here".to_owned(), 404, None),
            ("/api/v1/runs/abc".to_owned(), 400, None),
            (
                format!("/api/v1/runs/{run}/findings?severity=urgent"),
                400,
                Some("severity"),
            ),
            (
                format!("/api/v1/runs/{run}/findings?limit=0"),
                400,
                Some("limit"),
            ),
            (
                format!("/api/v1/runs/{run}/findings?limit=1001"),
                400,
                Some("limit"),
            ),
            (
                format!("/api/v1/runs/{run}/findings?offset=-1"),
                400,
                Some("offset"),
            ),
            (
                format!("/api/v1/runs/{run}/findings?suppressed=maybe"),
                400,
                Some("suppressed"),
            ),
            (
                format!("/api/v1/runs/{run}/findings?rule=A&rule=B"),
                400,
                Some("rule"),
            ),
            (
                format!("/api/v1/runs/{run}/findings?sevrity=high"),
                400,
                None,
            ),
            ("/api/v1/targets?limit=3".to_owned(), 400, None),
            ("/api/v1/diff".to_owned(), 400, Some("to")),
            ("/api/v1/diff?to=x".to_owned(), 400, Some("to")),
            (
                format!("/api/v1/diff?to={}", ids.alpha_first),
                400,
                Some("from"),
            ),
            ("/api/v1/diff?from=1&to=999999".to_owned(), 404, None),
        ] {
            let (got, headers, body) = get(&client, &base, &path).await;
            assert_eq!(got, status, "{engine} {path}: {body}");
            assert!(
                headers["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("application/json"),
                "{engine} {path}"
            );
            assert_valid(&document, "Error", &body);
            assert_eq!(
                body["parameter"].as_str(),
                parameter,
                "{engine} {path}: {body}"
            );
            if let Some(parameter) = parameter {
                assert!(
                    body["error"].as_str().unwrap().contains(parameter),
                    "{engine} {path}: {body}"
                );
            }
        }
        running.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn metrics_say_what_the_store_holds() {
    for scratch in Scratch::all() {
        let engine = scratch.engine();
        let (store, ids) = seeded(&scratch).await;
        let running = serve(store, |_| {}).await;
        let (status, headers, body) = get(&client(), &running.url(), "/metrics").await;
        assert_eq!(status, 200, "{engine}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/openmetrics-text")
        );
        let text = body.as_str().unwrap();
        let alpha = format!("target=\"alpha\",target_id=\"{}\"", ids.alpha);
        for line in [
            "aksguard_store_up 1".to_owned(),
            "aksguard_targets 2".to_owned(),
            format!("aksguard_open_findings{{{alpha},severity=\"critical\"}} 1"),
            format!("aksguard_open_findings{{{alpha},severity=\"high\"}} 0"),
            format!("aksguard_open_findings{{{alpha},severity=\"medium\"}} 1"),
            format!(
                "aksguard_open_findings{{target=\"beta\",target_id=\"{}\",severity=\"high\"}} 1",
                ids.beta
            ),
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "{engine}: no `{line}` in\n{text}"
            );
        }
        let age = |target: &str| -> f64 {
            let prefix = format!("aksguard_last_scan_age_seconds{{target=\"{target}\"");
            let line = text.lines().find(|l| l.starts_with(&prefix)).unwrap();
            line.rsplit(' ').next().unwrap().parse().unwrap()
        };
        assert!(
            (3_590.0..3_700.0).contains(&age("alpha")),
            "{engine}: {}",
            age("alpha")
        );
        assert!(age("beta") > 29.0 * 86_400.0, "{engine}");
        assert!(text.contains("aksguard_last_scan_timestamp_seconds{target=\"alpha\""));
        running.shutdown().await.unwrap();
    }
}
