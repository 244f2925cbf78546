//! Prices as a brief states them: an amount with its currency (symbol or code, before or
//! after), a range, a period ("/month", "la nuit", "pro Monat", "al mes") or a tax qualifier,
//! and the plan or item it is for. A number without a currency is never a price.

use std::sync::LazyLock;

use regex::Regex;

use crate::contact::Span;
use crate::{Period, Price};

const AMOUNT: &str = r"\d{1,3}(?:[.,\s\u{a0}\u{202f}]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?";

static PRICE: LazyLock<Regex> = LazyLock::new(|| {
    let before = r"(?P<sym>C\$|CA\$|A\$|AU\$|US\$|MX\$|\$|£|€|CHF|USD|EUR|GBP|CAD)\s?";
    let after = r"\s?(?P<sym2>€|EUR|euros?|CHF|Fr\.|USD|GBP|£|\$)";
    let pattern = format!(
        r"(?x)
        (?P<mult>\b\d{{1,2}}\s?(?:x|×)\s?)?
        (?:
          {before}(?P<a1>{AMOUNT})(?:\.–|\.-)?(?:\s?[-–]\s?\$?(?P<a1max>{AMOUNT}))?(?:\s(?P<code>MXN|ARS|USD|CAD|AUD|COP|CLP|EUR|CHF|GBP)\b)?
          |
          (?P<a2>{AMOUNT})(?:\s?(?:€|EUR)?\s?(?:[-–]|bis|à|a|to)\s?(?P<a2max>{AMOUNT}))?{after}
        )
        (?P<qual>\s(?:TTC|HT|HT/mois|netto|brutto|inkl\.\s?MwSt\.?|IVA\sincluido|\+\sIVA))?
        (?P<period>\s?/\s?(?:month|mo|mois|mes|Monat|Mon\.|year|yr|an|año|Jahr|night|nuit|noche|Nacht)\b
          |\s(?:per|a|par|pro|im|al|por|la|die|each|chacun|cada|Stück|pièce)\s(?:month|year|night|mois|an|nuit|Monat|Jahr|Nacht|mes|año|noche)?\b)?",
    );
    Regex::new(&pattern).expect("valid regex")
});

pub fn prices(text: &str, taken: &[Span]) -> Vec<(Span, Price)> {
    let mut found: Vec<(Span, Price)> = Vec::new();
    let mut previous: Option<(usize, Option<String>)> = None;
    for caps in PRICE.captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        let span = (whole.start(), whole.end());
        if taken.iter().any(|&(s, e)| span.0 < e && s < span.1) {
            continue;
        }
        // A match that stops inside a longer run of digits ("€02 99 31 22 40") is no price.
        let after = text.get(whole.end()..).unwrap_or("");
        let mut rest = after.chars();
        let continues = match (rest.next(), rest.next()) {
            (Some(c), _) if c.is_ascii_digit() => true,
            (Some(' ' | '.' | ','), Some(d)) if d.is_ascii_digit() => {
                caps.name("period").is_none() && caps.name("qual").is_none()
            }
            _ => false,
        };
        // ...or that starts inside one ("030 1234567 €").
        let before_match = text.get(..whole.start()).unwrap_or("");
        let mut back = before_match.chars().rev();
        let starts_inside = match (back.next(), back.next()) {
            (Some(c), _) if c.is_ascii_digit() => true,
            (Some(' ' | '.' | ','), Some(d)) if d.is_ascii_digit() => caps.name("mult").is_none(),
            _ => false,
        };
        if continues || starts_inside {
            continue;
        }
        let raw = whole.as_str().trim();
        let (Some(amount), max) = (
            caps.name("a1")
                .or_else(|| caps.name("a2"))
                .and_then(|m| parse_amount(m.as_str())),
            caps.name("a1max")
                .or_else(|| caps.name("a2max"))
                .and_then(|m| parse_amount(m.as_str())),
        ) else {
            continue;
        };
        let symbol = caps
            .name("sym")
            .or_else(|| caps.name("sym2"))
            .map_or("", |m| m.as_str());
        let code = caps.name("code").map(|m| m.as_str());
        let currency = currency(symbol, code, text);
        let period = caps.name("period").and_then(|m| period(m.as_str()));
        // "$120–180" and "1.490 € bis 2.990 €" are ranges; "3 x 99 €" keeps its multiplier.
        let amount_max = max.filter(|m| *m > amount);
        let before = text.get(..whole.start()).unwrap_or("");
        // "Premium is $4.99/month or $29.99/year": the second price is the same plan's.
        let same_plan = previous.as_ref().and_then(|(end, label)| {
            let gap = text.get(*end..whole.start())?.trim().to_lowercase();
            ["or", "ou", "oder", "o", "/", "or just", "bzw."]
                .contains(&gap.as_str())
                .then(|| label.clone())
        });
        // The label is in the words since the previous price, never across it.
        let since = previous
            .as_ref()
            .and_then(|(end, _)| text.get(*end..whole.start()))
            .unwrap_or(before);
        let label = match same_plan {
            Some(label) => label,
            None => label(since),
        };
        previous = Some((whole.end(), label.clone()));
        found.push((
            span,
            Price {
                text: raw.trim_end_matches([',', '.', ';']).to_owned(),
                amount,
                amount_max,
                currency,
                period,
                label,
                from: starts_from(before),
            },
        ));
    }
    found
}

