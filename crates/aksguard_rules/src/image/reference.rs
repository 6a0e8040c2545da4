//! Container image references: `[registry[:port]/]repository[:tag][@digest]`, parsed as the
//! container runtimes do (the `distribution/reference` grammar Docker, containerd and the
//! kubelet use), so every IMG rule agrees on what an image string means.
//!
//! - The first path component is a registry only if it contains `.` or `:`, is `localhost`,
//!   or has an uppercase letter (repository components are lowercase only); otherwise the
//!   image comes from Docker Hub (`docker.io`), and a single-component name gets `library/`.
//! - A `:` before the last `/` belongs to the registry's port (`registry:5000/app` has no
//!   tag); the tag is a `:` suffix of the last component.
//! - Images with placeholders left for a later tool (`$REGISTRY/app:1.0`,
//!   `gcr.io/PROJECT_ID/app`, `app:${TAG}`, see [`placeholder`](super::placeholder)) keep
//!   what their literal text shows: each part is [`Part::Known`], [`Part::Absent`] or
//!   [`Part::Unknown`] when a placeholder holds it or may hold it (`$IMAGE` may expand to
//!   `nginx:1.0@sha256:…`, so its tag and digest are Unknown; `$REGISTRY/app` has no tag).
//! - Anything else outside the grammar (empty, whitespace, uppercase repository, bad tag or
//!   digest, empty components) is unparsable: [`ImageRef::parse`] returns `None` and never
//!   panics.

use super::placeholder::{self, HIDDEN};

/// Docker Hub, the registry of images without one.
pub(crate) const DOCKER_HUB: &str = "docker.io";

/// Names longer than this are rejected by the grammar (`NameTotalLengthMax`).
const NAME_MAX: usize = 255;

/// One part of a reference (tag, digest) as far as the text shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part<'a> {
    /// Not written, and no placeholder could hold it.
    Absent,
    /// Written literally.
    Known(&'a str),
    /// Written as, or possibly hidden in, a placeholder.
    Unknown,
}

/// Where an image is pulled from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Registry<'a> {
    /// No registry written: Docker Hub.
    DockerHub,
    /// The registry as written (`myacr.azurecr.io`, `registry:5000`).
    Explicit(&'a str),
    /// A placeholder (`$REGISTRY/app`, `<DOCKER_REPO>/app`, `$IMAGE`).
    Unresolved,
}

/// A parsed image reference. Fields borrow from the image string as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    pub registry: Registry<'a>,
    /// The repository path as written, without registry (`nginx`, `team/app`,
    /// `PROJECT_ID/app`), placeholders included.
    pub path: &'a str,
    pub tag: Part<'a>,
    /// `algorithm:hex` as written.
    pub digest: Part<'a>,
    /// Tag and digest as written (`:1.0@sha256:…`, `:${TAG}`), empty when neither is.
    pub suffix: &'a str,
    /// Written with placeholders (some part may be Unknown, the path may hold one).
    pub templated: bool,
}

impl<'a> ImageRef<'a> {
    /// Parses an image string; `None` when it is neither a valid reference nor one with
    /// placeholders whose literal parts are valid.
    pub(crate) fn parse(image: &'a str) -> Option<Self> {
        if image.is_empty() || image.len() > 4096 {
            return None;
        }
        parse_literal(image).or_else(|| parse_templated(image))
    }

    /// The registry, lowercased, with `docker.io` for Docker Hub (also for its legacy
    /// aliases `index.docker.io` and `registry-1.docker.io`); `None` when a placeholder holds
    /// it.
    pub(crate) fn registry(&self) -> Option<String> {
        match self.registry {
            Registry::Unresolved => None,
            Registry::DockerHub => Some(DOCKER_HUB.to_owned()),
            Registry::Explicit(registry) => {
                let lower = registry.to_ascii_lowercase();
                Some(match lower.as_str() {
                    "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_owned(),
                    _ => lower,
                })
            }
        }
    }

