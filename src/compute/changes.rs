//! What changed between two campaigns: each indicator's delta, and the
//! inventory diff per établissement (applications added, removed, replaced
//! within a sub-domain, version changes).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::indicators::Value;

/// One indicator's change between two campaigns.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Delta {
    /// Indicator code.
    pub code: String,
    /// Value in the earlier campaign.
    pub from: Option<f64>,
    /// Value in the later campaign.
    pub to: Option<f64>,
    /// `to − from`, when both are known.
    pub delta: Option<f64>,
}

/// The deltas of every indicator present in either campaign (one scope),
/// by code.
pub fn deltas(from: &[Value], to: &[Value]) -> Vec<Delta> {
    let before: BTreeMap<&str, Option<f64>> = from.iter().map(|v| (v.code.as_str(), v.value)).collect();
    let after: BTreeMap<&str, Option<f64>> = to.iter().map(|v| (v.code.as_str(), v.value)).collect();
    let codes: BTreeSet<&str> = before.keys().chain(after.keys()).copied().collect();
    codes
        .into_iter()
        .map(|code| {
            let (from, to) = (before.get(code).copied().flatten(), after.get(code).copied().flatten());
            let delta = from.zip(to).map(|(f, t)| t - f);
            Delta { code: code.to_owned(), from, to, delta }
        })
        .collect()
}

/// An application of an inventory, as the diff compares them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// Its établissement (EJ).
    pub finess_ej: String,
    /// Its sub-domain (`None`: not given).
    pub subdomain: Option<String>,
    /// What identifies it across campaigns: the catalogue product, else
    /// the normalised name.
    pub key: String,
    /// How to show it (the product's name, else the name as written).
    pub name: String,
    /// Version, as written.
    pub version: Option<String>,
}

/// One line of an inventory diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    /// A new application.
    Added {
        /// The établissement (FINESS juridique).
        finess_ej: String,
        /// Sub-domain.
        subdomain: Option<String>,
        /// The application: the product's name, or the name as written when unmatched.
        name: String,
    },
    /// An application no longer listed.
    Removed {
        /// The établissement (FINESS juridique).
        finess_ej: String,
        /// Sub-domain.
        subdomain: Option<String>,
        /// The application: the product's name, or the name as written when unmatched.
        name: String,
    },
    /// Within one sub-domain, one application gave way to another.
    Replaced {
        /// The établissement (FINESS juridique).
        finess_ej: String,
        /// Sub-domain.
        subdomain: Option<String>,
        /// The former application.
        from: String,
        /// The new one.
        to: String,
    },
    /// The same application in another version.
    VersionChanged {
        /// The établissement (FINESS juridique).
        finess_ej: String,
        /// Sub-domain.
        subdomain: Option<String>,
        /// The application: the product's name, or the name as written when unmatched.
        name: String,
        /// Former version(s).
        from: Option<String>,
        /// New version(s).
        to: Option<String>,
    },
}

