//! `aksguard serve`: flags → `aksguard_server::ServeOptions`, then serve until SIGTERM or
//! Ctrl-C. The policy (who may listen where, the token's form) is the library's.

use aksguard_server::{ServeOptions, TlsFiles, Token};
use aksguard_store::{Store, StoreLocation};

use crate::cli::ServeArgs;
use crate::commands::{EXIT_CLEAN, EXIT_ERROR};

/// The token's environment variable (preferred over `--token`: arguments are visible in
/// the process list).
pub const TOKEN_ENV: &str = "AKSGUARD_SERVE_TOKEN";

pub fn run(args: &ServeArgs) -> u8 {
    match options(args) {
        Ok((options, location)) => {
            aksguard_server::serve::init_logging();
            let open = async move {
                Store::open(&location)
                    .await
                    .map_err(|e| format!("store {}: {e}", location.redacted()))
            };
            match aksguard_server::serve_until_signal(options, open, crate::signal::stop_signal()) {
                Ok(()) => EXIT_CLEAN,
                Err(err) => {
                    eprintln!("error: {err}");
                    EXIT_ERROR
                }
            }
        }
        Err(err) => {
            eprintln!("error: {err}");
            EXIT_ERROR
        }
    }
}

fn options(args: &ServeArgs) -> Result<(ServeOptions, StoreLocation), String> {
    let env_token = std::env::var_os(TOKEN_ENV);
    let token = match (&args.token, env_token) {
        (Some(flag), _) => Some(Token::new(flag).map_err(|e| format!("--token: {e}"))?),
        (None, Some(value)) => {
            let value = value
                .into_string()
                .map_err(|_| format!("{TOKEN_ENV}: {}", "not valid UTF-8"))?;
            Some(Token::new(&value).map_err(|e| format!("{TOKEN_ENV}: {e}"))?)
        }
        (None, None) => None,
    };
    if token.is_some() && args.no_auth {
        return Err(format!(
            "--no-auth and a token ({TOKEN_ENV} is set) contradict each other; give one"
        ));
    }
    aksguard_server::security::check_listen(args.listen, token.as_ref(), args.no_auth)?;
    let env_store = std::env::var("AKSGUARD_STORE").ok();
    let (location, _default) = StoreLocation::resolve(args.store.as_deref(), env_store.as_deref())
        .map_err(|e| e.to_string())?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
        }),
        _ => None,
    };
    let mut options = ServeOptions::new(args.listen);
    options.token = token;
    options.no_auth = args.no_auth;
    options.tls = tls;
    options.stale_after_days = args.stale_days;
    Ok((options, location))
}
