use aksguard_model::{FieldPath, PatchOp};
use serde_json::json;

use super::*;

fn container_path() -> FieldPath {
    FieldPath::default()
        .key("spec")
        .key("containers")
        .named("app")
        .key("securityContext")
}

fn fix(text: &str, op: &PatchOp) -> Result<String, String> {
    let manifest = Manifest::parse(text)?;
    let objects = manifest.objects();
    let mut edits = Vec::new();
    for object in &objects {
        edits.extend(manifest.edits(object, op)?);
    }
    apply(text, &edits)
}

fn set_privileged_false() -> PatchOp {
    PatchOp::Set {
        path: container_path().key("privileged"),
        value: json!(false),
    }
}

#[test]
fn a_value_is_replaced_in_place_and_comments_stay() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app # the app\n    securityContext:\n      privileged: true   # why?\n";
    let out = fix(text, &set_privileged_false()).unwrap();
    assert_eq!(out, text.replace("privileged: true", "privileged: false"));
    // A second run changes nothing.
    assert_eq!(fix(&out, &set_privileged_false()).unwrap(), out);
}

#[test]
fn a_missing_mapping_is_inserted_with_the_files_indentation() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n    name: p\nspec:\n    containers:\n    -   name: app\n        image: nginx\n    -   name: other\n";
    let out = fix(text, &set_privileged_false()).unwrap();
    assert_eq!(
        out,
        "apiVersion: v1\nkind: Pod\nmetadata:\n    name: p\nspec:\n    containers:\n    -   name: app\n        image: nginx\n        securityContext:\n            privileged: false\n    -   name: other\n"
    );
}

#[test]
fn flow_style_and_json_get_entries_in_their_own_style() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: app, image: nginx}]}\n";
    let out = fix(text, &set_privileged_false()).unwrap();
    assert_eq!(
        out,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: app, image: nginx, securityContext: {privileged: false}}]}\n"
    );
    let json_text = "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\",\n  \"metadata\": {\"name\": \"p\"},\n  \"spec\": {\n    \"containers\": [\n      {\n        \"name\": \"app\",\n        \"image\": \"nginx\"\n      }\n    ]\n  }\n}\n";
    let out = fix(json_text, &set_privileged_false()).unwrap();
    assert!(
        out.contains("        \"image\": \"nginx\",\n        \"securityContext\": {\"privileged\": false}\n      }"),
        "{out}"
    );
    serde_json::from_str::<serde_json::Value>(&out).expect("still JSON");
}

#[test]
fn crlf_files_keep_their_line_endings() {
    let text = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\nspec:\r\n  containers:\r\n  - name: app\r\n    image: nginx\r\n";
    let out = fix(text, &set_privileged_false()).unwrap();
    assert_eq!(
        out,
        format!("{text}    securityContext:\r\n      privileged: false\r\n")
    );
}

#[test]
fn keys_are_removed_with_their_lines() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  hostPID: true # shared\n  containers:\n  - name: app\n";
    let op = PatchOp::Remove {
        path: FieldPath::default().key("spec").key("hostPID"),
    };
    let out = fix(text, &op).unwrap();
    assert_eq!(out, text.replace("  hostPID: true # shared\n", ""));
    assert_eq!(fix(&out, &op).unwrap(), out);
    // The first key of a list item: the next key moves up.
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - hostPort: 1\n    name: app\n";
    let op = PatchOp::Remove {
        path: FieldPath::default()
            .key("spec")
            .key("containers")
            .index(0)
            .key("hostPort"),
    };
    assert_eq!(
        fix(text, &op).unwrap(),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n"
    );
}

