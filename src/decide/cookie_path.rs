//! The cookie path: CLERK-BEHAVIOUR.md §3.3, rows C1–C15, in Clerk's order (first match wins).
//!
//! `H(reason)` in the table is [`Run::maybe_handshake`]: a handshake when the request is a
//! document navigation and the loop guard allows it, otherwise signed-out with the same reason.
//!
//! One row differs on purpose. **C3** (a development primary sending the user back to a satellite
//! named in `__clerk_redirect_url`, with the dev-browser token appended) is an open redirect in
//! Clerk: any URL is accepted. We follow it only when its origin is the request's own or is listed
//! in `allowedRedirectOrigins`; otherwise the parameter is ignored (with a log line) and the table
//! continues at C4.

use serde_json::{Map, Value};

use super::classify::{decode_error_message, facts, TokenType};
use super::config::UrlOption;
use super::engine::Run;
use super::error::DecideError;
use super::host::{BapiCall, HostRequest, Refusal, Step, TokenCarrier, Waiting};
use super::js;
use super::reason;
use super::state::checked_header;
use crate::auth::SessionAuth;

impl Run<'_> {
    /// C1: a handshake nonce or token in the URL or cookies is resolved first.
    pub(crate) fn cookie_path(&mut self) -> Result<Step, DecideError> {
        if let Some(nonce) = self.ctx.handshake_nonce.clone() {
            let call = BapiCall::new(
                "GET",
                format!("/{}/clients/handshake_payload", self.ctx.config.api_version),
                vec![("nonce".to_owned(), nonce.clone())],
                None,
            );
            return Ok(self.ask(
                HostRequest::GetHandshakePayload { nonce, call },
                Waiting::HandshakePayload,
            ));
        }
        if let Some(token) = self.ctx.handshake_token.clone() {
            return Ok(self.ask(
                HostRequest::VerifyHandshakeToken { token },
                Waiting::HandshakeToken,
            ));
        }
        self.after_handshake()
    }

    fn signed_out_session(&mut self, reason: &str) -> Step {
        self.signed_out(Some(TokenType::SessionToken), reason, "", Vec::new())
    }

    /// C2–C12.
    pub(crate) fn after_handshake(&mut self) -> Result<Step, DecideError> {
        let ctx = &self.ctx;
        let config = ctx.config;
        let has_session = ctx.session_cookie.is_some();
        let has_client = ctx.client_uat != 0.0;
        let synced = js::query_get(ctx.clerk_url(), "__clerk_synced");
        let needs_sync = synced.as_deref() == Some("false");
        let sync_completed = synced.as_deref() == Some("true");
        let has_cookies = has_session || has_client;
        let skip_satellite = !config.satellite_auto_sync && !has_cookies && !needs_sync;
        let sync_eligible =
            config.is_satellite && ctx.sec_fetch_dest() == Some("document") && ctx.is_get();

        // C2a–C2d: a satellite without (fresh) cookies syncs with the primary.
        if sync_eligible && !sync_completed {
            if skip_satellite {
                return Ok(self.signed_out_session(reason::SESSION_TOKEN_AND_UAT_MISSING));
            }
            if !has_cookies || needs_sync {
                if ctx.production {
                    return self.maybe_handshake(reason::SATELLITE_NEEDS_SYNCING, "", None);
                }
                // The configuration requires an absolute signInUrl for a development satellite.
                let Some(UrlOption::Absolute(sign_in)) = &config.sign_in_url else {
                    return Err(DecideError::InvalidUrl { what: "signInUrl" });
                };
                let mut location = js::parse_url(sign_in).ok_or(DecideError::InvalidFrontendApi)?;
                js::query_append(
                    &mut location,
                    "__clerk_redirect_url",
                    ctx.clerk_url().as_str(),
                );
                let headers = vec![checked_header("location", location.as_str())?];
                return self.maybe_handshake(reason::SATELLITE_NEEDS_SYNCING, "", Some(headers));
            }
        }

        // C3: a development primary sends the user back to the satellite.
        let redirect_back =
            js::query_get(ctx.clerk_url(), "__clerk_redirect_url").filter(|u| !u.is_empty());
        if let (false, false, Some(target)) = (ctx.production, config.is_satellite, redirect_back) {
            let mut target = js::parse_url(&target).ok_or(DecideError::InvalidUrl {
                what: "The __clerk_redirect_url query parameter",
            })?;
            let origin = js::origin(&target);
            let allowed = matches!(target.scheme(), "http" | "https")
                && (origin == js::origin(ctx.clerk_url())
                    || config.allowed_redirect_origins.contains(&origin));
            if allowed {
                if let Some(dev_browser) = &ctx.dev_browser {
                    js::query_append(&mut target, "__clerk_db_jwt", dev_browser);
                }
                js::query_set(&mut target, "__clerk_synced", "true");
                let headers = vec![checked_header("location", target.as_str())?];
                return self.maybe_handshake(
                    reason::PRIMARY_RESPONDS_TO_SYNCING,
                    "",
                    Some(headers),
                );
            }
            self.log(
                "warn",
                format!(
                    "portcullis: ignoring __clerk_redirect_url to {origin}: it is not this site's origin \
                     and not in allowedRedirectOrigins."
                ),
            );
        }

        let ctx = &self.ctx;
        // C4, C5: development instances need a dev-browser token.
        if !ctx.production && js::query_has(ctx.clerk_url(), "__clerk_db_jwt") {
            return self.maybe_handshake(reason::DEV_BROWSER_SYNC, "", None);
        }
        if !ctx.production && ctx.dev_browser.is_none() {
            return self.maybe_handshake(reason::DEV_BROWSER_MISSING, "", None);
        }
        // C6–C8: `__client_uat` against the session cookie.
        match (has_client, has_session) {
            (false, false) => {
                return Ok(self.signed_out_session(reason::SESSION_TOKEN_AND_UAT_MISSING))
            }
            (false, true) => {
                return self.maybe_handshake(reason::SESSION_TOKEN_BUT_NO_CLIENT_UAT, "", None)
            }
            (true, false) => {
                return self.maybe_handshake(reason::CLIENT_UAT_BUT_NO_SESSION_TOKEN, "", None)
            }
            (true, true) => {}
        }
        let token = ctx.session_cookie.clone().expect("checked above");
        // C9: not a JWT.
        let facts = facts(&token);
        if facts.decoded().is_none() {
            let refusal = Refusal {
                reason: "token-invalid".to_owned(),
                message: decode_error_message(&token).to_owned(),
            };
            return self.token_error(refusal, TokenCarrier::Cookie);
        }
        // C10: a machine JWT or a non-session category.
        if facts.is_machine_jwt() || facts.has_non_session_category() {
            return Ok(self.signed_out_session(reason::TOKEN_TYPE_MISMATCH));
        }
        // C11: issued before the client's last sign-in/out.
        if facts
            .number_claim("iat")
            .is_some_and(|iat| iat < ctx.client_uat)
        {
            return self.maybe_handshake(reason::SESSION_TOKEN_IAT_BEFORE_CLIENT_UAT, "", None);
        }
        // C12: verify.
        Ok(self.ask(
            HostRequest::VerifySessionToken {
                token,
                carrier: TokenCarrier::Cookie,
                clock_skew_in_ms: None,
            },
            Waiting::CookieToken,
        ))
    }

    /// C13–C15: the cookie's token verified.
    pub(crate) fn after_cookie_verified(
        &mut self,
        claims: Map<String, Value>,
    ) -> Result<Step, DecideError> {
        let token = self.ctx.session_cookie.clone().unwrap_or_default();
        if !claims.get("azp").is_some_and(truthy) {
            self.log(
                "warn",
                "Clerk: Session token from cookie is missing the azp claim. In a future version of Clerk, \
                 this token will be considered invalid. Please contact Clerk support if you see this warning.",
            );
        }
        let ctx = &self.ctx;
        // C13: the primary reached from a foreign (non-Clerk) site re-syncs once.
        let cross_origin_sync = !ctx.config.is_satellite
            && ctx.is_get()
            && ctx.sec_fetch_dest() == Some("document")
            && ctx.is_cross_origin_referrer()
            && !ctx.is_known_clerk_referrer()
            && ctx.redirect_count == 0.0;
        if cross_origin_sync {
            return self.maybe_handshake(
                reason::PRIMARY_DOMAIN_CROSS_ORIGIN_SYNC,
                "Cross-origin request from satellite domain requires handshake",
                None,
            );
        }
        // C14: the URL asks for another organization. (A pending session has no user here, as
        // `toAuth()` treats it as signed out.)
        let auth = SessionAuth::from_claims(&claims);
        if !auth.user_id.is_empty() && !auth.is_pending() {
            let (target, log) = ctx
                .config
                .organization_sync
                .find_target(ctx.clerk_url().path());
            if let Some(log) = log {
                self.log("error", log);
            }
            let must_activate = target
                .is_some_and(|t| t.must_activate(auth.org_id.as_deref(), auth.org_slug.as_deref()));
            if must_activate {
                if self.ctx.redirect_count >= 3.0 {
                    self.log(
                        "warn",
                        "Clerk: Organization activation handshake loop detected. This is likely due to an \
                         invalid organization ID or slug. Skipping organization activation.",
                    );
                } else {
                    let step =
                        self.maybe_handshake(reason::ACTIVE_ORGANIZATION_MISMATCH, "", None)?;
                    if let Step::Done { state } = &step {
                        if state.status == super::state::AuthStatus::Handshake {
                            return Ok(step);
                        }
                        // Not eligible: Clerk drops the signed-out state and stays signed in.
                        self.logs = state.logs.clone();
                    }
                }
            }
        }
        // C15.
        Ok(self.signed_in(token, claims, Vec::new()))
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|v| v != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}
