//! The handshake (CLERK-BEHAVIOUR.md §3.6): when to redirect to Clerk, the exact redirect URL, the
//! three-strike loop guard, and turning a handshake's answer back into cookies.
//!
//! A handshake is a full-page redirect to the Frontend API, which answers with fresh cookies, so it
//! is only offered to what looks like a document navigation (GET with `Sec-Fetch-Dest: document` or
//! `iframe`, or no `Sec-Fetch-Dest` and an `Accept` that starts with `text/html`); anything else is
//! signed out with the same reason. The counter cookie `__clerk_redirect_count` (Max-Age 2 s) stops
//! a redirect loop at its third round.

use serde_json::Value;

use super::engine::Run;
use super::error::DecideError;
use super::host::{HostAnswer, HostRequest, Step, TokenCarrier, Waiting, SUPPORTED_BAPI_VERSION};
use super::js;
use super::reason;
use super::state::checked_header;
use crate::clerk::InstanceType;

/// Header list shorthand.
pub(crate) type Headers = Vec<(String, String)>;

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

/// Clerk's message when the loop guard fires.
fn loop_message(reason: &str) -> &'static str {
    if reason == reason::SATELLITE_NEEDS_SYNCING {
        "Clerk: Satellite-domain authentication resulted in an infinite redirect loop. Check that this \
         request is using a configured primary or satellite domain for the production instance. For \
         preview deployments, use a development/staging Clerk instance or a supported configured \
         preview-domain setup."
    } else {
        "Clerk: Refreshing the session token resulted in an infinite redirect loop. This usually means \
         that your Clerk instance keys do not match - make sure to copy the correct publishable and \
         secret keys from the Clerk dashboard."
    }
}

/// `Set-Cookie` directive name and value: the text before the first `;`, split on `=`
/// (Clerk's `getCookieName` / `getCookieValue`; the value is `undefined` without an `=`).
fn cookie_name_value(directive: &str) -> (&str, Option<&str>) {
    let pair = directive.split(';').next().unwrap_or("");
    let mut parts = pair.split('=');
    (parts.next().unwrap_or(""), parts.next())
}

/// `Set-Cookie` headers for directives, and the last `__session*` value among them.
pub(crate) fn cookie_headers(
    directives: &[String],
) -> Result<(Headers, Option<Option<String>>), DecideError> {
    let mut headers = Vec::new();
    let mut session = None;
    for directive in directives {
        headers.push(checked_header("set-cookie", directive)?);
        let (name, value) = cookie_name_value(directive);
        if name.starts_with("__session") {
            session = Some(value.map(str::to_owned));
        }
    }
    Ok((headers, session))
}

