//! What a GHT's rows are normalised against: the catalogue as it sees it, the
//! taxonomy, its header mappings, and where rows go.

use super::*;
use crate::store::StoreError;

/// The reference data a GHT's rows are normalised against: the catalogue
/// as the GHT sees it (approved products and its own proposals, national
/// aliases and its own), the taxonomy, and its confirmed header mappings.
///
/// # Errors
/// When a query fails.
pub async fn load_reference(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    routing: Routing,
    etablissement: Option<&Finess>,
    extra_mappings: &HashMap<String, Field>,
) -> Result<ReferenceData, StoreError> {
    let products = product::Entity::find()
        .filter(product::Column::MergedInto.is_null())
        .filter(product::Column::Status.eq(ProductStatus::Approved).or(product::Column::ProposedByGht.eq(ght.as_str())))
        .all(conn)
        .await?;
    let vendors: HashMap<i64, String> =
        vendor::Entity::find().all(conn).await?.into_iter().map(|v| (v.id, v.name)).collect();
    let mut lineage: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for l in product_vendor::Entity::find().order_by_asc(product_vendor::Column::Id).all(conn).await? {
        if let Some(name) = vendors.get(&l.vendor_id) {
            lineage.entry(l.product_id).or_default().push((l.vendor_id, name.clone()));
        }
    }
    let aliases = product_alias::Entity::find()
        .filter(product_alias::Column::Scope.is_in([AliasScope::National.stored(), ght.as_str()]))
        .order_by_asc(product_alias::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|a| CatalogueAlias { product_id: a.product_id, local: a.scope != AliasScope::National, alias: a.alias })
        .collect();
    let states = state_alias::Entity::find()
        .filter(state_alias::Column::Scope.is_in([AliasScope::National.stored(), ght.as_str()]))
        .order_by_asc(state_alias::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|a| StateAlias { alias: a.alias, state: a.state, local: a.scope != AliasScope::National })
        .collect();
    let products = products
        .into_iter()
        .map(|p| CatalogueProduct {
            vendor: (p.vendor_id, vendors.get(&p.vendor_id).cloned().unwrap_or_default()),
            former_vendors: lineage.remove(&p.id).unwrap_or_default(),
            default_subdomain: p.default_subdomain.map(|s| s.to_string()),
            id: p.id,
            name: p.name,
        })
        .collect();
    let synonyms = taxonomy_synonym::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.synonym, s.domain_code, s.subdomain_code.map(|c| c.to_string())))
        .collect();
    let subdomains = taxonomy_subdomain::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.code.to_string(), s.domain_code))
        .collect();
    let mut mappings = load_mappings(conn, ght).await?;
    if let Some(finess) = etablissement {
        mappings.extend(etablissement_mappings(conn, finess).await?);
    }
    mappings.extend(extra_mappings.clone());
    Ok(ReferenceData {
        products,
        aliases,
        states,
        synonyms,
        subdomains,
        mappings,
        routing,
        campaign: None,
        file_domain: None,
        layout_domains: HashMap::new(),
    })
}

/// The header mappings a GHT confirmed.
///
/// # Errors
/// When a query fails or a stored field does not decode.
pub async fn load_mappings(conn: &impl ConnectionTrait, ght: &GhtCode) -> Result<HashMap<String, Field>, StoreError> {
    let rows =
        header_mapping::Entity::find().filter(header_mapping::Column::GhtCode.eq(ght.as_str())).all(conn).await?;
    rows.into_iter().map(|m| Ok((m.header, stored_field("header_mappings", m.id, m.field)?))).collect()
}

/// The header mappings an établissement confirmed for its own deposits.
///
/// # Errors
/// When a query fails or a stored field does not decode.
pub async fn etablissement_mappings(
    conn: &impl ConnectionTrait,
    finess: &Finess,
) -> Result<HashMap<String, Field>, StoreError> {
    let rows = etablissement_header_mapping::Entity::find()
        .filter(etablissement_header_mapping::Column::FinessEj.eq(finess.as_str()))
        .all(conn)
        .await?;
    rows.into_iter().map(|m| Ok((m.header, stored_field("etablissement_header_mappings", m.id, m.field)?))).collect()
}

/// A mapping's stored field, decoded.
fn stored_field(table: &'static str, id: i64, raw: String) -> Result<Field, StoreError> {
    serde_json::from_value(serde_json::Value::String(raw)).map_err(|e| StoreError::corrupt(table, id, "field", e))
}

/// Whose header mappings are saved.
#[derive(Debug, Clone, Copy)]
pub enum MappingOwner<'a> {
    /// The whole GHT's (saved by its DSI or the operator).
    Ght(&'a GhtCode),
    /// One établissement's, for its own deposits.
    Etablissement(&'a Finess),
}

/// Saves header mappings (replacing earlier ones of the same owner for the
/// same header).
///
/// # Errors
/// When a write fails.
pub async fn save_mappings(
    txn: &DatabaseTransaction,
    owner: MappingOwner<'_>,
    mappings: &HashMap<String, Field>,
) -> Result<(), StoreError> {
    for (header, field) in mappings {
        let key = normalise_key(header);
        let field = match serde_json::to_value(field) {
            Ok(serde_json::Value::String(name)) => name,
            _ => return Err(DbErr::Custom(format!("header mapping field {field:?} has no stored name")).into()),
        };
        match owner {
            MappingOwner::Ght(ght) => {
                header_mapping::Entity::delete_many()
                    .filter(header_mapping::Column::GhtCode.eq(ght.as_str()))
                    .filter(header_mapping::Column::HeaderKey.eq(key.clone()))
                    .exec(txn)
                    .await?;
                header_mapping::ActiveModel {
                    ght_code: Set(ght.clone()),
                    header_key: Set(key),
                    header: Set(header.clone()),
                    field: Set(field),
                    created_at: Set(crate::store::now()),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
            MappingOwner::Etablissement(finess) => {
                etablissement_header_mapping::Entity::delete_many()
                    .filter(etablissement_header_mapping::Column::FinessEj.eq(finess.as_str()))
                    .filter(etablissement_header_mapping::Column::HeaderKey.eq(key.clone()))
                    .exec(txn)
                    .await?;
                etablissement_header_mapping::ActiveModel {
                    finess_ej: Set(finess.clone()),
                    header_key: Set(key),
                    header: Set(header.clone()),
                    field: Set(field),
                    created_at: Set(crate::store::now()),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
        }
    }
    Ok(())
}

/// An établissement as a routing target (its EJ and its sites).
///
/// # Errors
/// When a query fails.
pub async fn route_target(conn: &impl ConnectionTrait, finess: &Finess) -> Result<Option<RouteTarget>, StoreError> {
    let Some(e) = etablissement::Entity::find_by_id(finess.clone()).one(conn).await? else {
        return Ok(None);
    };
    let sites = etablissement_site::Entity::find()
        .filter(etablissement_site::Column::FinessEj.eq(finess.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.finess_et)
        .collect();
    Ok(Some(RouteTarget { finess_ej: finess.clone(), name: e.name, sites }))
}
