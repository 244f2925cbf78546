//! Opening hours or event times, an event's dates, and a current offer, as the brief writes
//! them.

use std::sync::LazyLock;

use regex::Regex;

/// Round-the-clock, which says all there is to say about the hours: a sentence around it
/// ("a plumbing company in Porto offering emergency repairs 24/7") is not the hours.
const ROUND_THE_CLOCK_PATTERN: &str = r"24/7|24\s?h/24|rund um die uhr|24 horas|jour et nuit";

static ROUND_THE_CLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("(?i){ROUND_THE_CLOCK_PATTERN}")).expect("valid regex"));

/// A time of day, a time range, or round-the-clock.
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b\d{{1,2}}(?:[:.h]\d{{2}})?\s?(?:[-–]|to|à|bis|a)\s?\d{{1,2}}(?:[:.h]\d{{2}})?\s?(?:am|pm|h|uhr|hrs)?\b|\b\d{{1,2}}(?::\d{{2}})?\s?(?:am|pm)\b|\b\d{{1,2}}[:h]\d{{2}}\b|\b\d{{1,2}}\s?(?:uhr|h)\b|{ROUND_THE_CLOCK_PATTERN}",
    ))
    .expect("valid regex")
});

/// Days of the week and their short forms, in the brief languages (lower case).
pub(crate) const DAYS: &[&str] = &[
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "lun",
    "mar",
    "mer",
    "jeu",
    "ven",
    "sam",
    "dim",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "mo",
    "di",
    "mi",
    "do",
    "fr",
    "sa",
    "so",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
];

/// Words beside the days ([`DAYS`]) that say when something is open or happens.
const WHEN: &[&str] = &[
    "open",
    "hours",
    "daily",
    "every day",
    "weekday",
    "weekend",
    "horaires",
    "ouvert",
    "du lundi",
    "tous les jours",
    "öffnungszeiten",
    "sprechzeiten",
    "geöffnet",
    "täglich",
    "horario",
    "abierto",
    "todos los días",
    "de lunes",
    "24/7",
    "rund um die uhr",
    "uhr",
];

fn when_words() -> impl Iterator<Item = &'static &'static str> {
    WHEN.iter().chain(DAYS)
}

/// Whether `text` has a word of [`WHEN`] or [`DAYS`] ("hours", "open", "Tue", …).
fn names_a_day_or_hour(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric() && c != '/')
        .any(|word| when_words().any(|w| word == *w || word.starts_with(w) && w.len() >= 3))
}

pub fn hours(text: &str) -> Option<String> {
    for clause in clauses(text) {
        let lower = clause.to_lowercase();
        let Some(time) = TIME.find(clause) else {
            continue;
        };
        if !names_a_day_or_hour(clause) && !lower.contains("24/7") {
            continue;
        }
        // Start after a label ("Sprechzeiten: …", "Open …"), keep the rest of the clause.
        let start = clause
            .find(": ")
            .filter(|at| *at < time.start())
            .map_or(0, |at| at + 2);
        let span = clause
            .get(start..)
            .unwrap_or(clause)
            .trim()
            .trim_end_matches(['.', ',', ';']);
        // Of a long clause, or one that also names or describes the business ("Pho Saigon,
        // open Mon-Sun 11am-10pm, serving noodle soups"), only the comma-separated parts
        // that state times and days.
        let prose_beside = span.split(", ").any(|part| {
            part.split_whitespace().count() >= 2
                && !TIME.is_match(part)
                && !names_a_day_or_hour(part)
        });
        let span = if span.chars().count() > 160 || prose_beside {
            let parts: Vec<&str> = span.split(", ").collect();
            let says_time = |part: &&str| -> bool {
                TIME.is_match(part)
                    || when_words().any(|w| w.len() >= 3 && part.to_lowercase().starts_with(w))
            };
            let first = parts.iter().position(|p| TIME.is_match(p));
            match first {
                Some(first) => parts
                    .iter()
                    .skip(first)
                    .copied()
                    .take_while(|part| says_time(part))
                    .collect::<Vec<_>>()
                    .join(", "),
                None => String::new(),
            }
        } else {
            span.to_owned()
        };
        // The hours themselves, not the word that announces them ("Ouvert du lundi…").
        let span = [
            "Open ",
            "open ",
            "Opening hours ",
            "Hours ",
            "Ouvert ",
            "ouvert ",
            "Ouverte ",
            "Horaires ",
            "Geöffnet ",
            "geöffnet ",
            "Öffnungszeiten ",
            "Abierto ",
            "abierto ",
            "Horario ",
        ]
        .iter()
        .find_map(|label| span.strip_prefix(label))
        .unwrap_or(&span)
        .trim()
        .to_owned();
        // No clock time beside it: the round-the-clock phrase alone.
        if let Some(round) = ROUND_THE_CLOCK.find(&span) {
            if TIME
                .find_iter(&span)
                .all(|t| ROUND_THE_CLOCK.is_match(t.as_str()))
            {
                return Some(round.as_str().to_owned());
            }
        }
        if !span.is_empty() && span.chars().count() <= 160 {
            return Some(span);
        }
    }
    None
}

