//! One table row → one normalised inventory row, with the report's
//! messages about it.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::cells_by_header::CellsByHeader;
use super::matcher::{MatchMethod, Matcher, ProductMatch, REVIEW_THRESHOLD};
use super::report::{Message, Severity};
use super::sentinel::EntryState;
use super::taxonomy::{DomainRef, TaxonomyIndex};
use super::vendor::{self, VendorReading};
use crate::domain::normalise_key;
use crate::domain::{ConvergenceStatus, Criticality, Finess, FinessWarning, Hosting, Money};
use crate::import::Cell;
use crate::import::cells::{self, MonthDay, Unreadable};
use crate::import::headers::{Field, in_thousands};
use crate::import::table::{InventorySheet, TableRow};

/// An établissement rows can be routed to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RouteTarget {
    /// Its FINESS EJ.
    pub finess_ej: Finess,
    /// Its name.
    pub name: String,
    /// Its sites' FINESS ET.
    pub sites: Vec<Finess>,
}

/// Where rows go.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Routing {
    /// Every row belongs to this établissement; a row's FINESS must be its
    /// EJ or one of its ETs.
    Etablissement(RouteTarget),
    /// Each row goes to the GHT member its FINESS (EJ or ET) names, else to
    /// the member its sheet is named after.
    Ght(Vec<RouteTarget>),
}

/// What the whole import shares.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// Uploaded file name.
    pub file: &'a str,
    /// The catalogue.
    pub matcher: &'a Matcher,
    /// The taxonomy.
    pub taxonomy: &'a TaxonomyIndex,
    /// Where rows go.
    pub routing: &'a Routing,
    /// Matches already made in this import: inventories repeat the same
    /// names thousands of times, and fuzzy matching is the costly step.
    pub matches: &'a std::cell::RefCell<std::collections::HashMap<String, Option<ProductMatch>>>,
    /// The domain or sub-domain the sheet being read is about, when the
    /// deposit names one or the GHT named one for the sheet's layout.
    pub file_domain: Option<&'a DomainRef>,
    /// The domains the GHT declared for earlier deposits, by layout.
    pub layout_domains: &'a std::collections::HashMap<String, DomainRef>,
}

impl Context<'_> {
    /// Matches a name, once per import.
    pub fn match_product(&self, raw: &str) -> Option<ProductMatch> {
        if let Some(found) = self.matches.borrow().get(raw) {
            return found.clone();
        }
        let found = self.matcher.match_product(raw);
        self.matches.borrow_mut().insert(raw.to_owned(), found.clone());
        found
    }
}

/// A normalised inventory row, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NormalisedRow {
    /// The sheet the row was read from.
    pub sheet: String,
    /// Excel row.
    pub row: u32,
    /// Établissement (EJ).
    #[schema(value_type = String)]
    pub finess_ej: Finess,
    /// Site (ET), when the row names one.
    #[schema(value_type = Option<String>)]
    pub finess_et: Option<Finess>,
    /// The application cell, verbatim.
    pub application_raw: String,
    /// Its normalised key (for grouping unmatched names).
    pub normalised_name: String,
    /// Product, unmatched, in-house, not computerised, unspecified.
    pub state: EntryState,
    /// Matched catalogue product.
    pub product_id: Option<i64>,
    /// Confidence of the match (1 for exact).
    pub match_confidence: Option<f64>,
    /// How it matched.
    pub match_method: Option<MatchMethod>,
    /// Vendor (catalogue id): the product's current vendor when matched.
    pub vendor_id: Option<i64>,
    /// Sub-domain code.
    pub subdomain: Option<String>,
    /// Whether the sub-domain was inferred from the product.
    pub subdomain_inferred: bool,
    /// Module(s).
    pub module: Option<String>,
    /// Version, as written.
    pub version: Option<String>,
    /// Go-live date.
    pub go_live: Option<NaiveDate>,
    /// Declared number of users.
    pub users: Option<i32>,
    /// Declared number of beds.
    pub beds: Option<i32>,
    /// Where it runs.
    pub hosting: Option<Hosting>,
    /// Acquisition mode, as written.
    pub contract: Option<String>,
    /// End of contract.
    pub contract_end: Option<NaiveDate>,
    /// Acquisition cost, cents.
    #[schema(value_type = Option<i64>)]
    pub acquisition_cost: Option<Money>,
    /// Annual cost, cents.
    #[schema(value_type = Option<i64>)]
    pub annual_cost: Option<Money>,
    /// Interfaces, as written.
    pub interfaces: Option<String>,
    /// Connected to the identity référentiel.
    pub identity_connected: Option<bool>,
    /// Personal authentication / SSO / CPS.
    pub sso: Option<bool>,
    /// INS integrated.
    pub ins: Option<bool>,
    /// How critical it is.
    pub criticality: Option<Criticality>,
    /// What the GHT plans for it.
    pub convergence_status: Option<ConvergenceStatus>,
    /// Free comment, as written.
    pub comment: Option<String>,
    /// Every cell by header, verbatim.
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub raw: CellsByHeader,
    /// Cells of unknown columns, by header.
    #[schema(value_type = std::collections::BTreeMap<String, String>)]
    pub extra: CellsByHeader,
    /// Flags for review (`low_confidence`, `vendor_mismatch`…).
    pub flags: Vec<String>,
}

