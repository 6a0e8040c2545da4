//! Where Resource Manager is: `https://management.azure.com` unless `AKSGUARD_ARM_ENDPOINT`
//! names another (a sovereign cloud's, such as `https://management.usgovcloudapi.net`).
//!
//! A bearer token is sent with every request, so plain `http://` is refused except for a
//! loopback host (127.0.0.1, ::1, localhost): that is how tests point the reader at a local
//! server, and nothing leaves the machine. A `nextLink` is followed only when it points at
//! the same scheme, host and port: a response must not be able to send the token elsewhere.

use reqwest::Url;

use crate::api::PUBLIC_ENDPOINT;

/// The variable naming another Resource Manager endpoint.
pub const ENDPOINT_VAR: &str = "AKSGUARD_ARM_ENDPOINT";

#[derive(Clone, Debug)]
pub struct Endpoint {
    base: Url,
}

impl Endpoint {
    /// The endpoint `value` names (the public cloud's when `None`), or why it cannot be used.
    pub fn parse(value: Option<&str>) -> Result<Endpoint, String> {
        let text = value.map(str::trim).filter(|v| !v.is_empty());
        let text = text.unwrap_or(PUBLIC_ENDPOINT);
        let base = Url::parse(text).map_err(|e| format!("{ENDPOINT_VAR} `{text}`: {e}"))?;
        if !base.username().is_empty() || base.password().is_some() {
            return Err(format!(
                "{ENDPOINT_VAR} must not carry a user name or password"
            ));
        }
        if base.query().is_some() || base.fragment().is_some() || base.path() != "/" {
            return Err(format!(
                "{ENDPOINT_VAR} `{text}` must be a scheme and host only (such as \
                 https://management.azure.com)"
            ));
        }
        match base.scheme() {
            "https" => {}
            "http" if is_loopback(&base) => {}
            "http" => {
                return Err(format!(
                    "{ENDPOINT_VAR} `{text}`: plain http is accepted only for a loopback host \
                     (127.0.0.1, ::1, localhost); the bearer token must not cross a network \
                     unencrypted"
                ));
            }
            other => {
                return Err(format!(
                    "{ENDPOINT_VAR} `{text}`: unsupported scheme {other}"
                ));
            }
        }
        Ok(Endpoint { base })
    }

    /// `https://host[:port]`, as shown in notes.
    pub fn origin(&self) -> String {
        self.base.origin().ascii_serialization()
    }

    /// The token scope of this endpoint: its origin with `/.default`.
    pub fn token_scope(&self) -> String {
        format!("{}/.default", self.origin())
    }

    /// The URL of `path` (a resource ID or collection, starting with `/`) with the query
    /// parameters given, in order.
    pub fn url(&self, path: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        url.set_path(path);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in query {
                pairs.append_pair(key, value);
            }
        }
        url
    }

    /// Whether `url` is on this endpoint (same scheme, host and port).
    pub fn owns(&self, url: &Url) -> bool {
        url.origin() == self.base.origin()
    }

    pub fn is_public_cloud(&self) -> bool {
        self.base.as_str().trim_end_matches('/') == PUBLIC_ENDPOINT
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_the_public_cloud_and_accepts_https_elsewhere() {
        let public = Endpoint::parse(None).unwrap();
        assert!(public.is_public_cloud());
        assert_eq!(
            public.token_scope(),
            "https://management.azure.com/.default"
        );
        let gov = Endpoint::parse(Some("https://management.usgovcloudapi.net/")).unwrap();
        assert_eq!(
            gov.token_scope(),
            "https://management.usgovcloudapi.net/.default"
        );
        assert!(!gov.is_public_cloud());
        let url = gov.url(
            "/subscriptions/s/providers/x",
            &[
                ("api-version", "2025-07-01"),
                ("$filter", "principalId eq 'a b'"),
            ],
        );
        assert_eq!(
            url.as_str(),
            "https://management.usgovcloudapi.net/subscriptions/s/providers/x?\
             api-version=2025-07-01&%24filter=principalId+eq+%27a+b%27"
        );
    }

    #[test]
    fn plain_http_only_for_loopback_hosts() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://[::1]:9",
            "http://localhost:1234/",
            "http://127.0.0.2",
        ] {
            assert!(Endpoint::parse(Some(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "http://management.azure.com",
            "http://10.0.0.1:80",
            "http://localhost.example.com",
            "ftp://127.0.0.1",
            "https://user:pw@management.azure.com",
            "https://management.azure.com/sub?x=1",
            "https://management.azure.com/path",
            "not a url",
        ] {
            assert!(Endpoint::parse(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn owns_only_urls_on_the_same_origin() {
        let endpoint = Endpoint::parse(Some("http://127.0.0.1:8080")).unwrap();
        assert!(endpoint.owns(&Url::parse("http://127.0.0.1:8080/a?b=c").unwrap()));
        assert!(!endpoint.owns(&Url::parse("http://127.0.0.1:8081/a").unwrap()));
        assert!(!endpoint.owns(&Url::parse("https://127.0.0.1:8080/a").unwrap()));
        assert!(!endpoint.owns(&Url::parse("http://evil.example/a").unwrap()));
    }
}
