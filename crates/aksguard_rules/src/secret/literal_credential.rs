use std::sync::LazyLock;

use aksguard_model::{Node, Object, PodSpecView, Severity};
use regex::{Regex, RegexSet};

use crate::checker::{Checker, Violation};
use crate::guides;
use crate::meta::{Check, Family, Reference, Rule};
use crate::peer::{
    PeerTool::{KubeLinter, Kubescape, Polaris},
    broader, same,
};

/// How Polaris's and kubescape's credential checks differ from SEC002.
const FLAGS_NAMES_TOO: &str = "the peer flags secret-like names and values whatever the value, \
                               placeholders and the words `key` or `JWT` included; SEC002 \
                               wants a value that could be a credential";

pub(crate) static RULE: Rule = Rule {
    id: "SEC002",
    slug: "hardcoded-credential",
    title: "Literal credential in an env value or ConfigMap",
    family: Family::Secret,
    severity: Severity::Critical,
    checks: "Literal values in ConfigMap (`v1`) `data` entries (`binaryData` is skipped) and in \
             the `env[].value` of every container (init, regular, ephemeral) of every \
             workload. An entry fires when (a) its key or env var name looks secret-like \
             (`password`, `passwd`, `pwd`, `pass`, `passphrase`, `secret`, `token`, `apikey`, \
             `access_key`, `private_key`, `account_key`, `client_secret`, \
             `connection_string`, `credential`, `sas`, in any case and separator style) \
             and its value is a real literal; or (b) its value, whatever the name, \
             matches a credential format: Azure storage `AccountKey=`, Azure \
             `SharedAccessKey=`, an Azure SAS `sig=`, a `-----BEGIN … PRIVATE KEY-----` \
             block, a JWT, an Entra ID client secret (the `Q~` shape), `Password=`/`Pwd=` \
             in a connection string, a password in a URL (`scheme://user:pass@`), a GitHub \
             token (`ghp_`, `github_pat_`), an AWS access key ID (`AKIA…`) or a Slack \
             token (`xox[abpr]-`). Names whose last word says they hold something else do \
             not count as secret-like (`*_FILE`, `*_PATH`, `*_NAME`, `*_URL`, `*_ENABLED`, \
             `*_TTL`, `secretName`, …), nor do ConfigMap keys that are config-file names \
             (`app.yaml`, `nginx.conf`). Values that are not credentials never fire: empty, \
             placeholders and references (`$(VAR)`, `${VAR}`, `{{ … }}`, `<...>`, \
             `changeme`, `REPLACE_ME`, `xxx…`, `your-…`, values containing `example`, \
             uppercase slot names such as `HF_TOKEN` or `nvapi-NVKEY`), \
             booleans, plain numbers, paths (`/etc/secret/x`, `a/b/c`), URLs without a \
             password, and file names (`token.txt`). The Azure Storage emulator's \
             published key does not fire. A real but weak value (`password`, `mysql`) is a \
             literal credential and fires. One finding per entry, at the value; the message \
             names the key or variable and the kind of match, never the value (only its \
             length).",
    rationale: "A credential written into a manifest or ConfigMap is readable by everyone with \
                access to the repository, the CI logs or `get configmaps`/`get pods` in the \
                namespace, and it cannot be rotated without a redeploy. Storage account keys, \
                SAS tokens and Entra ID client secrets in particular give direct access to \
                Azure resources from anywhere. On AKS, workload identity removes the need for \
                most such secrets, and Azure Key Vault with the Secrets Store CSI driver \
                serves the rest.",
    remediation: "Remove the value from the manifest and rotate the credential; use workload \
                  identity instead of keys where the Azure service supports it, otherwise \
                  store the secret in Azure Key Vault and mount it with the Secrets Store CSI \
                  driver (or at least reference a Kubernetes Secret).",
    references: &[
        Reference::CisAks("4.5.2"),
        guides::CSI_SECRETS_STORE_DRIVER,
        guides::WORKLOAD_IDENTITY_OVERVIEW,
        Reference::Peer(same(KubeLinter, "env-var-secret")),
        Reference::Peer(broader(
            Polaris,
            "sensitiveContainerEnvVar",
            FLAGS_NAMES_TOO,
        )),
        Reference::Peer(broader(
            Polaris,
            "sensitiveConfigmapContent",
            FLAGS_NAMES_TOO,
        )),
        Reference::Peer(broader(
            Kubescape,
            "rule-credentials-in-env-var",
            FLAGS_NAMES_TOO,
        )),
        Reference::Peer(broader(
            Kubescape,
            "rule-credentials-configmap",
            "kubescape flags secret-like names and values whatever the value, placeholders \
             and the words `key` or `JWT` included; SEC002 wants a value that could be a \
             credential",
        )),
    ],
    fix: crate::RuleFix::MANUAL,
    linux_only: false,
    reads_other_objects: false,
    check: Check::Object(check),
};

