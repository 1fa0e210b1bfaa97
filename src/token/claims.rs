//! Claim checks: `sub` → `aud` → `azp` → `iss` → `exp` → `nbf` → `iat`, at the caller's `now`.
//!
//! Why a module of its own: these checks read only the payload, the options and the clock — never
//! the header, the token kind or a key — and they run after the signature is judged. Keeping them
//! apart from [`super::verify`] (which owns the order of the header, key and signature steps) puts
//! Clerk's claim wording, the NumericDate and clock-skew rules and the date formatting for messages
//! in one place.

use serde_json::{Map, Value};

use super::error::{Reason, TokenError};
use super::verify::VerifyOptions;

/// Checks the claims in Clerk's order; returns the validity window.
pub(super) fn check_claims(
    claims: &Map<String, Value>,
    options: &VerifyOptions,
    now_ms: i64,
) -> Result<(Option<f64>, f64), TokenError> {
    let failed = |message: String| TokenError::new(Reason::VerificationFailed, message);
    match claims.get("sub") {
        Some(Value::String(_)) => {}
        other => {
            return Err(failed(format!(
                "Subject claim (sub) is required and must be a string. Received {}.",
                other.map_or("undefined".to_owned(), Value::to_string)
            )))
        }
    }
    check_audience(claims.get("aud"), options)?;
    if !options.authorized_parties.is_empty() {
        let azp = claims
            .get("azp")
            .and_then(Value::as_str)
            .filter(|azp| !azp.is_empty());
        if !azp.is_some_and(|azp| options.authorized_parties.iter().any(|party| party == azp)) {
            return Err(TokenError::new(
                Reason::InvalidAuthorizedParties,
                format!(
                    "Invalid JWT Authorized party claim (azp) {}. Expected one of \"{}\": add the origin of the app \
                     that obtained this token to authorizedParties, or check where the token came from.",
                    claims.get("azp").map_or("undefined".to_owned(), Value::to_string),
                    options.authorized_parties.join(",")
                ),
            ));
        }
    }
    if !options.issuers.is_empty() {
        let iss = claims.get("iss").and_then(Value::as_str);
        if !iss.is_some_and(|iss| options.issuers.iter().any(|allowed| allowed == iss)) {
            return Err(TokenError::new(
                Reason::InvalidIssuer,
                format!(
                    "Invalid JWT issuer (iss) {}. Expected one of \"{}\": the token comes from another issuer or instance.",
                    claims.get("iss").map_or("undefined".to_owned(), Value::to_string),
                    options.issuers.join(",")
                ),
            ));
        }
    }
    let skew = options.clock_skew_ms as f64;
    let now = now_ms as f64;
    let exp = time_claim(claims, "exp")?.ok_or_else(|| {
        failed("Invalid JWT expiry date claim (exp) undefined. Expected number.".into())
    })?;
    if exp <= now - skew {
        return Err(TokenError::new(
            Reason::Expired,
            format!(
                "JWT is expired. Expiry date: {}, current date: {}. {}",
                date(exp),
                date(now),
                SKEW_HINT
            ),
        ));
    }
    let nbf = time_claim(claims, "nbf")?;
    if let Some(nbf) = nbf.filter(|nbf| *nbf > now + skew) {
        return Err(TokenError::new(
            Reason::NotActiveYet,
            format!("JWT cannot be used prior to not before date claim (nbf). Not before date: {}; current date: {}. {}", date(nbf), date(now), SKEW_HINT),
        ));
    }
    let iat = time_claim(claims, "iat")?;
    if let Some(iat) = iat.filter(|iat| *iat > now + skew) {
        return Err(TokenError::new(
            Reason::IatInTheFuture,
            format!("JWT issued at date claim (iat) is in the future. Issued at date: {}; current date: {}. {}", date(iat), date(now), SKEW_HINT),
        ));
    }
    let valid_from = [nbf, iat]
        .into_iter()
        .flatten()
        .reduce(f64::max)
        .map(|t| t - skew);
    Ok((valid_from, exp + skew))
}

const SKEW_HINT: &str = "If this machine's clock is wrong, fix it (or raise clockSkewInMs).";

/// With `audience` configured, the token's `aud` must name one of them. Clerk skips the check when
/// the token has no `aud` (or one of the wrong type), which makes the option a silent no-op for
/// exactly the tokens it should refuse; we do not.
fn check_audience(aud: Option<&Value>, options: &VerifyOptions) -> Result<(), TokenError> {
    let wanted: Vec<&str> = options
        .audience
        .iter()
        .map(String::as_str)
        .filter(|a| !a.is_empty())
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let failed = || {
        TokenError::new(
            Reason::VerificationFailed,
            format!(
                "Invalid JWT audience claim (aud) {}. Is not included in \"{}\".",
                aud.map_or("undefined".to_owned(), Value::to_string),
                wanted.join(",")
            ),
        )
    };
    let present: Vec<&str> = match aud {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => {
            let strings: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            strings.ok_or_else(failed)?
        }
        Some(_) => return Err(failed()),
    };
    if present.iter().any(|a| !a.is_empty() && wanted.contains(a)) {
        Ok(())
    } else {
        Err(failed())
    }
}

/// A NumericDate claim in milliseconds, truncated to whole seconds like `Date#setUTCSeconds`.
fn time_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<f64>, TokenError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => {
            // Compared as numbers: Clerk goes through `Date`, where a value past year 275760 becomes
            // NaN and every comparison with it is false — so `nbf: 1e20` would count as active.
            // JSON numbers are always finite here (serde_json refuses overflowing literals).
            Ok(Some(n.as_f64().unwrap_or(f64::NAN).trunc() * 1000.0))
        }
        Some(other) => Err(TokenError::new(
            Reason::VerificationFailed,
            format!("Invalid JWT {name} claim {other}. Expected number."),
        )),
    }
}

/// An instant as an RFC 3339 UTC string (for messages).
fn date(ms: f64) -> String {
    let secs = (ms / 1000.0).floor() as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::date;

    #[test]
    fn formats_dates() {
        assert_eq!(date(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(date(1_767_225_600_000.0), "2026-01-01T00:00:00Z");
        assert_eq!(date(951_782_400_000.0), "2000-02-29T00:00:00Z");
    }
}
