//! The entry points and the top of Clerk's `authenticateRequest` (CLERK-BEHAVIOUR.md §3.2).
//!
//! `clerkMiddleware` always authenticates with `acceptsToken: 'any'`, so this is that path:
//!
//! 1. a satellite whose `signInUrl` has the request's `Origin` is refused (Clerk throws);
//! 2. a token in `Authorization` wins; cookies are then ignored entirely. A machine token is
//!    verified as Clerk does ([`super::machine`]: a Backend API call or the host's JWT verifier) and
//!    ends signed-in with its machine type, or signed-out with Clerk's machine reason
//!    (`token-invalid`, `secret-key-invalid`, `unexpected-error`, `token-verification-failed`). A
//!    JWT with a non-session `cat` (a JWT template) ends signed-out with `token-type-mismatch`, as in
//!    @clerk/backend 3.25.0 (older versions skipped that check on the `'any'` path, §7.4). Anything
//!    else goes to the host's session-token verifier;
//! 3. otherwise the cookie path ([`super::cookie_path`]).
//!
//! `Run` carries the context and the log lines; the other modules add its methods.

use std::borrow::Cow;
use std::rc::Rc;

use serde_json::{Map, Value};

use super::classify::{facts, machine_token_type, TokenType};
use super::config::{AuthConfig, UrlOption};
use super::context::Context;
use super::error::DecideError;
use super::host::{
    HostAnswer, HostRequest, ParsedRequest, Pending, Refusal, Step, TokenCarrier, Waiting,
};
use super::js;
use super::reason;
use super::request::RequestSnapshot;
use super::state::{with_debug_headers, AuthStatus, LogEntry, RequestState};

/// Phase 1: decide, or ask the host for what is missing.
pub fn begin(
    config: &AuthConfig,
    request: &RequestSnapshot,
    now_ms: i64,
) -> Result<Step, DecideError> {
    let mut run = Run {
        ctx: Context::new(config, request, now_ms)?,
        snapshot: Cow::Borrowed(request),
        logs: Vec::new(),
    };
    run.start()
}

/// Phase 2: continue a paused decision with the host's answer.
pub fn resume(
    config: &AuthConfig,
    pending: Pending,
    answer: HostAnswer,
) -> Result<Step, DecideError> {
    let ctx = match pending.parsed.0 {
        Some((trusted, req)) if trusted == config.trust_forwarded_host => {
            Context::with_request(config, req, pending.now_ms)
        }
        _ => Context::new(config, &pending.request, pending.now_ms)?,
    };
    let mut run = Run {
        ctx,
        snapshot: Cow::Owned(pending.request),
        logs: pending.logs,
    };
    run.answer(pending.waiting, answer)
}

/// One decision in progress.
pub(crate) struct Run<'a> {
    pub ctx: Context<'a>,
    snapshot: Cow<'a, RequestSnapshot>,
    pub logs: Vec<LogEntry>,
}