/// Sentences, split where a sentence ends (not inside "4.8" or "Dr.").
fn clauses(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).map(|&(_, n)| n);
        if matches!(c, '.' | '!' | '?' | ';') && next.is_none_or(char::is_whitespace) {
            let word_before = text
                .get(start..at)
                .unwrap_or("")
                .split_whitespace()
                .last()
                .unwrap_or("");
            // Abbreviations end in a period without ending the sentence; a time's unit
            // ("7 a 14 h.", "5 pm.") is no abbreviation.
            let time_unit = ["h", "am", "pm"].contains(&word_before.to_lowercase().as_str());
            if c == '.'
                && !time_unit
                && (word_before.len() <= 2
                    || [
                        "Dr", "St", "Mr", "Mrs", "Ms", "Fr", "Sa", "So", "Mo", "Di", "Mi", "Do",
                    ]
                    .contains(&word_before))
            {
                continue;
            }
            out.push(text.get(start..at).unwrap_or("").trim());
            start = at + c.len_utf8();
        }
    }
    if let Some(rest) = text.get(start..) {
        if !rest.trim().is_empty() {
            out.push(rest.trim());
        }
    }
    out
}

const MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec|janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|januar|jänner|februar|märz|juni|juli|oktober|dezember|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre";

/// A day or a range of days with its month, and the year when written: "14-15 May 2027",
/// "du 12 au 14 juillet", "vom 3. bis 5. Mai", "del 3 al 5 de mayo", "May 14–15, 2027".
static DATES: LazyLock<Regex> = LazyLock::new(|| {
    let day = r"\d{1,2}(?:er|st|nd|rd|th|\.)?";
    let to = r"\s*(?:[-–—]|au|to|until|bis|al|y|and|&|et)\s*";
    Regex::new(&format!(
        r"(?i)(?:\b(?:du|from|vom|del|de)\s+)?\b{day}(?:{to}{day})?\s+(?:de\s+)?(?:{MONTHS})\b\.?(?:\s+(?:de\s+)?\d{{4}}\b)?|\b(?:{MONTHS})\.?\s+{day}(?:{to}{day})?\b(?:,?\s+\d{{4}}\b)?"
    ))
    .expect("valid regex")
});

/// Words before a date that make it a deadline or a closing day, not when something happens.
const NOT_WHEN: &[&str] = &[
    "until",
    "till",
    "before",
    "by",
    "ends",
    "through",
    "closed",
    "jusqu'au",
    "jusqu’au",
    "avant",
    "fermé",
    "fermée",
    "bis",
    "vor",
    "geschlossen",
    "hasta",
    "antes",
    "cerrado",
    "cerrada",
];

/// When an event takes place, as written: the first date of the brief that is not a deadline
/// ("early-bird tickets until 1 March") or a closing day.
pub fn dates(text: &str) -> Option<String> {
    for clause in clauses(text) {
        for found in DATES.find_iter(clause) {
            let before = clause
                .get(..found.start())
                .unwrap_or_default()
                .to_lowercase();
            let last = before
                .split(|c: char| c.is_whitespace() || c == '(')
                .rfind(|w| !w.is_empty())
                .unwrap_or_default();
            let deadline = NOT_WHEN.contains(&last);
            if !deadline {
                return Some(found.as_str().trim().trim_end_matches(',').to_owned());
            }
        }
    }
    None
}

static PROMO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:\d{1,2}\s?%|free|gratis|gratuit[e]?|offert[e]?|kostenlos|discount|off\b|code\s+[A-Z0-9]+|promo|early[- ]bird|intro(?:ductory)?\s+offer|first\s+\w+\s+(?:is\s+)?free|until|through|ends|jusqu'(?:au|à)|réduction|remise|rabatt|bis\s+(?:zum|ende)|frühbucher|aktion|descuento|hasta\s+el|oferta|de regalo|two months free|months? free)\b",
    )
    .expect("valid regex")
});

