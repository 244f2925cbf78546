//! How to reach the business: links (with what each is for), emails, phone numbers, a street
//! address. Each reader returns byte spans so later readers skip what is already taken (the
//! digits of a URL are not a phone number).

use std::sync::LazyLock;

use regex::Regex;

use crate::{Link, LinkKind};

pub type Span = (usize, usize);

fn overlaps(span: Span, taken: &[Span]) -> bool {
    taken.iter().any(|&(s, e)| span.0 < e && s < span.1)
}

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
        .expect("valid regex")
});

pub fn emails(text: &str) -> Vec<(Span, String)> {
    let mut found: Vec<(Span, String)> = Vec::new();
    for m in EMAIL.find_iter(text) {
        let email = m.as_str().trim_end_matches('.');
        if !found.iter().any(|(_, e)| e.eq_ignore_ascii_case(email)) {
            found.push(((m.start(), m.start() + email.len()), email.to_owned()));
        }
    }
    found
}

/// A scheme, `www.`, or a bare lower-case domain with a path. A bare capitalised domain without
/// a path ("Booking.com", "Bodas.net") names a platform, not a link.
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:https?://[^\s<>\p{Cc}]+|www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s<>\p{Cc}]*|[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/[^\s<>\p{Cc}]*)?)",
    )
    .expect("valid regex")
});

/// Top-level domains a bare domain may end in; anything else ("e.V", "Dr.Weber") is not one.
const TLDS: &[&str] = &[
    "com",
    "org",
    "net",
    "io",
    "co",
    "uk",
    "de",
    "fr",
    "es",
    "it",
    "nl",
    "be",
    "ch",
    "at",
    "ca",
    "us",
    "mx",
    "ar",
    "br",
    "pt",
    "eu",
    "app",
    "dev",
    "ai",
    "shop",
    "store",
    "photo",
    "studio",
    "info",
    "biz",
    "me",
    "tv",
    "cl",
    "pe",
    "uy",
    "ie",
    "au",
    "nz",
    "se",
    "dk",
    "no",
    "fi",
    "pl",
    "cz",
    "lu",
    "gr",
    "design",
    "agency",
    "tech",
    "online",
    "site",
    "cafe",
    "restaurant",
    "health",
    "dental",
    "legal",
    "law",
    "travel",
    "events",
    "school",
    "academy",
    "blog",
    "page",
    "bio",
    "immo",
    "berlin",
    "paris",
    "wien",
    "koeln",
    "hamburg",
    "bayern",
    "nyc",
    "london",
    "example",
];

pub fn links(text: &str) -> Vec<(Span, Link)> {
    let emails: Vec<Span> = emails(text).into_iter().map(|(span, _)| span).collect();
    let mut found: Vec<(Span, Link)> = Vec::new();
    for m in URL.find_iter(text) {
        if overlaps((m.start(), m.end()), &emails)
            || text
                .get(..m.start())
                .is_some_and(|before| before.ends_with('@'))
        {
            continue;
        }
        let url = trim_url(m.as_str());
        let lower = url.to_ascii_lowercase();
        let schemed = lower.starts_with("http://") || lower.starts_with("https://");
        let host = lower
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split(['/', '?', '#'])
            .next()
            .unwrap_or("");
        let has_path = host.len()
            < lower
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .len();
        let tld_ok = host
            .rsplit('.')
            .next()
            .is_some_and(|tld| TLDS.contains(&tld));
        let bare = !schemed && !lower.starts_with("www.");
        if bare && (!tld_ok || !has_path && url.chars().any(|c| c.is_ascii_uppercase())) {
            continue;
        }
        // Even with a scheme, a link names a real host: "http://Ana" is a fragment, and a host
        // is letters, digits, dots and dashes (IDNs are written in punycode).
        let host_ok = host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            && !host.starts_with(['.', '-']);
        if !tld_ok || !host.contains('.') || !host_ok {
            continue;
        }
        let span = (m.start(), m.start() + url.len());
        if found.iter().any(|(_, l)| l.url == url) {
            continue;
        }
        let before = text.get(..m.start()).unwrap_or("");
        let context_start = before.char_indices().rev().nth(80).map_or(0, |(i, _)| i);
        let context = before.get(context_start..).unwrap_or("");
        // The clause that introduces this link, not an earlier one.
        let clause = context
            .rsplit(['.', ';', '!', '?'])
            .next()
            .unwrap_or(context);
        let kind = kind(&lower, &clause.to_lowercase());
        found.push((
            span,
            Link {
                url: url.to_owned(),
                kind,
            },
        ));
    }
    found
}

