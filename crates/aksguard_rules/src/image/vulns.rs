//! The vulnerability reports of a scan (`--vulns`), indexed by image so that IMG005 can find
//! the report of each container's image.
//!
//! Matching, in order (both sides parsed as the runtimes do, [`ImageRef`]):
//! 1. by digest: a container pinned by `@sha256:…` matches a scanned image with that digest
//!    (`RepoDigests`, `repoDigests`, `manifestDigest`), whatever the repository: a digest
//!    names the content;
//! 2. by repository and tag, normalised: `nginx`, `docker.io/library/nginx:latest` and
//!    `index.docker.io/library/nginx:latest` are one image (Docker Hub's `library/`, its
//!    legacy host names, the implicit `latest`); the registry's port is part of the name
//!    (`registry:5000/app` is not `registry/app`); registry names compare case-insensitively.
//!    A pinned container whose digest no report holds falls back to its tag only when the
//!    tag's report recorded no digest at all (it cannot contradict the pin).
//!
//! Images with placeholders (`$REGISTRY/app`) match nothing; IMG005 notes them.

use std::collections::HashMap;

use aksguard_model::vulns::{VulnReport, Vulnerability};

use super::reference::{ImageRef, Part};

/// One scanned image of the reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedImage {
    /// The scanned name, as the report printed it.
    pub name: String,
    /// The report file it came from.
    pub file: String,
    pub has_digest: bool,
    pub vulnerabilities: Vec<Vulnerability>,
}

/// Every report's images, by digest and by normalised `registry/repository:tag`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VulnIndex {
    images: Vec<IndexedImage>,
    by_digest: HashMap<String, usize>,
    by_tag: HashMap<String, usize>,
}

/// How a container's image found its report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageMatch<'a> {
    Digest(&'a IndexedImage),
    Tag(&'a IndexedImage),
    /// No report scanned this image.
    None,
    /// A placeholder hides part of the image (or it is not an image reference).
    Unresolved,
}

impl<'a> ImageMatch<'a> {
    pub fn image(self) -> Option<&'a IndexedImage> {
        match self {
            ImageMatch::Digest(image) | ImageMatch::Tag(image) => Some(image),
            ImageMatch::None | ImageMatch::Unresolved => None,
        }
    }
}

impl VulnIndex {
    /// Indexes `reports`. An image scanned by several reports (the same digest or tag) is one
    /// entry holding every report's vulnerabilities.
    pub fn new(reports: &[VulnReport]) -> VulnIndex {
        let mut index = VulnIndex::default();
        for report in reports {
            for image in &report.images {
                let digests: Vec<String> = image
                    .digests
                    .iter()
                    .filter_map(|name| digest_key(name))
                    .collect();
                let tags: Vec<String> =
                    image.tags.iter().filter_map(|name| tag_key(name)).collect();
                let existing = digests
                    .iter()
                    .find_map(|d| index.by_digest.get(d))
                    .or_else(|| tags.iter().find_map(|t| index.by_tag.get(t)))
                    .copied();
                let at = match existing {
                    Some(at) => {
                        let entry = &mut index.images[at];
                        entry.has_digest |= !digests.is_empty();
                        entry
                            .vulnerabilities
                            .extend(image.vulnerabilities.iter().cloned());
                        at
                    }
                    None => {
                        index.images.push(IndexedImage {
                            name: image.name.clone(),
                            file: report.file.clone(),
                            has_digest: !digests.is_empty(),
                            vulnerabilities: image.vulnerabilities.clone(),
                        });
                        index.images.len() - 1
                    }
                };
                for digest in digests {
                    index.by_digest.entry(digest).or_insert(at);
                }
                for tag in tags {
                    index.by_tag.entry(tag).or_insert(at);
                }
            }
        }
        index
    }

    /// The scanned images (for counts).
    pub fn images(&self) -> &[IndexedImage] {
        &self.images
    }

