use migration::{Migrator, MigratorTrait};

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

db_test!(migrations_revert_and_reapply_cleanly, |app| {
    let applied = Migrator::get_applied_migrations(app.db.reader()).await.unwrap();
    assert_eq!(applied.len(), Migrator::migrations().len());
    // Down needs exclusive use of the database: close the application's pools first.
    let url = app.database_url.clone();
    app.db.clone().close().await.unwrap();
    let db = convergence::store::Db::connect(&secrecy::SecretString::from(url)).await.unwrap();
    Migrator::down(db.reader(), None).await.unwrap();
    assert!(Migrator::get_applied_migrations(db.reader()).await.unwrap().is_empty());
    db.migrate().await.unwrap();
    assert_eq!(Migrator::get_pending_migrations(db.reader()).await.unwrap().len(), 0);
    let seeded = convergence::store::seed::seed_reference(&db).await.unwrap();
    assert_eq!((seeded.regions, seeded.subdomains, seeded.products), (18, 43, 91));
    let again = convergence::store::seed::seed_reference(&db).await.unwrap();
    assert_eq!(again, convergence::store::seed::SeedReport::default(), "seeding runs once");
});
