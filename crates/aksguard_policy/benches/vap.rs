//! Per-review cost of ValidatingAdmissionPolicies: kubescape's cel-admission-library (its 60
//! policies, each with a Deny binding and the default params, as its tests deploy them)
//! judging one object. Needs ../shared (skipped with a message without it).

use std::path::Path;

use aksguard_load::Limits;
use aksguard_model::object::Object;
use aksguard_policy::vap::VapSet;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::Value as Json;

fn load(path: &str, text: &str) -> Vec<Object> {
    let (objects, errors) = aksguard_load::load_text(path, text, &Limits::default());
    assert!(errors.is_empty(), "{path}: {errors:?}");
    objects
}

fn read(path: &Path) -> Vec<Object> {
    load(
        &path.display().to_string(),
        &std::fs::read_to_string(path).unwrap(),
    )
}

/// Every control's policy, a binding to it and its params, as upstream's test script names them.
fn documents(root: &Path) -> Vec<Object> {
    let resources = root.join("test-resources");
    let binding_template = read(&resources.join("policy-binding.yaml"))[0]
        .root
        .to_json();
    let params_template = read(&resources.join("default-control-configuration.yaml"))[0]
        .root
        .to_json();
    let mut controls: Vec<_> = std::fs::read_dir(root.join("controls"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    controls.sort();
    let mut documents = Vec::new();
    for control in controls.iter().filter(|c| c.join("policy.yaml").exists()) {
        let policy = read(&control.join("policy.yaml"));
        let name = policy[0].name.clone().unwrap();
        let mut binding = binding_template.clone();
        binding["metadata"]["name"] = Json::from(format!("{name}-binding"));
        binding["spec"]["policyName"] = Json::from(name.clone());
        binding["spec"]["paramRef"]["name"] = Json::from(format!("{name}-params"));
        let mut params = params_template.clone();
        params["metadata"]["name"] = Json::from(format!("{name}-params"));
        documents.extend(policy);
        documents.extend(load("binding.yaml", &binding.to_string()));
        documents.extend(load("params.yaml", &params.to_string()));
    }
    documents
}

fn bench(c: &mut Criterion) {
    let Some(root) = aksguard_testkit::shared_path("corpus/peers/kubescape-cel-admission-library")
    else {
        return;
    };
    let documents = documents(&root);
    c.bench_function("compile 60 kubescape policies", |b| {
        b.iter(|| {
            let (set, errors) = VapSet::load(&documents, &[]);
            assert!(errors.is_empty());
            set
        })
    });
    let (set, errors) = VapSet::load(&documents, &[]);
    assert!(errors.is_empty(), "{errors:?}");
    println!(
        "{} policies, {} bindings",
        set.policies.len(),
        set.bindings.len()
    );
    let namespace = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test-namespace"}});
    for template in [
        "deployment.yaml",
        "pod.yaml",
        "cronjob.yaml",
        "service.yaml",
    ] {
        let object = read(&root.join("test-resources").join(template))[0]
            .root
            .to_json();
        let outcome = set.review(&object, Some(&namespace));
        println!("{template}: {} decisions", outcome.decisions.len());
        c.bench_function(&format!("review {template} against 60 policies"), |b| {
            b.iter(|| set.review(&object, Some(&namespace)))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
