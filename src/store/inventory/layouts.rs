//! The domain declared for a file layout, remembered for the next deposits
//! of that layout.

use super::*;
use crate::normalise::taxonomy::DomainRef;
use crate::store::StoreError;
use crate::store::entities::layout_domain;

/// The domains declared for layouts that apply to a deposit: the GHT's,
/// and over them the établissement's own when it deposits.
///
/// # Errors
/// When a query fails.
pub async fn layout_domains(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    etablissement: Option<&Finess>,
) -> Result<HashMap<String, DomainRef>, StoreError> {
    let owners: Vec<&str> = std::iter::once("").chain(etablissement.map(Finess::as_str)).collect();
    let rows = layout_domain::Entity::find()
        .filter(layout_domain::Column::GhtCode.eq(ght.as_str()))
        .filter(layout_domain::Column::Owner.is_in(owners))
        // The GHT's first, so that the établissement's own replace them.
        .order_by_asc(layout_domain::Column::Owner)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let declared = match row.subdomain_code {
                Some(code) => DomainRef::Subdomain(code),
                None => DomainRef::Domain(row.domain_code),
            };
            (row.layout, declared)
        })
        .collect())
}

/// A domain declared with a deposit: its domain and, when one was named,
/// its sub-domain.
#[derive(Debug, Clone, Copy)]
pub struct DeclaredDomain<'a> {
    /// The level-1 domain's code.
    pub domain: &'a str,
    /// The sub-domain's code, when the declaration named one.
    pub subdomain: Option<&'a str>,
}

/// Remembers the domain declared for layouts (replacing what the same
/// owner declared before), or forgets it (`None`).
///
/// # Errors
/// When a write fails.
pub async fn remember_layout_domain(
    txn: &DatabaseTransaction,
    ght: &GhtCode,
    owner: MappingOwner<'_>,
    layouts: &[String],
    declared: Option<DeclaredDomain<'_>>,
) -> Result<(), StoreError> {
    let owner = match owner {
        MappingOwner::Ght(_) => "",
        MappingOwner::Etablissement(finess) => finess.as_str(),
    };
    for layout in layouts {
        layout_domain::Entity::delete_many()
            .filter(layout_domain::Column::GhtCode.eq(ght.as_str()))
            .filter(layout_domain::Column::Owner.eq(owner))
            .filter(layout_domain::Column::Layout.eq(layout.as_str()))
            .exec(txn)
            .await?;
        let Some(declared) = declared else { continue };
        layout_domain::ActiveModel {
            ght_code: Set(ght.clone()),
            owner: Set(owner.to_owned()),
            layout: Set(layout.clone()),
            domain_code: Set(declared.domain.to_owned()),
            subdomain_code: Set(declared.subdomain.map(str::to_owned)),
            created_at: Set(crate::store::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}