/// `4,995` and `289.000` are thousands; `16,50` and `4.99` are decimals.
fn parse_amount(raw: &str) -> Option<f64> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    let last_sep = cleaned.rfind(['.', ',']);
    let normalized = match last_sep {
        Some(at) if cleaned.len() - at - 1 == 3 => cleaned.replace(['.', ','], ""),
        Some(at) => {
            let (int, frac) = cleaned.split_at(at);
            format!(
                "{}.{}",
                int.replace(['.', ','], ""),
                frac.trim_start_matches(['.', ','])
            )
        }
        None => cleaned,
    };
    normalized.parse().ok().filter(|a: &f64| a.is_finite())
}

fn currency(symbol: &str, code: Option<&str>, text: &str) -> String {
    if let Some(code) = code {
        return code.to_owned();
    }
    match symbol {
        "C$" | "CA$" | "CAD" => "CAD",
        "A$" | "AU$" => "AUD",
        "MX$" => "MXN",
        "£" | "GBP" => "GBP",
        "€" | "EUR" | "euro" | "euros" => "EUR",
        "CHF" | "Fr." => "CHF",
        // A bare `$` is the local dollar or peso where the brief says where it is.
        _ => {
            let lower = text.to_lowercase();
            if lower.contains("méxico") || lower.contains("mexico") || lower.contains(".mx") {
                "MXN"
            } else if lower.contains("argentina") || lower.contains(".com.ar") {
                "ARS"
            } else if lower.contains("canada")
                || lower.contains(".ca/")
                || lower.contains("toronto")
            {
                "CAD"
            } else {
                "USD"
            }
        }
    }
    .to_owned()
}

fn period(raw: &str) -> Option<Period> {
    let lower = raw.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["month", "/mo", "mois", "mes", "monat", "mon."]) {
        Some(Period::Month)
    } else if has(&["year", "/yr", "/an", " an", "año", "jahr"]) {
        Some(Period::Year)
    } else if has(&["night", "nuit", "noche", "nacht"]) {
        Some(Period::Night)
    } else {
        None
    }
}

/// "from", "starts at", "ab", "dès", "à partir de", "desde" right before the price.
fn starts_from(before: &str) -> bool {
    let lower = before.trim_end().to_lowercase();
    [
        "from",
        "starts at",
        "starting at",
        "starting from",
        "only",
        "ab",
        "dès",
        "à partir de",
        "desde",
        "a partir de",
        "from just",
        "von",
    ]
    .iter()
    .any(|w| lower.ends_with(w))
}

/// Words that introduce prices without naming a plan ("Pricing starts at $499").
const GENERIC_LABELS: &[&str] = &[
    "pricing", "price", "prices", "cost", "costs", "rates", "plans", "prix", "tarif", "tarifs",
    "preis", "preise", "kosten", "precio", "precios", "tarifa", "tarifas", "fee", "fees",
];

