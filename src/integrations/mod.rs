//! Outbound integrations: the services `convergence` calls over HTTP.
//!
//! Each client lives here, at the edge, behind a small typed interface;
//! the services decide what to do with the answers. Every client is tested
//! against a wiremock server.

pub mod annuaire;
pub mod oidc;
pub mod osis;
pub mod outbound;
