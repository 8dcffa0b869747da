//! Extractors whose rejections are problem documents in French, instead of
//! axum's plain-text defaults.

use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::extract::{Multipart, Request};

use crate::error::AppError;

/// A JSON body.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// Query parameters.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

/// A `multipart/form-data` body (a deposited file).
#[derive(Debug)]
pub struct ApiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        Ok(ApiMultipart(Multipart::from_request(request, state).await?))
    }
}

/// Path parameters.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => {
                AppError::Invalid(format!("contenu JSON refusé : {}", french(&e.body_text())))
            }
            JsonRejection::JsonSyntaxError(e) => {
                AppError::BadRequest(format!("JSON illisible : {}", french(&e.body_text())))
            }
            JsonRejection::MissingJsonContentType(_) => {
                AppError::BadRequest("l'en-tête Content-Type doit être application/json".to_owned())
            }
            JsonRejection::BytesRejection(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                AppError::PayloadTooLarge(
                    "la requête dépasse la taille maximale autorisée (variable CONVERGENCE_MAX_UPLOAD_BYTES)"
                        .to_owned(),
                )
            }
            _ => AppError::BadRequest("corps de requête illisible".to_owned()),
        }
    }
}

impl From<MultipartRejection> for AppError {
    fn from(_: MultipartRejection) -> Self {
        AppError::BadRequest(
            "le corps de la requête doit être un formulaire multipart/form-data (en-tête Content-Type avec sa \
             délimitation « boundary »), le fichier dans le champ « file »"
                .to_owned(),
        )
    }
}

impl AppError {
    /// The error of a multipart body that breaks off or exceeds the limit.
    pub fn multipart(error: &MultipartError, limit: u64) -> Self {
        if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            AppError::Ingest(crate::import::IngestError::TooLarge { limit })
        } else {
            AppError::BadRequest(
                "formulaire multipart illisible : le corps est interrompu ou mal délimité ; renvoyez le fichier"
                    .to_owned(),
            )
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::BadRequest(format!("paramètre de requête invalide : {}", french(&rejection.body_text())))
    }
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        // A path that does not parse names nothing that exists.
        AppError::NotFound("ressource introuvable : l'identifiant dans l'adresse n'est pas valide".to_owned())
    }
}

/// Rewrites what axum and serde say in English: their prefixes go, their
/// phrases are translated, and what is left unknown gives way to a plain
/// French sentence with the position (never library English to a user).
/// Messages of the domain types (already French) pass through.
pub fn french(text: &str) -> String {
    let mut text = text.to_owned();
    for prefix in [
        "Failed to deserialize the JSON body into the target type: ",
        "Failed to parse the request body as JSON: ",
        "Failed to deserialize query string: ",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest.to_owned();
        }
    }
    for (english, french) in PHRASES {
        text = text.replace(english, french);
    }
    // What the client wrote is quoted between backticks: only the rest is ours.
    let ours: String = text.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    if ENGLISH_MARKERS.iter().any(|word| ours.split(|c: char| !c.is_alphabetic()).any(|w| w == *word)) {
        return match position(&text) {
            Some(at) => format!("contenu non conforme au format attendu ({at})"),
            None => "contenu non conforme au format attendu".to_owned(),
        };
    }
    text
}

/// serde's phrases, longest first where one contains another.
const PHRASES: &[(&str, &str)] = &[
    ("invalid type: string", "type de valeur invalide : chaîne"),
    ("invalid type: integer", "type de valeur invalide : entier"),
    ("invalid type: floating point", "type de valeur invalide : nombre décimal"),
    ("invalid type: boolean", "type de valeur invalide : booléen"),
    ("invalid type: map", "type de valeur invalide : objet"),
    ("invalid type: sequence", "type de valeur invalide : liste"),
    ("invalid type: null", "type de valeur invalide : null"),
    ("expected i64", "attendu un entier"),
    ("expected u64", "attendu un entier positif"),
    ("expected i32", "attendu un entier"),
    ("expected u32", "attendu un entier positif"),
    ("expected usize", "attendu un entier positif"),
    ("expected f64", "attendu un nombre"),
    ("key must be a string", "les clés d'un objet JSON sont des chaînes entre guillemets"),
    ("unknown variant", "valeur inconnue"),
    ("missing field", "champ obligatoire manquant :"),
    ("unknown field", "champ inconnu :"),
    ("duplicate field", "champ en double :"),
    ("invalid type:", "type de valeur invalide :"),
    ("invalid value:", "valeur invalide :"),
    ("invalid length", "longueur invalide"),
    ("trailing characters", "caractères en trop après le JSON"),
    ("trailing comma", "virgule en trop"),
    ("expected one of", "valeurs attendues :"),
    ("expected value", "valeur attendue"),
    ("expected ident", "mot-clé attendu"),
    ("expected `,` or `}`", "« , » ou « } » attendu"),
    ("expected `,` or `]`", "« , » ou « ] » attendu"),
    ("expected `:`", "« : » attendu"),
    ("expected", "attendu"),
    ("control character (\\u0000-\\u001F) found while parsing a string", "caractère de contrôle dans une chaîne"),
    ("invalid escape", "séquence d'échappement invalide"),
    ("invalid number", "nombre invalide"),
    ("number out of range", "nombre hors limites"),
    ("recursion limit exceeded", "imbrication trop profonde"),
    ("invalid unicode code point", "point de code Unicode invalide"),
    ("input contains invalid characters", "la date ou le nombre contient des caractères invalides"),
    ("premature end of input", "valeur incomplète"),
    ("EOF while parsing", "fin de texte inattendue en lisant"),
    ("a string", "une chaîne"),
    ("an integer", "un entier"),
    ("a boolean", "un booléen"),
    ("an object", "un objet"),
    ("a list", "une liste"),
    ("a value", "une valeur"),
    ("a map", "un objet"),
    ("a sequence", "une liste"),
    ("at line", "à la ligne"),
    ("column", "colonne"),
];

