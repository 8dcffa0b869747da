//! The 2016 composition of ten real GHTs, for demo data and benchmarks.

use super::{ReferenceError, reader};
use crate::domain::Finess;

const FILE: &str = "ght_members_sample_2016.csv";
const DATA: &str = include_str!("data/ght_members_sample_2016.csv");

/// A GHT as published in 2016.
#[derive(Debug, Clone)]
pub struct SampleGht {
    /// Region name as published (`Normandie`).
    pub region: String,
    /// GHT name.
    pub name: String,
    /// Members in publication order.
    pub members: Vec<SampleMember>,
}

/// A member of a sample GHT.
#[derive(Debug, Clone)]
pub struct SampleMember {
    /// Name as published.
    pub name: String,
    /// Whether it is the établissement support (`None`: not published).
    pub is_support: Option<bool>,
    /// FINESS EJ when the member was matched to the hospital directory
    /// (EHPAD members are not in it).
    pub finess_ej: Option<Finess>,
}

#[derive(serde::Deserialize)]
struct Row {
    region: String,
    ght_name: String,
    member_as_published: String,
    is_support: String,
    finess_ej_matched: String,
}

/// The sample GHTs in file order.
///
/// # Errors
/// When the embedded file is malformed (a release bug, tested).
pub fn ght_sample() -> Result<Vec<SampleGht>, ReferenceError> {
    let mut ghts: Vec<SampleGht> = Vec::new();
    for (i, record) in reader(DATA).deserialize::<Row>().enumerate() {
        let error = |reason: String| ReferenceError { file: FILE, line: i + 2, reason };
        let row = record.map_err(|e| error(e.to_string()))?;
        let finess_ej = match row.finess_ej_matched.trim() {
            "" => None,
            raw => Some(Finess::parse(raw).map_err(|e| error(e.to_string()))?),
        };
        let member = SampleMember {
            name: row.member_as_published,
            is_support: match row.is_support.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            finess_ej,
        };
        match ghts.last_mut() {
            Some(ght) if ght.name == row.ght_name => ght.members.push(member),
            _ => ghts.push(SampleGht { region: row.region, name: row.ght_name, members: vec![member] }),
        }
    }
    Ok(ghts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_holds_ten_ghts_with_one_support_at_most() {
        let ghts = ght_sample().map_err(|e| e.to_string());
        let ghts = ghts.as_deref().unwrap_or_default();
        assert_eq!(ghts.len(), 10);
        assert_eq!(ghts.iter().map(|g| g.members.len()).sum::<usize>(), 66);
        for ght in ghts {
            assert!(ght.members.iter().filter(|m| m.is_support == Some(true)).count() <= 1, "{}", ght.name);
        }
    }
}
