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
#[serde(untagged, try_from = "AnyDetail")]
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

/// Every field of every shape, read in one pass: a stored run holds a few
/// hundred details, and trying each shape in turn (serde's untagged
/// reading) cost more than the rest of a read. The fields present then
/// name the shape.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnyDetail {
    products: Option<usize>,
    unmatched_names: Option<usize>,
    in_house: Option<usize>,
    on_target: Option<usize>,
    concerned: Option<usize>,
    concerned_etablissements: Option<Vec<String>>,
    etablissements: Option<Vec<String>>,
    subdomains: Option<usize>,
    rows: Option<usize>,
    rows_with_users: Option<usize>,
    median_users: Option<f64>,
    converged: Option<Vec<String>>,
    eligible: Option<usize>,
    reporting: Option<usize>,
    connected: Option<usize>,
    answered: Option<usize>,
    rows_with_cost: Option<usize>,
    off_target_rows: Option<usize>,
    with_contract_end: Option<usize>,
}

impl AnyDetail {
    /// How many fields the document gave.
    fn given(&self) -> usize {
        let numbers = [
            self.products,
            self.unmatched_names,
            self.in_house,
            self.on_target,
            self.concerned,
            self.subdomains,
            self.rows,
            self.rows_with_users,
            self.eligible,
            self.reporting,
            self.connected,
            self.answered,
            self.rows_with_cost,
            self.off_target_rows,
            self.with_contract_end,
        ];
        let lists = [&self.concerned_etablissements, &self.etablissements, &self.converged];
        numbers.iter().flatten().count()
            + lists.iter().filter(|l| l.is_some()).count()
            + usize::from(self.median_users.is_some())
    }
}

impl TryFrom<AnyDetail> for Detail {
    type Error = String;

    fn try_from(any: AnyDetail) -> Result<Self, String> {
        let given = any.given();
        let shape = match any {
            AnyDetail {
                products: Some(products),
                unmatched_names: Some(unmatched_names),
                in_house: Some(in_house),
                ..
            } => Detail::Solutions(Solutions { products, unmatched_names, in_house }),
            AnyDetail {
                on_target: Some(on_target),
                concerned: Some(concerned),
                concerned_etablissements: Some(concerned_etablissements),
                ..
            } => Detail::TargetRate(TargetRate { on_target, concerned, concerned_etablissements }),
            AnyDetail { etablissements: Some(etablissements), .. } => Detail::Legacy(Legacy { etablissements }),
            AnyDetail { concerned: Some(concerned), .. } => Detail::Concerned(Concerned { concerned }),
            AnyDetail { subdomains: Some(subdomains), .. } => Detail::Mean(Mean { subdomains }),
            AnyDetail {
                rows: Some(rows),
                rows_with_users: Some(rows_with_users),
                median_users: Some(median_users),
                ..
            } => Detail::UsersWeighted(UsersWeighted { rows, rows_with_users, median_users }),
            AnyDetail { converged: Some(converged), eligible: Some(eligible), .. } => {
                Detail::Converged(Converged { converged, eligible })
            }
            AnyDetail { rows: Some(rows), reporting: Some(reporting), .. } => {
                Detail::PerEtablissement(PerEtablissement { rows, reporting })
            }
            AnyDetail { connected: Some(connected), answered: Some(answered), rows: Some(rows), .. } => {
                Detail::Identity(Identity { connected, answered, rows })
            }
            AnyDetail { rows: Some(rows), rows_with_cost: Some(rows_with_cost), .. } => {
                Detail::Cost(Cost { rows, rows_with_cost })
            }
            AnyDetail {
                off_target_rows: Some(off_target_rows), with_contract_end: Some(with_contract_end), ..
            } => Detail::Contracts(Contracts { off_target_rows, with_contract_end }),
            _ => Detail::none(),
        };
        // The shape must account for every field given, and no more.
        if shape.fields() != given {
            return Err("indicator detail of no known shape".to_owned());
        }
        Ok(shape)
    }
}

impl Detail {
    /// No detail.
    pub fn none() -> Self {
        Detail::None(Empty {})
    }

    /// How many fields the shape has.
    fn fields(&self) -> usize {
        match self {
            Detail::Solutions(_) | Detail::TargetRate(_) | Detail::UsersWeighted(_) | Detail::Identity(_) => 3,
            Detail::Converged(_) | Detail::PerEtablissement(_) | Detail::Cost(_) | Detail::Contracts(_) => 2,
            Detail::Legacy(_) | Detail::Concerned(_) | Detail::Mean(_) => 1,
            Detail::None(_) => 0,
        }
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
        assert!(serde_json::from_str::<Detail>(r#"{"concerned": 2, "rows": 3}"#).is_err(), "two shapes mixed");
        assert!(serde_json::from_str::<Detail>(r#"{"rows": 3}"#).is_err(), "a shape half given");
    }
}