/// A time-limited, introductory or code-based offer; ordinary prices and "free parking" alone
/// are not offers, so a promo needs an offer word and either a limit or a value.
pub fn promo(text: &str) -> Option<String> {
    for clause in clauses(text) {
        let lower = clause.to_lowercase();
        let hits = PROMO.find_iter(clause).count();
        let limited = [
            "until",
            "through",
            "ends",
            "first",
            "new ",
            "jusqu",
            "premier",
            "première",
            "bis ",
            "erste",
            "neu",
            "hasta",
            "primer",
            "primera",
            "nuev",
            "code",
            "early",
            "intro",
            "frühbucher",
            "this month",
            "ce mois",
            "diesen monat",
            "este mes",
            "offer",
            "offre",
            "angebot",
            "oferta",
            "%",
        ]
        // A short word at a word's start ("neu" of "neue", not of "Villeneuve"; "ends", not
        // "weekends"); a longer one anywhere, compounds included ("Sommerangebot").
        .iter()
        .any(|w| {
            if w.chars().count() <= 4 && w.chars().all(char::is_alphabetic) {
                lower
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|word| word.starts_with(w))
            } else {
                lower.contains(w)
            }
        });
        // A free trial is an offer by nature: it ends ("Free 14-day trial", "essai gratuit").
        let trial = ["trial", "essai", "testen", "probe", "prueba"]
            .iter()
            .any(|w| lower.contains(w));
        if hits >= 1 && (trial || limited && !lower.starts_with("free ")) || hits >= 2 {
            // The offer itself, without a leading connector.
            let span = clause
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .trim();
            let span = ["and ", "et ", "und ", "y ", "plus "]
                .iter()
                .find_map(|p| span.strip_prefix(p))
                .unwrap_or(span);
            return Some(span.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hours_leave_out_the_name_and_the_description_beside_them() {
        assert_eq!(
            hours("Pho Saigon, open Mon-Sun 11am-10pm, serving Vietnamese noodle soups.")
                .as_deref(),
            Some("Mon-Sun 11am-10pm")
        );
        assert_eq!(
            hours("Open Mon–Fri 8–18, Sat 9–13, closed Sundays.").as_deref(),
            Some("Mon–Fri 8–18, Sat 9–13, closed Sundays")
        );
    }

    #[test]
    fn hours_after_their_label() {
        assert_eq!(
            hours("Zahnarzt in Berlin. Sprechzeiten: Mo–Do 8–19 Uhr, Fr 8–14 Uhr. Termin online.")
                .as_deref(),
            Some("Mo–Do 8–19 Uhr, Fr 8–14 Uhr")
        );
        assert_eq!(
            hours("Emergency plumbers, available 24/7 across Leeds.").as_deref(),
            Some("24/7")
        );
        assert_eq!(
            hours("Ferreira & Filhos, a plumbing company in Porto offering emergency repairs 24/7, boilers from €890. Call 22 123 4567.").as_deref(),
            Some("24/7")
        );
        assert_eq!(
            hours("Notdienst rund um die Uhr, Werkstatt Mo–Fr 8–17 Uhr.").as_deref(),
            Some("Notdienst rund um die Uhr, Werkstatt Mo–Fr 8–17 Uhr")
        );
        assert_eq!(hours("We sell 3 kinds of bread."), None);
        assert_eq!(
            hours("Panadería en Valencia. Abierto de martes a domingo de 7 a 14 h. Pedidos por WhatsApp al 612 345 678.").as_deref(),
            Some("de martes a domingo de 7 a 14 h")
        );
    }

    #[test]
    fn an_events_dates_as_written_and_never_a_deadline() {
        for (text, when) in [
            (
                "RustConf Lisbon 2027, a two-day conference for Rust developers on 14-15 May 2027 at the LX Factory. Early-bird tickets €290 until 1 March.",
                Some("14-15 May 2027"),
            ),
            (
                "Le Festival des Lanternes de Nantes revient du 12 au 14 juillet au parc de Procé.",
                Some("du 12 au 14 juillet"),
            ),
            (
                "Feria del Libro Independiente de Valencia, del 3 al 5 de mayo en Las Naves.",
                Some("del 3 al 5 de mayo"),
            ),
            (
                "Das Stadtfest findet vom 3. bis 5. Mai 2027 statt.",
                Some("vom 3. bis 5. Mai 2027"),
            ),
            (
                "Join us May 14–15, 2027 in Austin.",
                Some("May 14–15, 2027"),
            ),
            ("Early-bird tickets €290 until 1 March.", None),
            ("Closed 24 December. Open daily 8–18.", None),
            ("We may 3D print your part in 2 days.", None),
            ("A bakery in Leeds since 1998, open 7 days.", None),
        ] {
            assert_eq!(dates(text).as_deref(), when, "{text}");
        }
    }

    #[test]
    fn promos_need_an_offer_and_a_limit() {
        assert!(promo("First class is free for new students.").is_some());
        assert!(promo("Annual billing gets two months free until the end of June.").is_some());
        assert_eq!(promo("Free parking. Cuts from $65."), None);
    }

    #[test]
    fn a_free_trial_is_an_offer() {
        assert_eq!(
            promo("Invoicing for freelancers. Free 14-day trial, then 12 EUR per month.")
                .as_deref(),
            Some("Free 14-day trial, then 12 EUR per month")
        );
        assert_eq!(
            promo("Logiciel de caisse. Essai gratuit de 30 jours.").as_deref(),
            Some("Essai gratuit de 30 jours")
        );
        assert_eq!(promo("A trial lawyer in Leeds."), None, "no offer word");
        assert_eq!(
            promo("Soutien scolaire gratuit pour les enfants de la Villeneuve à Grenoble."),
            None,
            "no limit: Villeneuve is not 'neu'"
        );
        assert!(promo("Neukunden: erste Stunde kostenlos.").is_some());
    }
}