/// A credential format. Group 1 of `regex` is the secret material, which must not be a
/// placeholder for the pattern to count.
struct Pattern {
    kind: &'static str,
    regex: &'static str,
}

const PATTERNS: &[Pattern] = &[
    Pattern {
        kind: "Azure storage account key",
        regex: r"(?i)\bAccountKey\s*=\s*([A-Za-z0-9+/]{20,}={0,2})",
    },
    Pattern {
        kind: "Azure shared access key",
        regex: r"(?i)\bSharedAccessKey\s*=\s*([A-Za-z0-9+/]{20,}={0,2})",
    },
    Pattern {
        kind: "Azure SAS signature",
        regex: r#"(?:^|[?&;\s"'])sig=([A-Za-z0-9%+/=_-]{20,})"#,
    },
    Pattern {
        kind: "private key",
        regex: r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----\s*([A-Za-z0-9+/=][A-Za-z0-9+/=\s:,.-]{30,})",
    },
    Pattern {
        kind: "JSON Web Token",
        regex: r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})",
    },
    Pattern {
        kind: "Entra ID client secret",
        regex: r"(?:^|[^A-Za-z0-9_~.-])([A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?:$|[^A-Za-z0-9_~.-])",
    },
    Pattern {
        kind: "connection string password",
        regex: r#"(?im)(?:^|[;,\s"'.])(?:password|pwd)\s*=\s*["']?([^;,\s"']+)"#,
    },
    Pattern {
        kind: "password in a URL",
        regex: r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]*:([^/\s@]+)@",
    },
    Pattern {
        kind: "GitHub token",
        regex: r"\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})",
    },
    Pattern {
        kind: "AWS access key ID",
        regex: r"\b((?:AKIA|ASIA)[0-9A-Z]{16})\b",
    },
    Pattern {
        kind: "Slack token",
        regex: r"\b(xox[abpr]-[0-9A-Za-z-]{10,})",
    },
];

/// The fixed words SEC002 messages use (pattern kinds), for the no-leak test.
#[cfg(test)]
pub(super) fn message_vocabulary() -> impl Iterator<Item = &'static str> {
    PATTERNS.iter().map(|p| p.kind)
}

static PATTERN_SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(PATTERNS.iter().map(|p| p.regex)).expect("credential patterns compile")
});

static PATTERN_REGEXES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .map(|p| Regex::new(p.regex).expect("credential pattern compiles"))
        .collect()
});

/// The Azure Storage emulator (Azurite) account key, published in Microsoft's docs.
const EMULATOR_ACCOUNT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Substrings of a name (words joined, lowercased) that make it secret-like.
const SECRET_MARKERS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "privatekey",
    "accountkey",
    "storagekey",
    "masterkey",
    "signingkey",
    "encryptionkey",
    "sharedkey",
    "connectionstring",
    "connstring",
    "connstr",
    "credential",
];

/// Whole words of a name that make it secret-like.
const SECRET_WORDS: &[&str] = &["pwd", "pw", "pass", "sas", "creds"];

