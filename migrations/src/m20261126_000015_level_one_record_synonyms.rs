//! « Dossier de soins », « dossier médical » and « dossier résident » name
//! the patient-record domain as a whole, not one of its sub-domains: an
//! EHPAD's resident-record product written under « Dossier de soins » is
//! `DPI.MS`, not `DPI.CORE`. They become level-1 synonyms of `DPI` (the
//! matched product then decides the sub-domain, with a note).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEYS: &str = "('dossiermedical', 'dossierdesoins', 'dossierresident')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "UPDATE taxonomy_synonyms SET subdomain_code = NULL WHERE domain_code = 'DPI' AND normalised_key IN {KEYS}"
            ))
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        for (key, code) in
            [("dossiermedical", "DPI.CORE"), ("dossierdesoins", "DPI.CORE"), ("dossierresident", "DPI.MS")]
        {
            connection
                .execute_unprepared(&format!(
                    "UPDATE taxonomy_synonyms SET subdomain_code = '{code}' WHERE domain_code = 'DPI' AND normalised_key = '{key}'"
                ))
                .await?;
        }
        Ok(())
    }
}
