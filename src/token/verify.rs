//! Verification: untrusted token + keys + options + `now` → a verified token, or a reason.
//!
//! The order of checks is fixed and mirrors Clerk where Clerk is sound, so the *reason* a bad token
//! gets is the same: parse → category → `typ` → algorithm allow-list → key (by `kid`) → algorithm vs
//! key → signature → `sub` → `aud` → `azp` → `iss` → `exp` → `nbf` → `iat`. One deliberate change:
//! header checks run before key resolution, so a garbage token never causes a key-set fetch.
//! The claim steps (`sub` onwards) are in `claims`.
//!
//! Signature checking is split out ([`Pending`]) so a host with fast native crypto (WebCrypto) can do
//! that one step while every decision stays here.

use serde_json::{Map, Value};

use super::claims::check_claims;
use super::error::{invalid, Reason, TokenError};
use super::keys::KeySet;
use super::untrusted::{Header, UntrustedToken};
use super::verifying_key::{Alg, VerifyingKey};

/// Clerk's token categories (`cat` header).
pub mod category {
    /// A session token.
    pub const SESSION: &str = "cl_B7d4PD111AAA";
    /// A JWT-template token.
    pub const TEMPLATE: &str = "cl_B7d4PD222AAA";
    /// A machine-to-machine token.
    pub const M2M: &str = "cl_B7d4PD333AAA";
    /// "Ignore" (accepted like a session token).
    pub const IGNORE: &str = "cl_I7d4PD111III";
}

/// Which rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Clerk session tokens: RS256/RS384/RS512 only.
    #[default]
    Clerk,
    /// Any OpenID Connect issuer: adds ES256 and EdDSA.
    Oidc,
}

impl Profile {
    fn algorithms(self) -> &'static [Alg] {
        match self {
            Profile::Clerk => &[Alg::Rs256, Alg::Rs384, Alg::Rs512],
            Profile::Oidc => &Alg::ALL,
        }
    }
}

/// Which kind of Clerk JWT is verified: the category and `typ` rules differ (Clerk's `verifyToken`,
/// `verifyM2MJwt`, `verifyOAuthJwt`); the signature and claim checks are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenKind {
    /// A session token: session (or ignore) category, `typ` absent or `JWT`.
    #[default]
    Session,
    /// An M2M JWT: category absent or M2M, `typ` absent or `JWT`.
    M2m,
    /// An OAuth access-token JWT: any category, `typ` `at+jwt` or `application/at+jwt`.
    OAuth,
}

/// Clerk's `OAUTH_ACCESS_TOKEN_TYPES`.
pub(crate) const OAUTH_TYPES: [&str; 2] = ["at+jwt", "application/at+jwt"];

/// Clerk's M2M JWT category rule: `cat` absent or the M2M category.
pub(crate) fn check_m2m_category(header: &Header) -> Result<(), TokenError> {
    match header.raw.get("cat") {
        None => Ok(()),
        Some(Value::String(cat)) if cat == category::M2M => Ok(()),
        Some(_) => Err(invalid("Invalid M2M JWT category.".to_owned())),
    }
}

/// Clerk's default clock skew.
pub const DEFAULT_CLOCK_SKEW_MS: u64 = 5_000;

/// What a token must satisfy besides its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Algorithm family rules.
    pub profile: Profile,
    /// Further restricts the profile's algorithms (empty: the profile's).
    pub algorithms: Vec<Alg>,
    /// When non-empty, `azp` must be one of these.
    pub authorized_parties: Vec<String>,
    /// When non-empty, a token's `aud` must intersect these (Clerk profile: only if the token has one).
    pub audience: Vec<String>,
    /// Tolerance for `exp`, `nbf` and `iat`.
    pub clock_skew_ms: u64,
    /// When non-empty, `iss` must be one of these.
    pub issuers: Vec<String>,
    /// Accept JWT-template tokens (`cat` = template) as well as session tokens.
    pub accept_template_tokens: bool,
    /// Session token (default) or a machine JWT.
    pub token_kind: TokenKind,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            profile: Profile::Clerk,
            algorithms: Vec::new(),
            authorized_parties: Vec::new(),
            audience: Vec::new(),
            clock_skew_ms: DEFAULT_CLOCK_SKEW_MS,
            issuers: Vec::new(),
            accept_template_tokens: false,
            token_kind: TokenKind::Session,
        }
    }
}