    /// The registry host without its port, lowercased; `None` when a placeholder holds it.
    pub(crate) fn registry_host(&self) -> Option<String> {
        let registry = self.registry()?;
        Some(match registry.rsplit_once(':') {
            // `[::1]:5000` and `host:5000`; a bare `[::1]` ends in `]`.
            Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                host.to_owned()
            }
            _ => registry,
        })
    }

    /// The repository as the registry knows it: Docker Hub single-component names get
    /// `library/` (`nginx` is `library/nginx`). `None` when the registry is unresolved.
    pub(crate) fn repository(&self) -> Option<String> {
        Some(
            if self.registry()? == DOCKER_HUB && !self.path.contains('/') {
                format!("library/{}", self.path)
            } else {
                self.path.to_owned()
            },
        )
    }

    /// Whether the image is pinned by a `sha256` digest, whatever the tag (parsing has
    /// checked it is 64 lowercase hex digits); `None` when a placeholder may hold the digest.
    pub(crate) fn is_pinned(&self) -> Option<bool> {
        match self.digest {
            Part::Known(digest) => Some(digest.starts_with("sha256:")),
            Part::Absent => Some(false),
            Part::Unknown => None,
        }
    }

    /// The tag the runtime resolves: the written tag, or `latest` when neither tag nor digest
    /// is given; Absent for an image with only a digest, Unknown when a placeholder may hold
    /// the tag or a digest.
    pub(crate) fn effective_tag(&self) -> Part<'a> {
        match (self.tag, self.digest) {
            (Part::Known(tag), _) => Part::Known(tag),
            (Part::Unknown, _) | (Part::Absent, Part::Unknown) => Part::Unknown,
            (Part::Absent, Part::Absent) => Part::Known("latest"),
            (Part::Absent, Part::Known(_)) => Part::Absent,
        }
    }

    /// The image as the runtime sees it (`nginx` is `docker.io/library/nginx:latest`);
    /// `None` when a placeholder hides part of it.
    pub(crate) fn canonical(&self) -> Option<String> {
        if self.templated {
            return None;
        }
        let mut out = format!("{}/{}", self.registry()?, self.repository()?);
        if let Part::Known(tag) = self.effective_tag() {
            out.push(':');
            out.push_str(tag);
        }
        if let Part::Known(digest) = self.digest {
            out.push('@');
            out.push_str(digest);
        }
        Some(out)
    }
}

/// A reference as the runtimes' grammar defines it.
fn parse_literal(image: &str) -> Option<ImageRef<'_>> {
    let (rest, digest) = match image.split_once('@') {
        Some((rest, digest)) => {
            if !is_digest(digest) {
                return None;
            }
            (rest, Part::Known(digest))
        }
        None => (image, Part::Absent),
    };
    // The tag is a `:` suffix of the last path component only.
    let last_slash = rest.rfind('/');
    let (name, tag) = match rest.rfind(':') {
        Some(colon) if last_slash.is_none_or(|slash| colon > slash) => {
            (&rest[..colon], Part::Known(&rest[colon + 1..]))
        }
        _ => (rest, Part::Absent),
    };
    if let Part::Known(tag) = tag
        && !is_tag(tag)
    {
        return None;
    }
    if name.is_empty() || name.len() > NAME_MAX {
        return None;
    }
    let (registry, path) = match name.split_once('/') {
        Some((first, remainder)) if is_registry_component(first) => {
            if !is_domain(first) {
                return None;
            }
            (Registry::Explicit(first), remainder)
        }
        _ => (Registry::DockerHub, name),
    };
    if !path.split('/').all(is_path_component) {
        return None;
    }
    Some(ImageRef {
        registry,
        path,
        tag,
        digest,
        suffix: &image[name.len()..],
        templated: false,
    })
}