struct RowReader<'a> {
    context: &'a Context<'a>,
    sheet: &'a InventorySheet,
    row: &'a TableRow,
    messages: Vec<Message>,
}

impl RowReader<'_> {
    fn cell(&self, field: Field) -> Option<(usize, &Cell)> {
        let index = self.sheet.column_of(field)?;
        let cell = self.row.cells.get(index)?;
        (!cell.is_blank()).then_some((index, cell))
    }

    fn text(&self, field: Field) -> Option<String> {
        self.cell(field).and_then(|(_, c)| cells::text(c))
    }

    fn push(&mut self, severity: Severity, code: &str, column: Option<usize>, text: String) {
        let column_info = column.and_then(|i| self.sheet.columns.get(i));
        let value = column.and_then(|i| self.row.cells.get(i)).map(Cell::display);
        self.messages.push(Message {
            severity,
            code: code.to_owned(),
            file: self.context.file.to_owned(),
            sheet: self.sheet.name.clone(),
            row: Some(self.row.excel_row),
            column: column_info.map(|c| c.letter.clone()),
            header: column_info.map(|c| c.header.clone()),
            value,
            text,
        });
    }

    /// Reads a typed field; an unreadable value is an error on the row.
    fn typed<T>(&mut self, field: Field, code: &str, read: impl Fn(&Cell) -> Result<T, Unreadable>) -> Option<T> {
        let (index, cell) = self.cell(field)?;
        match read(cell) {
            Ok(value) => Some(value),
            Err(Unreadable(expected)) => {
                self.push(Severity::Error, code, Some(index), format!("n'est pas {expected}."));
                None
            }
        }
    }

    /// Reads an amount, in thousands when its header says so (`k€`).
    fn amount(&mut self, field: Field) -> Option<Money> {
        let money = self.typed(field, "unreadable_amount", cells::money)?;
        let thousands = self
            .sheet
            .column_of(field)
            .and_then(|i| self.sheet.columns.get(i))
            .is_some_and(|c| in_thousands(&c.header));
        if !thousands {
            return Some(money);
        }
        match money.cents().checked_mul(1000).map(Money::from_cents) {
            Some(Ok(scaled)) => Some(scaled),
            _ => {
                let index = self.sheet.column_of(field);
                self.push(
                    Severity::Error,
                    "unreadable_amount",
                    index,
                    "n'est pas un montant plausible en milliers d'euros.".to_owned(),
                );
                None
            }
        }
    }

    /// Reads an enumerated field; an unknown value is a warning, kept raw.
    fn choice<T: Copy>(&mut self, field: Field, choices: &[(T, &[&str])], listing: &str) -> Option<T> {
        let (index, cell) = self.cell(field)?;
        let key = normalise_key(&cell.display());
        for (value, spellings) in choices {
            if spellings.iter().any(|s| key == *s || key.starts_with(s)) {
                return Some(*value);
            }
        }
        self.push(Severity::Warning, "unknown_value", Some(index), format!("n'est pas une valeur connue ({listing}) : la cellule est conservée telle quelle mais ignorée dans les indicateurs."));
        None
    }
}