    /// The report of the image a container runs (`image` as written in the pod spec).
    pub fn find(&self, image: &str) -> ImageMatch<'_> {
        let Some(parsed) = ImageRef::parse(image.trim()).filter(|i| !i.templated) else {
            return ImageMatch::Unresolved;
        };
        let by_digest = match parsed.digest {
            Part::Known(digest) => self
                .by_digest
                .get(&digest.to_ascii_lowercase())
                .map(|&at| &self.images[at]),
            _ => None,
        };
        if let Some(found) = by_digest {
            return ImageMatch::Digest(found);
        }
        let pinned = matches!(parsed.digest, Part::Known(_));
        match tag_of(&parsed).and_then(|key| self.by_tag.get(&key)) {
            Some(&at) if !(pinned && self.images[at].has_digest) => {
                ImageMatch::Tag(&self.images[at])
            }
            _ => ImageMatch::None,
        }
    }
}

/// `sha256:…` of a digest reference (`repo@sha256:…`, or a bare `sha256:…`).
fn digest_key(name: &str) -> Option<String> {
    let name = name.trim();
    let digest = match name.rsplit_once('@') {
        Some((_, digest)) => digest,
        None => name,
    };
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| digest.to_ascii_lowercase())
}

/// `registry/repository:tag`, normalised, of a tag reference; `None` for digest-only or
/// unparsable names.
fn tag_key(name: &str) -> Option<String> {
    let parsed = ImageRef::parse(name.trim()).filter(|i| !i.templated)?;
    tag_of(&parsed)
}