/// A reference with placeholders: the same grammar over the literal text, where each
/// placeholder stands for text that is not known. Positions in the masked text are the
/// image's (a placeholder's bytes are each replaced by [`HIDDEN`]).
fn parse_templated(image: &str) -> Option<ImageRef<'_>> {
    let masked = placeholder::mask(image)?;
    let hidden = |range: std::ops::Range<usize>| masked[range].contains(HIDDEN);
    let (rest_end, digest) = match masked.find('@') {
        Some(at) if hidden(at + 1..masked.len()) => (at, Part::Unknown),
        Some(at) if is_digest(&masked[at + 1..]) => (at, Part::Known(&image[at + 1..])),
        Some(_) => return None,
        None => (masked.len(), Part::Absent),
    };
    let rest = &masked[..rest_end];
    let last_slash = rest.rfind('/');
    let tail_start = last_slash.map_or(0, |slash| slash + 1);
    let (name_end, tag) = match rest.rfind(':') {
        Some(colon) if colon >= tail_start => {
            let tag = if hidden(colon + 1..rest_end) {
                Part::Unknown
            } else if is_tag(&rest[colon + 1..]) {
                Part::Known(&image[colon + 1..rest_end])
            } else {
                return None;
            };
            (colon, tag)
        }
        // A placeholder in the last component may expand to `app:1.0` (or `app@sha256:…`).
        _ if hidden(tail_start..rest_end) => (rest_end, Part::Unknown),
        _ => (rest_end, Part::Absent),
    };
    // Without a literal `@`, a digest can hide only in a placeholder at the end of the image.
    let digest = match (digest, tag) {
        (Part::Absent, Part::Unknown) => Part::Unknown,
        (digest, _) => digest,
    };
    let name = &rest[..name_end];
    if name.is_empty() || name.split('/').any(str::is_empty) {
        return None;
    }
    let first_end = name.find('/');
    let first = &name[..first_end.unwrap_or(name.len())];
    let (registry, path_start) = match first_end {
        // The first component decides where the image comes from: a placeholder there may
        // be a registry, a Docker Hub namespace, or several components.
        _ if first.contains(HIDDEN) => {
            if !first
                .bytes()
                .all(|b| b == HIDDEN as u8 || is_registry_char(b))
            {
                return None;
            }
            (Registry::Unresolved, 0)
        }
        Some(slash) if is_registry_component(first) => {
            if !is_domain(first) {
                return None;
            }
            (Registry::Explicit(&image[..slash]), slash + 1)
        }
        _ => (Registry::DockerHub, 0),
    };
    let path = &name[path_start..];
    let components_ok = path.split('/').all(|component| {
        if component.contains(HIDDEN) {
            component
                .bytes()
                .all(|b| b == HIDDEN as u8 || is_path_char(b))
        } else {
            is_path_component(component)
        }
    });
    if !components_ok {
        return None;
    }
    Some(ImageRef {
        registry,
        path: &image[path_start..name_end],
        tag,
        digest,
        suffix: &image[name_end..],
        templated: true,
    })
}

/// Characters of repository path components.
fn is_path_char(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
}

/// Characters of a registry component (`host[:port]`, IPv6 in brackets).
fn is_registry_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
}

/// Whether the first of several components names a registry rather than a Docker Hub
/// namespace (`splitDockerDomain`).
fn is_registry_component(first: &str) -> bool {
    first.contains(['.', ':'])
        || first == "localhost"
        || first.bytes().any(|b| b.is_ascii_uppercase())
}

/// `host[:port]`, where host is a DNS name, an IPv4 address or a bracketed IPv6 address.
fn is_domain(domain: &str) -> bool {
    let (host, port) = if let Some(inner) = domain.strip_prefix('[') {
        let Some((v6, after)) = inner.split_once(']') else {
            return false;
        };
        if v6.is_empty()
            || !v6
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return false;
        }
        match after {
            "" => return true,
            _ => match after.strip_prefix(':') {
                Some(port) => ("", Some(port)),
                None => return false,
            },
        }
    } else {
        match domain.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (domain, None),
        }
    };
    if let Some(port) = port
        && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    if domain.starts_with('[') {
        return true;
    }
    !host.is_empty() && host.split('.').all(is_domain_component)
}

/// `[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`
fn is_domain_component(c: &str) -> bool {
    let bytes = c.as_bytes();
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn is_path_component(c: &str) -> bool {
    let mut alnum_run = false;
    let mut separator = String::new();
    for b in c.bytes() {
        if b.is_ascii_lowercase() || b.is_ascii_digit() {
            if !separator.is_empty() {
                let ok = matches!(separator.as_str(), "." | "_" | "__")
                    || separator.bytes().all(|s| s == b'-');
                if !ok || !alnum_run {
                    return false;
                }
                separator.clear();
            }
            alnum_run = true;
        } else if matches!(b, b'.' | b'_' | b'-') {
            if !alnum_run {
                return false;
            }
            separator.push(b as char);
        } else {
            return false;
        }
    }
    alnum_run && separator.is_empty()
}

/// `[\w][\w.-]{0,127}`
fn is_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    !bytes.is_empty()
        && bytes.len() <= 128
        && word(&bytes[0])
        && bytes[1..]
            .iter()
            .all(|b| word(b) || *b == b'.' || *b == b'-')
}

