//! What an indicator value rests on: its numerator, denominator or
//! breakdown, one shape per indicator family.
//!
//! The JSON form is a plain object of the shape's fields (no tag), as the
//! API has always shown it and as runs are stored; each shape refuses a
//! field it does not know, so a stored document decodes into exactly one
//! shape or not at all (an error naming the run, never a silent default).

use serde::{Deserialize, Serialize};

/// The detail of one computed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Detail {
    /// `APP.N_SOLUTIONS.*`: the solutions of a sub-domain by kind.
    Solutions(Solutions),
    /// `APP.TARGET_RATE.*`: on target among concerned établissements.
    TargetRate(TargetRate),
    /// `APP.LEGACY_REMAINING.*`: établissements still running another
    /// solution beside the target.
    Legacy(Legacy),
    /// `APP.DPI_COMMON`: établissements concerned by the core DPI.
    Concerned(Concerned),
    /// `APP.CONV_RATE`: the sub-domains averaged.
    Mean(Mean),
    /// `APP.CONV_RATE_USERS`: rows weighed by their users.
    UsersWeighted(UsersWeighted),
    /// `APP.CONVERGED`: converged sub-domains among the eligible.
    Converged(Converged),
    /// `APP.PER_ETAB`: rows over reporting établissements.
    PerEtablissement(PerEtablissement),
    /// `APP.ID_CONNECTED_RATE`: connected among answered rows.
    Identity(Identity),
    /// `COST.*`: rows with a known cost.
    Cost(Cost),
    /// `OPP.CONTRACTS_*`: off-target rows with a known contract end.
    Contracts(Contracts),
    /// A plain count (`APP.COUNT`, `APP.DISTINCT_PRODUCTS`), or a declared
    /// value: nothing more to say.
    None(Empty),
}

/// See [`Detail::Solutions`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Solutions {
    /// Matched products.
    pub products: usize,
    /// Names that match no product (each normalised name once).
    pub unmatched_names: usize,
    /// In-house tools (one per établissement).
    pub in_house: usize,
}

/// See [`Detail::TargetRate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetRate {
    /// Établissements running the target.
    pub on_target: usize,
    /// Établissements concerned by the sub-domain.
    pub concerned: usize,
    /// Their FINESS EJ.
    pub concerned_etablissements: Vec<String>,
}

/// See [`Detail::Legacy`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Legacy {
    /// FINESS EJ of the établissements running the target and another.
    pub etablissements: Vec<String>,
}

/// See [`Detail::Concerned`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Concerned {
    /// Établissements concerned.
    pub concerned: usize,
}

/// See [`Detail::Mean`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mean {
    /// Sub-domains with a target and a computable rate.
    pub subdomains: usize,
}

/// See [`Detail::UsersWeighted`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UsersWeighted {
    /// Rows of sub-domains with a target.
    pub rows: usize,
    /// Those with declared users.
    pub rows_with_users: usize,
    /// The weight of a row with unknown users.
    pub median_users: f64,
}

/// See [`Detail::Converged`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Converged {
    /// Converged sub-domains.
    pub converged: Vec<String>,
    /// Sub-domains with a target and at least two concerned établissements.
    pub eligible: usize,
}

/// See [`Detail::PerEtablissement`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerEtablissement {
    /// Validated rows.
    pub rows: usize,
    /// Reporting établissements.
    pub reporting: usize,
}

/// See [`Detail::Identity`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// Rows declared connected.
    pub connected: usize,
    /// Rows with an answer.
    pub answered: usize,
    /// Software rows of identity-consuming domains.
    pub rows: usize,
}

/// See [`Detail::Cost`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    /// Rows summed over.
    pub rows: usize,
    /// Those with a known cost.
    pub rows_with_cost: usize,
}

/// See [`Detail::Contracts`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contracts {
    /// Off-target rows.
    pub off_target_rows: usize,
    /// Those with a known contract end.
    pub with_contract_end: usize,
}

/// No detail: `{}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

impl Detail {
    /// No detail.
    pub fn none() -> Self {
        Detail::None(Empty {})
    }

    /// The établissements concerned by a target, for a target rate.
    pub fn concerned_etablissements(&self) -> &[String] {
        match self {
            Detail::TargetRate(rate) => &rate.concerned_etablissements,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_shape_reads_back_as_itself() {
        let shapes = [
            Detail::Solutions(Solutions { products: 2, unmatched_names: 1, in_house: 0 }),
            Detail::TargetRate(TargetRate { on_target: 1, concerned: 2, concerned_etablissements: vec!["A".into()] }),
            Detail::Legacy(Legacy { etablissements: vec!["A".into()] }),
            Detail::Concerned(Concerned { concerned: 3 }),
            Detail::Mean(Mean { subdomains: 4 }),
            Detail::UsersWeighted(UsersWeighted { rows: 3, rows_with_users: 1, median_users: 12.5 }),
            Detail::Converged(Converged { converged: vec!["DPI.CORE".into()], eligible: 2 }),
            Detail::PerEtablissement(PerEtablissement { rows: 10, reporting: 2 }),
            Detail::Identity(Identity { connected: 1, answered: 2, rows: 3 }),
            Detail::Cost(Cost { rows: 3, rows_with_cost: 2 }),
            Detail::Contracts(Contracts { off_target_rows: 3, with_contract_end: 1 }),
            Detail::none(),
        ];
        for shape in shapes {
            let json = serde_json::to_string(&shape).unwrap_or_else(|e| panic!("{e}"));
            let back: Detail = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(back, shape, "{json}");
        }
    }

    #[test]
    fn a_document_of_no_known_shape_is_refused() {
        assert!(serde_json::from_str::<Detail>(r#"{"concerned": 2, "surprise": 1}"#).is_err());
        assert!(serde_json::from_str::<Detail>(r#"{"rows": "many"}"#).is_err());
    }
}