const HOSTING: [(Hosting, &[&str]); 4] = [
    (
        Hosting::Saas,
        &["saas", "cloud", "modesaas", "enmodesaas", "chezlediteur", "hebergechezlediteur", "cloudediteur"],
    ),
    (
        Hosting::Hds,
        &[
            "hds",
            "hebergeurhds",
            "hebergeur",
            "hebergeuragree",
            "hebergeuragreehds",
            "hebergementhds",
            "hebergementexterne",
            "infogerance",
            "infogere",
            "externe",
        ],
    ),
    (
        Hosting::DatacenterGht,
        &[
            "datacenterdught",
            "datacenterght",
            "datacenter",
            "ght",
            "hebergeaught",
            "hebergeparleght",
            "hebergementght",
            "centredesdonneesdught",
            "mutualise",
            "supportght",
            "etablissementsupport",
        ],
    ),
    (
        Hosting::Local,
        &[
            "local",
            "enlocal",
            "hebergementlocal",
            "serveurlocal",
            "surplace",
            "sursite",
            "interne",
            "etablissement",
            "salleserveur",
            "salleserveurs",
        ],
    ),
];
const CRITICALITY: [(Criticality, &[&str]); 4] = [
    (Criticality::Critical, &["critique", "tres haute", "treshaute", "4"]),
    (Criticality::High, &["haute", "elevee", "forte", "3"]),
    (Criticality::Medium, &["moyenne", "modere", "2"]),
    (Criticality::Low, &["faible", "basse", "1"]),
];
const STATUS: [(ConvergenceStatus, &[&str]); 4] = [
    (ConvergenceStatus::Target, &["cible", "cibleght", "solutioncible"]),
    (ConvergenceStatus::Keep, &["aconserver", "conserver", "maintenu", "amaintenir"]),
    (ConvergenceStatus::Replace, &["aremplacer", "remplacer", "amigrer", "migration"]),
    (ConvergenceStatus::Decommission, &["adecommissionner", "decommissionner", "asupprimer", "abandon"]),
];

