//! « Gestion » alone, as survey workbooks write it for the whole management
//! family, names three level-1 domains: patient administration (`GAP`),
//! finance (`GEF`) and human resources (`GRH`). It becomes a synonym of
//! each; the taxonomy reads a word several domains claim by the row's
//! product (a payroll product under « Gestion » is `GRH.PAIE`) and asks
//! which otherwise. A fresh database gets the same from the seeded
//! taxonomy; this adds it where the taxonomy was seeded before.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO taxonomy_synonyms (synonym, normalised_key, domain_code, subdomain_code) \
                 SELECT 'gestion', 'gestion', d.code, NULL FROM taxonomy_domains d \
                 WHERE d.code IN ('GAP', 'GEF', 'GRH') AND NOT EXISTS \
                 (SELECT 1 FROM taxonomy_synonyms s WHERE s.normalised_key = 'gestion' AND s.domain_code = d.code)",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DELETE FROM taxonomy_synonyms WHERE normalised_key = 'gestion' AND subdomain_code IS NULL \
                 AND domain_code IN ('GAP', 'GEF', 'GRH')",
            )
            .await
            .map(|_| ())
    }
}