/// Last words of a name that say the value is not the secret itself but something about it.
const NON_SECRET_LAST_WORDS: &[&str] = &[
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "directory",
    "folder",
    "name",
    "names",
    "ref",
    "reference",
    "url",
    "uri",
    "endpoint",
    "endpoints",
    "host",
    "hostname",
    "server",
    "port",
    "addr",
    "address",
    "id",
    "ids",
    "type",
    "kind",
    "enabled",
    "enable",
    "disabled",
    "disable",
    "required",
    "mode",
    "length",
    "len",
    "size",
    "ttl",
    "expiry",
    "expiration",
    "expires",
    "expire",
    "timeout",
    "duration",
    "interval",
    "lifetime",
    "period",
    "age",
    "header",
    "field",
    "location",
    "mount",
    "mountpath",
    "env",
    "var",
    "format",
    "algorithm",
    "alg",
    "issuer",
    "audience",
    "scope",
    "scopes",
    "prefix",
    "suffix",
    "version",
    "policy",
    "provider",
    "store",
    "region",
    "namespace",
    "count",
    "min",
    "max",
    "limit",
    "rotation",
    "method",
    "source",
    "label",
    "selector",
    "template",
    "class",
    "user",
    "username",
];

/// Extensions that make a ConfigMap key a config file (its content is checked by format only).
const CONFIG_FILE_EXTENSIONS: &[&str] = &[
    "json",
    "yaml",
    "yml",
    "toml",
    "ini",
    "conf",
    "cfg",
    "config",
    "properties",
    "xml",
    "sh",
    "py",
    "lua",
    "js",
    "tpl",
    "tmpl",
    "html",
    "rules",
];

/// Values that stand for a credential rather than being one.
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change-me",
    "change_me",
    "changeit",
    "replaceme",
    "replace-me",
    "replace_me",
    "placeholder",
    "redacted",
    "dummy",
    "sample",
    "none",
    "null",
    "nil",
    "undefined",
    "empty",
    "todo",
    "tbd",
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "enabled",
    "disabled",
];

fn check(object: &Object, out: &mut Checker<'_>) {
    if object.kind == "ConfigMap" && object.api_version == "v1" {
        let data = object.root.get("data");
        for entry in data.map(Node::entries).unwrap_or_default() {
            let Some(value) = entry.value.as_str() else {
                continue;
            };
            let by_name = !is_config_file_name(&entry.key) && is_secret_name(&entry.key);
            if let Some(why) = assess(by_name, value) {
                out.report(Violation::at(
                    entry.value.pos,
                    format!(
                        "ConfigMap `{}` key `{}` holds a literal credential ({why}; value \
                         masked, {})",
                        object.name.as_deref().unwrap_or("<unnamed>"),
                        entry.key,
                        masked(value)
                    ),
                ));
            }
        }
        return;
    }
    let Some(pod) = PodSpecView::of(object) else {
        return;
    };
    for container in pod.containers() {
        let env = container.get("env").map(Node::items).unwrap_or_default();
        for var in env {
            let Some(value_node) = var.get("value") else {
                continue;
            };
            let Some(value) = value_node.as_str() else {
                continue;
            };
            let name = var.get("name").and_then(Node::as_str);
            let by_name = name.is_some_and(is_secret_name);
            if let Some(why) = assess(by_name, value) {
                out.report(Violation::in_container(
                    &container,
                    value_node.pos,
                    format!(
                        "container `{}` env var `{}` holds a literal credential ({why}; value \
                         masked, {})",
                        container.name(),
                        name.unwrap_or("<unnamed>"),
                        masked(value)
                    ),
                ));
            }
        }
    }
}

/// Why a literal is a credential, if it is. Formats are checked first (they name the kind).
fn assess(by_name: bool, value: &str) -> Option<String> {
    if let Some(kind) = credential_format(value) {
        return Some(format!("format: {kind}"));
    }
    (by_name && !is_non_secret_value(value)).then(|| "name looks secret-like".to_owned())
}

/// The length only: no character of the value is shown.
fn masked(value: &str) -> String {
    let n = value.chars().count();
    format!("{n} character{}", if n == 1 { "" } else { "s" })
}

/// The kind of the first credential format the value matches with real material.
fn credential_format(value: &str) -> Option<&'static str> {
    let matched = PATTERN_SET.matches(value);
    matched.iter().find_map(|i| {
        let real = PATTERN_REGEXES[i].captures_iter(value).any(|caps| {
            caps.get(1).is_some_and(|secret| {
                let secret = secret.as_str();
                !(is_placeholder(secret) || secret == EMULATOR_ACCOUNT_KEY)
            })
        });
        real.then_some(PATTERNS[i].kind)
    })
}