/// Normalises one row. Returns the row when it has no error, and the
/// messages about it either way.
pub fn normalise_row(
    context: &Context<'_>,
    sheet: &InventorySheet,
    row: &TableRow,
) -> (Option<NormalisedRow>, Vec<Message>) {
    let mut reader = RowReader { context, sheet, row, messages: Vec::new() };
    let application_column = sheet.column_of(Field::Application);
    // A row with no application but that says where or what (établissement,
    // FINESS, vendor, domain) is a need nobody named: kept as `unspecified`.
    let says_where_or_what = [
        Field::EtablissementName,
        Field::Finess,
        Field::FinessEj,
        Field::FinessEt,
        Field::Vendor,
        Field::Domain,
        Field::Subdomain,
        Field::Module,
    ]
    .into_iter()
    .any(|field| reader.text(field).is_some());
    let application_raw = match reader.text(Field::Application) {
        Some(name) => name,
        None if says_where_or_what => {
            reader.push(
                Severity::Warning,
                "missing_application",
                application_column,
                "le nom de l'application est vide : la ligne est importée à l'état « non renseigné ». Indiquez le logiciel qui sert ce besoin, ou « non informatisé ».".to_owned(),
            );
            String::new()
        }
        None => {
            reader.push(
                Severity::Error,
                "missing_application",
                application_column,
                "le nom de l'application est vide : c'est la seule colonne obligatoire. Renseignez-le ou supprimez la ligne.".to_owned(),
            );
            return (None, reader.messages);
        }
    };
    let (finess_ej, finess_et) = route(&mut reader);

    // Product, sentinel or unmatched name.
    let normalised_name = normalise_key(&application_raw);
    let mut flags = Vec::new();
    let (state, product_match) = match context.matcher.state_of(&application_raw) {
        Some(state) => (state, None),
        None if application_raw.is_empty() => (EntryState::Unspecified, None),
        None => match context.match_product(&application_raw) {
            Some(found) => (EntryState::Product, Some(found)),
            None => (EntryState::Unmatched, None),
        },
    };
    let product = product_match.as_ref().and_then(|m| context.matcher.product(m.product_id));
    match (&product_match, product) {
        (Some(found), Some(p)) if found.confidence < REVIEW_THRESHOLD => {
            flags.push("low_confidence".to_owned());
            reader.push(Severity::Warning, "low_confidence_match", application_column, format!(
                "a été rapproché du produit « {} » avec une confiance de {:.0} % : vérifiez-le dans la liste de revue.",
                p.name, found.confidence * 100.0
            ));
        }
        (Some(found), Some(p)) if found.method != MatchMethod::Alias && found.method != MatchMethod::LocalAlias => {
            reader.push(
                Severity::Info,
                "value_normalised",
                application_column,
                format!("a été reconnu comme le produit « {} ».", p.name),
            );
        }
        (None, _) if state == EntryState::Unmatched => {
            reader.push(
                Severity::Warning,
                "unmatched_product",
                application_column,
                "n'est pas dans le catalogue : la ligne est importée et le nom part dans la liste de revue du GHT."
                    .to_owned(),
            );
        }
        _ => {}
    }

    // Vendor, through the product's own lineage.
    let vendor_raw =
        reader.text(Field::Vendor).or_else(|| product_match.as_ref().and_then(|m| m.vendor_evidence.clone()));
    let vendor_column = reader.cell(Field::Vendor).map(|(i, _)| i);
    let vendor_id = match (product, vendor_raw.as_deref()) {
        (Some(p), None) => Some(p.vendor.0),
        (Some(p), Some(written)) => {
            let former: Vec<&str> = p.former_vendors.iter().map(|(_, name)| name.as_str()).collect();
            match vendor::read(written, &p.vendor.1, &former) {
                VendorReading::Blank | VendorReading::Current => {}
                VendorReading::Former(former) => reader.push(
                    Severity::Info,
                    "value_normalised",
                    vendor_column,
                    format!(
                        "est un ancien éditeur de « {} » ({former}) : l'éditeur actuel, {}, est retenu.",
                        p.name, p.vendor.1
                    ),
                ),
                VendorReading::Other => {
                    let lineage =
                        if former.is_empty() { String::new() } else { format!(", anciennement {}", former.join(", ")) };
                    flags.push("vendor_mismatch".to_owned());
                    reader.push(Severity::Warning, "vendor_mismatch", vendor_column, format!(
                        "n'est pas l'éditeur connu de « {} » ({}{lineage}) : l'éditeur du catalogue est retenu ; vérifiez le produit, ou signalez une erreur du catalogue.", p.name, p.vendor.1
                    ));
                }
            }
            Some(p.vendor.0)
        }
        (None, Some(written)) if vendor::is_blank(written) => None,
        (None, Some(written)) => context.matcher.vendor_id(written),
        (None, None) => None,
    };

    // Sub-domain: from the domain cells, else from the product.
    let (subdomain, subdomain_inferred) = subdomain(&mut reader, product.and_then(|p| p.default_subdomain.clone()));

    let go_live = reader.typed(Field::GoLive, "unreadable_date", |c| cells::date(c, MonthDay::First));
    let contract_end = reader.typed(Field::ContractEnd, "unreadable_date", |c| cells::date(c, MonthDay::Last));
    let users = reader.typed(Field::Users, "unreadable_number", cells::count);
    let beds = reader.typed(Field::Beds, "unreadable_number", cells::count);
    let acquisition_cost = reader.amount(Field::AcquisitionCost);
    let annual_cost = reader.amount(Field::AnnualCost);
    let identity_connected = reader.typed(Field::IdentityConnected, "unreadable_yes_no", cells::yes_no);
    let sso = reader.typed(Field::Sso, "unreadable_yes_no", cells::yes_no);
    let ins = reader.typed(Field::Ins, "unreadable_yes_no", cells::yes_no);
    let hosting = reader.choice(Field::Hosting, &HOSTING, "local, datacenter du GHT, hébergeur HDS, SaaS");
    let criticality = reader.choice(Field::Criticality, &CRITICALITY, "faible, moyenne, haute, critique");
    let convergence_status =
        reader.choice(Field::ConvergenceStatus, &STATUS, "cible GHT, à conserver, à remplacer, à décommissionner");

    let mut filled: Vec<(Cow<'_, str>, Cow<'_, str>, bool)> = Vec::with_capacity(row.cells.len());
    for (column, cell) in sheet.columns.iter().zip(&row.cells) {
        if cell.is_blank() {
            continue;
        }
        let header = if column.header.is_empty() {
            Cow::Owned(format!("Colonne {}", column.letter))
        } else {
            Cow::Borrowed(column.header.as_str())
        };
        let shown = match cell {
            Cell::Text(text) => Cow::Borrowed(text.as_str()),
            other => Cow::Owned(other.display()),
        };
        filled.push((header, shown, column.field.is_none() || column.duplicate));
    }
    let raw = CellsByHeader::from_pairs(filled.iter().map(|(h, v, _)| (h.as_ref(), v.as_ref())));
    let extra = CellsByHeader::from_pairs(
        filled.iter().filter(|(_, _, extra)| *extra).map(|(h, v, _)| (h.as_ref(), v.as_ref())),
    );

    let has_error = reader.messages.iter().any(|m| m.severity == Severity::Error);
    let Some(finess_ej) = finess_ej.filter(|_| !has_error) else {
        return (None, reader.messages);
    };
    let normalised = NormalisedRow {
        sheet: sheet.name.clone(),
        row: row.excel_row,
        finess_ej,
        finess_et,
        application_raw,
        normalised_name,
        state,
        product_id: product.map(|p| p.id),
        match_confidence: product_match.as_ref().map(|m| m.confidence),
        match_method: product_match.as_ref().map(|m| m.method),
        vendor_id,
        subdomain,
        subdomain_inferred,
        module: reader.text(Field::Module),
        version: reader.text(Field::Version),
        go_live,
        users,
        beds,
        hosting,
        contract: reader.text(Field::Contract),
        contract_end,
        acquisition_cost,
        annual_cost,
        interfaces: reader.text(Field::Interfaces),
        identity_connected,
        sso,
        ins,
        criticality,
        convergence_status,
        comment: reader.text(Field::Comment),
        raw,
        extra,
        flags,
    };
    (Some(normalised), reader.messages)
}

