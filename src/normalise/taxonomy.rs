//! Reading the functional domain hospitals write (L1 or L2 label,
//! synonym or code) against the taxonomy.

use std::collections::HashMap;

use crate::domain::normalise_key;

/// What a domain cell designates.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DomainRef {
    /// A sub-domain (level 2).
    Subdomain(String),
    /// Only a domain (level 1).
    Domain(String),
}

/// The taxonomy prepared for lookups.
#[derive(Debug, Clone, Default)]
pub struct TaxonomyIndex {
    by_key: HashMap<String, DomainRef>,
    /// Domain-level words several domains claim (« Gestion »: GAP, GEF,
    /// GRH): the row's product chooses among them, or nothing is read.
    shared: HashMap<String, Vec<DomainRef>>,
    /// Sub-domain code → its domain code.
    parents: HashMap<String, String>,
}

impl TaxonomyIndex {
    /// Builds the index from (synonym, domain, sub-domain) rows and the
    /// sub-domain codes. A sub-domain synonym wins over a domain one.
    pub fn new(
        synonyms: impl IntoIterator<Item = (String, String, Option<String>)>,
        subdomains: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let mut by_key = HashMap::new();
        let parents: HashMap<String, String> = subdomains.into_iter().collect();
        for (code, domain) in &parents {
            by_key.insert(normalise_key(code), DomainRef::Subdomain(code.clone()));
            by_key.entry(normalise_key(domain)).or_insert_with(|| DomainRef::Domain(domain.clone()));
        }
        let mut domain_words: HashMap<String, Vec<String>> = HashMap::new();
        for (synonym, domain, subdomain) in synonyms {
            let key = normalise_key(&synonym);
            match subdomain {
                Some(code) => {
                    by_key.insert(key, DomainRef::Subdomain(code));
                }
                None => {
                    let domains = domain_words.entry(key).or_default();
                    if !domains.contains(&domain) {
                        domains.push(domain);
                    }
                }
            }
        }
        let mut shared = HashMap::new();
        for (key, mut domains) in domain_words {
            if by_key.contains_key(&key) {
                continue;
            }
            if domains.len() == 1 {
                by_key.insert(key, DomainRef::Domain(domains.remove(0)));
            } else {
                domains.sort();
                shared.insert(key, domains.into_iter().map(DomainRef::Domain).collect());
            }
        }
        TaxonomyIndex { by_key, shared, parents }
    }

    /// What a cell designates: a label, synonym or code, or the template's
    /// « CODE — libellé » (its code decides).
    pub fn lookup(&self, raw: &str) -> Option<&DomainRef> {
        self.by_key.get(&normalise_key(raw)).or_else(|| {
            let (code, _) = raw.split_once('—')?;
            self.by_key.get(&normalise_key(code))
        })
    }

    /// What a composite label designates (« GAP / Identité », « DPI -
    /// Urgences »): each part is tried, and the part in the domain of the
    /// row's product (`near`, a sub-domain) wins, else the first part read.
    pub fn lookup_parts(&self, raw: &str, near: Option<&str>) -> Option<&DomainRef> {
        if let Some(found) = self.lookup(raw).or_else(|| self.chosen_by(raw, near)) {
            return Some(found);
        }
        let parts: Vec<&DomainRef> = raw
            .split(['/', '+', ',', ';', '&'])
            .flat_map(|p| p.split(" - "))
            .flat_map(|p| p.split(" et "))
            .filter_map(|p| self.lookup(p.trim()).or_else(|| self.chosen_by(p.trim(), near)))
            .collect();
        let domain = |r: &DomainRef| match r {
            DomainRef::Subdomain(code) => self.domain_of(code).map(str::to_owned),
            DomainRef::Domain(code) => Some(code.clone()),
        };
        let near_domain = near.and_then(|code| self.domain_of(code));
        parts
            .iter()
            .find(|r| near_domain.is_some() && domain(r).as_deref() == near_domain)
            .or_else(|| parts.first())
            .copied()
    }

    /// Of the domains a shared word names (« Gestion »), the one of the
    /// row's product (`near`, a sub-domain), if it is one of them.
    fn chosen_by(&self, raw: &str, near: Option<&str>) -> Option<&DomainRef> {
        let near = near.and_then(|code| self.domain_of(code))?;
        self.shared.get(&normalise_key(raw))?.iter().find(|d| matches!(d, DomainRef::Domain(code) if code == near))
    }

    /// The domains a word names when several claim it (« Gestion » → GAP,
    /// GEF, GRH), for a message asking which.
    pub fn shared_by(&self, raw: &str) -> Option<Vec<&str>> {
        let domains = self.shared.get(&normalise_key(raw))?;
        Some(
            domains
                .iter()
                .map(|d| match d {
                    DomainRef::Domain(code) | DomainRef::Subdomain(code) => code.as_str(),
                })
                .collect(),
        )
    }