impl Run<'_> {
    fn start(&mut self) -> Result<Step, DecideError> {
        let config = self.ctx.config;
        if let (true, Some(UrlOption::Absolute(sign_in)), Some(origin)) = (
            config.is_satellite,
            &config.sign_in_url,
            self.ctx.req.header("origin"),
        ) {
            if js::parse_url(sign_in).is_some_and(|url| js::origin(&url) == origin) {
                return Err(DecideError::SatelliteSignInUrlSameOrigin);
            }
        }
        let Some(token) = self.ctx.token_in_header.clone() else {
            return self.cookie_path();
        };
        if machine_token_type(&token).is_some() {
            return Ok(self.machine_token(token));
        }
        if facts(&token).has_non_session_category() {
            return Ok(self.signed_out(
                Some(TokenType::SessionToken),
                reason::TOKEN_TYPE_MISMATCH,
                "",
                Vec::new(),
            ));
        }
        Ok(self.ask(
            HostRequest::VerifySessionToken {
                token,
                carrier: TokenCarrier::Header,
                clock_skew_in_ms: None,
            },
            Waiting::HeaderToken,
        ))
    }

    fn answer(&mut self, waiting: Waiting, answer: HostAnswer) -> Result<Step, DecideError> {
        let unexpected = DecideError::UnexpectedAnswer {
            expected: waiting.expects(),
        };
        match waiting {
            Waiting::HeaderToken | Waiting::CookieToken => {
                let carrier = if waiting == Waiting::HeaderToken {
                    TokenCarrier::Header
                } else {
                    TokenCarrier::Cookie
                };
                match answer {
                    HostAnswer::Verified { claims } if carrier == TokenCarrier::Header => {
                        let token = self.ctx.token_in_header.clone().unwrap_or_default();
                        Ok(self.signed_in(token, claims, Vec::new()))
                    }
                    HostAnswer::Verified { claims } => self.after_cookie_verified(claims),
                    HostAnswer::Refused { reason, message } => {
                        self.token_error(Refusal { reason, message }, carrier)
                    }
                    HostAnswer::VerifyFailed { .. } => Ok(self.signed_out(
                        Some(TokenType::SessionToken),
                        reason::UNEXPECTED_ERROR,
                        "",
                        Vec::new(),
                    )),
                    _ => Err(unexpected),
                }
            }
            Waiting::MachineToken { token_type, via } => {
                self.answer_machine(answer, token_type, via, unexpected)
            }
            Waiting::HandshakePayload => self.answer_handshake_payload(answer, unexpected),
            Waiting::HandshakeToken => self.answer_handshake_token(answer, unexpected),
            Waiting::HandshakeSession {
                headers,
                token,
                retried,
            } => self.answer_handshake_session(answer, headers, token, retried, unexpected),
            Waiting::Refresh { carrier, refusal } => {
                self.answer_refresh(answer, carrier, refusal, unexpected)
            }
            Waiting::RefreshedToken {
                carrier,
                refusal,
                headers,
                token,
            } => match answer {
                HostAnswer::Verified { claims } => Ok(self.signed_in(token, claims, headers)),
                HostAnswer::Refused { .. } | HostAnswer::VerifyFailed { .. } => self
                    .finish_token_error(
                        &refusal,
                        carrier,
                        Some(reason::refresh::INVALID_SESSION_TOKEN),
                    ),
                _ => Err(unexpected),
            },
        }
    }

    /// Pauses for the host.
    pub(crate) fn ask(&mut self, request: HostRequest, waiting: Waiting) -> Step {
        Step::Host {
            request,
            pending: Pending {
                request: self.snapshot.clone().into_owned(),
                now_ms: self.ctx.now_ms,
                logs: std::mem::take(&mut self.logs),
                waiting,
                parsed: ParsedRequest(Some((
                    self.ctx.config.trust_forwarded_host,
                    Rc::clone(&self.ctx.req),
                ))),
            },
        }
    }

    pub(crate) fn log(&mut self, level: &str, message: impl Into<String>) {
        self.logs.push(LogEntry {
            level: level.to_owned(),
            message: message.into(),
        });
    }

    fn state(&mut self, status: AuthStatus, headers: Vec<(String, String)>) -> RequestState {
        RequestState {
            headers,
            clerk_url: self.ctx.clerk_url().to_string(),
            logs: std::mem::take(&mut self.logs),
            ..RequestState::bare(status)
        }
    }

    /// A signed-in session (no debug headers, as in Clerk).
    pub(crate) fn signed_in(
        &mut self,
        token: String,
        claims: Map<String, Value>,
        headers: Vec<(String, String)>,
    ) -> Step {
        let mut state = self.state(AuthStatus::SignedIn, headers);
        state.token = Some(token);
        state.claims = Some(claims);
        Step::Done { state }
    }

    /// Signed in with a verified machine token: `machine` is Clerk's resource for it.
    pub(crate) fn signed_in_machine(
        &mut self,
        token_type: TokenType,
        token: String,
        machine: Map<String, Value>,
    ) -> Step {
        let mut state = self.state(AuthStatus::SignedIn, Vec::new());
        state.token_type = Some(token_type);
        state.token = Some(token);
        state.machine = Some(machine);
        Step::Done { state }
    }

    /// Signed out, with the debug headers.
    pub(crate) fn signed_out(
        &mut self,
        token_type: Option<TokenType>,
        reason: &str,
        message: &str,
        headers: Vec<(String, String)>,
    ) -> Step {
        let mut state = self.state(AuthStatus::SignedOut, headers);
        state.token_type = token_type;
        state.reason = Some(reason.to_owned());
        state.message = Some(message.to_owned());
        with_debug_headers(&mut state);
        Step::Done { state }
    }

    /// A handshake redirect, with the debug headers.
    pub(crate) fn handshake_state(
        &mut self,
        reason: &str,
        message: &str,
        headers: Vec<(String, String)>,
    ) -> Step {
        let mut state = self.state(AuthStatus::Handshake, headers);
        state.reason = Some(reason.to_owned());
        state.message = Some(message.to_owned());
        with_debug_headers(&mut state);
        Step::Done { state }
    }
}
