//! `/api/v1` routes, each declared through `OpenApiRouter` so that
//! `/api/openapi.json` describes it.

mod aggregates;
mod audit;
mod campaigns;
mod catalogue;
mod etablissements;
mod exports;
mod ghts;
mod health;
mod indicators;
mod integrations;
mod inventory;
mod osis;
mod people;
mod reference;
mod referential_loads;
mod review;
mod sign_in;
mod targets;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;

/// Every documented route of the service.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(integrations::list_integrations))
        .routes(routes!(indicators::get_schema, indicators::create_schema_version))
        .routes(routes!(indicators::ght_indicators))
        .routes(routes!(indicators::etablissement_indicators))
        .routes(routes!(indicators::ght_campaign))
        .routes(routes!(indicators::ght_deltas))
        .routes(routes!(indicators::ght_diff))
        .routes(routes!(indicators::ght_trajectories))
        .routes(routes!(osis::osis_json))
        .routes(routes!(osis::submit))
        .routes(routes!(osis::list_submissions))
        .routes(routes!(aggregates::region_indicators))
        .routes(routes!(aggregates::national_indicators))
        .routes(routes!(targets::get_targets, targets::put_targets))
        .routes(routes!(targets::put_answer))
        .routes(routes!(reference::list_regions))
        .routes(routes!(reference::get_taxonomy))
        .routes(routes!(referential_loads::load_finess))
        .routes(routes!(referential_loads::load_ght_list))
        .routes(routes!(catalogue::search_products, catalogue::add_product))
        .routes(routes!(catalogue::list_aliases, catalogue::add_alias))
        .routes(routes!(catalogue::promote_alias))
        .routes(routes!(catalogue::list_state_aliases, catalogue::add_state_alias))
        .routes(routes!(catalogue::promote_state_alias))
        .routes(routes!(catalogue::remove_state_alias))
        .routes(routes!(catalogue::approve_product))
        .routes(routes!(catalogue::patch_product))
        .routes(routes!(catalogue::merge_product))
        .routes(routes!(catalogue::record_acquisition))
        .routes(routes!(ghts::list_ghts, ghts::create_ght))
        .routes(routes!(ghts::get_ght, ghts::patch_ght))
        .routes(routes!(ghts::list_ght_etablissements))
        .routes(routes!(ghts::add_membership))
        .routes(routes!(ghts::end_membership))
        .routes(routes!(etablissements::create_etablissement))
        .routes(routes!(etablissements::get_etablissement, etablissements::patch_etablissement))
        .routes(routes!(etablissements::create_succession))
        .routes(routes!(campaigns::list_campaigns, campaigns::open_campaign))
        .routes(routes!(campaigns::close_campaign))
        .routes(routes!(audit::list_audit_events))
        .routes(routes!(inventory::deposit_etablissement_inventory))
        .routes(routes!(inventory::deposit_ght_inventory, inventory::list_ght_inventory))
        .routes(routes!(inventory::get_upload, inventory::withdraw_upload))
        .routes(routes!(inventory::get_annotated))
        .routes(routes!(inventory::list_upload_messages))
        .routes(routes!(inventory::validate_upload))
        .routes(routes!(inventory::patch_entry))
        .routes(routes!(review::get_review, review::confirm_review))
        .routes(routes!(review::export_review, review::import_review))
        .routes(routes!(exports::ght_vision))
        .routes(routes!(exports::ght_resah))
        .routes(routes!(exports::ght_schema_directeur))
        .routes(routes!(exports::etablissement_kit))
        .routes(routes!(exports::ght_kit))
        .routes(routes!(exports::national_xlsx))
        .routes(routes!(exports::national_csv))
        .routes(routes!(exports::region_xlsx))
        .routes(routes!(exports::region_csv))
        .routes(routes!(exports::inventory_template))
        .routes(routes!(exports::example_template))
        .routes(routes!(sign_in::login))
        .routes(routes!(sign_in::callback))
        .routes(routes!(sign_in::logout))
        .routes(routes!(sign_in::token_sign_in))
        .routes(routes!(sign_in::whoami))
        .routes(routes!(people::list_people, people::grant_person))
        .routes(routes!(people::revoke_person))
}
