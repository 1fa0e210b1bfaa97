//! What a verified session token means: the auth object and `has()`.

mod claims;
mod has;

pub use claims::SessionAuth;
