//! Inventory uploads and their rows: reference data for normalisation,
//! storage in one transaction, the upload workflow (validate, withdraw) and
//! the current inventory of an établissement.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement, Value,
};

use super::audit::{self, Actor, Change};
use super::entities::{
    etablissement, etablissement_header_mapping, etablissement_site, header_mapping, inventory_entry, inventory_upload,
    product, product_alias, product_vendor, state_alias, taxonomy_subdomain, taxonomy_synonym, upload_etablissement,
    upload_file, upload_message_page, vendor,
};
use super::pagination::{Page, PageOf};
use crate::domain::AliasScope;
use crate::domain::normalise_key;
use crate::domain::{CampaignYear, Finess, GhtCode};
use crate::domain::{ProductStatus, UploadStatus};
use crate::import::headers::Field;
use crate::normalise::ReferenceData;
use crate::normalise::matcher::{CatalogueAlias, CatalogueProduct, MatchMethod, StateAlias};
use crate::normalise::message_page::{self, EncodedPage};
use crate::normalise::report::{MESSAGES_INLINE, Message, Report, Severity};
use crate::normalise::row::{NormalisedRow, RouteTarget, Routing};
use crate::normalise::sentinel::EntryState;

mod entries;
mod layouts;
mod listing;
mod messages;
mod reference;
mod uploads;

pub use entries::*;
pub use layouts::*;
pub use listing::{CachedListings, Listing};
pub use messages::*;
pub use reference::*;
pub use uploads::*;
