//! `convergence` tracks the convergence of the information systems of French
//! hospital groups (GHT): application inventories per établissement, their
//! normalisation against a reference, convergence indicators and
//! trajectories, and Excel exports for DSI de territoire, ARS and DGOS.
//!
//! # Module map (data flows top to bottom)
//!
//! | module | role |
//! |---|---|
//! | [`domain`] | types that refuse bad values: `Finess`, `GhtCode`, `RegionCode`, `CampaignYear`, `SubdomainCode`, `Money`, the normalised key, the closed vocabularies (statuses, alias scope, hosting, criticality, convergence status); they are also the database's value types, parsed once at its edge |
//! | [`reference`] | reference data shipped in the binary: taxonomy, catalogue, FINESS directory, sample GHTs |
//! | [`import`] | bytes → sheets, header row and rows (the reading rules) |
//! | [`normalise`] | located rows → normalised rows (catalogue, taxonomy, FINESS routing, sentinels) and the report |
//! | [`compute`] | indicators, deltas and diffs, trajectories, distributions and ranks |
//! | [`intake`] | the import pipeline and its isolated parse worker (process, protocol, limits) |
//! | [`service`] | one function per thing a user does: access, the write transaction, locks, rules, one recomputation before commit |
//! | [`store`] | data access: entities and small named queries over a connection or transaction, the audit trail; it never recomputes nor calls another module's writes (the catalogue's administration and tokens still check some rules of their own there, on their way to `service`) |
//! | [`export`] | workbooks written (and read back) by the service: annotated copy of an upload, review workbook |
//! | [`auth`] | tokens, OpenID Connect checks, and the scope of what a caller sees |
//! | [`integrations`] | clients of outside services over HTTP (the OpenID Connect provider) |
//! | [`http`] | thin handlers (parse → one service call → response), the authenticating extractor, problem documents, pagination, OpenAPI |
//! | [`startup`], [`config`], [`telemetry`], [`cli`] | the process around it all |
//! | [`demo`] | the demo GHT of `serve --demo` |
//!
//! The core (`domain`, `reference`, `import`, `normalise`, `compute`) does
//! no IO and has no cycle: `import` reads, `normalise` depends on it,
//! `compute` on `normalise`'s types. It runs unchanged inside the isolated
//! parse worker.
//!
//! # The path of a write
//!
//! handler → service → store → recompute → commit. The handler parses the
//! request into domain types and calls one service function; the service
//! decides access (`service::access`, the one place for 401/403/404),
//! opens the write (`service::Write`), takes the database lock, checks its
//! rules against what the transaction reads, and calls the store; before
//! committing, `Write::commit` recomputes, once, the indicators of what the
//! change touched (`service::recompute::Touched`).

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
pub mod integrations;
pub mod normalise;
pub mod reference;
pub mod service;
pub mod startup;
pub mod store;
pub mod telemetry;