/// The few words before a price that name what it buys ("Solo at", "Drop-in classes:",
/// "Probestunde für"), without the connector.
fn label(before: &str) -> Option<String> {
    // A clause ends at sentence punctuation, not at the point inside "$4.99".
    let clause = before
        .rsplit([';', ':', '(', '\n', '—', ','])
        .next()
        .unwrap_or(before);
    let clause = clause.rsplit(". ").next().unwrap_or(clause);
    let clause = clause.rsplit(" and ").next().unwrap_or(clause);
    const CONNECTORS: &[&str] = &[
        "at",
        "for",
        "from",
        "is",
        "are",
        "costs",
        "cost",
        "only",
        "just",
        "starts",
        "starting",
        "à",
        "pour",
        "de",
        "dès",
        "partir",
        "est",
        "sont",
        "coûte",
        "für",
        "ab",
        "kostet",
        "zu",
        "je",
        "por",
        "desde",
        "a",
        "cuesta",
        "es",
        "the",
        "le",
        "la",
        "el",
        "der",
        "die",
        "das",
        "y",
        "et",
        "und",
        "on",
        "en",
        "con",
        "mit",
        "avec",
        "with",
        "plans",
        "plan",
        "start",
        "von", // what comes next in time, not what the price buys ("then €12 a month"):
        "then",
        "thereafter",
        "afterwards",
        "after",
        "puis",
        "ensuite",
        "dann",
        "danach",
        "luego",
        "después",
        "despues",
    ];
    let mut words: Vec<&str> = clause.split_whitespace().collect();
    while let Some(last) = words.last() {
        let word = last.trim_matches(|c: char| !c.is_alphanumeric());
        if word.is_empty() || CONNECTORS.contains(&word.to_lowercase().as_str()) {
            words.pop();
        } else {
            break;
        }
    }
    let mut start = words.len().saturating_sub(4);
    while words.get(start).is_some_and(|w| {
        CONNECTORS.contains(
            &w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
                .as_str(),
        )
    }) {
        start += 1;
    }
    let label = words
        .get(start..)
        .unwrap_or_default()
        .join(" ")
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
        .to_owned();
    // A link or an address is not what a price buys.
    let linkish = label.contains(['/', '@']) || label.contains("://");
    (!label.is_empty() && !linkish && !GENERIC_LABELS.contains(&label.to_lowercase().as_str()))
        .then_some(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text, amount, upper amount, currency, period.
    type Read = (String, f64, Option<f64>, String, Option<Period>);

    fn read(text: &str) -> Vec<Read> {
        prices(text, &[])
            .into_iter()
            .map(|(_, p)| (p.text, p.amount, p.amount_max, p.currency, p.period))
            .collect()
    }

    #[test]
    fn symbols_before_and_after_with_periods() {
        assert_eq!(
            read("Solo at $19/month and Studio at $499/month."),
            [
                (
                    "$19/month".into(),
                    19.0,
                    None,
                    "USD".into(),
                    Some(Period::Month)
                ),
                (
                    "$499/month".into(),
                    499.0,
                    None,
                    "USD".into(),
                    Some(Period::Month)
                ),
            ]
        );
        assert_eq!(
            read("Chambre double 119 € la nuit, petit-déjeuner 14 €."),
            [
                (
                    "119 € la nuit".into(),
                    119.0,
                    None,
                    "EUR".into(),
                    Some(Period::Night)
                ),
                ("14 €".into(), 14.0, None, "EUR".into(), None),
            ]
        );
        assert_eq!(
            read("Flatrate 79 € im Monat, CHF 240 pro Nacht"),
            [
                (
                    "79 € im Monat".into(),
                    79.0,
                    None,
                    "EUR".into(),
                    Some(Period::Month)
                ),
                (
                    "CHF 240 pro Nacht".into(),
                    240.0,
                    None,
                    "CHF".into(),
                    Some(Period::Night)
                ),
            ]
        );
    }

    #[test]
    fn separators_codes_and_ranges() {
        assert_eq!(read("C$4,995 flat fee")[0].1, 4995.0);
        assert_eq!(read("C$4,995 flat fee")[0].3, "CAD");
        assert_eq!(read("menu à 16,50 €")[0].1, 16.5);
        assert_eq!(read("ab 289.000 €")[0].1, 289000.0);
        let peso = read("$2,450 MXN por noche");
        assert_eq!((peso[0].1, peso[0].3.as_str()), (2450.0, "MXN"));
        assert_eq!(peso[0].4, Some(Period::Night));
        assert_eq!(read("color $120–180")[0].2, Some(180.0));
        assert_eq!(read("1.490 € bis 2.990 €")[0].2, Some(2990.0));
    }

    #[test]
    fn numbers_without_currency_are_not_prices() {
        assert!(read("20% off, 12,000 customers, 4.8/5, free for 30 days").is_empty());
    }

    #[test]
    fn what_comes_next_in_time_is_no_plan() {
        for text in [
            "Free 14-day trial, then 12 EUR per month.",
            "Essai gratuit, puis 12 € par mois.",
            "14 Tage kostenlos, danach 12 € im Monat.",
            "Prueba gratis, luego 12 € al mes.",
        ] {
            let labels: Vec<_> = prices(text, &[])
                .into_iter()
                .map(|(_, p)| p.label)
                .collect();
            assert_eq!(labels, [None], "{text}");
        }
    }

    #[test]
    fn labels_name_the_plan() {
        let found = prices("Plans: Solo at $19/month and Studio at $499/month", &[]);
        let labels: Vec<_> = found.into_iter().map(|(_, p)| p.label).collect();
        assert_eq!(labels, [Some("Solo".into()), Some("Studio".into())]);
        let found = prices("Premium is $4.99/month or $29.99/year.", &[]);
        let labels: Vec<_> = found.into_iter().map(|(_, p)| p.label).collect();
        assert_eq!(labels, [Some("Premium".into()), Some("Premium".into())]);
    }
}