    /// The sub-domain of a domain that has only one (`URG` → `URG.DPU`).
    pub fn only_subdomain(&self, domain: &str) -> Option<&str> {
        let mut children = self.parents.iter().filter(|(_, d)| d.as_str() == domain);
        match (children.next(), children.next()) {
            (Some((code, _)), None) => Some(code.as_str()),
            _ => None,
        }
    }

    /// The domain of a sub-domain.
    pub fn domain_of(&self, subdomain: &str) -> Option<&str> {
        self.parents.get(subdomain).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_code_and_label_are_read_by_their_code() {
        let index = TaxonomyIndex::new(
            [("Dossier patient (noyau)".to_owned(), "DPI".to_owned(), Some("DPI.CORE".to_owned()))],
            [("DPI.CORE".to_owned(), "DPI".to_owned()), ("DPI.PSY".to_owned(), "DPI".to_owned())],
        );
        let sub = |code: &str| Some(DomainRef::Subdomain(code.to_owned()));
        assert_eq!(index.lookup("DPI.CORE — Dossier patient (noyau)").cloned(), sub("DPI.CORE"));
        assert_eq!(index.lookup("DPI.PSY — un libellé changé depuis").cloned(), sub("DPI.PSY"), "the code decides");
        assert_eq!(index.lookup("Dossier patient (noyau)").cloned(), sub("DPI.CORE"));
        assert_eq!(
            index.lookup("XYZ — Dossier patient (noyau)"),
            None,
            "an unknown code is not guessed from the label"
        );
    }

    #[test]
    fn each_part_of_a_composite_label_is_tried_and_the_products_domain_wins() {
        let index = TaxonomyIndex::new(
            [
                ("Urgences".to_owned(), "URG".to_owned(), None),
                ("Identité".to_owned(), "ID".to_owned(), None),
                ("GAP".to_owned(), "GAP".to_owned(), None),
            ],
            [
                ("DPI.CORE".to_owned(), "DPI".to_owned()),
                ("URG.DPU".to_owned(), "URG".to_owned()),
                ("GAP.ADM".to_owned(), "GAP".to_owned()),
                ("ID.SRV".to_owned(), "ID".to_owned()),
            ],
        );
        let domain = |code: &str| Some(DomainRef::Domain(code.to_owned()));
        assert_eq!(index.lookup_parts("DPI - Urgences", Some("URG.DPU")).cloned(), domain("URG"));
        assert_eq!(index.lookup_parts("DPI - Urgences", Some("DPI.CORE")).cloned(), domain("DPI"));
        assert_eq!(index.lookup_parts("GAP / Identité", None).cloned(), domain("GAP"));
        assert_eq!(index.lookup_parts("Cuisine / Lingerie", None), None);
    }

    #[test]
    fn a_word_several_domains_claim_is_read_by_the_products_domain_or_not_at_all() {
        let index = TaxonomyIndex::new(
            [
                ("Gestion".to_owned(), "GAP".to_owned(), None),
                ("Gestion".to_owned(), "GEF".to_owned(), None),
                ("gestion".to_owned(), "GRH".to_owned(), None),
                ("Paie".to_owned(), "GRH".to_owned(), Some("GRH.PAIE".to_owned())),
            ],
            [
                ("GAP.ADM".to_owned(), "GAP".to_owned()),
                ("GEF.COMPTA".to_owned(), "GEF".to_owned()),
                ("GRH.PAIE".to_owned(), "GRH".to_owned()),
                ("DPI.CORE".to_owned(), "DPI".to_owned()),
            ],
        );
        let domain = |code: &str| Some(DomainRef::Domain(code.to_owned()));
        assert_eq!(index.lookup("Gestion"), None, "no domain is chosen for it");
        assert_eq!(index.lookup_parts("Gestion", Some("GEF.COMPTA")).cloned(), domain("GEF"));
        assert_eq!(index.lookup_parts("GESTION", Some("GRH.PAIE")).cloned(), domain("GRH"));
        assert_eq!(index.lookup_parts("Gestion", Some("DPI.CORE")), None, "the product lies elsewhere");
        assert_eq!(index.lookup_parts("Gestion", None), None);
        assert_eq!(index.shared_by("Gestion"), Some(vec!["GAP", "GEF", "GRH"]));
        assert_eq!(
            index.lookup_parts("Gestion / Paie", None).cloned(),
            Some(DomainRef::Subdomain("GRH.PAIE".to_owned()))
        );
    }
}
