//! The template environment (built once) and the error pages.

use std::sync::LazyLock;

use aksguard_store::StoreError;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value, context};
use serde::Serialize;

/// Every template, embedded. Names end in `.html`, which turns on minijinja's HTML
/// autoescape for each of them.
const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../../templates/layout.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("fleet.html", include_str!("../../templates/fleet.html")),
    ("target.html", include_str!("../../templates/target.html")),
    ("run.html", include_str!("../../templates/run.html")),
    ("diff.html", include_str!("../../templates/diff.html")),
    ("error.html", include_str!("../../templates/error.html")),
];

static ENVIRONMENT: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .expect("static syntax config"),
    );
    // A misspelt field is an error (caught by the tests), not an empty cell.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_global("version", aksguard_report::TOOL_VERSION);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .unwrap_or_else(|err| panic!("the embedded template {name} parses: {err:#}"));
    }
    env
});

/// Renders `template` with `view`'s fields plus `title` (the `<title>` and the `<h1>`).
pub fn render<T: Serialize>(template: &str, title: &str, view: &T) -> Result<String, PageError> {
    ENVIRONMENT
        .get_template(template)
        .and_then(|t| t.render(context! { title => title, ..Value::from(Serde(view)) }))
        .map_err(|err| {
            tracing::error!("rendering {template} failed: {err:#}");
            PageError::Internal
        })
}

/// A page, or the reason there is none: each variant is answered with an HTML page in the
/// dashboard's layout and the matching status.
#[derive(Debug, PartialEq, Eq)]
pub enum PageError {
    /// 400: a parameter the page cannot use (the message says which and what is allowed).
    BadRequest(String),
    /// 404: no such page, target or run.
    NotFound(String),
    /// 500: the store failed or a template did not render; the server log says why (the
    /// page does not: store messages may name hosts and databases).
    Internal,
}

impl From<StoreError> for PageError {
    fn from(err: StoreError) -> PageError {
        match err {
            StoreError::NotFound(message) => PageError::NotFound(message),
            StoreError::Invalid(message) => PageError::BadRequest(message),
            other => {
                tracing::error!("the store could not answer a page: {other}");
                PageError::Internal
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match self {
            PageError::BadRequest(message) => (StatusCode::BAD_REQUEST, "Bad request", message),
            PageError::NotFound(message) => (StatusCode::NOT_FOUND, "Not found", message),
            PageError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The dashboard could not answer this request; the server's log says why."
                    .to_owned(),
            ),
        };
        #[derive(Serialize)]
        struct ErrorView<'a> {
            status: u16,
            message: &'a str,
        }
        let view = ErrorView {
            status: status.as_u16(),
            message: &message,
        };
        match render("error.html", heading, &view) {
            Ok(page) => (status, Html(page)).into_response(),
            // The error template itself failed (a bug the tests catch): plain text.
            Err(_) => (status, message).into_response(),
        }
    }
}

/// Any URL no page answers.
pub async fn not_found() -> PageError {
    PageError::NotFound("There is no page at this address.".to_owned())
}

/// A page's HTML response.
pub fn html_page<T: Serialize>(
    template: &str,
    title: &str,
    view: &T,
) -> Result<Html<String>, PageError> {
    render(template, title, view).map(Html)
}
