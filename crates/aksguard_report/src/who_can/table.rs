//! The who-can answer for people: the question as a sentence, an aligned table of grants
//! (subject, scope, binding, role, file:line), a count, and the bindings that cannot be
//! judged because their role was not scanned.

use std::collections::BTreeSet;

use aksguard_model::who_can::{Access, Answer, Question, Scope};
use aksguard_model::{RoleKind, Subject};

use super::scope_of;

const HEADER: [&str; 5] = ["SUBJECT", "SCOPE", "BINDING", "ROLE", "WHERE"];

/// The whole text, ending with a newline.
pub fn render(question: &Question, answer: &Answer<'_>) -> String {
    let mut out = format!("{}:\n\n", sentence(question));
    if answer.grants.is_empty() {
        out.push_str("No subject in the scanned files is granted this.\n");
    } else {
        push_grants(&mut out, &answer.grants);
    }
    if !answer.unknown.is_empty() {
        let n = answer.unknown.len();
        let one = n == 1;
        out.push_str(&format!(
            "\nUnknown: {n} binding{} in scope refer{} to a role that is not in the scanned files, \
             so what {} grant{} cannot be told:\n",
            plural(n),
            if one { "s" } else { "" },
            if one { "it" } else { "they" },
            if one { "s" } else { "" },
        ));
        for item in &answer.unknown {
            let subjects: Vec<String> =
                item.binding.subjects.iter().map(Subject::display).collect();
            out.push_str(&format!(
                "  {} -> {} {} ({}:{}): {}\n",
                item.binding.display(),
                item.binding.role_kind.as_str(),
                item.binding.role_name,
                item.path,
                item.binding.role_ref_pos.line,
                subjects.join(", ")
            ));
        }
    }
    out
}

/// `Who can get secrets (core group) in namespace shop (…)`: what was asked and which
/// bindings that scope counts.
fn sentence(question: &Question) -> String {
    let where_ = match &question.scope {
        Scope::ClusterWide => "cluster-wide (ClusterRoleBindings only; pass -n NAMESPACE or -A \
                               to include RoleBindings)"
            .to_owned(),
        Scope::Namespace(ns) => format!(
            "in namespace {ns} (ClusterRoleBindings, and RoleBindings in {ns} or without a \
             namespace)"
        ),
        Scope::AllNamespaces => {
            "in any namespace (ClusterRoleBindings and every RoleBinding)".to_owned()
        }
    };
    let target = &question.target;
    format!(
        "Who can {} {} ({} group) {where_}",
        target.verb(),
        target.resource(),
        target.display_group()
    )
}

/// The aligned table (the last column is not padded, no line has trailing blanks) and the
/// count of distinct subjects and grants.
fn push_grants(out: &mut String, grants: &[Access<'_>]) {
    let table: Vec<[String; 5]> = grants
        .iter()
        .map(|access| {
            [
                access.subject.display(),
                scope_of(access.binding),
                access.binding.display(),
                role_text(access),
                format!("{}:{}", access.path, access.subject.pos.line),
            ]
        })
        .collect();
    let mut widths = HEADER.map(str::len);
    for line in &table {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut push_line = |cells: &[&str]| {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    };
    push_line(&HEADER);
    for line in &table {
        push_line(&line.each_ref().map(String::as_str));
    }
    let subjects: BTreeSet<String> = grants.iter().map(|a| a.subject.display()).collect();
    out.push_str(&format!(
        "\n{} subject{} through {} grant{}.\n",
        subjects.len(),
        plural(subjects.len()),
        grants.len(),
        plural(grants.len())
    ));
}

/// `Role shop/deployer (only resourceNames a, b)`, `ClusterRole monitoring (aggregated)`,
/// `ClusterRole cluster-admin (built in)`.
fn role_text(access: &Access<'_>) -> String {
    let mut text = match access.role {
        Some(role) => match (&role.kind, &role.namespace) {
            (RoleKind::Role, Some(ns)) => format!("Role {ns}/{}", role.name),
            (RoleKind::Role, None) => format!("Role {}", role.name),
            (RoleKind::ClusterRole, _) => format!("ClusterRole {}", role.name),
        },
        None => format!("ClusterRole {} (built in)", access.binding.role_name),
    };
    if access.role.is_some_and(|r| !r.aggregation.is_empty()) {
        text.push_str(" (aggregated)");
    }
    if !access.resource_names.is_empty() {
        text.push_str(&format!(
            " (only resourceNames {})",
            access.resource_names.join(", ")
        ));
    }
    text
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use aksguard_model::who_can::{Answer, Scope};

    use super::super::fixtures::{fixture, question};
    use super::render;

    #[test]
    fn grants_table_counts_and_unknown_bindings() {
        let fixture = fixture();
        let text = render(
            &question(Scope::Namespace("shop".into())),
            &fixture.answer(),
        );
        let expected = "\
Who can get secrets (core group) in namespace shop (ClusterRoleBindings, and RoleBindings in shop or without a namespace):

SUBJECT                               SCOPE           BINDING                        ROLE                                                       WHERE
Group platform-admins                 cluster-wide    ClusterRoleBinding admins      ClusterRole cluster-admin (built in)                       ./bindings.yaml:7
ServiceAccount monitoring/prometheus  cluster-wide    ClusterRoleBinding monitoring  ClusterRole monitoring (aggregated)                        ./bindings.yaml:3
ServiceAccount ci/pipeline            namespace shop  RoleBinding shop/deployer      Role shop/deployer (only resourceNames shop-db, shop-tls)  ./shop/rbac.yaml:20

3 subjects through 3 grants.

Unknown: 1 binding in scope refers to a role that is not in the scanned files, so what it grants cannot be told:
  RoleBinding billing/editors -> ClusterRole edit (./billing.yaml:30): Group billing-devs, User ana
";
        assert_eq!(text, expected);
    }

    #[test]
    fn no_subject_and_the_cluster_wide_and_all_namespace_questions() {
        let empty = Answer::default();
        assert_eq!(
            render(&question(Scope::ClusterWide), &empty),
            "Who can get secrets (core group) cluster-wide (ClusterRoleBindings only; pass -n \
             NAMESPACE or -A to include RoleBindings):\n\n\
             No subject in the scanned files is granted this.\n"
        );
        assert!(
            render(&question(Scope::AllNamespaces), &empty)
                .starts_with("Who can get secrets (core group) in any namespace (ClusterRoleBindings and every RoleBinding):\n\n")
        );
    }

    #[test]
    fn several_unknown_bindings_read_in_the_plural() {
        let fixture = fixture();
        let mut answer = fixture.answer();
        answer.grants.clear();
        answer.unknown.push(answer.unknown[0].clone());
        let text = render(&question(Scope::AllNamespaces), &answer);
        assert!(text.contains(
            "\nUnknown: 2 bindings in scope refer to a role that is not in the scanned files, \
             so what they grant cannot be told:\n"
        ));
    }
}