/// A token whose header checks passed and whose key is known; only the signature is left to check.
#[derive(Debug, Clone)]
pub struct Pending {
    token: UntrustedToken,
    key: VerifyingKey,
    alg: Alg,
}

/// A token whose signature and claims verified at `now`.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    /// The protected header.
    pub header: Header,
    /// The claims.
    pub claims: Map<String, Value>,
    /// First instant (ms, inclusive) at which the time claims pass, if bounded.
    pub valid_from_ms: Option<f64>,
    /// First instant (ms) at which the token counts as expired.
    pub valid_until_ms: f64,
}

impl VerifyOptions {
    /// Runs every check up to the signature.
    pub fn prepare(&self, token: &str, keys: &KeySet) -> Result<Pending, TokenError> {
        let token = UntrustedToken::parse(token)?;
        let alg = self.check_header(&token)?;
        self.prepare_checked(token, alg, keys)
    }

    /// The checks that need no key: category, `typ` and the algorithm allow-list. Returns the
    /// algorithm the token asks for. Run it before fetching keys for a token.
    pub fn check_header(&self, token: &UntrustedToken) -> Result<Alg, TokenError> {
        match self.token_kind {
            TokenKind::Session => self.check_category(&token.header)?,
            TokenKind::M2m => check_m2m_category(&token.header)?,
            TokenKind::OAuth => {}
        }
        let typ = token.header.typ.as_deref();
        if self.token_kind == TokenKind::OAuth {
            if !typ.is_some_and(|typ| OAUTH_TYPES.contains(&typ)) {
                return Err(invalid(format!(
                    "Invalid JWT type {}. Expected \"{}\".",
                    typ.map_or("undefined".to_owned(), |t| format!("\"{t}\"")),
                    OAUTH_TYPES.join(", ")
                )));
            }
        } else if let Some(typ) = typ {
            if typ != "JWT" {
                return Err(invalid(format!(
                    "Invalid JWT type \"{typ}\". Expected \"JWT\"."
                )));
            }
        }
        self.allowed_algorithm(&token.header)
    }

    /// Continues [`Self::check_header`]: picks the key and checks it can verify `alg`.
    pub fn prepare_checked(
        &self,
        token: UntrustedToken,
        alg: Alg,
        keys: &KeySet,
    ) -> Result<Pending, TokenError> {
        let key = keys.select(token.header.kid.as_deref())?;
        if !key.algorithms().contains(&alg) {
            let names: Vec<&str> = key.algorithms().iter().map(|a| a.name()).collect();
            return Err(TokenError::new(
                Reason::InvalidAlgorithm,
                format!(
                    "The token says alg {alg}, but its key only verifies {}.",
                    names.join(", ")
                ),
            ));
        }
        Ok(Pending {
            token,
            key: key.clone(),
            alg,
        })
    }

    /// Parses, checks and verifies `token` entirely in Rust.
    pub fn verify(
        &self,
        token: &str,
        keys: &KeySet,
        now_ms: i64,
    ) -> Result<VerifiedToken, TokenError> {
        let pending = self.prepare(token, keys)?;
        let valid = pending.verify_signature();
        pending.finish(valid, self, now_ms)
    }

    fn check_category(&self, header: &Header) -> Result<(), TokenError> {
        let cat = match header.raw.get("cat") {
            None => return Ok(()),
            Some(Value::String(cat)) => cat.as_str(),
            Some(other) => {
                return Err(invalid(format!(
                    "The token's category (cat: {other}) is not a string."
                )))
            }
        };
        // Categories are Clerk's: other issuers' tokens only have to avoid Clerk's machine category.
        let allowed = match self.profile {
            Profile::Clerk => {
                cat == category::SESSION
                    || cat == category::IGNORE
                    || (cat == category::TEMPLATE && self.accept_template_tokens)
            }
            Profile::Oidc => cat != category::M2M,
        };
        if allowed {
            return Ok(());
        }
        let kind = match cat {
            category::M2M => "a machine-to-machine token",
            category::TEMPLATE => "a JWT-template token (set acceptTemplateTokens to accept those)",
            _ => "not a session token",
        };
        Err(invalid(format!(
            "The token's category (cat: \"{cat}\") is {kind}; a session token is required here."
        )))
    }