/// A URL never ends in sentence punctuation or a closing bracket it did not open.
fn trim_url(raw: &str) -> &str {
    let mut url = raw;
    loop {
        let trimmed =
            url.trim_end_matches(['.', ',', ';', ':', '!', '?', '"', '\'', '»', '“', '”']);
        // A closing bracket the link did not open belongs to the sentence.
        let trimmed =
            [('(', ')'), ('[', ']'), ('{', '}')]
                .iter()
                .fold(trimmed, |url, (open, close)| {
                    if url.ends_with(*close) && !url.contains(*open) {
                        url.trim_end_matches(*close)
                    } else {
                        url
                    }
                });
        if trimmed.len() == url.len() {
            return url;
        }
        url = trimmed;
    }
}

/// What a link is for, from its address first and then the words that introduce it.
fn kind(url: &str, context: &str) -> LinkKind {
    const APP: &[&str] = &["apps.apple.com", "play.google.com", "itunes.apple.com"];
    const DEMO: &[&str] = &["demo"];
    const BOOKING: &[&str] = &[
        "book",
        "reserv",
        "rdv",
        "rendez-vous",
        "termin",
        "turno",
        "cita",
        "appointment",
        "doctolib",
        "buchen",
        "agenda",
        "calendly",
        "availability",
        "schedule",
        "vagaro",
        "treatwell",
        "opentable",
        "thefork",
        "resy",
    ];
    const SHOP: &[&str] = &[
        "shop", "store", "order", "boutique", "tienda", "ticket", "billet", "entradas", "cart",
        "commande", "bestell", "pedido", "checkout", "produkt", "product", "kaufen", "buy",
    ];
    const OTHER: &[&str] = &[
        "donat",
        "give",
        "spend",
        "dona",
        "enrol",
        "enroll",
        "inscri",
        "anmeld",
        "helloasso",
        "register",
        "signup",
        "sign-up",
        "apply",
        "bewerb",
        "matricul",
        "gofundme",
        "betterplace",
    ];
    let path = url
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let (host, path) = path.split_once('/').unwrap_or((path, ""));
    let has = |words: &[&str], hay: &str| words.iter().any(|w| hay.contains(w));
    if APP.iter().any(|a| host.ends_with(a)) {
        return LinkKind::AppStore;
    }
    for hay in [path, host] {
        if has(DEMO, hay) {
            return LinkKind::Demo;
        }
        if has(OTHER, hay) {
            return LinkKind::Other;
        }
        if has(BOOKING, hay) {
            return LinkKind::Booking;
        }
        if has(SHOP, hay) {
            return LinkKind::Shop;
        }
    }
    const CONTEXT: &[(&[&str], LinkKind)] = &[
        (&["demo"], LinkKind::Demo),
        (
            &[
                "donat", "give", "spend", "dona", "enrol", "inscri", "anmeld", "register",
                "sign up",
            ],
            LinkKind::Other,
        ),
        (
            &[
                "book",
                "reserv",
                "appointment",
                "rendez-vous",
                "termin",
                "cita",
                "turno",
                "availability",
                "disponib",
                "verfügbar",
                "consult",
            ],
            LinkKind::Booking,
        ),
        (
            &[
                "order",
                "shop",
                "buy",
                "ticket",
                "commander",
                "acheter",
                "bestell",
                "kaufen",
                "comprar",
                "pedir",
                "entradas",
                "billet",
            ],
            LinkKind::Shop,
        ),
    ];
    CONTEXT
        .iter()
        .find(|(words, _)| has(words, context))
        .map_or(LinkKind::Website, |(_, kind)| *kind)
}

/// Digits with the separators phone numbers are written with, optionally `+country` and an
/// area code in brackets.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{1,5}\)[\s.\-]?)?\d(?:[\s.\-]?\d){5,14}")
        .expect("valid regex")
});

pub fn phones(text: &str, taken: &[Span]) -> Vec<(Span, String)> {
    let mut found: Vec<(Span, String)> = Vec::new();
    for m in PHONE.find_iter(text) {
        let span = (m.start(), m.end());
        let phone = m.as_str().trim();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if overlaps(span, taken) || !(7..=15).contains(&digits) {
            continue;
        }
        let before = text.get(..m.start()).unwrap_or("");
        let after = text.get(m.end()..).unwrap_or("");
        // Part of a longer token (an id, a code, a decimal amount) or a quantity with a unit.
        if before.ends_with(|c: char| c.is_alphanumeric() || "$€£/=#.,".contains(c))
            || after.starts_with(|c: char| c.is_alphanumeric() || "€%/".contains(c))
            || after.starts_with(",") && after.chars().nth(1).is_some_and(|c| c.is_ascii_digit())
        {
            continue;
        }
        // Plain digit runs without any separator or prefix look like ids, not numbers people dial,
        // unless they start with 0 (a national number).
        let plain = phone.chars().all(|c| c.is_ascii_digit());
        if plain && !phone.starts_with('0') {
            continue;
        }
        // A year range or a date ("2024-2025", "12.05.2025") is not a number to call.
        if is_date_like(phone) {
            continue;
        }
        if !found.iter().any(|(_, p)| p == phone) {
            found.push((span, phone.to_owned()));
        }
    }
    found
}

