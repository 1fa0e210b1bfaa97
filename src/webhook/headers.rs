//! The three signature headers, under Svix's names or Standard Webhooks' names.
//!
//! Why per-header fallback: svix's own `Webhook.verify` reads `svix-id ?? webhook-id` (and likewise
//! for timestamp and signature), so a request carrying both spellings is judged by the `svix-*` ones;
//! we do exactly the same so that no request is judged on different headers than svix would use.
//! Values are trimmed of HTTP whitespace as the Fetch `Headers` class does, so hosts that hand us raw
//! header values get the same answers as hosts that go through `Headers`.

/// Svix's header names, in the order they are reported when missing.
pub const SVIX: [&str; 3] = ["svix-id", "svix-timestamp", "svix-signature"];
/// Standard Webhooks' header names, used when the matching `svix-*` header is absent.
pub const STANDARD: [&str; 3] = ["webhook-id", "webhook-timestamp", "webhook-signature"];

/// The header values a webhook is verified with (`None` when absent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WebhookHeaders<'a> {
    /// `svix-id` / `webhook-id`: the message id (signed).
    pub id: Option<&'a str>,
    /// `svix-timestamp` / `webhook-timestamp`: Unix seconds (signed).
    pub timestamp: Option<&'a str>,
    /// `svix-signature` / `webhook-signature`: space-separated `v1,<base64>` entries.
    pub signature: Option<&'a str>,
}

impl<'a> WebhookHeaders<'a> {
    /// Reads the headers through `get` (a case-insensitive header lookup returning `None` when the
    /// header is absent): each `svix-*` header, or its `webhook-*` twin when the `svix-*` one is
    /// absent.
    pub fn from_lookup(mut get: impl FnMut(&str) -> Option<&'a str>) -> Self {
        let mut pick = |i: usize| get(SVIX[i]).or_else(|| get(STANDARD[i]));
        WebhookHeaders {
            id: pick(0),
            timestamp: pick(1),
            signature: pick(2),
        }
    }

    /// The three values trimmed, or the names of those that are absent or empty.
    pub(crate) fn require(&self) -> Result<[&'a str; 3], Vec<&'static str>> {
        let values = [self.id, self.timestamp, self.signature].map(|v| v.map(trim).unwrap_or(""));
        let missing: Vec<&'static str> = values
            .iter()
            .zip(SVIX)
            .filter(|(value, _)| value.is_empty())
            .map(|(_, name)| name)
            .collect();
        if missing.is_empty() {
            Ok(values)
        } else {
            Err(missing)
        }
    }
}

/// Strips leading and trailing HTTP whitespace (space, tab, CR, LF), as Fetch's `Headers` does.
fn trim(value: &str) -> &str {
    value.trim_matches([' ', '\t', '\r', '\n'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svix_names_win_per_header() {
        let headers = WebhookHeaders::from_lookup(|name| match name {
            "svix-id" => Some("a"),
            "webhook-id" => Some("b"),
            "webhook-timestamp" => Some("1"),
            "svix-signature" => Some(""),
            "webhook-signature" => Some("v1,x"),
            _ => None,
        });
        assert_eq!(headers.id, Some("a"));
        assert_eq!(headers.timestamp, Some("1"));
        // Present but empty still wins, as with svix's `??`.
        assert_eq!(headers.signature, Some(""));
        assert_eq!(headers.require(), Err(vec!["svix-signature"]));
    }

    #[test]
    fn values_are_trimmed_like_fetch_headers() {
        let headers = WebhookHeaders {
            id: Some(" msg_1\t"),
            timestamp: Some("\r\n1 "),
            signature: Some("  "),
        };
        assert_eq!(headers.require(), Err(vec!["svix-signature"]));
        let headers = WebhookHeaders {
            signature: Some(" v1,x "),
            ..headers
        };
        assert_eq!(headers.require(), Ok(["msg_1", "1", "v1,x"]));
    }
}