/// Splits a name into lowercase words at separators and camelCase boundaries
/// (`clientSecretName` → client, secret, name; `APIKey` → api, key).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && (prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(char::is_uppercase) && next.is_some_and(char::is_lowercase)));
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn is_secret_name(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if NON_SECRET_LAST_WORDS.contains(&last.as_str()) {
        return false;
    }
    let joined = words.concat();
    SECRET_MARKERS.iter().any(|m| joined.contains(m))
        || words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
}

fn is_config_file_name(key: &str) -> bool {
    key.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && CONFIG_FILE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
    })
}

/// Placeholders and references inside any candidate secret.
fn is_placeholder(secret: &str) -> bool {
    let lower = secret.to_ascii_lowercase();
    let first = secret.chars().next();
    ["$(", "${", "{{", "%(", "***", "..."]
        .iter()
        .any(|m| secret.contains(m))
        // `<password>`, `Password=<from key vault>`
        || secret.find('<').is_some_and(|i| secret[i..].contains('>'))
        // `$PASSWORD`, a shell or template variable
        || secret.starts_with('$')
        || [
            "xxxx",
            "example",
            "changeme",
            "change_me",
            "change-me",
            "replace_me",
            "replaceme",
            "placeholder",
            "redacted",
        ]
        .iter()
        .any(|m| lower.contains(m))
        || (secret.len() > 2 && secret.starts_with('%') && secret.ends_with('%'))
        || (secret.len() > 1 && first.is_some_and(|f| secret.chars().all(|c| c == f)))
}

/// Literals under a secret-like name that are clearly not a credential.
fn is_non_secret_value(value: &str) -> bool {
    let value = value.trim();
    let lower = value.to_ascii_lowercase();
    if !value.chars().any(char::is_alphanumeric)
        || is_placeholder(value)
        || PLACEHOLDER_WORDS.contains(&lower.as_str())
    {
        return true;
    }
    // `your-password`, `YOUR_API_KEY`, `yourtoken`
    if lower.starts_with("your") && !value.contains(char::is_whitespace) {
        return true;
    }
    if is_uppercase_placeholder(value) {
        return true;
    }
    // Plain numbers (ports, counts, durations in seconds).
    let digits = lower.trim_start_matches(['+', '-']);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return true;
    }
    is_path(value) || is_plain_url(&lower) || is_file_name(&lower)
}

/// A value of several parts where one is an uppercase word naming what belongs there:
/// `HF_TOKEN`, `INSERT_ETCD_DISCOVERY_TOKEN`, `nvapi-NVKEY`. A single word (`PASSWORD`)
/// is a literal like any other.
fn is_uppercase_placeholder(value: &str) -> bool {
    const HINTS: &[&str] = &[
        "KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PWD", "INSERT", "REPLACE", "CHANGE",
    ];
    let segments: Vec<&str> = value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect();
    segments.len() >= 2
        && segments.iter().any(|s| {
            s.len() >= 3
                && s.bytes().all(|b| b.is_ascii_uppercase())
                && HINTS.iter().any(|h| s.contains(h))
        })
}

fn is_path(value: &str) -> bool {
    if ["/", "./", "../", "~/", "file://"]
        .iter()
        .any(|p| value.starts_with(p))
    {
        return true;
    }
    let bytes = value.as_bytes();
    if bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":\\" {
        return true;
    }
    // A relative path of lowercase word segments (`my/secret/file/path`), unlike base64.
    let segments: Vec<&str> = value.split('/').collect();
    segments.len() >= 3
        && segments.iter().all(|s| {
            !s.is_empty()
                && s.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
        })
}

/// A URL without a user:password part (the URL pattern catches those).
fn is_plain_url(lower: &str) -> bool {
    let Some((scheme, rest)) = lower.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    scheme_ok && !authority.contains('@') && !rest.contains(char::is_whitespace)
}