#[test]
fn lists_grow_and_shrink_in_their_style() {
    let drop_all = PatchOp::AddToList {
        path: container_path().key("capabilities").key("drop"),
        value: json!("ALL"),
    };
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities:\n        drop:\n          - NET_RAW\n";
    let out = fix(text, &drop_all).unwrap();
    assert_eq!(out, format!("{text}          - ALL\n"));
    assert_eq!(fix(&out, &drop_all).unwrap(), out);
    let flow = text.replace("\n          - NET_RAW", " [NET_RAW]");
    assert_eq!(
        fix(&flow, &drop_all).unwrap(),
        flow.replace("[NET_RAW]", "[NET_RAW, ALL]")
    );
    let remove = PatchOp::RemoveFromList {
        path: container_path().key("capabilities").key("add"),
        value: json!("SYS_ADMIN"),
    };
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities:\n        add:\n        - SYS_ADMIN  # needed?\n        - NET_BIND_SERVICE\n";
    assert_eq!(
        fix(text, &remove).unwrap(),
        text.replace("        - SYS_ADMIN  # needed?\n", "")
    );
    let only = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    securityContext:\n      capabilities:\n        add: [SYS_ADMIN]\n";
    assert_eq!(
        fix(only, &remove).unwrap(),
        only.replace("[SYS_ADMIN]", "[]")
    );
}

#[test]
fn aliases_and_merge_keys_are_not_edited_through() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    securityContext: &sc\n      privileged: true\n  - name: b\n    securityContext: *sc\n";
    let err = fix(text, &set_privileged_false()).unwrap_err();
    assert!(err.contains("anchor"), "{err}");
}

#[test]
fn multi_document_and_list_objects_are_found() {
    let text = "# top\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n  namespace: n\n...\n";
    let manifest = Manifest::parse(text).unwrap();
    let objects = manifest.objects();
    let names: Vec<_> = objects.iter().map(|o| o.name.clone().unwrap()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(objects[1].namespace.as_deref(), Some("n"));
}

#[test]
fn tabs_in_comments_and_missing_final_break_are_kept() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\t# a\ttab\nspec:\n  containers:\n  - name: app";
    let out = fix(text, &set_privileged_false()).unwrap();
    assert_eq!(
        out,
        format!("{text}\n    securityContext:\n      privileged: false\n")
    );
}

/// Removing one item of a list, flow or block, at every position: the text stays YAML that
/// reads as the list without that item.
#[test]
fn list_items_are_removed_from_flow_and_block_lists_at_any_position() {
    let remove = |index: u32| PatchOp::Remove {
        path: FieldPath::default()
            .key("spec")
            .key("externalIPs")
            .index(index),
    };
    let cases: &[(&str, u32, &str)] = &[
        ("[a, b, c]", 0, "[b, c]"),
        ("[a, b, c]", 1, "[a, c]"),
        ("[a, b, c]", 2, "[a, b]"),
        ("[a]", 0, "[]"),
        ("[ a ]", 0, "[]"),
        ("[\"a\", 'b']", 1, "[\"a\"]"),
        ("[a, b] # two", 0, "[b] # two"),
        ("[\n    a,\n    b\n  ]", 1, "[\n    a\n  ]"),
        ("[\n    a,\n    b,\n  ]", 0, "[\n    b,\n  ]"),
        ("\n  - a\n  - b\n  - c", 1, "\n  - a\n  - c"),
        ("\n  - a\n  - b", 1, "\n  - a"),
        ("\n  - a", 0, "[]"),
        ("\n  - a # only", 0, "[] # only"),
        ("\n  - a\n  - b", 0, "\n  - b"),
    ];
    for (list, index, expected) in cases {
        let text = format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: s}}\nspec:\n  externalIPs: {list}\n  type: ClusterIP\n"
        );
        let out = fix(&text, &remove(*index)).unwrap_or_else(|e| panic!("{list}: {e}"));
        assert_eq!(
            out,
            format!(
                "apiVersion: v1\nkind: Service\nmetadata: {{name: s}}\nspec:\n  externalIPs: {expected}\n  type: ClusterIP\n"
            ),
            "{list} without item {index}"
        );
        Manifest::parse(&out).unwrap_or_else(|e| panic!("{list}: {out}: {e}"));
    }
    // A block list at its key's column, emptied: `[]` goes after the key.
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    sysctls:\n    - name: kernel.msgmax\n      value: \"65536\"\n  containers: []\n";
    let op = PatchOp::Remove {
        path: FieldPath::default()
            .key("spec")
            .key("securityContext")
            .key("sysctls")
            .index(0),
    };
    assert_eq!(
        fix(text, &op).unwrap(),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    sysctls: []\n  containers: []\n"
    );
}