fn tag_of(image: &ImageRef<'_>) -> Option<String> {
    let Part::Known(tag) = image.effective_tag() else {
        return None;
    };
    Some(format!(
        "{}/{}:{tag}",
        image.registry()?,
        image.repository()?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aksguard_model::vulns::{ScannedImage, Scanner, VulnSeverity};

    const D1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const D2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    fn report(file: &str, name: &str, digests: &[&str], tags: &[&str], id: &str) -> VulnReport {
        VulnReport {
            file: file.to_owned(),
            scanner: Scanner::TrivyImage,
            created: None,
            images: vec![ScannedImage {
                name: name.to_owned(),
                digests: digests.iter().map(|d| (*d).to_owned()).collect(),
                tags: tags.iter().map(|t| (*t).to_owned()).collect(),
                workload: None,
                vulnerabilities: vec![Vulnerability {
                    id: id.to_owned(),
                    package: "openssl".into(),
                    installed: "3.0.1".into(),
                    fixed: Some("3.0.2".into()),
                    severity: VulnSeverity::High,
                    title: None,
                }],
            }],
        }
    }

    fn name_of(found: ImageMatch<'_>) -> Option<&str> {
        found.image().map(|i| i.name.as_str())
    }

    #[test]
    fn docker_hub_names_are_one_image() {
        let index = VulnIndex::new(&[report("a.json", "nginx:1.25", &[], &["nginx:1.25"], "X")]);
        for image in [
            "nginx:1.25",
            "docker.io/nginx:1.25",
            "docker.io/library/nginx:1.25",
            "index.docker.io/library/nginx:1.25",
            "registry-1.docker.io/library/nginx:1.25",
        ] {
            assert!(
                matches!(index.find(image), ImageMatch::Tag(_)),
                "{image} should match"
            );
        }
        assert_eq!(index.find("nginx:1.26"), ImageMatch::None);
        assert_eq!(index.find("ghcr.io/library/nginx:1.25"), ImageMatch::None);
        assert_eq!(index.find("bitnami/nginx:1.25"), ImageMatch::None);
    }

    #[test]
    fn an_untagged_image_is_latest() {
        let index = VulnIndex::new(&[report("a.json", "redis", &[], &["redis:latest"], "X")]);
        assert!(matches!(index.find("redis"), ImageMatch::Tag(_)));
        assert!(matches!(
            index.find("docker.io/library/redis:latest"),
            ImageMatch::Tag(_)
        ));
        let index = VulnIndex::new(&[report("a.json", "redis", &[], &["redis"], "X")]);
        assert!(matches!(index.find("redis:latest"), ImageMatch::Tag(_)));
    }

    #[test]
    fn registry_ports_and_case() {
        let index = VulnIndex::new(&[report(
            "a.json",
            "Registry.Local:5000/team/app:2.0",
            &[],
            &["Registry.Local:5000/team/app:2.0"],
            "X",
        )]);
        assert!(matches!(
            index.find("registry.local:5000/team/app:2.0"),
            ImageMatch::Tag(_)
        ));
        assert_eq!(index.find("registry.local/team/app:2.0"), ImageMatch::None);
        assert_eq!(
            index.find("registry.local:5001/team/app:2.0"),
            ImageMatch::None
        );
    }

    #[test]
    fn digests_match_first_and_whatever_the_repository() {
        let index = VulnIndex::new(&[
            report(
                "a.json",
                "myacr.azurecr.io/app:1.0",
                &[&format!("myacr.azurecr.io/app@{D1}")],
                &["myacr.azurecr.io/app:1.0"],
                "A",
            ),
            report(
                "b.json",
                "myacr.azurecr.io/app:2.0",
                &[],
                &["myacr.azurecr.io/app:2.0"],
                "B",
            ),
        ]);
        // The digest of 1.0 under the tag 2.0: the digest wins.
        let found = index.find(&format!("myacr.azurecr.io/app:2.0@{D1}"));
        assert!(matches!(found, ImageMatch::Digest(_)));
        assert_eq!(name_of(found), Some("myacr.azurecr.io/app:1.0"));
        // A mirror of the same content.
        assert!(matches!(
            index.find(&format!("mirror.example/app@{D1}")),
            ImageMatch::Digest(_)
        ));
        // An unknown digest under a tag whose report recorded digests: not that image.
        assert_eq!(
            index.find(&format!("myacr.azurecr.io/app:1.0@{D2}")),
            ImageMatch::None
        );
        // Under a tag whose report recorded none: the tag is all there is to go by.
        assert!(matches!(
            index.find(&format!("myacr.azurecr.io/app:2.0@{D2}")),
            ImageMatch::Tag(_)
        ));
        // Bare digests from a report (Grype's manifestDigest) index too.
        let index = VulnIndex::new(&[report("c.json", "x", &[D2], &[], "C")]);
        assert!(matches!(
            index.find(&format!("any/thing@{D2}")),
            ImageMatch::Digest(_)
        ));
    }

    #[test]
    fn placeholders_and_garbage_are_unresolved() {
        let index = VulnIndex::new(&[report("a.json", "nginx:1.25", &[], &["nginx:1.25"], "X")]);
        assert_eq!(index.find("$REGISTRY/nginx:1.25"), ImageMatch::Unresolved);
        assert_eq!(index.find("nginx:${TAG}"), ImageMatch::Unresolved);
        assert_eq!(index.find("Not An Image"), ImageMatch::Unresolved);
        assert_eq!(index.find(""), ImageMatch::Unresolved);
    }

    #[test]
    fn one_image_in_two_reports_is_one_entry() {
        let index = VulnIndex::new(&[
            report(
                "a.json",
                "nginx:1.25",
                &[&format!("nginx@{D1}")],
                &["nginx:1.25"],
                "A",
            ),
            report(
                "b.json",
                "docker.io/library/nginx:1.25",
                &[],
                &["docker.io/library/nginx:1.25"],
                "B",
            ),
        ]);
        assert_eq!(index.images().len(), 1);
        let ids: Vec<&str> = index.images()[0]
            .vulnerabilities
            .iter()
            .map(|v| v.id.as_str())
            .collect();
        assert_eq!(ids, ["A", "B"]);
    }
}