/// The diff of two inventories, établissement by établissement and
/// sub-domain by sub-domain. Within a sub-domain, each removed application
/// is paired, in name order, with an added one as a replacement; what is
/// left unpaired is added or removed. Only établissements present in both
/// campaigns are compared (a missing inventory is not « everything
/// removed »).
pub fn diff(from: &[Application], to: &[Application]) -> Vec<Change> {
    type Group<'a> = BTreeMap<(&'a str, Option<&'a str>), BTreeMap<&'a str, &'a Application>>;
    fn group(apps: &[Application]) -> Group<'_> {
        let mut groups: Group<'_> = BTreeMap::new();
        for app in apps {
            groups.entry((app.finess_ej.as_str(), app.subdomain.as_deref())).or_default().insert(&app.key, app);
        }
        groups
    }
    let reporting = |apps: &[Application]| apps.iter().map(|a| a.finess_ej.clone()).collect::<BTreeSet<_>>();
    let both: BTreeSet<String> = reporting(from).intersection(&reporting(to)).cloned().collect();
    let (before, after) = (group(from), group(to));
    let keys: BTreeSet<(&str, Option<&str>)> = before.keys().chain(after.keys()).copied().collect();
    let empty = BTreeMap::new();
    let mut changes = Vec::new();
    for (finess, subdomain) in keys.into_iter().filter(|(f, _)| both.contains(*f)) {
        let b = before.get(&(finess, subdomain)).unwrap_or(&empty);
        let a = after.get(&(finess, subdomain)).unwrap_or(&empty);
        let (finess_ej, subdomain) = (finess.to_owned(), subdomain.map(str::to_owned));
        let mut removed: Vec<&Application> = b.iter().filter(|(k, _)| !a.contains_key(*k)).map(|(_, v)| *v).collect();
        let mut added: Vec<&Application> = a.iter().filter(|(k, _)| !b.contains_key(*k)).map(|(_, v)| *v).collect();
        removed.sort_by(|x, y| x.name.cmp(&y.name));
        added.sort_by(|x, y| x.name.cmp(&y.name));
        let pairs = removed.len().min(added.len());
        for (old, new) in removed.iter().zip(&added).take(pairs) {
            changes.push(Change::Replaced {
                finess_ej: finess_ej.clone(),
                subdomain: subdomain.clone(),
                from: old.name.clone(),
                to: new.name.clone(),
            });
        }
        for old in &removed[pairs..] {
            changes.push(Change::Removed {
                finess_ej: finess_ej.clone(),
                subdomain: subdomain.clone(),
                name: old.name.clone(),
            });
        }
        for new in &added[pairs..] {
            changes.push(Change::Added {
                finess_ej: finess_ej.clone(),
                subdomain: subdomain.clone(),
                name: new.name.clone(),
            });
        }
        for (key, new) in a {
            if let Some(old) = b.get(key)
                && old.version != new.version
            {
                changes.push(Change::VersionChanged {
                    finess_ej: finess_ej.clone(),
                    subdomain: subdomain.clone(),
                    name: new.name.clone(),
                    from: old.version.clone(),
                    to: new.version.clone(),
                });
            }
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(finess: &str, subdomain: &str, key: &str, version: Option<&str>) -> Application {
        Application {
            finess_ej: finess.to_owned(),
            subdomain: Some(subdomain.to_owned()),
            key: key.to_owned(),
            name: key.to_owned(),
            version: version.map(str::to_owned),
        }
    }

    #[test]
    fn a_diff_tells_replacements_additions_removals_and_versions() {
        let from = vec![
            app("A", "DPI.CORE", "Crossway", Some("8")),
            app("A", "LAB.SIL", "Glims", Some("9")),
            app("A", "GRH.PAIE", "Agirh", None),
            app("B", "DPI.CORE", "DxCare", None),
            app("C", "DPI.CORE", "Orbis", None),
        ];
        let to = vec![
            app("A", "DPI.CORE", "DxCare", Some("8.1")),
            app("A", "LAB.SIL", "Glims", Some("10")),
            app("A", "PIL.BI", "Qlik", None),
            app("B", "DPI.CORE", "DxCare", None),
        ];
        let changes = diff(&from, &to);
        let s = |x: &str| x.to_owned();
        assert_eq!(
            changes,
            vec![
                Change::Replaced {
                    finess_ej: s("A"),
                    subdomain: Some(s("DPI.CORE")),
                    from: s("Crossway"),
                    to: s("DxCare")
                },
                Change::Removed { finess_ej: s("A"), subdomain: Some(s("GRH.PAIE")), name: s("Agirh") },
                Change::VersionChanged {
                    finess_ej: s("A"),
                    subdomain: Some(s("LAB.SIL")),
                    name: s("Glims"),
                    from: Some(s("9")),
                    to: Some(s("10")),
                },
                Change::Added { finess_ej: s("A"), subdomain: Some(s("PIL.BI")), name: s("Qlik") },
            ],
            "C did not report in the later campaign: it is not compared"
        );
    }

    #[test]
    fn deltas_need_both_values() {
        let value = |code: &str, value: Option<f64>| Value {
            code: code.to_owned(),
            finess_ej: None,
            value,
            known_share: None,
            detail: crate::compute::detail::Detail::none(),
        };
        let from = [value("APP.COUNT", Some(10.0)), value("COST.ANNUAL", None)];
        let to = [value("APP.COUNT", Some(7.0)), value("COST.ANNUAL", Some(5.0)), value("APP.CONV_RATE", Some(0.5))];
        let deltas = deltas(&from, &to);
        let get = |code: &str| deltas.iter().find(|d| d.code == code).map(|d| (d.from, d.to, d.delta));
        assert_eq!(get("APP.COUNT"), Some((Some(10.0), Some(7.0), Some(-3.0))));
        assert_eq!(get("COST.ANNUAL"), Some((None, Some(5.0), None)));
        assert_eq!(get("APP.CONV_RATE"), Some((None, Some(0.5), None)));
    }
}