    fn allowed_algorithm(&self, header: &Header) -> Result<Alg, TokenError> {
        let allowed: Vec<Alg> = self
            .profile
            .algorithms()
            .iter()
            .copied()
            .filter(|alg| self.algorithms.is_empty() || self.algorithms.contains(alg))
            .collect();
        let names = || {
            allowed
                .iter()
                .map(|a| a.name())
                .collect::<Vec<_>>()
                .join(",")
        };
        let Some(name) = header.alg.as_deref() else {
            return Err(TokenError::new(
                Reason::InvalidAlgorithm,
                format!("The JWT header has no alg. Supported: {}.", names()),
            ));
        };
        match Alg::from_name(name) {
            Some(alg) if allowed.contains(&alg) => Ok(alg),
            _ => Err(TokenError::new(
                Reason::InvalidAlgorithm,
                format!("Invalid JWT algorithm \"{name}\". Supported: {}.", names()),
            )),
        }
    }
}

impl Pending {
    /// The algorithm the signature must be checked with.
    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// The key the signature must be checked with.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The bytes the signature covers.
    pub fn signing_input(&self) -> &[u8] {
        self.token.signing_input()
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        self.token.signature()
    }

    /// Whether the signature has a shape any engine may be asked about (length, low-S ECDSA).
    /// A host verifying the signature itself must treat `false` as an invalid signature.
    pub fn signature_is_well_formed(&self) -> bool {
        self.key
            .signature_is_well_formed(self.alg, self.token.signature())
    }

    /// Checks the signature in Rust.
    pub fn verify_signature(&self) -> bool {
        self.key
            .verify(self.alg, self.token.signing_input(), self.token.signature())
    }

    /// Given the signature verdict, checks the claims at `now_ms`. The signature is judged first,
    /// so a forged token never learns anything about its claims.
    pub fn finish(
        self,
        signature_valid: bool,
        options: &VerifyOptions,
        now_ms: i64,
    ) -> Result<VerifiedToken, TokenError> {
        if !signature_valid || !self.signature_is_well_formed() {
            return Err(TokenError::new(
                Reason::InvalidSignature,
                "JWT signature is invalid. The token was altered or signed by another key; if you switched \
                 Clerk instances or keys, sign in again (clear this site's cookies).",
            ));
        }
        let claims = self.token.payload;
        let window = check_claims(&claims, options, now_ms)?;
        Ok(VerifiedToken {
            header: self.token.header,
            claims,
            valid_from_ms: window.0,
            valid_until_ms: window.1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;

    #[test]
    fn token_kinds_have_their_own_typ_and_category_rules() {
        let check = |kind: TokenKind, header: &str| {
            let token = format!("{}.e30.c2ln", URL_SAFE_NO_PAD.encode(header));
            let options = VerifyOptions {
                token_kind: kind,
                ..VerifyOptions::default()
            };
            options
                .check_header(&UntrustedToken::parse(&token).unwrap())
                .map_err(|e| e.message)
        };
        let m2m_cat = r#"{"alg":"RS256","typ":"JWT","cat":"cl_B7d4PD333AAA"}"#;
        assert!(check(TokenKind::Session, m2m_cat).is_err());
        assert!(check(TokenKind::M2m, m2m_cat).is_ok());
        assert!(check(TokenKind::M2m, r#"{"alg":"RS256"}"#).is_ok());
        assert_eq!(
            check(TokenKind::M2m, r#"{"alg":"RS256","cat":"cl_B7d4PD111AAA"}"#),
            Err("Invalid M2M JWT category.".to_owned())
        );
        assert!(check(TokenKind::OAuth, r#"{"alg":"RS256","typ":"at+jwt"}"#).is_ok());
        assert!(check(
            TokenKind::OAuth,
            r#"{"alg":"RS256","typ":"application/at+jwt"}"#
        )
        .is_ok());
        assert_eq!(
            check(TokenKind::OAuth, r#"{"alg":"RS256","typ":"JWT"}"#),
            Err(r#"Invalid JWT type "JWT". Expected "at+jwt, application/at+jwt"."#.to_owned())
        );
        assert!(check(TokenKind::OAuth, r#"{"alg":"RS256"}"#).is_err());
        assert!(check(TokenKind::Session, r#"{"alg":"RS256","typ":"at+jwt"}"#).is_err());
    }
}
