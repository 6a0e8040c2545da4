//! Container image references: `[registry[:port]/]repository[:tag][@digest]`, parsed as the
//! container runtimes do (the `distribution/reference` grammar Docker, containerd and the
//! kubelet use), so every IMG rule agrees on what an image string means.
//!
//! - The first path component is a registry only if it contains `.` or `:`, is `localhost`,
//!   or has an uppercase letter (repository components are lowercase only); otherwise the
//!   image comes from Docker Hub (`docker.io`), and a single-component name gets `library/`.
//! - A `:` before the last `/` belongs to the registry's port (`registry:5000/app` has no
//!   tag); the tag is a `:` suffix of the last component.
//! - Anything outside the grammar (empty, whitespace, uppercase repository, bad tag or
//!   digest, empty components) is unparsable: [`ImageRef::parse`] returns `None` and never
//!   panics.

/// Docker Hub, the registry of images without one.
pub(crate) const DOCKER_HUB: &str = "docker.io";

/// Names longer than this are rejected by the grammar (`NameTotalLengthMax`).
const NAME_MAX: usize = 255;

/// A parsed image reference. Fields borrow from the image string as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    /// The registry as written (`myacr.azurecr.io`, `registry:5000`), `None` for Docker Hub
    /// short names.
    pub explicit_registry: Option<&'a str>,
    /// The repository path as written, without registry (`nginx`, `team/app`).
    pub path: &'a str,
    pub tag: Option<&'a str>,
    /// `algorithm:hex` as written.
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Parses an image string; `None` when it is not a valid reference.
    pub(crate) fn parse(image: &'a str) -> Option<Self> {
        if image.is_empty() || image.len() > 4096 {
            return None;
        }
        let (rest, digest) = match image.split_once('@') {
            Some((rest, digest)) => {
                if !is_digest(digest) {
                    return None;
                }
                (rest, Some(digest))
            }
            None => (image, None),
        };
        // The tag is a `:` suffix of the last path component only.
        let last_slash = rest.rfind('/');
        let (name, tag) = match rest.rfind(':') {
            Some(colon) if last_slash.is_none_or(|slash| colon > slash) => {
                (&rest[..colon], Some(&rest[colon + 1..]))
            }
            _ => (rest, None),
        };
        if let Some(tag) = tag
            && !is_tag(tag)
        {
            return None;
        }
        if name.is_empty() || name.len() > NAME_MAX {
            return None;
        }
        let (explicit_registry, path) = match name.split_once('/') {
            Some((first, remainder)) if is_registry_component(first) => {
                if !is_domain(first) {
                    return None;
                }
                (Some(first), remainder)
            }
            _ => (None, name),
        };
        if !path.split('/').all(is_path_component) {
            return None;
        }
        Some(ImageRef {
            explicit_registry,
            path,
            tag,
            digest,
        })
    }

    /// The registry, lowercased, with `docker.io` for Docker Hub (also for its legacy
    /// aliases `index.docker.io` and `registry-1.docker.io`).
    pub(crate) fn registry(&self) -> String {
        match self.explicit_registry {
            None => DOCKER_HUB.to_owned(),
            Some(registry) => {
                let lower = registry.to_ascii_lowercase();
                match lower.as_str() {
                    "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB.to_owned(),
                    _ => lower,
                }
            }
        }
    }

    /// The registry host without its port, lowercased.
    pub(crate) fn registry_host(&self) -> String {
        let registry = self.registry();
        match registry.rsplit_once(':') {
            // `[::1]:5000` and `host:5000`; a bare `[::1]` ends in `]`.
            Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                host.to_owned()
            }
            _ => registry,
        }
    }

    /// The repository as the registry knows it: Docker Hub single-component names get
    /// `library/` (`nginx` is `library/nginx`).
    pub(crate) fn repository(&self) -> String {
        if self.registry() == DOCKER_HUB && !self.path.contains('/') {
            format!("library/{}", self.path)
        } else {
            self.path.to_owned()
        }
    }

    /// True when the image is pinned by a `sha256` digest, whatever the tag (parsing has
    /// checked it is 64 lowercase hex digits).
    pub(crate) fn is_pinned(&self) -> bool {
        self.digest.is_some_and(|d| d.starts_with("sha256:"))
    }

    /// The tag the runtime resolves: the written tag, or `latest` when neither tag nor digest
    /// is given (an image with only a digest has no tag).
    pub(crate) fn effective_tag(&self) -> Option<&'a str> {
        match (self.tag, self.digest) {
            (Some(tag), _) => Some(tag),
            (None, None) => Some("latest"),
            (None, Some(_)) => None,
        }
    }

    /// The image as the runtime sees it (`nginx` is `docker.io/library/nginx:latest`).
    pub(crate) fn canonical(&self) -> String {
        let mut out = format!("{}/{}", self.registry(), self.repository());
        if let Some(tag) = self.effective_tag() {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = self.digest {
            out.push('@');
            out.push_str(digest);
        }
        out
    }
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
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let algorithm_ok = algorithm.split(['+', '.', '_', '-']).all(|c| {
        !c.is_empty()
            && c.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if !algorithm_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let length = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return true,
    };
    hex.len() == length && !hex.bytes().any(|b| b.is_ascii_uppercase())
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
        assert_eq!(r.explicit_registry, None);
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.repository(), "library/nginx");
        assert_eq!(r.tag, None);
        assert_eq!(r.effective_tag(), Some("latest"));
        assert_eq!(r.canonical(), "docker.io/library/nginx:latest");

        let r = parse("bitnami/redis:7.2");
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.repository(), "bitnami/redis");
        assert_eq!(r.tag, Some("7.2"));

        let r = parse("docker.io/nginx:1.27");
        assert_eq!(r.explicit_registry, Some("docker.io"));
        assert_eq!(r.repository(), "library/nginx");

        assert_eq!(
            parse("index.docker.io/library/nginx").registry(),
            "docker.io"
        );
    }

    #[test]
    fn registries_and_ports() {
        let r = parse("registry:5000/app");
        assert_eq!(r.registry(), "registry:5000");
        assert_eq!(r.registry_host(), "registry");
        assert_eq!(r.path, "app");
        assert_eq!(r.tag, None);

        let r = parse("localhost/app:dev");
        assert_eq!(r.registry(), "localhost");
        assert_eq!(r.tag, Some("dev"));

        let r = parse("myacr.azurecr.io:443/team/app:1.0");
        assert_eq!(r.registry(), "myacr.azurecr.io:443");
        assert_eq!(r.registry_host(), "myacr.azurecr.io");
        assert_eq!(r.path, "team/app");
        assert_eq!(r.tag, Some("1.0"));

        let r = parse("MyAcr.AzureCR.io/app:1");
        assert_eq!(r.registry(), "myacr.azurecr.io");

        let r = parse("[::1]:5000/app:1");
        assert_eq!(r.registry(), "[::1]:5000");
        assert_eq!(r.registry_host(), "[::1]");

        let r = parse("10.0.0.4:5000/a/b/c");
        assert_eq!(r.registry_host(), "10.0.0.4");
        assert_eq!(r.path, "a/b/c");
        assert_eq!(r.tag, None);

        // A first component without `.`/`:` is a Docker Hub namespace.
        let r = parse("myregistry/app:1");
        assert_eq!(r.registry(), "docker.io");
        assert_eq!(r.repository(), "myregistry/app");
    }

    #[test]
    fn digests() {
        let image = format!("app@{SHA}");
        let r = parse(&image);
        assert_eq!(r.tag, None);
        assert_eq!(r.digest, Some(SHA));
        assert!(r.is_pinned());
        assert_eq!(r.effective_tag(), None);

        let image = format!("mcr.microsoft.com/app:1.2@{SHA}");
        let r = parse(&image);
        assert_eq!(r.tag, Some("1.2"));
        assert!(r.is_pinned());
        assert_eq!(r.registry(), "mcr.microsoft.com");

        let image = format!("registry:5000/app@{SHA}");
        let r = parse(&image);
        assert_eq!(r.registry(), "registry:5000");
        assert_eq!(r.tag, None);
        assert!(r.is_pinned());

        // Other algorithms parse but do not pin by sha256.
        let sha512 = format!("app@sha512:{}", "ab".repeat(64));
        assert!(!parse(&sha512).is_pinned());
        let r = parse("app@blake3:0123456789abcdef0123456789abcdef");
        assert!(!r.is_pinned());
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
        assert_eq!(parse("Registry/app").registry(), "registry");
    }
}