/// Words that tell a message is still English after translation.
const ENGLISH_MARKERS: [&str; 30] = [
    "must", "found", "while", "the", "invalid", "expected", "unknown", "failed", "error", "string", "integer",
    "sequence", "map", "struct", "variant", "parse", "did", "not", "any", "of", "with", "for", "is", "was", "be",
    "and", "to", "too", "large", "match",
];

/// « à la ligne L colonne C », when the message gives it.
fn position(text: &str) -> Option<String> {
    let at = text.find("à la ligne")?;
    let numbers: Vec<&str> =
        text[at..].split(|c: char| !c.is_ascii_digit()).filter(|n| !n.is_empty()).take(2).collect();
    match numbers.as_slice() {
        [line, column] => Some(format!("ligne {line}, colonne {column}")),
        [line] => Some(format!("ligne {line}")),
        _ => None,
    }
}

/// The `file` part of a multipart form (its name, or `default_name`, and
/// its bytes), refused past `max_bytes`.
///
/// # Errors
/// `Ingest(TooLarge)` past the limit, `BadRequest` without a `file` part
/// or for a malformed form.
pub async fn file_part(
    multipart: Multipart,
    max_bytes: usize,
    default_name: &str,
) -> Result<(String, Vec<u8>), AppError> {
    let (_, file) = form_parts(multipart, max_bytes, default_name).await?;
    file.ok_or_else(|| AppError::BadRequest("le formulaire doit contenir le fichier dans le champ « file »".to_owned()))
}

/// A GHT code from a path: a malformed code names no GHT, hence 404 (the
/// API's routes and the pages alike).
///
/// # Errors
/// `NotFound` for a malformed code.
pub fn ght_in_path(raw: &str) -> Result<crate::domain::GhtCode, AppError> {
    crate::domain::GhtCode::parse(raw).map_err(|_| AppError::not_found(format!("GHT « {raw} » introuvable")))
}

/// A text field of a form holds at most this many bytes.
const MAX_FIELD_BYTES: usize = 4096;

/// The text fields of an upload form and its `file` part (when sent), the
/// file limited to `max_bytes`, each text field to 4 KiB.
///
/// # Errors
/// `Ingest(TooLarge)` past the limit; `BadRequest` for a malformed form or
/// a text field too long.
pub async fn form_parts(
    mut multipart: Multipart,
    max_bytes: usize,
    default_name: &str,
) -> Result<(std::collections::HashMap<String, String>, Option<(String, Vec<u8>)>), AppError> {
    let limit = max_bytes as u64;
    let mut file = None;
    let mut fields = std::collections::HashMap::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::multipart(&e, limit))? {
        let Some(name) = field.name().map(str::to_owned) else { continue };
        if name == "file" {
            let file_name = field.file_name().unwrap_or(default_name).to_owned();
            let bytes = field.bytes().await.map_err(|e| AppError::multipart(&e, limit))?;
            if bytes.len() > max_bytes {
                return Err(AppError::Ingest(crate::import::IngestError::TooLarge { limit }));
            }
            // A form sent without choosing a file has an empty part.
            if !(bytes.is_empty() && file_name.is_empty()) {
                file = Some((file_name, bytes.to_vec()));
            }
        } else {
            let text = field.text().await.map_err(|e| AppError::multipart(&e, limit))?;
            if text.len() > MAX_FIELD_BYTES {
                return Err(AppError::BadRequest(format!("le champ « {name} » dépasse {MAX_FIELD_BYTES} octets")));
            }
            fields.insert(name, text);
        }
    }
    Ok((fields, file))
}

#[cfg(test)]
mod tests {
    use super::french;

    #[test]
    fn serde_messages_come_out_in_french() {
        assert_eq!(
            french("key must be a string at line 1 column 2"),
            "les clés d'un objet JSON sont des chaînes entre guillemets à la ligne 1 colonne 2"
        );
        assert_eq!(
            french("unknown variant `fatal`, expected one of `error`, `warning`, `info`"),
            "valeur inconnue `fatal`, valeurs attendues : `error`, `warning`, `info`"
        );
        assert_eq!(
            french("missing field `year` at line 1 column 2"),
            "champ obligatoire manquant : `year` à la ligne 1 colonne 2"
        );
    }

    #[test]
    fn what_cannot_be_translated_gives_way_to_french_with_its_position() {
        assert_eq!(
            french("data did not match any variant of untagged enum Detail at line 3 column 7"),
            "contenu non conforme au format attendu (ligne 3, colonne 7)"
        );
        assert_eq!(french("data did not match"), "contenu non conforme au format attendu");
        let domain = "« 76078072 » n'est pas un numéro FINESS : 9 caractères attendus";
        assert_eq!(french(domain), domain, "French passes through");
    }
}
