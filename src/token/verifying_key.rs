//! One verification key: a PEM public key or a JWK parsed into a typed key, the algorithms it
//! allows, and its signature check.
//!
//! A key decides its algorithm family (RSA → RS256/384/512, P-256 → ES256, Ed25519 → EdDSA) and, when
//! its JWK says `alg`, the exact algorithm; a token can only pick among what its key allows. Every
//! check that makes a key unsafe to use (RSA under 2048 bits, private material, `use` other than
//! `sig`, an `alg` that does not fit the key type) is made here, once, when the key is read — a
//! [`VerifyingKey`] that exists is usable. Key *sets* (kids, PEM vs JWKS rules) are keys.rs's.

use std::fmt;

use jwt_compact::alg::{Ed25519, Es256, Rsa, RsaSignature};
use jwt_compact::jwk::JsonWebKey;
use jwt_compact::{Algorithm, AlgorithmSignature};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Map, Value};

/// RSA keys shorter than this are refused (RFC 7518 §3.3).
pub const MIN_RSA_BITS: usize = 2048;

/// A signature algorithm we verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// Ed25519.
    EdDsa,
}

impl Alg {
    /// Every algorithm, in preference order.
    pub const ALL: [Alg; 5] = [Alg::Rs256, Alg::Rs384, Alg::Rs512, Alg::Es256, Alg::EdDsa];

    /// The JOSE name.
    pub fn name(self) -> &'static str {
        match self {
            Alg::Rs256 => "RS256",
            Alg::Rs384 => "RS384",
            Alg::Rs512 => "RS512",
            Alg::Es256 => "ES256",
            Alg::EdDsa => "EdDSA",
        }
    }

    /// Parses a JOSE name (exact, case-sensitive).
    pub fn from_name(name: &str) -> Option<Alg> {
        Alg::ALL.into_iter().find(|alg| alg.name() == name)
    }
}

impl fmt::Display for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The key material, by family.
#[derive(Debug, Clone)]
enum KeyKind {
    Rsa(rsa::RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_compact::PublicKey),
}

/// A usable public key.
#[derive(Debug, Clone)]
pub struct VerifyingKey {
    kind: KeyKind,
    /// The JWK's own `alg`, which pins the algorithm.
    pinned: Option<Alg>,
    /// The public key as a minimal JWK (JSON text), for the host's WebCrypto `importKey`.
    host_jwk: String,
}

impl VerifyingKey {
    /// The algorithms this key can verify (before the configured allow-list is applied).
    pub fn algorithms(&self) -> &'static [Alg] {
        // `typed_key` guarantees a pinned algorithm fits the key's family.
        match (&self.kind, self.pinned) {
            (KeyKind::Rsa(_), Some(Alg::Rs256)) => &[Alg::Rs256],
            (KeyKind::Rsa(_), Some(Alg::Rs384)) => &[Alg::Rs384],
            (KeyKind::Rsa(_), Some(Alg::Rs512)) => &[Alg::Rs512],
            (KeyKind::Rsa(_), _) => &[Alg::Rs256, Alg::Rs384, Alg::Rs512],
            (KeyKind::P256(_), _) => &[Alg::Es256],
            (KeyKind::Ed25519(_), _) => &[Alg::EdDsa],
        }
    }

    /// The minimal public JWK (`kty` and key material only), as JSON text.
    pub fn host_jwk(&self) -> &str {
        &self.host_jwk
    }

    /// Checks a signature in Rust. `alg` must be one of [`Self::algorithms`].
    pub fn verify(&self, alg: Alg, message: &[u8], signature: &[u8]) -> bool {
        if !self.signature_is_well_formed(alg, signature) {
            return false;
        }
        match (&self.kind, alg) {
            (KeyKind::Rsa(key), Alg::Rs256 | Alg::Rs384 | Alg::Rs512) => {
                let algorithm = match alg {
                    Alg::Rs256 => Rsa::rs256(),
                    Alg::Rs384 => Rsa::rs384(),
                    _ => Rsa::rs512(),
                };
                RsaSignature::try_from_slice(signature)
                    .is_ok_and(|sig| algorithm.verify_signature(&sig, key, message))
            }
            (KeyKind::P256(key), Alg::Es256) => p256::ecdsa::Signature::try_from(signature)
                .is_ok_and(|sig| Es256.verify_signature(&sig, key, message)),
            (KeyKind::Ed25519(key), Alg::EdDsa) => {
                <Ed25519 as Algorithm>::Signature::try_from_slice(signature)
                    .is_ok_and(|sig| Ed25519.verify_signature(&sig, key, message))
            }
            _ => false,
        }
    }

    /// Shape checks that must pass before any engine (ours or the host's) sees the signature:
    /// exact lengths, and for ECDSA `r` and `s` in `1..n` (zero scalars are the "psychic signature"
    /// class of bugs). A high `s` is accepted: RFC 7518 does not ask for low-S, common signers
    /// (OpenSSL, WebCrypto) emit it half the time, and nothing here keys on signature bytes alone.
    pub fn signature_is_well_formed(&self, alg: Alg, signature: &[u8]) -> bool {
        match (&self.kind, alg) {
            (KeyKind::Rsa(key), _) => signature.len() == key.size(),
            (KeyKind::P256(_), Alg::Es256) => p256::ecdsa::Signature::try_from(signature).is_ok(),
            (KeyKind::Ed25519(_), Alg::EdDsa) => signature.len() == 64,
            _ => false,
        }
    }
}