impl Run<'_> {
    /// Clerk's `isRequestEligibleForHandshake`.
    pub(crate) fn handshake_eligible(&self) -> bool {
        if !self.ctx.is_get() {
            return false;
        }
        match self.ctx.sec_fetch_dest() {
            Some("document" | "iframe") => true,
            Some(_) => false,
            None => self
                .ctx
                .req
                .header("accept")
                .is_some_and(|accept| accept.starts_with("text/html")),
        }
    }

    /// Clerk's `handleMaybeHandshakeStatus`: a handshake, or signed-out when the request is not
    /// eligible or the loop guard fires. `custom` replaces the handshake URL (dev satellite sync).
    pub(crate) fn maybe_handshake(
        &mut self,
        reason: &str,
        message: &str,
        custom: Option<Headers>,
    ) -> Result<Step, DecideError> {
        if !self.handshake_eligible() {
            return Ok(self.signed_out(
                Some(super::classify::TokenType::SessionToken),
                reason,
                message,
                Vec::new(),
            ));
        }
        let mut headers = match custom {
            Some(headers) => headers,
            None => vec![checked_header(
                "location",
                &self.handshake_location(reason)?,
            )?],
        };
        if headers.iter().any(|(name, _)| name == "location") {
            headers.push(header("cache-control", "no-store"));
        }
        if self.ctx.redirect_count == 3.0 {
            self.log("log", loop_message(reason));
            return Ok(self.signed_out(
                Some(super::classify::TokenType::SessionToken),
                reason,
                message,
                Vec::new(),
            ));
        }
        let next = js::number_to_string(self.ctx.redirect_count + 1.0);
        headers.push(checked_header(
            "set-cookie",
            &format!("__clerk_redirect_count={next}; SameSite=Lax; HttpOnly; Max-Age=2"),
        )?);
        Ok(self.handshake_state(reason, message, headers))
    }

    /// Clerk's `buildRedirectToHandshake`: the Frontend API's `/v1/client/handshake` URL.
    pub(crate) fn handshake_location(&mut self, reason: &str) -> Result<String, DecideError> {
        let mut redirect_url = self.ctx.clerk_url().clone();
        js::query_delete(&mut redirect_url, "__clerk_db_jwt");
        js::query_delete(&mut redirect_url, "__dev_session");
        let api = &self.ctx.frontend_api;
        let base = if api.starts_with("http") {
            api.clone()
        } else {
            format!("https://{api}")
        };
        let base = format!("{}/", base.trim_end_matches('/'));
        let mut url = js::parse_url(&base)
            .and_then(|base| base.join("v1/client/handshake").ok())
            .ok_or(DecideError::InvalidFrontendApi)?;
        let mut query = vec![
            ("redirect_url", redirect_url.to_string()),
            ("__clerk_api_version", SUPPORTED_BAPI_VERSION.to_owned()),
            ("suffixed_cookies", self.ctx.suffixed.to_string()),
            ("__clerk_hs_reason", reason.to_owned()),
            ("format", "nonce".to_owned()),
        ];
        if let Some(token) = self.ctx.session_token() {
            query.push(("__session", token.to_owned()));
        }
        if let (false, Some(dev_browser)) = (self.ctx.production, &self.ctx.dev_browser) {
            query.push(("__clerk_db_jwt", dev_browser.clone()));
        }
        let (target, log) = self
            .ctx
            .config
            .organization_sync
            .find_target(self.ctx.clerk_url().path());
        if let Some(log) = log {
            self.log("error", log);
        }
        if let Some(target) = target {
            query.push(("organization_id", target.query_value()));
        }
        for (name, value) in query {
            js::query_append(&mut url, name, &value);
        }
        Ok(url.to_string())
    }

    /// C1 with a nonce: the host fetched (or failed to fetch) the payload.
    pub(crate) fn answer_handshake_payload(
        &mut self,
        answer: HostAnswer,
        unexpected: DecideError,
    ) -> Result<Step, DecideError> {
        let directives = match answer {
            HostAnswer::HandshakePayload { directives } => directives,
            HostAnswer::ApiError { status, code, .. } => {
                self.log(
                    "error",
                    format!(
                        "Clerk: HandshakeService: error getting handshake payload: status={} code={}",
                        status.map_or("n/a".to_owned(), |s| s.to_string()),
                        code.as_deref().unwrap_or("n/a")
                    ),
                );
                Vec::new()
            }
            HostAnswer::NetworkError { message } => {
                self.log(
                    "error",
                    format!("Clerk: HandshakeService: error getting handshake payload: {message}"),
                );
                Vec::new()
            }
            _ => return Err(unexpected),
        };
        self.resolve_directives(&directives)
    }

    /// C1 with a legacy handshake token: the host verified (or refused) it.
    pub(crate) fn answer_handshake_token(
        &mut self,
        answer: HostAnswer,
        unexpected: DecideError,
    ) -> Result<Step, DecideError> {
        match answer {
            HostAnswer::Verified { claims } => {
                let directives: Vec<String> = match claims.get("handshake") {
                    Some(Value::Array(items)) => items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                    _ => Vec::new(),
                };
                self.resolve_directives(&directives)
            }
            HostAnswer::Refused { reason, message } => {
                if !self.ctx.production {
                    let message = if reason == "token-invalid-signature" {
                        "Clerk: Handshake token verification failed due to an invalid signature. If you \
                         have switched Clerk keys locally, clear your cookies and try again."
                            .to_owned()
                    } else {
                        format!(
                            "Clerk: Handshake token verification failed: {message} (reason={reason}, \
                             token-carrier=undefined)."
                        )
                    };
                    return Err(DecideError::HandshakeTokenInvalid { message });
                }
                self.handshake_failed(&message)
            }
            HostAnswer::VerifyFailed { message } => self.handshake_failed(&message),
            _ => Err(unexpected),
        }
    }

    /// C1 failed: log as Clerk does and continue with the cookies the request has.
    fn handshake_failed(&mut self, message: &str) -> Result<Step, DecideError> {
        self.log(
            "error",
            format!("Clerk: unable to resolve handshake: {message}"),
        );
        self.after_handshake()
    }

    /// Clerk's `resolveHandshake` once the directives are known.
    fn resolve_directives(&mut self, directives: &[String]) -> Result<Step, DecideError> {
        let mut headers = vec![
            header("access-control-allow-origin", "null"),
            header("access-control-allow-credentials", "true"),
        ];
        let (cookies, session) = match cookie_headers(directives) {
            Ok(found) => found,
            // Clerk's `headers.append` throws on such a value; the handshake is abandoned.
            Err(error) => return self.handshake_failed(&error.to_string()),
        };
        headers.extend(cookies);
        if self.ctx.config.instance_type() == InstanceType::Development {
            let mut clean = self.ctx.clerk_url().clone();
            for name in [
                "__clerk_handshake",
                "__clerk_help",
                "__clerk_db_jwt",
                "__clerk_handshake_nonce",
            ] {
                js::query_delete(&mut clean, name);
            }
            headers.push(checked_header("location", clean.as_str())?);
            headers.push(header("cache-control", "no-store"));
        }
        match session {
            // No `__session` directive, or an empty value: Clerk's `sessionToken` stays "".
            None => Ok(self.signed_out(
                Some(super::classify::TokenType::SessionToken),
                reason::SESSION_TOKEN_MISSING,
                "",
                headers,
            )),
            Some(Some(token)) if token.is_empty() => Ok(self.signed_out(
                Some(super::classify::TokenType::SessionToken),
                reason::SESSION_TOKEN_MISSING,
                "",
                headers,
            )),
            // `__session` without `=`: Clerk verifies `undefined`, which fails to decode.
            Some(None) => self.handshake_failed(
                "Invalid JWT form. A JWT consists of three parts separated by dots.",
            ),
            Some(Some(token)) => Ok(self.ask(
                HostRequest::VerifySessionToken {
                    token: token.clone(),
                    carrier: TokenCarrier::Cookie,
                    clock_skew_in_ms: None,
                },
                Waiting::HandshakeSession {
                    headers,
                    token,
                    retried: false,
                },
            )),
        }
    }

    /// The session token a handshake set was verified (or not).
    pub(crate) fn answer_handshake_session(
        &mut self,
        answer: HostAnswer,
        headers: Headers,
        token: String,
        retried: bool,
        unexpected: DecideError,
    ) -> Result<Step, DecideError> {
        match answer {
            HostAnswer::Verified { claims } => Ok(self.signed_in(token, claims, headers)),
            HostAnswer::Refused { reason, message } => {
                let clock = [
                    "token-expired",
                    "token-not-active-yet",
                    "token-iat-in-the-future",
                ];
                if !self.ctx.production && !retried && clock.contains(&reason.as_str()) {
                    self.log(
                        "error",
                        format!(
                            "Clerk: Clock skew detected. This usually means that your system clock is \
                             inaccurate. Clerk will attempt to account for the clock skew in \
                             development.\n\nTo resolve this issue, make sure your system's clock is set \
                             to the correct time (e.g. turn off and on automatic time synchronization).\
                             \n\n---\n\n{message} (reason={reason}, token-carrier=cookie)"
                        ),
                    );
                    return Ok(self.ask(
                        HostRequest::VerifySessionToken {
                            token: token.clone(),
                            carrier: TokenCarrier::Cookie,
                            clock_skew_in_ms: Some(86_400_000),
                        },
                        Waiting::HandshakeSession {
                            headers,
                            token,
                            retried: true,
                        },
                    ));
                }
                self.handshake_failed(&message)
            }
            HostAnswer::VerifyFailed { message } => self.handshake_failed(&message),
            _ => Err(unexpected),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_names_and_values() {
        assert_eq!(
            cookie_name_value("__session=abc; Path=/"),
            ("__session", Some("abc"))
        );
        assert_eq!(cookie_name_value("__session"), ("__session", None));
        let (headers, session) = cookie_headers(&[
            "__client_uat=1; Path=/".to_owned(),
            "__session_x=tok; Secure".to_owned(),
        ])
        .unwrap();
        assert_eq!(headers.len(), 2);
        assert_eq!(session, Some(Some("tok".to_owned())));
        assert!(cookie_headers(&["a=b\r\nLocation: https://evil.test".to_owned()]).is_err());
    }
}