fn subdomain(reader: &mut RowReader<'_>, product_default: Option<String>) -> (Option<String>, bool) {
    let taxonomy = reader.context.taxonomy;
    let has_cell = reader.cell(Field::Subdomain).is_some() || reader.cell(Field::Domain).is_some();
    if let (false, Some(declared)) = (has_cell, reader.context.file_domain) {
        return file_subdomain(reader, declared, product_default);
    }
    let mut domain_only: Option<String> = None;
    for field in [Field::Subdomain, Field::Domain] {
        let Some((index, cell)) = reader.cell(field) else { continue };
        match taxonomy.lookup_parts(&cell.display(), product_default.as_deref()) {
            Some(DomainRef::Subdomain(code)) => {
                // Hospitals do run one product in several sub-domains: the
                // label wins, said when it differs from the product's own.
                if let Some(default) = product_default.as_deref().filter(|d| *d != code.as_str()) {
                    if taxonomy.domain_of(default) == taxonomy.domain_of(code) {
                        reader.push(Severity::Info, "subdomain_from_label", Some(index), format!("désigne le sous-domaine {code}, retenu ; le produit rapproché relève d'ordinaire de {default}."));
                    } else {
                        reader.push(Severity::Warning, "domain_conflict", Some(index), format!("désigne le sous-domaine {code}, d'un autre domaine que celui du produit rapproché ({default}) : le sous-domaine écrit est retenu ; vérifiez le produit ou le domaine."));
                    }
                }
                return (Some(code.clone()), false);
            }
            Some(DomainRef::Domain(code)) => domain_only = Some(code.clone()),
            None => match taxonomy.shared_by(&cell.display()) {
                // « Gestion »: GAP, GEF or GRH, and the product does not say.
                Some(domains) => {
                    let domains = domains.join(", ");
                    let why = if product_default.is_some() { "le produit rapproché ne relève d'aucun d'eux" } else { "aucun produit reconnu ne permet de choisir" };
                    reader.push(Severity::Warning, "ambiguous_domain", Some(index), format!("peut désigner plusieurs domaines de la nomenclature ({domains}) et {why} : précisez le domaine ou le sous-domaine."));
                }
                None => reader.push(Severity::Warning, "unknown_domain", Some(index), "n'est pas un domaine connu de la nomenclature : le sous-domaine est déduit du produit quand c'est possible (voir GET /api/v1/taxonomy).".to_owned()),
            },
        }
    }
    let column = reader
        .cell(Field::Domain)
        .or_else(|| reader.cell(Field::Subdomain))
        .map(|(i, _)| i)
        .or(reader.sheet.column_of(Field::Application));
    match (product_default, domain_only) {
        (Some(default), Some(domain)) if taxonomy.domain_of(&default) == Some(domain.as_str()) => {
            reader.push(
                Severity::Info,
                "inferred_subdomain",
                column,
                format!("ne précise que le domaine {domain} : le sous-domaine {default} est déduit du produit."),
            );
            (Some(default), true)
        }
        (Some(default), None) => {
            reader.push(
                Severity::Info,
                "inferred_subdomain",
                column,
                format!("ne donne pas de sous-domaine : le sous-domaine {default} est déduit du produit."),
            );
            (Some(default), true)
        }
        (Some(default), Some(domain)) => {
            // A coding product under « Urgences »: the label is kept, and
            // a person checks.
            reader.push(Severity::Warning, "domain_conflict", column, format!("désigne le domaine {domain}, autre que celui du produit rapproché ({default}) : le domaine écrit est retenu ; vérifiez le produit ou le domaine."));
            match taxonomy.only_subdomain(&domain) {
                Some(only) => (Some(only.to_owned()), false),
                None => {
                    reader.push(Severity::Warning, "inferred_subdomain", column, format!("ne précise que le domaine {domain}, qui a plusieurs sous-domaines : précisez le sous-domaine pour que la ligne compte dans les indicateurs."));
                    (None, false)
                }
            }
        }
        (None, Some(domain)) => match taxonomy.only_subdomain(&domain) {
            Some(only) => (Some(only.to_owned()), false),
            None => {
                reader.push(Severity::Warning, "inferred_subdomain", column, format!("ne précise que le domaine {domain}, qui a plusieurs sous-domaines : précisez le sous-domaine pour que la ligne compte dans les indicateurs."));
                (None, false)
            }
        },
        (None, None) => (None, false),
    }
}

