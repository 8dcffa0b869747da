//! Who is calling, and what they may see.
//!
//! A token is 256 random bits shown once; only its SHA-256 is stored and the
//! comparison is constant-time. A password hash would cost ~50 ms a request
//! for no gain: the token is already unguessable.

pub mod oidc;
mod principal;
pub mod session;
mod token;

pub use principal::{Caller, Principal, Scope};
pub use token::{IssuedToken, TokenParts, digests_match, hash_token, issue_token};
