//! Clerk's request inputs: publishable keys, cookie names and the `Cookie` header.

mod cookies;
mod keys;

pub use cookies::Cookies;
pub use keys::{InstanceType, KeyError, PublishableKey};