fn is_file_name(lower: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "json",
        "yaml",
        "yml",
        "txt",
        "pem",
        "key",
        "crt",
        "cer",
        "der",
        "p12",
        "pfx",
        "jks",
        "keystore",
        "conf",
        "cfg",
        "ini",
        "env",
        "properties",
        "xml",
        "toml",
        "pub",
        "csv",
    ];
    lower.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && EXTENSIONS.contains(&ext)
            && stem
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_compile() {
        assert_eq!(PATTERN_SET.len(), PATTERNS.len());
        assert_eq!(PATTERN_REGEXES.len(), PATTERNS.len());
    }

    #[test]
    fn names() {
        for name in [
            "DB_PASSWORD",
            "dbPassword",
            "MYSQL_ROOT_PASSWORD",
            "AZURE_CLIENT_SECRET",
            "clientSecret",
            "API_KEY",
            "apiKey",
            "api-key",
            "APIKey",
            "STORAGE_ACCESS_KEY",
            "PRIVATE_KEY",
            "ConnectionStrings__Default",
            "connection_string",
            "AZURE_STORAGE_SAS",
            "REDIS_PASS",
            "GITHUB_TOKEN",
            "credentials",
            "SECRET_KEY",
        ] {
            assert!(is_secret_name(name), "{name} should look secret-like");
        }
        for name in [
            "PASSWORD_FILE",
            "secretName",
            "TOKEN_URL",
            "SECRET_PATH",
            "AZURE_CLIENT_ID",
            "LOG_LEVEL",
            "PASSPORT_STRATEGY",
            "COMPASS",
            "TOKEN_TTL",
            "KEY",
            "",
            "___",
        ] {
            assert!(!is_secret_name(name), "{name} should not look secret-like");
        }
    }

    #[test]
    fn values() {
        for value in [
            "$(DB_PASSWORD)",
            "${DB_PASSWORD}",
            "{{ .Values.password }}",
            "<your password>",
            "changeme",
            "REPLACE_ME",
            "xxxxxxxx",
            "sk-xxxxxxxxxxxx",
            "true",
            "False",
            "8080",
            "/etc/secret/password",
            "my/secret/file/path",
            "https://login.microsoftonline.com/tenant/oauth2/token",
            "token.txt",
            "your-api-key",
            "",
            "   ",
            "-",
        ] {
            assert!(is_non_secret_value(value), "{value:?} is not a credential");
        }
        for value in ["hunter2", "S3cr3t!pass", "p@ssw0rd-2024", "8Bf/aZ+0qLk="] {
            assert!(!is_non_secret_value(value), "{value:?} is a credential");
        }
    }

    #[test]
    fn formats() {
        let cases = [
            (
                "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=q8kR1x2Yb3Zc4Vd5We6Xf7Yg8Zh9Ai0Bj1Ck2Dl3Em4Fn5Go6Hp7Iq8Jr9Ks0Lt1Mu2Nv3Ow4Px5Qy6Rz7Sa8==;EndpointSuffix=core.windows.net",
                "Azure storage account key",
            ),
            (
                "https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&sig=Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Ng%3D%3D",
                "Azure SAS signature",
            ),
            (
                "Server=tcp:db.database.windows.net,1433;User ID=app;Password=Tr0ub4dor&3x;",
                "connection string password",
            ),
            (
                "postgres://app:Tr0ub4dor3x@db.example.org:5432/app",
                "password in a URL",
            ),
            ("AKIAZ7Q3XW5RT2YV6B4N", "AWS access key ID"),
        ];
        for (value, kind) in cases {
            assert_eq!(credential_format(value), Some(kind), "{value}");
        }
        for value in [
            "Server=db;User ID=app;Password=$(DB_PASSWORD);",
            "Password=<password>",
            "postgres://app:${PASS}@db:5432/app",
            "AKIAIOSFODNN7EXAMPLE",
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;",
            "https://example.org/path?sig=short",
            "spring.datasource.password=${DB_PASSWORD}",
        ] {
            assert_eq!(credential_format(value), None, "{value}");
        }
    }

    #[test]
    fn words_split_like_identifiers() {
        assert_eq!(words("clientSecretName"), ["client", "secret", "name"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(words("tls.key"), ["tls", "key"]);
        assert_eq!(words("OAuth2Token"), ["o", "auth2", "token"]);
    }
}
