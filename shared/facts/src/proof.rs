//! Proof a brief gives: quotes (the words inside quotation marks), ratings, customer counts,
//! awards. Only what is written; a page may show nothing else as proof.

use std::sync::LazyLock;

use regex::Regex;

use crate::{Proof, ProofKind};

/// Quoted speech of at least three words; `"` and the typographic marks of en/fr/de/es
/// (normalised to `"` by `prose::normalize`).
static QUOTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""([^"]{8,400})""#).expect("valid regex"));

/// "– Jana & Tim", "- Maria T., Portland", "(Lena, Mitglied seit 2020)" right after a quote.
static ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\s,]*(?:[–—-]|\()\s*(\p{Lu}[\p{L}.'&\s-]{0,40}?)(?:[,;.)]|$|\s[a-z])")
        .expect("valid regex")
});

static RATING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b\d(?:[.,]\d{1,2})?\s?(?:/\s?(?:5|10)\b|(?:out of|sur|von|de)\s(?:5|10)\b|(?:stars?|étoiles?|sterne?n?|estrellas?)\b)(?:\s(?:on|sur|auf|en|bei)\s[A-Z][\p{L}.]+(?:\s[A-Z][\p{L}]+)?)?",
    )
    .expect("valid regex")
});

static COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\b(?:over|more than|nearly|almost|plus de|près de|über|mehr als|fast|más de|casi)\s)?\b\d{1,3}(?:[.,\s]\d{3})+\+?\s?(?:[\p{L}-]+\s){0,1}[\p{L}-]+|(?i)(?:\b(?:over|more than|plus de|über|mehr als|más de)\s)\d{2,3}\+?\s(?:[\p{L}-]+\s){0,1}[\p{L}-]+",
    )
    .expect("valid regex")
});

/// Who or what a count counts: people, customers, things served. Units and money are not proof.
const COUNTED: &[&str] = &[
    "customer",
    "client",
    "user",
    "famil",
    "freelancer",
    "patient",
    "member",
    "student",
    "guest",
    "download",
    "home",
    "case",
    "order",
    "team",
    "compan",
    "business",
    "household",
    "donor",
    "volunteer",
    "meal",
    "reader",
    "subscriber",
    "couple",
    "wedding",
    "install",
    "sold",
    "served",
    "kund",
    "nutzer",
    "mitglied",
    "patient",
    "famili",
    "fälle",
    "haushalt",
    "spender",
    "gäst",
    "cliente",
    "usuario",
    "socio",
    "alumno",
    "paciente",
    "famil",
    "caso",
    "descarga",
    "vivienda",
    "utilisateur",
    "adhérent",
    "élève",
    "étudiant",
    "foyer",
    "dossier",
    "téléchargement",
    "logement",
    "personne",
    "personas",
    "menschen",
    "people",
];

static AWARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)[^.;!?]*\b(?:award(?:ed|s)?|winner|won|prize|lauréat|prix\s(?:du|de la|des)|récompens\w*|médaille|ausgezeichnet|auszeichnung|gewinner|preisträger|premio|premiad[oa]|galardonad[oa]|michelin|gault|guide du routard)\b[^.;!?]*",
    )
    .expect("valid regex")
});

pub fn proof(text: &str) -> Vec<Proof> {
    let mut found: Vec<Proof> = Vec::new();
    for caps in QUOTE.captures_iter(text) {
        if let (Some(whole), Some(quote)) = (caps.get(0), caps.get(1)) {
            let words = quote.as_str().split_whitespace().count();
            // A quoted name ("Rosa's Bakery") or title is not a quote: a quote is a sentence.
            if words >= 3
                && quote
                    .as_str()
                    .split_whitespace()
                    .any(|w| w.chars().next().is_some_and(char::is_lowercase))
            {
                let attribution = ATTRIBUTION
                    .captures(text.get(whole.end()..).unwrap_or(""))
                    .and_then(|c| c.get(1))
                    .map(|m| m.as_str().trim().to_owned());
                let quote = quote.as_str().trim().to_owned();
                if !found.iter().any(|p| p.text == quote) {
                    found.push(Proof {
                        kind: ProofKind::Quote,
                        text: quote,
                        attribution,
                    });
                }
            }
        }
    }
    let mut push = |kind, text: &str| {
        // Only what is written: a span of the brief.
        let text = text.trim().trim_end_matches([',', '.']).to_owned();
        if !text.is_empty() && !found.iter().any(|p| p.text == text) {
            found.push(Proof {
                kind,
                text,
                attribution: None,
            });
        }
    };
    for m in RATING.find_iter(text) {
        push(ProofKind::Rating, m.as_str());
    }
    for m in COUNT.find_iter(text) {
        let lower = m.as_str().to_lowercase();
        let before = text.get(..m.start()).unwrap_or("");
        let money =
            before.ends_with(['$', '€', '£']) || lower.contains('€') || lower.contains("eur");
        if money {
            continue;
        }
        // Up to the word that says who is counted ("Over 12,000 freelancers", not "… use").
        let words: Vec<&str> = m.as_str().split(' ').collect();
        if let Some(last) = words
            .iter()
            .rposition(|w| COUNTED.iter().any(|c| w.to_lowercase().contains(c)))
        {
            push(
                ProofKind::CustomerCount,
                &words.get(..=last).unwrap_or_default().join(" "),
            );
        }
    }
    for m in AWARD.find_iter(text) {
        push(ProofKind::Award, m.as_str());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(ProofKind, String)> {
        proof(text).into_iter().map(|p| (p.kind, p.text)).collect()
    }

    #[test]
    fn quotes_ratings_counts_and_awards() {
        let found = kinds(
            r#"Over 12,000 freelancers use it and we're rated 4.8/5 on Capterra. A client said "Best invoicing tool I have used". Winner of the 2024 SaaS Award."#,
        );
        assert!(
            found.contains(&(ProofKind::CustomerCount, "Over 12,000 freelancers".into())),
            "{found:?}"
        );
        assert!(
            found.contains(&(ProofKind::Rating, "4.8/5 on Capterra".into())),
            "{found:?}"
        );
        assert!(
            found.contains(&(ProofKind::Quote, "Best invoicing tool I have used".into())),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|(k, t)| *k == ProofKind::Award && t.contains("Winner")),
            "{found:?}"
        );
    }

    #[test]
    fn money_and_plain_numbers_are_not_proof() {
        assert!(kinds("Studio at $1,499 per month for 12,000 €. Call 555 0123.").is_empty());
        assert!(kinds(r#"We are "Rosa's Bakery""#).is_empty());
    }
}
