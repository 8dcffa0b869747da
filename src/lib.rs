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
//! | [`import`] | bytes → sheets, header row and rows; the isolated parse worker |
//! | [`normalise`] | rows → normalised rows (catalogue, taxonomy, FINESS routing, sentinels) and the report |
//! | [`intake`] | the import pipeline: worker, streaming, one transaction per upload |
//! | [`store`] | the database: entities and small named queries, one transaction per write, audit |
//! | [`export`] | workbooks written by the service (annotated copy of an upload) |
//! | [`auth`] | tokens and the scope of what a caller sees |
//! | [`http`] | thin handlers, the access extractor, problem documents, OpenAPI |
//! | [`startup`], [`config`], [`telemetry`], [`cli`] | the process around it all |
//! | [`demo`] | the demo GHT of `serve --demo` |
//!
//! The core (`domain`, `reference`, `import`, `normalise`) does no IO: it
//! runs unchanged inside the isolated parse worker.

pub mod auth;
pub mod cli;
pub mod compute;
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
pub mod service;
pub mod startup;
pub mod store;
pub mod telemetry;
