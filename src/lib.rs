//! portcullis — a Clerk-compatible authentication core for the edge.
//!
//! # Design choices
//! * **No IO.** Everything here is a pure function of its inputs: paths, patterns, time and keys are
//!   passed in, decisions come out as data. The JS shim (`js/`) does fetch, clocks and Request/Response.
//! * **Exactly Clerk's answers, never its worst cases.** Route patterns are compiled the way Clerk's
//!   vendored path-to-regexp 6 compiles them, and the resulting JavaScript regular expression is run by
//!   our own linear-time engine ([`jsregex`]) with JavaScript's (non-Unicode) semantics, so a hostile path
//!   can never trigger catastrophic backtracking.
//! * **One error type per phase**, each with a stable `code()`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

pub mod auth;
pub mod clerk;
pub mod csp;
pub mod decide;
pub mod jsregex;
pub mod path;
pub mod route;
pub mod token;
pub mod webhook;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use path::{normalize_path, MalformedUrlError};
pub use route::{PatternError, RouteMatcher, RoutePattern};
