//! An EJ succession is recorded once: the database refuses the same
//! predecessor and successor twice, whichever replica records it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EtablissementSuccessions {
    Table,
    PredecessorEj,
    SuccessorEj,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("ux_successions_pair")
                    .table(EtablissementSuccessions::Table)
                    .col(EtablissementSuccessions::PredecessorEj)
                    .col(EtablissementSuccessions::SuccessorEj)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ux_successions_pair").table(EtablissementSuccessions::Table).to_owned())
            .await
    }
}
