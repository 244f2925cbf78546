//! The language a brief is written in, among the ones pages are written in.

use visions_domain::locale::Language;
use whatlang::{Detector, Lang};

/// The brief's language, when the text says enough to tell (a few words may not).
pub fn detect(text: &str) -> Option<Language> {
    let detector = Detector::with_allowlist(vec![
        Lang::Eng,
        Lang::Fra,
        Lang::Deu,
        Lang::Spa,
        Lang::Ita,
        Lang::Por,
        Lang::Nld,
    ]);
    // URLs, emails and numbers carry no language and skew trigram counts.
    let words: String = text
        .split_whitespace()
        .filter(|w| {
            !w.trim_end_matches(['.', ',', ';', ':'])
                .contains(['/', '@', '.'])
        })
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(language) = function_words(&words) {
        return Some(language);
    }
    let info = detector.detect(&words)?;
    if words.split_whitespace().count() < 3 && !info.is_reliable() {
        return None;
    }
    Some(match info.lang() {
        Lang::Fra => Language::Fr,
        Lang::Deu => Language::De,
        Lang::Spa => Language::Es,
        Lang::Ita => Language::It,
        Lang::Por => Language::Pt,
        Lang::Nld => Language::Nl,
        _ => Language::En,
    })
}

/// Function words of each language. Short briefs are mostly names and nouns, on which trigram
/// models guess; articles and prepositions say the language plainly.
const FUNCTION_WORDS: &[(Language, &[&str])] = &[
    (
        Language::En,
        &[
            "the", "and", "for", "with", "our", "we", "at", "of", "to", "is", "are", "your",
            "open", "from", "by", "or",
        ],
    ),
    (
        Language::Fr,
        &[
            "le", "la", "les", "et", "pour", "avec", "des", "du", "à", "nous", "vous", "est",
            "une", "sur", "au", "aux", "ou",
        ],
    ),
    (
        Language::De,
        &[
            "der", "die", "das", "und", "für", "mit", "ist", "ein", "eine", "im", "zum", "zur",
            "wir", "auf", "bei", "von", "oder",
        ],
    ),
    (
        Language::Es,
        &[
            "el", "los", "las", "y", "para", "con", "del", "es", "una", "por", "al", "nuestro",
            "nuestra", "o", "de",
        ],
    ),
    (
        Language::It,
        &[
            "il", "gli", "per", "che", "della", "sono", "siamo", "di", "e", "nel",
        ],
    ),
    (
        Language::Pt,
        &[
            "os", "para", "com", "em", "do", "da", "não", "uma", "nosso", "nossa", "e",
        ],
    ),
    (
        Language::Nl,
        &[
            "het", "en", "voor", "met", "een", "van", "wij", "onze", "is", "bij",
        ],
    ),
];

/// The language whose function words clearly dominate: at least three, twice the runner-up.
fn function_words(text: &str) -> Option<Language> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut counts: Vec<(Language, usize)> = FUNCTION_WORDS
        .iter()
        .map(|(language, list)| {
            (
                *language,
                words.iter().filter(|w| list.contains(&w.as_str())).count(),
            )
        })
        .collect();
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    match counts.as_slice() {
        [(language, first), (_, second), ..] if *first >= 3 && *first >= 2 * second => {
            Some(*language)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_the_four_composed_languages_apart() {
        for (text, language) in [
            (
                "Landing page for a family bakery in Portland, warm tone",
                Language::En,
            ),
            (
                "Cabinet dentaire à Lyon, soins courants et urgences, prise de rendez-vous en ligne",
                Language::Fr,
            ),
            (
                "Zahnarztpraxis in Berlin mit Prophylaxe und Implantaten, Termin online",
                Language::De,
            ),
            (
                "Clínica dental en Madrid, pide tu cita por teléfono o en la web",
                Language::Es,
            ),
        ] {
            assert_eq!(detect(text), Some(language), "{text}");
        }
    }
}