/// Reads a PEM public key (see `KeySet::from_pem` for the forms accepted).
pub(super) fn pem_key(pem: &str) -> Result<VerifyingKey, String> {
    let text = pem.trim().replace("\\n", "\n");
    let text = if text.starts_with("-----BEGIN") {
        text
    } else {
        format!("-----BEGIN PUBLIC KEY-----\n{text}\n-----END PUBLIC KEY-----")
    };
    let kind = if text.contains("BEGIN RSA PUBLIC KEY") {
        rsa::RsaPublicKey::from_pkcs1_pem(&text)
            .map(KeyKind::Rsa)
            .map_err(|e| e.to_string())
    } else {
        rsa::RsaPublicKey::from_public_key_pem(&text)
            .map(KeyKind::Rsa)
            .or_else(|_| {
                p256::PublicKey::from_public_key_pem(&text).map(|k| KeyKind::P256(k.into()))
            })
            .or_else(|_| ed25519_from_spki_pem(&text).map(KeyKind::Ed25519))
            .map_err(|e| format!("it could not be parsed ({e})"))
    }?;
    typed_key(kind, None)
}

/// Reads one JWK of a key set.
pub(super) fn jwk_key(fields: &Map<String, Value>) -> Result<VerifyingKey, String> {
    if let Some(usage) = fields.get("use") {
        if usage != "sig" {
            return Err(format!("its `use` is {usage}, not \"sig\""));
        }
    }
    if let Some(ops) = fields.get("key_ops") {
        let verifies = ops
            .as_array()
            .is_some_and(|ops| ops.iter().any(|op| op == "verify"));
        if !verifies {
            return Err("its `key_ops` do not include \"verify\"".into());
        }
    }
    let pinned = match fields.get("alg") {
        None => None,
        Some(Value::String(name)) => Some(
            Alg::from_name(name).ok_or_else(|| format!("its algorithm {name} is not supported"))?,
        ),
        Some(_) => return Err("its `alg` is not a string".into()),
    };
    let jwk: JsonWebKey<'_> = serde_json::from_value(Value::Object(fields.clone()))
        .map_err(|e| format!("it is not a valid public JWK ({e})"))?;
    if jwk.is_signing_key() {
        return Err("it contains private key material; publish only public keys".into());
    }
    let kind = match &jwk {
        JsonWebKey::Rsa { .. } => rsa::RsaPublicKey::try_from(&jwk)
            .map(KeyKind::Rsa)
            .map_err(|e| e.to_string()),
        JsonWebKey::EllipticCurve { curve, .. } if curve == "P-256" => {
            p256::ecdsa::VerifyingKey::try_from(&jwk)
                .map(KeyKind::P256)
                .map_err(|e| e.to_string())
        }
        JsonWebKey::KeyPair { curve, .. } if curve == "Ed25519" => {
            ed25519_compact::PublicKey::try_from(&jwk)
                .map(KeyKind::Ed25519)
                .map_err(|e| e.to_string())
        }
        other => Err(format!("key type {:?} is not supported", other.key_type())),
    }
    .map_err(|why| format!("it is not a valid key ({why})"))?;
    typed_key(kind, pinned)
}

/// Final checks shared by JWK and PEM keys; builds the host JWK.
fn typed_key(kind: KeyKind, pinned: Option<Alg>) -> Result<VerifyingKey, String> {
    let b64 = |bytes: &[u8]| {
        use base64::Engine as _;
        Value::String(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    };
    let host_jwk = match &kind {
        KeyKind::Rsa(key) => {
            let bits = key.n().bits();
            if bits < MIN_RSA_BITS {
                return Err(format!(
                    "it is a {bits}-bit RSA key; at least {MIN_RSA_BITS} bits are required"
                ));
            }
            serde_json::json!({ "kty": "RSA", "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be()) })
        }
        KeyKind::P256(key) => {
            let point = key.to_encoded_point(false);
            let (Some(x), Some(y)) = (point.x(), point.y()) else {
                return Err("it is the identity point".into());
            };
            serde_json::json!({ "kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y) })
        }
        KeyKind::Ed25519(key) => {
            serde_json::json!({ "kty": "OKP", "crv": "Ed25519", "x": b64(key.as_ref()) })
        }
    };
    let key = VerifyingKey {
        kind,
        pinned,
        host_jwk: host_jwk.to_string(),
    };
    if let Some(alg) = pinned {
        let family_ok = match key.kind {
            KeyKind::Rsa(_) => matches!(alg, Alg::Rs256 | Alg::Rs384 | Alg::Rs512),
            KeyKind::P256(_) => alg == Alg::Es256,
            KeyKind::Ed25519(_) => alg == Alg::EdDsa,
        };
        if !family_ok {
            return Err(format!("its `alg` {alg} does not fit its key type"));
        }
    }
    Ok(key)
}

/// Ed25519 SPKI (RFC 8410): OID 1.3.101.112 and a 32-byte key.
fn ed25519_from_spki_pem(pem: &str) -> Result<ed25519_compact::PublicKey, String> {
    use p256::pkcs8::der::Decode;
    let (_, der) = p256::pkcs8::der::pem::decode_vec(pem.as_bytes()).map_err(|e| e.to_string())?;
    let spki =
        p256::pkcs8::spki::SubjectPublicKeyInfoRef::from_der(&der).map_err(|e| e.to_string())?;
    if spki.algorithm.oid.to_string() != "1.3.101.112" {
        return Err("not an RSA, P-256 or Ed25519 public key".into());
    }
    let bytes = spki
        .subject_public_key
        .as_bytes()
        .ok_or("malformed key bits")?;
    ed25519_compact::PublicKey::from_slice(bytes).map_err(|e| e.to_string())
}
