//! The normalised key: case, accents, punctuation and spacing folded.

/// Folds a name into the key used to compare names: lower case, accents and
/// ligatures removed, every run of punctuation, hyphens, dots or spaces
/// collapsed to nothing. `Cristal-Net`, `CRISTAL NET` and `cristalnet`
/// share the key `cristalnet`; `Hôpital Manager` and `hopital manager`
/// share `hopitalmanager`.
///
/// The key is idempotent: normalising a key returns it unchanged.
pub fn normalise_key(raw: &str) -> String {
    let mut key = String::with_capacity(raw.len());
    for c in raw.chars() {
        // Most of what inventories hold is ASCII: fold it without the
        // Unicode tables.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() || c == '+' {
                key.push(c.to_ascii_lowercase());
            }
            continue;
        }
        push_folded(&mut key, fold(c));
    }
    key
}

fn push_folded(key: &mut String, folded: Folded) {
    match folded {
        Folded::One(f) => key.push(f),
        Folded::Two(a, b) => {
            key.push(a);
            key.push(b);
        }
        Folded::Skip => {}
    }
}

enum Folded {
    One(char),
    Two(char, char),
    Skip,
}

fn fold(c: char) -> Folded {
    let lower = c.to_lowercase().next().unwrap_or(c);
    let base = match lower {
        'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => 'a',
        'ç' => 'c',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' | 'í' | 'ì' => 'i',
        'ô' | 'ö' | 'ó' | 'ò' | 'õ' | 'ø' => 'o',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'ÿ' | 'ý' => 'y',
        'ñ' => 'n',
        'œ' => return Folded::Two('o', 'e'),
        'æ' => return Folded::Two('a', 'e'),
        'ß' => return Folded::Two('s', 's'),
        '+' => return Folded::One('+'),
        other if other.is_alphanumeric() => other,
        _ => return Folded::Skip,
    };
    Folded::One(base)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spellings_of_one_name_share_a_key() {
        assert_eq!(normalise_key("DX CARE"), normalise_key("DxCare"));
        assert_eq!(normalise_key("Cristal-Net"), "cristalnet");
        assert_eq!(normalise_key("Hôpital Manager"), "hopitalmanager");
        assert_eq!(normalise_key("Œdème  Cœur"), "oedemecoeur");
        assert_eq!(normalise_key("Asset+"), "asset+");
        assert_eq!(normalise_key("l'agenda"), "lagenda");
    }

    /// The key through the Unicode folding alone, without the ASCII path.
    fn folded_char_by_char(raw: &str) -> String {
        let mut key = String::new();
        for c in raw.chars() {
            push_folded(&mut key, fold(c));
        }
        key
    }

    proptest! {
        #[test]
        fn the_ascii_path_folds_as_the_unicode_one(s in "[ -~àéÉœÇß\\PC]{0,24}") {
            prop_assert_eq!(normalise_key(&s), folded_char_by_char(&s));
        }

        #[test]
        fn normalising_twice_changes_nothing(s in "\\PC*") {
            let once = normalise_key(&s);
            prop_assert_eq!(normalise_key(&once), once);
        }
    }
}
