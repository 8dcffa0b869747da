//! People granted a role, who sign in through OpenID Connect.
//!
//! An admin grants a role and an anchor to an e-mail address, before the
//! person ever signs in; the first sign-in binds the provider's subject to
//! it. Revoking ends every open session of the person at once.

use super::Write;
use super::anchors::{self, Anchor};
use crate::domain::Role;
use crate::error::AppError;
use crate::store::Db;
use crate::store::audit::Actor;
use crate::store::entities::user_account;
use crate::store::people::{self, Grant};

/// A grant to make.
#[derive(Debug, Clone)]
pub struct NewGrant {
    /// The person's e-mail address.
    pub email: String,
    /// The role.
    pub role: Role,
    /// Its anchor.
    pub anchor: Anchor,
}

/// The e-mail as stored: trimmed, lower-cased, and of an address's shape.
///
/// # Errors
/// `Invalid` when it is not an address.
pub fn normalise_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let shaped = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>');
    if shaped {
        Ok(email)
    } else {
        Err(AppError::Invalid(format!("« {} » n'est pas une adresse électronique", raw.trim())))
    }
}

/// Grants a role to an e-mail (a new person, or a new grant for a known
/// one).
///
/// # Errors
/// `Invalid` for a malformed address or an anchor that does not fit the
/// role; `NotFound` for an unknown GHT or region.
pub async fn grant(db: &Db, actor: Actor<'_>, new: NewGrant) -> Result<user_account::Model, AppError> {
    let email = normalise_email(&new.email)?;
    let write = Write::begin(db, actor).await?;
    let Anchor { ght, region, finess } = anchors::check(write.txn(), new.role, new.anchor).await?;
    let saved = people::grant(write.txn(), actor, Grant { email, role: new.role, ght, region, finess }).await?;
    write.commit().await?;
    Ok(saved)
}

/// Every person granted a role, by e-mail.
///
/// # Errors
/// When the query fails.
pub async fn list(db: &Db) -> Result<Vec<user_account::Model>, AppError> {
    Ok(people::list(db.reader()).await?)
}

/// Which person to revoke.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    /// By row id (API).
    Id(i64),
    /// By e-mail (command line).
    Email(&'a str),
}

/// Revokes a person's grant and ends their sessions.
///
/// # Errors
/// `NotFound` for an unknown person; `Conflict` when already revoked.
pub async fn revoke(db: &Db, actor: Actor<'_>, who: Who<'_>) -> Result<user_account::Model, AppError> {
    let write = Write::begin(db, actor).await?;
    let current = match who {
        Who::Id(id) => people::by_id(write.txn(), id).await?,
        Who::Email(email) => people::by_email(write.txn(), &normalise_email(email)?).await?,
    }
    .ok_or_else(|| AppError::not_found("personne introuvable"))?;
    if current.revoked_at.is_some() {
        return Err(AppError::Conflict(format!("les droits de {} sont déjà retirés", current.email)));
    }
    let revoked = people::revoke(write.txn(), actor, current).await?;
    write.commit().await?;
    Ok(revoked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_lower_cased_and_checked() {
        assert_eq!(normalise_email("  Marie.Curie@CHU-Rouen.fr ").ok().as_deref(), Some("marie.curie@chu-rouen.fr"));
        for bad in ["", "marie", "@chu.fr", "marie@chu", "marie@.fr", "ma rie@chu.fr", "<a@b.fr>"] {
            assert!(normalise_email(bad).is_err(), "{bad}");
        }
    }
}
