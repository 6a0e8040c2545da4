//! A synthetic cluster for benchmarks: namespaces of applications, each a Deployment (or now
//! and then a StatefulSet or CronJob) with its Service, ConfigMap, ServiceAccount, Role,
//! RoleBinding, HorizontalPodAutoscaler, PodDisruptionBudget, and in some namespaces
//! NetworkPolicies, Ingresses and bare Pods. Settings vary (pinned or `latest` images, with and
//! without resources, probes and security contexts) so that rules find something. Written as
//! one YAML file per application; the count is of declared objects (the server adds owned ones).

use std::fmt::Write as _;
use std::path::Path;

/// Applications per namespace.
const APPS_PER_NAMESPACE: usize = 40;

fn app_yaml(out: &mut String, ns: &str, app: usize, budget: &mut usize) {
    let name = format!("app-{app:05}");
    let hardened = !app.is_multiple_of(3);
    let image = if app.is_multiple_of(7) {
        "docker.io/library/nginx:latest".to_owned()
    } else {
        format!(
            "myacr.azurecr.io/team{}/{name}:1.{}.{}",
            app % 13,
            app % 10,
            app % 4
        )
    };
    let security = if hardened {
        "          securityContext:\n            runAsNonRoot: true\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL]}\n            seccompProfile: {type: RuntimeDefault}\n"
    } else if app.is_multiple_of(5) {
        "          securityContext:\n            privileged: true\n"
    } else {
        ""
    };
    let resources = if !app.is_multiple_of(4) {
        "          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n            limits: {cpu: 500m, memory: 256Mi}\n"
    } else {
        ""
    };
    let probes = if app.is_multiple_of(2) {
        "          livenessProbe: {httpGet: {path: /healthz, port: 8080}}\n          readinessProbe: {httpGet: {path: /ready, port: 8080}}\n"
    } else {
        ""
    };
    let pod_spec = format!(
        "      serviceAccountName: {name}\n      automountServiceAccountToken: {automount}\n      containers:\n        - name: {name}\n          image: {image}\n          ports: [{{containerPort: 8080}}]\n          env:\n            - {{name: LOG_LEVEL, value: info}}\n            - {{name: DB_HOST, value: db.{ns}.svc.cluster.local}}\n{security}{resources}{probes}",
        automount = app.is_multiple_of(2),
    );
    let mut push = |out: &mut String, doc: String| {
        if *budget > 0 {
            *budget -= 1;
            out.push_str("---\n");
            out.push_str(&doc);
        }
    };
    let workload = match app % 20 {
        0 => format!(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  schedule: \"*/30 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        metadata: {{labels: {{app: {name}}}}}\n        spec:\n          restartPolicy: OnFailure\n{}",
            pod_spec
                .lines()
                .map(|l| format!("    {l}\n"))
                .collect::<String>()
        ),
        1 => format!(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: {name}, namespace: {ns}, labels: {{app: {name}}}}}\nspec:\n  serviceName: {name}\n  replicas: 2\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n{pod_spec}"
        ),
        _ => format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}, labels: {{app: {name}, team: team{}}}}}\nspec:\n  replicas: {}\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n{pod_spec}",
            app % 13,
            1 + app % 3
        ),
    };
    push(out, workload);
    push(
        out,
        format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  type: {}\n  selector: {{app: {name}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n",
            if app.is_multiple_of(25) {
                "LoadBalancer"
            } else {
                "ClusterIP"
            }
        ),
    );
    push(
        out,
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}-config, namespace: {ns}}}\ndata:\n  settings.yaml: |\n    feature: enabled\n    replicas: 3\n  region: westeurope\n"
        ),
    );
    push(
        out,
        format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: {name}, namespace: {ns}}}\n"
        ),
    );
    push(
        out,
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {{name: {name}, namespace: {ns}}}\nrules:\n  - apiGroups: [\"\"]\n    resources: [{}]\n    verbs: [get, list, watch]\n",
            if app.is_multiple_of(11) {
                "secrets"
            } else {
                "configmaps"
            }
        ),
    );
    push(
        out,
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: {name}, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: {name}}}\nsubjects:\n  - {{kind: ServiceAccount, name: {name}, namespace: {ns}}}\n"
        ),
    );
    push(
        out,
        format!(
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}\n  minReplicas: 2\n  maxReplicas: 10\n  metrics: [{{type: Resource, resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}}}]\n"
        ),
    );
    push(
        out,
        format!(
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  minAvailable: 1\n  selector: {{matchLabels: {{app: {name}}}}}\n"
        ),
    );
    if app % 4 == 1 {
        push(
            out,
            format!(
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  ingressClassName: nginx\n  rules:\n    - host: {name}.{ns}.example.com\n      http:\n        paths:\n          - {{path: /, pathType: Prefix, backend: {{service: {{name: {name}, port: {{number: 80}}}}}}}}\n"
            ),
        );
    }
    if app % 10 == 3 {
        push(
            out,
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}-debug, namespace: {ns}}}\nspec:\n  containers:\n    - name: debug\n      image: busybox:1.36\n      command: [sleep, \"3600\"]\n"
            ),
        );
    }
}

/// Writes a cluster of `objects` declared objects as YAML under `dir` (created). Returns the
/// number of files written.
pub fn write_cluster(dir: &Path, objects: usize) -> Result<usize, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut budget = objects;
    let mut files = 0;
    let mut app = 0;
    while budget > 0 {
        let ns = format!("team-{:04}", app / APPS_PER_NAMESPACE);
        let mut out = String::new();
        if app % APPS_PER_NAMESPACE == 0 {
            budget -= 1;
            let _ = write!(
                out,
                "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels: {{pod-security.kubernetes.io/enforce: {}}}\n",
                if app % 80 == 0 {
                    "restricted"
                } else {
                    "baseline"
                }
            );
            if app % 80 == 0 && budget > 0 {
                budget -= 1;
                let _ = write!(
                    out,
                    "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: default-deny, namespace: {ns}}}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n"
                );
            }
        }
        app_yaml(&mut out, &ns, app, &mut budget);
        let path = dir.join(format!("{ns}-app-{app:05}.yaml"));
        std::fs::write(&path, out).map_err(|e| format!("{}: {e}", path.display()))?;
        files += 1;
        app += 1;
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::Cluster;

    #[test]
    fn the_generated_cluster_has_the_requested_number_of_objects() {
        let dir = std::env::temp_dir().join(format!("fakekube-generate-{}", std::process::id()));
        write_cluster(&dir, 1_000).unwrap();
        let mut cluster = Cluster::new();
        cluster.load_path(&dir).unwrap();
        let declared = cluster.finish();
        assert!(declared.skipped.is_empty(), "{:?}", declared.skipped);
        assert!(declared.duplicates.is_empty(), "{:?}", declared.duplicates);
        assert_eq!(declared.objects.len(), 1_000);
        let counts = declared.counts();
        assert!(
            counts["Deployment"] > 50 && counts["RoleBinding"] > 50,
            "{counts:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
