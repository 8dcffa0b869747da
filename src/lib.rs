//! `convergence` tracks the convergence of the information systems of French
//! hospital groups (GHT): application inventories per établissement, their
//! normalisation against a reference, convergence indicators and
//! trajectories, and Excel exports for DSI de territoire, ARS and DGOS.
//!
//! # Module map (data flows top to bottom)
//!
//! | module | role |
//! |---|---|
//! | [`domain`] | types that refuse bad values: `Finess`, `GhtCode`, `CampaignYear`, `Money`, `SubdomainCode` |
//! | [`reference`] | reference data shipped in the binary: taxonomy, catalogue, FINESS directory, sample GHTs |
//! | [`normalise`] | raw text → comparable keys and reference matches |
//! | [`store`] | the database: entities and small named queries, one transaction per write, audit |
//! | [`auth`] | tokens and the scope of what a caller sees |
//! | [`http`] | thin handlers, the access extractor, problem documents, OpenAPI |
//! | [`startup`], [`config`], [`telemetry`], [`cli`] | the process around it all |
//! | [`demo`] | the demo GHT of `serve --demo` |
//!
//! The core (`domain`, `reference`, `normalise`) does no IO.

pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod http;
pub mod import;
pub mod intake;
pub mod normalise;
pub mod reference;
pub mod startup;
pub mod store;
pub mod telemetry;
