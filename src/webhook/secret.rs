//! The endpoint's signing secret (`whsec_` + base64), decoded the way svix decodes it.
//!
//! Why lenient in the same places as svix: a secret that works with the `svix` package must work
//! here, so the `whsec_` prefix is optional (svix strips it when present) and base64 padding and
//! trailing bits are not checked (svix's decoder checks neither). Why stricter elsewhere: svix
//! accepts an empty key (`"whsec_"`) and keys of a few bytes, which make the HMAC guessable; we
//! refuse anything under 16 bytes, and name the fix when the value is clearly another Clerk key.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

use super::error::{SecretProblem, WebhookError};

/// The prefix Svix and Clerk put in front of the base64 key.
pub const PREFIX: &str = "whsec_";

/// Fewer bytes than this cannot be a real signing secret (Svix generates 24).
pub const MIN_KEY_BYTES: usize = 16;

/// svix's decoder: standard alphabet, padding optional, trailing bits ignored.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A decoded HMAC key. Its `Debug` output never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(Vec<u8>);

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningSecret({} bytes)", self.0.len())
    }
}

impl SigningSecret {
    /// Parses `whsec_<base64>` (or the bare base64, as svix allows).
    pub fn parse(secret: &str) -> Result<SigningSecret, WebhookError> {
        if secret.is_empty() {
            return Err(WebhookError::MissingSecret);
        }
        let invalid = |problem| Err(WebhookError::InvalidSecret { problem });
        if secret.starts_with("sk_test_") || secret.starts_with("sk_live_") {
            return invalid(SecretProblem::ClerkSecretKey);
        }
        if secret.starts_with("pk_test_") || secret.starts_with("pk_live_") {
            return invalid(SecretProblem::PublishableKey);
        }
        if secret.bytes().any(|b| b.is_ascii_whitespace()) {
            return invalid(SecretProblem::Whitespace);
        }
        let encoded = secret.strip_prefix(PREFIX).unwrap_or(secret);
        let key = match LENIENT.decode(encoded) {
            Ok(key) => key,
            Err(_) => return invalid(SecretProblem::NotBase64),
        };
        if key.len() < MIN_KEY_BYTES {
            return invalid(SecretProblem::TooShort { bytes: key.len() });
        }
        Ok(SigningSecret(key))
    }

    /// The HMAC key.
    pub fn key(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_optional_and_padding_indifferent() {
        let padded = SigningSecret::parse("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBk=").unwrap();
        let bare = SigningSecret::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBk").unwrap();
        assert_eq!(padded, bare);
        assert_eq!(padded.key().len(), 26);
        assert_eq!(format!("{padded:?}"), "SigningSecret(26 bytes)");
    }

    #[test]
    fn refusals_name_the_problem() {
        let problem = |s: &str| match SigningSecret::parse(s) {
            Err(WebhookError::InvalidSecret { problem }) => problem,
            other => panic!("{s}: {other:?}"),
        };
        assert_eq!(problem("sk_test_abc"), SecretProblem::ClerkSecretKey);
        assert_eq!(problem("pk_live_abc"), SecretProblem::PublishableKey);
        assert_eq!(
            problem("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX\n"),
            SecretProblem::Whitespace
        );
        assert_eq!(problem("whsec_AAEC-_"), SecretProblem::NotBase64);
        assert_eq!(problem("whsec_"), SecretProblem::TooShort { bytes: 0 });
        assert_eq!(SigningSecret::parse(""), Err(WebhookError::MissingSecret));
    }
}