/// `algorithm:hex`: `[a-z0-9]+([+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}` (the reference grammar),
/// and for the algorithms the runtimes know (`go-digest`: sha256, sha384, sha512) exactly
/// their length in lowercase hex, as the kubelet validates it (`InvalidImageName` otherwise).
fn is_digest(digest: &str) -> bool {
    digest_problem(digest).is_none()
}

/// What makes a digest invalid (see [`is_digest`]), in words for a finding; `None` when it
/// is valid.
pub(crate) fn digest_problem(digest: &str) -> Option<String> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Some("it has no `algorithm:` prefix".to_string());
    };
    let algorithm_ok = algorithm.split(['+', '.', '_', '-']).all(|c| {
        !c.is_empty()
            && c.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if !algorithm_ok {
        return Some(format!(
            "the algorithm `{algorithm}` is not lowercase letters and digits"
        ));
    }
    if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(format!("`{hex}` is not hexadecimal"));
    }
    let length = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ if hex.len() < 32 => {
            let plural = if hex.len() == 1 { "" } else { "s" };
            return Some(format!(
                "it has {} hex digit{plural}, fewer than the 32 a digest takes",
                hex.len()
            ));
        }
        _ => return None,
    };
    if hex.len() != length {
        return Some(format!(
            "{algorithm} takes {length} hex digits, not {}",
            hex.len()
        ));
    }
    if hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some(format!("{algorithm} takes lowercase hex digits"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn parse(image: &str) -> ImageRef<'_> {
        ImageRef::parse(image).unwrap_or_else(|| panic!("{image} should parse"))
    }

    #[test]
    fn docker_hub_short_names() {
        let r = parse("nginx");
        assert_eq!(r.registry, Registry::DockerHub);
        assert_eq!(r.registry().unwrap(), "docker.io");
        assert_eq!(r.repository().unwrap(), "library/nginx");
        assert_eq!(r.tag, Part::Absent);
        assert_eq!(r.effective_tag(), Part::Known("latest"));
        assert_eq!(r.canonical().unwrap(), "docker.io/library/nginx:latest");

        let r = parse("bitnami/redis:7.2");
        assert_eq!(r.registry().unwrap(), "docker.io");
        assert_eq!(r.repository().unwrap(), "bitnami/redis");
        assert_eq!(r.tag, Part::Known("7.2"));

        let r = parse("docker.io/nginx:1.27");
        assert_eq!(r.registry, Registry::Explicit("docker.io"));
        assert_eq!(r.repository().unwrap(), "library/nginx");

        assert_eq!(
            parse("index.docker.io/library/nginx").registry().unwrap(),
            "docker.io"
        );
    }

    #[test]
    fn registries_and_ports() {
        let r = parse("registry:5000/app");
        assert_eq!(r.registry().unwrap(), "registry:5000");
        assert_eq!(r.registry_host().unwrap(), "registry");
        assert_eq!(r.path, "app");
        assert_eq!(r.tag, Part::Absent);

        let r = parse("localhost/app:dev");
        assert_eq!(r.registry().unwrap(), "localhost");
        assert_eq!(r.tag, Part::Known("dev"));

        let r = parse("myacr.azurecr.io:443/team/app:1.0");
        assert_eq!(r.registry().unwrap(), "myacr.azurecr.io:443");
        assert_eq!(r.registry_host().unwrap(), "myacr.azurecr.io");
        assert_eq!(r.path, "team/app");
        assert_eq!(r.tag, Part::Known("1.0"));

        let r = parse("MyAcr.AzureCR.io/app:1");
        assert_eq!(r.registry().unwrap(), "myacr.azurecr.io");

        let r = parse("[::1]:5000/app:1");
        assert_eq!(r.registry().unwrap(), "[::1]:5000");
        assert_eq!(r.registry_host().unwrap(), "[::1]");

        let r = parse("10.0.0.4:5000/a/b/c");
        assert_eq!(r.registry_host().unwrap(), "10.0.0.4");
        assert_eq!(r.path, "a/b/c");
        assert_eq!(r.tag, Part::Absent);

        // A first component without `.`/`:` is a Docker Hub namespace.
        let r = parse("myregistry/app:1");
        assert_eq!(r.registry().unwrap(), "docker.io");
        assert_eq!(r.repository().unwrap(), "myregistry/app");
    }

    #[test]
    fn digest_problems_say_what_is_wrong() {
        assert_eq!(digest_problem(SHA), None);
        let cases = [
            ("sha256:abc", "sha256 takes 64 hex digits, not 3"),
            (
                "sha256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
                "sha256 takes lowercase hex digits",
            ),
            (
                "sha512:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "sha512 takes 128 hex digits, not 32",
            ),
            ("sha256:not-hex", "`not-hex` is not hexadecimal"),
            (
                "custom:a",
                "it has 1 hex digit, fewer than the 32 a digest takes",
            ),
            (
                "0123456789abcdef0123456789abcdef",
                "it has no `algorithm:` prefix",
            ),
            (
                "SHA256:0123456789abcdef0123456789abcdef",
                "the algorithm `SHA256` is not lowercase letters and digits",
            ),
        ];
        for (digest, problem) in cases {
            assert_eq!(digest_problem(digest).as_deref(), Some(problem), "{digest}");
        }
    }

    #[test]
    fn digests() {
        let image = format!("app@{SHA}");
        let r = parse(&image);
        assert_eq!(r.tag, Part::Absent);
        assert_eq!(r.digest, Part::Known(SHA));
        assert_eq!(r.is_pinned(), Some(true));
        assert_eq!(r.effective_tag(), Part::Absent);

        let image = format!("mcr.microsoft.com/app:1.2@{SHA}");
        let r = parse(&image);
        assert_eq!(r.tag, Part::Known("1.2"));
        assert_eq!(r.is_pinned(), Some(true));
        assert_eq!(r.registry().unwrap(), "mcr.microsoft.com");

        let image = format!("registry:5000/app@{SHA}");
        let r = parse(&image);
        assert_eq!(r.registry().unwrap(), "registry:5000");
        assert_eq!(r.tag, Part::Absent);
        assert_eq!(r.is_pinned(), Some(true));

        // Other algorithms parse but do not pin by sha256.
        let sha512 = format!("app@sha512:{}", "ab".repeat(64));
        assert_eq!(parse(&sha512).is_pinned(), Some(false));
        let r = parse("app@blake3:0123456789abcdef0123456789abcdef");
        assert_eq!(r.is_pinned(), Some(false));
    }

    #[test]
    fn garbage_is_unparsable_not_a_panic() {
        for image in [
            "",
            " ",
            "nginx ",
            "Nginx",
            "docker.io/Library/nginx",
            "app:",
            ":tag",
            "app:-bad",
            "app@",
            "app@sha256:xyz",
            "app@sha256:abc",
            "app@sha256:0123456789abcdef0123456789abcdef",
            "app@sha512:0123456789abcdef0123456789abcdef",
            "app@custom:a",
            "app@sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
            "app@sha256:",
            "app@SHA256:abc",
            "app@:abc",
            "a@b@c",
            "/app",
            "app/",
            "a//b",
            "registry:port/app",
            "registry:/app",
            "-reg.io/app",
            "reg.io/-app",
            "app__x__",
            "app..x",
            "[::1/app",
            "[zz]:5/app",
            "€uro.io/app",
            "app:ta€g",
            "@",
            ":",
            "/",
            "::::",
        ] {
            assert_eq!(ImageRef::parse(image), None, "{image:?} should not parse");
        }
        let long_tag = format!("app:{}", "a".repeat(129));
        assert_eq!(ImageRef::parse(&long_tag), None);
        let long_name = "a".repeat(256);
        assert_eq!(ImageRef::parse(&long_name), None);
    }

    #[test]
    fn placeholders_keep_what_the_literal_text_shows() {
        // The cases: the registry or a path component is a placeholder.
        let r = parse("gcr.io/PROJECT_ID/app:1.0-cpu");
        assert_eq!(r.registry().unwrap(), "gcr.io");
        assert_eq!(r.path, "PROJECT_ID/app");
        assert_eq!(r.tag, Part::Known("1.0-cpu"));
        assert_eq!(r.digest, Part::Absent);
        assert!(r.templated);
        assert_eq!(r.canonical(), None);

        let r = parse("<DOCKER_REPO>/chatbot:1.0");
        assert_eq!(r.registry, Registry::Unresolved);
        assert_eq!(r.registry(), None);
        assert_eq!(r.registry_host(), None);
        assert_eq!(r.tag, Part::Known("1.0"));
        assert_eq!(r.is_pinned(), Some(false));

        let r = parse("$REGISTRY/x:latest");
        assert_eq!(r.registry, Registry::Unresolved);
        assert_eq!(r.effective_tag(), Part::Known("latest"));

        // No tag after a placeholder registry: the runtime resolves `latest`.
        let r = parse("${REGISTRY}/x");
        assert_eq!(r.tag, Part::Absent);
        assert_eq!(r.digest, Part::Absent);
        assert_eq!(r.effective_tag(), Part::Known("latest"));

        // A placeholder after a Docker Hub namespace leaves the registry known.
        let r = parse("team/${APP}:2");
        assert_eq!(r.registry().unwrap(), "docker.io");
        assert_eq!(r.tag, Part::Known("2"));

        let image = format!("$REGISTRY/app:1.0@{SHA}");
        let r = parse(&image);
        assert_eq!(r.is_pinned(), Some(true));
        assert_eq!(r.suffix, format!(":1.0@{SHA}"));
    }

    #[test]
    fn placeholders_that_may_hold_the_tag_or_digest_make_them_unknown() {
        // Entirely a placeholder: nothing is known.
        for image in ["$IMAGE", "${IMAGE}", "{{ .Values.image }}", "<IMAGE>"] {
            let r = parse(image);
            assert_eq!(r.registry, Registry::Unresolved, "{image}");
            assert_eq!(r.tag, Part::Unknown, "{image}");
            assert_eq!(r.digest, Part::Unknown, "{image}");
            assert_eq!(r.effective_tag(), Part::Unknown, "{image}");
            assert_eq!(r.is_pinned(), None, "{image}");
        }
        // A placeholder in the tag: the tag is unknown, and it may end in a digest.
        for image in [
            "app:$TAG",
            "app:${VERSION}",
            "acr.io/app:#{Build.BuildId}#",
            "app:1.0-$(SUFFIX)",
        ] {
            let r = parse(image);
            assert_eq!(r.tag, Part::Unknown, "{image}");
            assert_eq!(r.digest, Part::Unknown, "{image}");
            assert_eq!(r.effective_tag(), Part::Unknown, "{image}");
        }
        // A placeholder in the last component may expand to `name:tag`.
        let r = parse("gcr.io/proj/app-${SUFFIX}");
        assert_eq!(r.registry().unwrap(), "gcr.io");
        assert_eq!(r.tag, Part::Unknown);
        assert_eq!(r.digest, Part::Unknown);
        // A placeholder digest after a literal `@`.
        let r = parse("app:1.0@${DIGEST}");
        assert_eq!(r.tag, Part::Known("1.0"));
        assert_eq!(r.is_pinned(), None);
        // A placeholder before the tag's `:` cannot hold a digest (`x@d:1.0` is invalid).
        let r = parse("${IMAGE}:1.0");
        assert_eq!(r.tag, Part::Known("1.0"));
        assert_eq!(r.digest, Part::Absent);
    }

    #[test]
    fn placeholders_do_not_excuse_invalid_literal_text() {
        for image in [
            "$REGISTRY/App:1.0",
            "$REGISTRY/app:-bad",
            "$REGISTRY//app",
            "$REGISTRY/app@sha256:abc",
            "${TAG",
            "gcr.io/My-Project/app",
            "$REGISTRY/app:1.0 ",
            "bad host.io/$X",
        ] {
            assert_eq!(ImageRef::parse(image), None, "{image:?} should not parse");
        }
    }

    #[test]
    fn valid_odd_forms() {
        for image in [
            "a",
            "a_b",
            "a__b",
            "a---b",
            "a.b",
            "reg.io/a/b/c/d:Tag_1.0-rc",
            "Registry/app",
            "app:LATEST",
            "localhost:5000/app",
        ] {
            assert!(ImageRef::parse(image).is_some(), "{image:?} should parse");
        }
        assert_eq!(parse("Registry/app").registry().unwrap(), "registry");
    }
}