/// How many FINESS-like numbers (8 or 9 digits, or a Corsican `2A`/`2B`
/// one) a cell holds, one per line or separated by spaces or punctuation.
fn several_finess(text: &str) -> usize {
    text.split(|c: char| c.is_whitespace() || matches!(c, ';' | ',' | '/' | '|' | '-'))
        .filter(|part| {
            let len = part.chars().count();
            (8..=9).contains(&len)
                && part
                    .chars()
                    .enumerate()
                    .all(|(i, c)| c.is_ascii_digit() || (i == 1 && matches!(c, 'A' | 'B' | 'a' | 'b')))
        })
        .count()
}

/// The sub-domain of a row without a domain cell in a file declared to be
/// about one domain or sub-domain: the declared one, kept even when the
/// product usually lies elsewhere (said in a note); for a declared domain,
/// the product's own sub-domain when it lies in it.
fn file_subdomain(
    reader: &mut RowReader<'_>,
    declared: &DomainRef,
    product_default: Option<String>,
) -> (Option<String>, bool) {
    let taxonomy = reader.context.taxonomy;
    let column = reader.sheet.column_of(Field::Application);
    let (code, domain) = match declared {
        DomainRef::Subdomain(code) => (Some(code.clone()), taxonomy.domain_of(code).map(str::to_owned)),
        DomainRef::Domain(domain) => match product_default.as_deref().filter(|d| taxonomy.domain_of(d) == Some(domain))
        {
            Some(default) => return (Some(default.to_owned()), true),
            None => (taxonomy.only_subdomain(domain).map(str::to_owned), Some(domain.clone())),
        },
    };
    if let Some(default) = product_default.as_deref().filter(|d| Some(*d) != code.as_deref()) {
        let declared = code.clone().or(domain.clone()).unwrap_or_default();
        reader.push(Severity::Info, "file_domain_kept", column, format!("relève d'ordinaire de {default} : le fichier étant déclaré sur {declared}, c'est ce dernier qui est retenu."));
    }
    if code.is_none() {
        let domain = domain.unwrap_or_default();
        reader.push(Severity::Warning, "inferred_subdomain", column, format!("le fichier est déclaré sur le domaine {domain}, qui a plusieurs sous-domaines : précisez le sous-domaine pour que la ligne compte dans les indicateurs."));
    }
    (code, false)
}

