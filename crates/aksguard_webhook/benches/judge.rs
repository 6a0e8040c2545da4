//! CPU cost of judging one admission object, without TLS or HTTP: parse the review, load the
//! object, run the webhook's rules through the scan pipeline. `bench/webhook.sh` measures the
//! whole server; this isolates the judging part of its per-review cost.

use aksguard_config::ConfigSource;
use aksguard_scan::{ScanSettings, SettingsRequest};
use aksguard_webhook::judge::Judge;
use aksguard_webhook::review;
use criterion::{Criterion, criterion_group, criterion_main};

/// The load generator's review: a ~6 KB Deployment with two containers.
const REVIEW: &str = include_str!("../../aksguard_loadgen/testdata/deployment-review.json");

fn judge() -> Judge {
    let settings = ScanSettings::resolve(&SettingsRequest {
        source: ConfigSource::Disabled,
        overrides: Default::default(),
        as_of: None,
        baseline: None,
        write_baseline: None,
    })
    .expect("default settings");
    Judge::new(settings)
}

fn bench(c: &mut Criterion) {
    let judge = judge();
    let request = review::parse(REVIEW.as_bytes()).expect("a valid review");
    let object = request.object.expect("CREATE carries the object").get();
    c.bench_function("parse review", |b| {
        b.iter(|| review::parse(REVIEW.as_bytes()).expect("valid"))
    });
    c.bench_function("judge deployment", |b| {
        b.iter(|| judge.judge("admission:Deployment/shop/frontend", Some("shop"), object))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
