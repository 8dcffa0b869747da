//! The statuses stored as text, each an enumeration parsed once at the
//! database edge (`stored_name!`): a stored name that names no variant is
//! an error, never a silent default.

use serde::{Deserialize, Serialize};

use super::stored_name;

/// Where an upload stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, sea_orm::DeriveValueType,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(value_type = "String")]
pub enum UploadStatus {
    /// Deposited by an établissement, waiting for the DSI's validation.
    Submitted,
    /// Counts in the indicators.
    Validated,
    /// Withdrawn: the previous upload of each établissement it covered is
    /// current again.
    Withdrawn,
    /// Refused (errors in strict mode): kept with its report, no rows.
    Rejected,
}

stored_name!(UploadStatus, "statut de dépôt", [Submitted, Validated, Withdrawn, Rejected]);

impl UploadStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            UploadStatus::Submitted => "submitted",
            UploadStatus::Validated => "validated",
            UploadStatus::Withdrawn => "withdrawn",
            UploadStatus::Rejected => "rejected",
        }
    }

    /// French label, for messages.
    pub fn label(self) -> &'static str {
        match self {
            UploadStatus::Submitted => "en attente de validation",
            UploadStatus::Validated => "validé",
            UploadStatus::Withdrawn => "retiré",
            UploadStatus::Rejected => "refusé",
        }
    }
}

/// Whether a campaign still accepts changes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, sea_orm::DeriveValueType,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(value_type = "String")]
pub enum CampaignStatus {
    /// Deposits accepted; indicators recomputed at each change.
    Open,
    /// Frozen: inventories and indicators keep their published values.
    Closed,
}

stored_name!(CampaignStatus, "statut de campagne", [Open, Closed]);

impl CampaignStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Open => "open",
            CampaignStatus::Closed => "closed",
        }
    }
}

/// Whether a catalogue product is national or a GHT's proposal.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, sea_orm::DeriveValueType,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(value_type = "String")]
pub enum ProductStatus {
    /// In the national catalogue.
    Approved,
    /// Proposed by a GHT, usable in it, awaiting the operator's approval.
    Pending,
}

stored_name!(ProductStatus, "statut de produit", [Approved, Pending]);

impl ProductStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Approved => "approved",
            ProductStatus::Pending => "pending",
        }
    }
}

/// Where a GHT stands on a governance item (`GOV.SDSI`…), as it declares.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, sea_orm::DeriveValueType,
)]
#[sea_orm(value_type = "String")]
pub enum AnswerStatus {
    /// `non_demarre`.
    #[serde(rename = "non_demarre")]
    NotStarted,
    /// `en_cours`.
    #[serde(rename = "en_cours")]
    InProgress,
    /// `realise`: what a milestone counts.
    #[serde(rename = "realise")]
    Done,
}

stored_name!(AnswerStatus, "statut de réponse", [NotStarted, InProgress, Done]);

impl AnswerStatus {
    /// Stored name, as the API and the workbooks write it.
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerStatus::NotStarted => "non_demarre",
            AnswerStatus::InProgress => "en_cours",
            AnswerStatus::Done => "realise",
        }
    }

    /// In French, for people.
    pub fn label(self) -> &'static str {
        match self {
            AnswerStatus::NotStarted => "non démarré",
            AnswerStatus::InProgress => "en cours",
            AnswerStatus::Done => "réalisé",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_what_it_stores_and_refuses_the_rest() {
        for status in UploadStatus::ALL {
            assert_eq!(status.as_str().parse::<UploadStatus>().ok(), Some(*status));
        }
        for status in CampaignStatus::ALL {
            assert_eq!(status.as_str().parse::<CampaignStatus>().ok(), Some(*status));
        }
        for status in ProductStatus::ALL {
            assert_eq!(status.as_str().parse::<ProductStatus>().ok(), Some(*status));
        }
        for status in AnswerStatus::ALL {
            assert_eq!(status.as_str().parse::<AnswerStatus>().ok(), Some(*status));
            // The API and the store write it the same way.
            assert_eq!(serde_json::to_value(status).ok(), Some(serde_json::json!(status.as_str())));
        }
        let unknown = "en attente".parse::<UploadStatus>();
        assert_eq!(
            unknown.map_err(|e| e.to_string()),
            Err("« en attente » n'est pas un(e) statut de dépôt connu(e)".to_owned())
        );
    }
}