/// Finds the row's établissement; errors are pushed on the reader.
fn route(reader: &mut RowReader<'_>) -> (Option<Finess>, Option<Finess>) {
    let finess_cell = [Field::FinessEt, Field::Finess, Field::FinessEj].into_iter().find_map(|f| reader.cell(f));
    let targets: Vec<&RouteTarget> = match reader.context.routing {
        Routing::Etablissement(target) => vec![target],
        Routing::Ght(members) => members.iter().collect(),
    };
    if let Some((index, cell)) = finess_cell {
        let numbers = several_finess(&cell.display());
        if numbers > 1 {
            reader.push(
                Severity::Error,
                "several_finess",
                Some(index),
                format!("{numbers} numéros FINESS dans une cellule : une ligne ne concerne qu'un établissement ; faites une ligne par établissement."),
            );
            return (None, None);
        }
        match Finess::recover(&cell.display()) {
            Ok(recovered) => {
                for warning in &recovered.warnings {
                    let text = match warning {
                        FinessWarning::LeadingZeroRestored => format!(
                            "a perdu son zéro initial (Excel) : lu {}. Saisissez les FINESS comme du texte.",
                            recovered.finess
                        ),
                        FinessWarning::KeyComputed => format!(
                            "n'a que 8 chiffres : lu comme un numéro sans sa clé, soit {}. Vérifiez-le.",
                            recovered.finess
                        ),
                        FinessWarning::CorsicanKeyUnverified => {
                            "est un numéro corse dont la clé n'a pas pu être vérifiée.".to_owned()
                        }
                    };
                    reader.push(Severity::Warning, "value_normalised", Some(index), text);
                }
                let finess = recovered.finess;
                if let Some(target) = targets.iter().find(|t| t.finess_ej == finess) {
                    return (Some(target.finess_ej.clone()), None);
                }
                if let Some(target) = targets.iter().find(|t| t.sites.contains(&finess)) {
                    return (Some(target.finess_ej.clone()), Some(finess));
                }
                let text = match reader.context.routing {
                    Routing::Etablissement(target) => format!(
                        "n'est ni le FINESS juridique ({}) ni un site de cet établissement : cette ligne appartient à un autre établissement.",
                        target.finess_ej
                    ),
                    Routing::Ght(_) => "n'est ni le FINESS juridique ni un site d'un établissement du GHT.".to_owned(),
                };
                reader.push(Severity::Error, "foreign_finess", Some(index), text);
                return (None, None);
            }
            Err(error) => {
                reader.push(
                    Severity::Error,
                    "invalid_finess",
                    Some(index),
                    format!("n'est pas un numéro FINESS valide : {error}."),
                );
                return (None, None);
            }
        }
    }
    match reader.context.routing {
        Routing::Etablissement(target) => (Some(target.finess_ej.clone()), None),
        Routing::Ght(members) => {
            let names = [Some(reader.sheet.name.clone()), reader.text(Field::EtablissementName)];
            for name in names.into_iter().flatten() {
                if let Some(target) = match_member_name(members, &name) {
                    return (Some(target.finess_ej.clone()), None);
                }
            }
            // A column the header did not name as FINESS but whose cell
            // holds one (`N° ETAB`, a header damaged beyond reading).
            let lookalike = reader.row.cells.iter().zip(&reader.sheet.columns).position(|(cell, column)| {
                column.field.is_none() && !cell.is_blank() && Finess::recover(&cell.display()).is_ok()
            });
            if let Some(at) = lookalike {
                let header = reader.sheet.columns[at].header.replace('"', "\\\"");
                reader.push(Severity::Error, "unroutable_row", Some(at), format!(
                    "ressemble à un numéro FINESS, mais la colonne n'a pas été reconnue comme telle : la ligne ne peut être attribuée à un établissement du GHT. Envoyez le paramètre mapping={{\"{header}\": \"finess\"}} avec le fichier (il sera retenu pour les dépôts suivants du GHT)."
                ));
                return (None, None);
            }
            let column = reader.sheet.column_of(Field::EtablissementName);
            reader.push(Severity::Error, "unroutable_row", column, format!(
                "ne permet pas de savoir à quel établissement du GHT la ligne appartient : ajoutez une colonne FINESS, ou nommez la feuille « {} » comme l'établissement.", reader.sheet.name
            ));
            (None, None)
        }
    }
}

/// A member whose name or FINESS the text designates.
fn match_member_name<'a>(members: &'a [RouteTarget], text: &str) -> Option<&'a RouteTarget> {
    let key = normalise_key(text);
    if key.len() < 3 {
        return None;
    }
    members.iter().find(|m| {
        let name = normalise_key(&m.name);
        key == name
            || key.contains(m.finess_ej.as_str())
            || (key.len() >= 5 && name.contains(&key))
            || (name.len() >= 5 && key.contains(&name))
    })
}

#[cfg(test)]
#[path = "row_tests.rs"]
mod tests;