fn is_date_like(text: &str) -> bool {
    static DATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|(?:19|20)\d{2}\s?[-–]\s?(?:19|20)\d{2})$")
            .expect("valid regex")
    });
    DATE.is_match(text)
}

/// A street address: a number and a street word (either order, as languages write them),
/// optionally followed by a postcode and a town.
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?:
          # 12 Harbour Street / 1200 East Pike St / 4 rue des Lilas / 12, avenue Jean Jaurès
          \b\d{1,5}[a-z]?,?\s+(?:(?:[A-Z][\p{L}'.-]*|de|des|du|la|le|of)\s+){0,3}
            (?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?|Way|Place|Square|Row|Court|Terrace|
               rue|avenue|boulevard|bd|place|chemin|allée|impasse|quai|cours)\b
            (?:\s+(?:[A-Z\p{Lu}][\p{L}'.-]*|des|de|du|la|le|l'\p{L}+|d'\p{L}+)\b){0,4}
          |
          # Schönhauser Allee 112 / Hauptstraße 5 / Calle Mayor 12 / Avenida de la Constitución 3
          \b(?:[A-ZÄÖÜ][\p{L}-]*(?:straße|strasse|weg|gasse|platz|allee|ring|damm|ufer)|[A-ZÄÖÜ][\p{L}-]+\s(?:Straße|Strasse|Weg|Gasse|Platz|Allee|Ring|Damm)
             |(?:Calle|C/|Avenida|Avda\.|Paseo|Plaza|Carrer|Rambla|Camino|Via|Viale|Piazza|Corso)(?:\s+(?:[A-Z\p{Lu}][\p{L}'.-]*|de|del|la|las|los)){1,5})
            \s\d{1,5}[a-z]?
        )
        (?:,?\s+(?:\d{4,5}|[A-Z]{1,2}\d{1,2}[A-Z]?\s?\d[A-Z]{2})(?:\s+[\p{Lu}][\p{L}-]+){0,2})?",
    )
    .expect("valid regex")
});

pub fn address(text: &str) -> Option<String> {
    ADDRESS
        .find_iter(text)
        // Not a match that starts inside a figure ("4,9 von 5"): that is no house number.
        .find(|m| {
            let before = text.get(..m.start()).unwrap_or("");
            !before.ends_with(|c: char| c.is_ascii_digit() || c == ',' || c == '.')
        })
        .map(|m| m.as_str().trim().trim_end_matches([',', '.']).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str) -> Vec<(String, LinkKind)> {
        links(text)
            .into_iter()
            .map(|(_, l)| (l.url, l.kind))
            .collect()
    }

    #[test]
    fn links_keep_their_query_and_lose_sentence_punctuation() {
        assert_eq!(
            urls("Book a demo at https://ledgerly.io/demo?utm_source=x&plan=studio."),
            [(
                "https://ledgerly.io/demo?utm_source=x&plan=studio".into(),
                LinkKind::Demo
            )]
        );
        assert_eq!(
            urls("Order at istanbulkebap.co.uk/order?ref=landing, or visit www.example.ch."),
            [
                (
                    "istanbulkebap.co.uk/order?ref=landing".into(),
                    LinkKind::Shop
                ),
                ("www.example.ch".into(), LinkKind::Website)
            ]
        );
    }

    #[test]
    fn platform_names_and_emails_are_not_links() {
        assert!(urls("Rated 4.9 on Booking.com and Bodas.net").is_empty());
        assert!(urls("write to hello@rosa.com").is_empty());
        assert!(urls("Tierschutzverein Pfotenhilfe e.V. in Leipzig").is_empty());
    }

    #[test]
    fn phones_are_not_ids_prices_or_dates() {
        let taken: Vec<Span> = links("https://apps.apple.com/us/app/x/id1588204417")
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        assert!(phones("https://apps.apple.com/us/app/x/id1588204417", &taken).is_empty());
        let found: Vec<String> = phones(
            "Call (512) 555-0187 or 1-800-555-0199, +44 1263 740 512, 030 1234567. Open 2024-2025, 12.05.2025.",
            &[],
        )
        .into_iter()
        .map(|(_, p)| p)
        .collect();
        assert_eq!(
            found,
            [
                "(512) 555-0187",
                "1-800-555-0199",
                "+44 1263 740 512",
                "030 1234567"
            ]
        );
    }

    #[test]
    fn addresses_in_each_order() {
        assert_eq!(
            address("Praxis, Schönhauser Allee 112, 10439 Berlin. Termin").as_deref(),
            Some("Schönhauser Allee 112, 10439 Berlin")
        );
        assert_eq!(
            address("We're at 14 Harbour Street, Whitby.").as_deref(),
            Some("14 Harbour Street")
        );
        assert_eq!(
            address("au 4 rue des Lilas, 69003 Lyon").as_deref(),
            Some("4 rue des Lilas, 69003 Lyon")
        );
    }
}
