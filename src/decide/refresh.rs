//! A session token that did not verify (Clerk's `handleSessionTokenError`, §3.5), and the refresh
//! flow it may try first.
//!
//! An expired token (signature valid, `exp` passed) on a GET with a `__refresh_<suffix>` cookie is
//! refreshed through the Backend API: `POST /v1/sessions/{sid}/refresh` (`?suffixed_cookies=true`
//! when the suffixed family is in use), body `{format: "cookie", expired_token, refresh_token,
//! request_origin, request_headers}`. The returned cookies are set and their `__session` is
//! verified. Whatever stops the refresh becomes the `<x>` of `session-token-expired-refresh-<x>`.
//! Expired, not-yet-valid and future-`iat` tokens then get a handshake (when eligible); every other
//! reason is signed out with the verifier's reason.

use serde_json::{json, Map, Value};

use super::classify::{facts, TokenType};
use super::engine::Run;
use super::error::DecideError;
use super::handshake::cookie_headers;
use super::host::{BapiCall, HostAnswer, HostRequest, Refusal, Step, TokenCarrier, Waiting};
use super::js;
use super::reason::{self, refresh};

/// A session ID we are willing to put in a Backend API path.
fn is_plain_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Run<'_> {
    /// `handleSessionTokenError(err, carrier)` for a verifier refusal.
    pub(crate) fn token_error(
        &mut self,
        refusal: Refusal,
        carrier: TokenCarrier,
    ) -> Result<Step, DecideError> {
        let eligible = refusal.reason == "token-expired"
            && self.ctx.refresh_cookie.is_some()
            && self.ctx.is_get();
        if !eligible {
            let refresh_error = if !self.ctx.is_get() {
                Some(refresh::NON_ELIGIBLE_NON_GET)
            } else if self.ctx.refresh_cookie.is_none() {
                Some(refresh::NON_ELIGIBLE_NO_COOKIE)
            } else {
                None
            };
            return self.finish_token_error(&refusal, carrier, refresh_error);
        }
        match self.refresh_call() {
            Ok((session_id, call)) => Ok(self.ask(
                HostRequest::RefreshSession { session_id, call },
                Waiting::Refresh { carrier, refusal },
            )),
            Err(refresh_error) => self.finish_token_error(&refusal, carrier, Some(refresh_error)),
        }
    }

    /// Clerk's `refreshToken` up to the Backend API call.
    fn refresh_call(&mut self) -> Result<(String, BapiCall), &'static str> {
        let expired = self
            .ctx
            .session_token()
            .ok_or(refresh::MISSING_SESSION_TOKEN)?
            .to_owned();
        let refresh_token = self.ctx.refresh_cookie.clone().unwrap_or_default();
        let facts = facts(&expired);
        let decoded = facts
            .decoded()
            .ok_or(refresh::EXPIRED_SESSION_TOKEN_DECODE_FAILED)?;
        let session_id = match decoded.unverified_payload().get("sid") {
            Some(Value::String(sid)) if !sid.is_empty() => sid.clone(),
            _ => return Err(refresh::EXPIRED_SESSION_TOKEN_MISSING_SID_CLAIM),
        };
        if !is_plain_id(&session_id) {
            // Clerk joins the raw `sid` into the path (refusing only dot segments); we refuse
            // anything that is not a plain ID, and report what Clerk reports for a bad path.
            self.log(
                "error",
                "portcullis: the expired session token's sid is not a plain ID; not refreshing.",
            );
            return Err(refresh::UNEXPECTED_BAPI_ERROR);
        }
        let request_headers: Map<String, Value> = self
            .ctx
            .req
            .headers()
            .iter()
            .map(|(name, value)| (name.clone(), json!([value])))
            .collect();
        let body = json!({
            "format": "cookie",
            "expired_token": expired,
            "refresh_token": refresh_token,
            "request_origin": js::origin(self.ctx.clerk_url()),
            "request_headers": request_headers,
        });
        let query = if self.ctx.suffixed {
            vec![("suffixed_cookies".to_owned(), "true".to_owned())]
        } else {
            Vec::new()
        };
        let path = format!(
            "/{}/sessions/{session_id}/refresh",
            self.ctx.config.api_version
        );
        Ok((session_id, BapiCall::new("POST", path, query, Some(body))))
    }

    /// The Backend API answered the refresh.
    pub(crate) fn answer_refresh(
        &mut self,
        answer: HostAnswer,
        carrier: TokenCarrier,
        refusal: Refusal,
        unexpected: DecideError,
    ) -> Result<Step, DecideError> {
        let cookies = match answer {
            HostAnswer::SessionCookies { cookies } => cookies,
            HostAnswer::ApiError { code, .. } => {
                let refresh_error = match code.as_deref() {
                    Some("unexpected_error") => refresh::FETCH_ERROR.to_owned(),
                    Some(code) if !code.is_empty() => code.to_owned(),
                    _ => refresh::UNEXPECTED_BAPI_ERROR.to_owned(),
                };
                return self.finish_token_error(&refusal, carrier, Some(&refresh_error));
            }
            HostAnswer::NetworkError { .. } => {
                return self.finish_token_error(&refusal, carrier, Some(refresh::FETCH_ERROR))
            }
            HostAnswer::Unavailable => {
                return self.finish_token_error(
                    &refusal,
                    carrier,
                    Some(refresh::MISSING_API_CLIENT),
                )
            }
            _ => return Err(unexpected),
        };
        if cookies.is_empty() {
            return self.finish_token_error(&refusal, carrier, Some(refresh::UNEXPECTED_SDK_ERROR));
        }
        let (headers, session) = cookie_headers(&cookies)?;
        match session.flatten().filter(|token| !token.is_empty()) {
            Some(token) => Ok(self.ask(
                HostRequest::VerifySessionToken {
                    token: token.clone(),
                    carrier: TokenCarrier::Cookie,
                    clock_skew_in_ms: None,
                },
                Waiting::RefreshedToken {
                    carrier,
                    refusal,
                    headers,
                    token,
                },
            )),
            // An empty or missing `__session` cannot verify.
            None => {
                self.finish_token_error(&refusal, carrier, Some(refresh::INVALID_SESSION_TOKEN))
            }
        }
    }

    /// The end of `handleSessionTokenError`: a handshake for time-related reasons, else signed out.
    pub(crate) fn finish_token_error(
        &mut self,
        refusal: &Refusal,
        carrier: TokenCarrier,
        refresh_error: Option<&str>,
    ) -> Result<Step, DecideError> {
        let message = format!(
            "{} (reason={}, token-carrier={})",
            refusal.message,
            refusal.reason,
            carrier.as_str()
        );
        let handshake_reason = match refusal.reason.as_str() {
            "token-expired" => Some(format!(
                "{}-refresh-{}",
                reason::SESSION_TOKEN_EXPIRED,
                refresh_error.unwrap_or("null")
            )),
            "token-not-active-yet" => Some(reason::SESSION_TOKEN_NBF.to_owned()),
            "token-iat-in-the-future" => Some(reason::SESSION_TOKEN_IAT_IN_THE_FUTURE.to_owned()),
            _ => None,
        };
        if let Some(handshake_reason) = handshake_reason {
            return self.maybe_handshake(&handshake_reason, &message, None);
        }
        // The host's reason code becomes a header value: keep it to Clerk's code alphabet.
        let code_ok = !refusal.reason.is_empty()
            && refusal
                .reason
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let reason = if code_ok {
            refusal.reason.as_str()
        } else {
            reason::UNEXPECTED_ERROR
        };
        Ok(self.signed_out(Some(TokenType::SessionToken), reason, &message, Vec::new()))
    }
}
