//! Page languages: BCP 47 tags as clients send them, and the one table of languages the
//! product knows.

/// The longest tag accepted (RFC 5646 §4.4.1 advises keeping at least 35 characters).
pub const MAX_TAG_CHARS: usize = 35;

/// `raw` as a well-formed BCP 47 tag in canonical case (`fr-fr` → `fr-FR`, `zh-hant-tw` →
/// `zh-hant-TW`; `_` is read as `-`), or `None` when it is not one: a 2–3 letter language,
/// then subtags of 1–8 letters or digits.
pub fn canonical_tag(raw: &str) -> Option<String> {
    let raw = raw.trim().replace('_', "-");
    if raw.len() > MAX_TAG_CHARS {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for (i, part) in raw.split('-').enumerate() {
        let ok = if i == 0 {
            (2..=3).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphabetic())
        } else {
            (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        };
        if !ok {
            return None;
        }
        out.push(match (i, part.len()) {
            (0, _) => part.to_ascii_lowercase(),
            (_, 2) if part.chars().all(|c| c.is_ascii_alphabetic()) => part.to_ascii_uppercase(),
            _ => part.to_owned(),
        });
    }
    Some(out.join("-"))
}

/// The languages Visions AI knows: the renderer has interface strings (skip link, footer
/// label…) for each, and the offline composer writes copy in those marked `composed`. Other
/// languages are still accepted: a model writes their copy, and the interface is in English.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    En,
    Fr,
    De,
    Es,
    It,
    Pt,
    Nl,
}

impl Language {
    pub const ALL: [Self; 7] = [
        Self::En,
        Self::Fr,
        Self::De,
        Self::Es,
        Self::It,
        Self::Pt,
        Self::Nl,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
            Self::De => "de",
            Self::Es => "es",
            Self::It => "it",
            Self::Pt => "pt",
            Self::Nl => "nl",
        }
    }

    /// Whether the offline composer has a phrasebook for it.
    pub fn composed(self) -> bool {
        matches!(self, Self::En | Self::Fr | Self::De | Self::Es)
    }

    /// The language of a locale (`fr-CA` → French), if it is one of ours.
    pub fn of(locale: &str) -> Option<Self> {
        let primary = locale.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == primary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_checked_and_put_in_canonical_case() {
        assert_eq!(canonical_tag("fr-fr").as_deref(), Some("fr-FR"));
        assert_eq!(canonical_tag("pt_br").as_deref(), Some("pt-BR"));
        assert_eq!(canonical_tag("zh-Hant-tw").as_deref(), Some("zh-Hant-TW"));
        for bad in [
            "",
            "e",
            "english",
            "fr--FR",
            "fr-",
            "<script>",
            "fr-abcdefghi",
            "é",
        ] {
            assert_eq!(canonical_tag(bad), None, "{bad}");
        }
        assert_eq!(canonical_tag(&format!("en-{}", "a".repeat(40))), None);
    }

    #[test]
    fn a_locale_names_its_language() {
        assert_eq!(Language::of("fr-CA"), Some(Language::Fr));
        assert_eq!(Language::of("DE"), Some(Language::De));
        assert_eq!(Language::of("ja"), None);
        assert!(Language::Es.composed() && !Language::Nl.composed());
    }
}
