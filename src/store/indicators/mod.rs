//! The indicator schema and the computed values.
//!
//! Values are recomputed inside the transaction of every change that moves
//! them (an import, a validation, a withdrawal, a corrected row, a target
//! change, a confirmed name), for open campaigns only: a closed campaign
//! keeps the values it was published with. Reads are then a plain lookup,
//! always consistent with the inventories.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use super::entities::{
    campaign, indicator_definition, indicator_run, indicator_schema_version, inventory_entry, target_product,
    target_version,
};
use super::{ghts, inventory, now};
use crate::compute::indicators::{self, CampaignInputs, Row};
use crate::domain::{CampaignStatus, CampaignYear, GhtCode};
use crate::normalise::sentinel::EntryState;
use crate::reference::{IndicatorDefinition, indicator_schema};

mod inputs;
mod progress;
mod runs;
mod schema;

pub use inputs::*;
pub use progress::*;
pub use runs::*;
pub use schema::*;
