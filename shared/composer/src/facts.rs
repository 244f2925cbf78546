//! Reading a brief the way a copywriter would: who the business is, what it offers, to whom,
//! where, what the visitor should do, in which tone, and the concrete things worth naming.
//! Heuristics over the prompt in English, French, German and Spanish; each fact falls back to
//! the project or the matched design when the prompt does not say.

use std::sync::LazyLock;
use visions_domain::locale::Language;

use regex::Regex;

use visions_agents::task::Brief;
use visions_designs::Design;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    pub business: String,
    pub offer: String,
    pub audience: String,
    pub city: Option<String>,
    /// A verb phrase: what the visitor should do ("pre-order for weekend pickup").
    pub goal: String,
    /// Concrete things the brief names (products, services, features), most specific first.
    pub keywords: Vec<String>,
    pub tone: Option<String>,
    /// Primary language subtag the phrasebook knows: `en`, `fr`, `de` or `es`.
    pub lang: &'static str,
}

impl Facts {
    /// The `i`-th keyword, cycling through them; the offer when the brief named none.
    pub fn keyword(&self, i: usize) -> &str {
        self.keywords
            .get(i % self.keywords.len().max(1))
            .map_or(self.offer.as_str(), String::as_str)
    }
}

/// The phrasebook a locale is written from: its language when the composer has one, else
/// English (the one language table is `visions_domain::locale::Language`).
pub fn language(locale: &str) -> &'static str {
    Language::of(locale)
        .filter(|language| language.composed())
        .unwrap_or(Language::En)
        .code()
}

pub fn extract(brief: &Brief, design: Option<&Design>) -> Facts {
    let lang = language(&brief.locale);
    let prompt = normalize(&brief.prompt);
    let business = business_name(&prompt).unwrap_or_else(|| brief.project_name.trim().to_owned());
    let city = city(&prompt, &business);
    let offer = offer(&prompt, &business, lang)
        .or_else(|| {
            (!brief.project_description.trim().is_empty())
                .then(|| first_clause(&brief.project_description))
        })
        .or_else(|| design.and_then(|d| d.industries.first().filter(|_| lang == "en").cloned()))
        .unwrap_or_else(|| generic(lang, Generic::Offer).to_owned());
    let audience = audience(&prompt, lang)
        .or_else(|| people_word(&prompt))
        .unwrap_or_else(|| generic(lang, Generic::Audience).to_owned());
    let goal = goal(&prompt, lang).unwrap_or_else(|| {
        default_goal(design.map(|d| d.goal.as_str()).unwrap_or(""), lang).to_owned()
    });
    let tone = brief
        .brand
        .tone
        .as_deref()
        .and_then(|t| {
            t.split([',', ' ', ';'])
                .find(|w| w.len() > 2)
                .map(str::to_lowercase)
        })
        .or_else(|| tone_word(&prompt))
        .or_else(|| {
            design.and_then(|d| {
                d.tone
                    .split([',', ' '])
                    .find(|w| w.len() > 2)
                    .map(str::to_lowercase)
            })
        });
    let mut keywords = keywords(&prompt, &business, city.as_deref(), &offer, lang);
    if keywords.len() < 3 {
        if let Some(design) = design.filter(|_| lang == "en") {
            keywords.extend(design.keywords.iter().take(3 - keywords.len()).cloned());
        }
    }
    while keywords.len() < 3 {
        keywords.push(offer.clone());
    }
    Facts {
        business,
        offer,
        audience,
        city,
        goal,
        keywords,
        tone,
        lang,
    }
}

fn normalize(text: &str) -> String {
    text.replace(['\u{2019}', '\u{2018}'], "'")
        .replace(['\u{201C}', '\u{201D}', '«', '»'], "\"")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn first_clause(text: &str) -> String {
    text.split(['.', ';', ':'])
        .next()
        .unwrap_or(text)
        .trim()
        .to_lowercase()
}

#[derive(Clone, Copy)]
enum Generic {
    Offer,
    Audience,
}

fn generic(lang: &str, what: Generic) -> &'static str {
    match (lang, what) {
        ("fr", Generic::Offer) => "nos services",
        ("fr", Generic::Audience) => "nos clients",
        ("de", Generic::Offer) => "unsere Leistungen",
        ("de", Generic::Audience) => "unsere Kundinnen und Kunden",
        ("es", Generic::Offer) => "nuestros servicios",
        ("es", Generic::Audience) => "nuestros clientes",
        (_, Generic::Offer) => "our services",
        (_, Generic::Audience) => "our customers",
    }
}

/// Words that open a sentence but never a business name.
const NOT_A_NAME: &[&str] = &[
    "We",
    "We're",
    "I",
    "I'm",
    "Our",
    "My",
    "Need",
    "Landing",
    "Launching",
    "Create",
    "Build",
    "Make",
    "Please",
    "Page",
    "Playful",
    "Warm",
    "Friendly",
    "Premium",
    "Fun",
    "Bright",
    "Technical",
    "Professional",
    "Cute",
    "Laid-back",
    "Wir",
    "Der",
    "Die",
    "Das",
    "Ich",
    "Je",
    "Nous",
    "On",
    "Ton",
    "Queremos",
    "Somos",
    "Soy",
    "Hi",
    "Hello",
    "The",
    "Le",
    "La",
    "Les",
    "El",
    "Los",
    "Las",
    "A",
    "An",
    "Un",
    "Une",
    "Ein",
    "Eine",
    "It",
    "This",
    "Make",
    "Keep",
];
/// Never the start of a name, wherever they stand.
const PRONOUNS: &[&str] = &[
    "We", "We're", "I", "I'm", "Our", "My", "Wir", "Ich", "Je", "Nous", "On", "Somos", "Soy", "It",
    "This",
];
const CONNECTORS: &[&str] = &[
    "&", "and", "of", "the", "to", "de", "du", "des", "la", "le", "del", "y", "von", "der", "und",
    "on",
];
const ARTICLES: &[&str] = &[
    "The", "Le", "La", "Les", "El", "Los", "Las", "Die", "Der", "Das",
];

fn is_capitalized(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_uppercase())
}

fn clean_word(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric() && c != '&' && c != '\'' && c != '-')
}

struct Candidate {
    text: String,
    start: usize,
    words: usize,
    before: String,
    after: String,
}

/// Sequences of capitalized words (with connectors like `&`, `of`, `de`), in order.
fn capitalized_runs(prompt: &str) -> Vec<Candidate> {
    let words: Vec<&str> = prompt.split(' ').collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while let Some(word_i) = words.get(i) {
        let first = clean_word(word_i);
        let article_start = ARTICLES.contains(&first)
            && words
                .get(i + 1)
                .is_some_and(|w| is_capitalized(clean_word(w)));
        let sentence_start = i
            .checked_sub(1)
            .and_then(|before| words.get(before))
            .is_none_or(|w| w.ends_with(['.', '!', '?', ':']));
        let blocked = PRONOUNS.contains(&first) || (sentence_start && NOT_A_NAME.contains(&first));
        if !is_capitalized(first) || (blocked && !article_start) {
            i += 1;
            continue;
        }
        let mut end = i;
        let mut j = i;
        // Extend while words are capitalized or connectors followed by a capitalized word.
        while let Some(&word) = words.get(j) {
            let cleaned = clean_word(word);
            let cap = is_capitalized(cleaned)
                || cleaned.chars().next().is_some_and(|c| c.is_ascii_digit());
            let connector = CONNECTORS.contains(&cleaned)
                && words
                    .get(j + 1)
                    .is_some_and(|w| is_capitalized(clean_word(w)));
            if j > i && !(cap || connector) {
                break;
            }
            end = j;
            // A word ending in punctuation closes the run.
            if word.ends_with([',', '.', ':', ';', '!', '?', ')']) {
                break;
            }
            j += 1;
        }
        let run = words.get(i..=end).unwrap_or_default();
        let text: Vec<&str> = run.iter().map(|w| clean_word(w)).collect();
        runs.push(Candidate {
            text: text.join(" ").trim_end_matches("'s").to_owned(),
            start: i,
            words: end - i + 1,
            before: words
                .get(i.saturating_sub(3)..i)
                .unwrap_or_default()
                .join(" "),
            after: words
                .get(end + 1)
                .map(|w| w.to_lowercase())
                .unwrap_or_default(),
        });
        i = end + 1;
    }
    runs
}

static CALLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:called|named|s'appelle|heißt|se llama|nommée?|llamad[oa])\s+")
        .expect("valid regex")
});

fn business_name(prompt: &str) -> Option<String> {
    if let Some(quoted) = prompt
        .split('"')
        .nth(1)
        .filter(|q| (2..=60).contains(&q.len()))
    {
        return Some(quoted.trim().to_owned());
    }
    let called_at = CALLED.find(prompt).map(|m| m.end());
    let runs = capitalized_runs(prompt);
    let mut best: Option<(f64, &Candidate)> = None;
    let mut offset = 0;
    for run in &runs {
        let position = prompt
            .split(' ')
            .take(run.start)
            .map(|w| w.len() + 1)
            .sum::<usize>();
        offset = offset.max(position);
        let before = run.before.to_lowercase();
        let mut score = run.words.min(3) as f64 - run.start as f64 * 0.02;
        if called_at.is_some_and(|at| at == position) {
            score += 6.0;
        }
        let intro = [
            "for", "run", "we're", "we are", "sind die", "sind", "at", "from", "meet", "with",
            "about",
        ];
        if intro.iter().any(|p| before.ends_with(p)) {
            score += 2.0;
        }
        if [
            "is", "sells", "est", "ist", "es", "builds", "handles", "makes", "offers", "helps",
            "bietet", "propose",
        ]
        .contains(&run.after.trim_matches(|c: char| !c.is_alphanumeric()))
        {
            score += 2.5;
        }
        if run.text.contains('\'') || run.words >= 2 {
            score += 1.0;
        }
        // "I'm Maya Chen" introduces a person; "in Portland" is a place.
        if ["i'm", "i am", "je suis", "ich bin", "soy", "my name is"]
            .iter()
            .any(|p| before.ends_with(p))
        {
            score -= 4.0;
        }
        if ["in", "à", "en", "covering", "near", "from", "dans"]
            .iter()
            .any(|p| before.ends_with(p))
        {
            score -= 3.0;
        }
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, run));
        }
    }
    best.filter(|(score, _)| *score > 0.5)
        .map(|(_, run)| run.text.clone())
}

static CITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:in|à|en|covering|near|dans|bei)\s+((?:San |Santa |Los |Las |New |Saint |St\. |Le |La |El )?[A-ZÀ-Ý][\p{L}'-]+(?:\s[A-ZÀ-Ý][\p{L}-]+)?)")
        .expect("valid regex")
});

fn city(prompt: &str, business: &str) -> Option<String> {
    const NOT_PLACES: &[&str] = &[
        "March", "April", "May", "June", "English", "Spanish", "French", "German", "Gironde",
    ];
    CITY.captures_iter(prompt)
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_owned()))
        .map(|place| {
            // "North Carolina" after "Asheville," is a second run; keep the first word group only.
            let mut kept = Vec::new();
            for word in place.split(' ') {
                kept.push(word.trim_end_matches(','));
                if word.ends_with(',') {
                    break;
                }
            }
            kept.join(" ")
        })
        // "Seattle's Ballard" names a district of a city.
        .map(|place| match place.split_once("'s ") {
            Some((city, district)) => format!("{district}, {city}"),
            None => place.trim_end_matches("'s").to_owned(),
        })
        .find(|place| {
            !place.is_empty()
                && !business.contains(place.as_str())
                && !NOT_PLACES.contains(&place.as_str())
        })
}

fn cut_at_any<'a>(text: &'a str, stops: &[&str]) -> &'a str {
    let lower = fold_case(text);
    let end = stops
        .iter()
        .filter_map(|s| lower.find(s))
        .min()
        .unwrap_or(text.len());
    text.get(..end).unwrap_or(text).trim()
}

/// Lower case with the same byte length as `text`, so an offset found in the result is a char
/// boundary of `text` too. `str::to_lowercase` does not keep lengths (`İ` is 2 bytes, its lower
/// case 3), so offsets taken from it must never slice the original; a character whose lower
/// case has another length is kept as it is.
pub fn fold_case(text: &str) -> String {
    text.chars()
        .map(|c| {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) if l.len_utf8() == c.len_utf8() => l,
                _ => c,
            }
        })
        .collect()
}

/// Leading articles and determiners, dropped from noun phrases.
const DETERMINERS: &[&str] = &[
    "a", "an", "the", "our", "one", "un", "une", "le", "la", "les", "des", "ein", "eine", "einen",
    "der", "die", "das", "un", "una", "el", "los", "las", "unos", "unas", "nos", "notre", "unsere",
    "nuestra", "nuestro",
];

fn strip_determiners(phrase: &str) -> String {
    let mut words: Vec<&str> = phrase.split_whitespace().collect();
    while words
        .first()
        .is_some_and(|w| DETERMINERS.contains(&w.to_lowercase().as_str()))
    {
        words.remove(0);
    }
    words
        .join(" ")
        .trim_matches(|c: char| c == ',' || c == '.' || c == ':' || c == ';')
        .to_owned()
}

/// Lower-cases a sentence-initial capital, but keeps names and acronyms ("SaaS dashboard",
/// "Barrier Repair Serum", "UX designers").
fn lowercase_first(phrase: &str) -> String {
    let mut words = phrase.split_whitespace();
    let first = words.next().unwrap_or("");
    let proper = first.chars().skip(1).any(char::is_uppercase) || words.any(is_capitalized);
    let mut chars = first.chars();
    match chars.next() {
        Some(c) if c.is_uppercase() && !proper => {
            // `first` came from `split_whitespace`: the rest follows it in the trimmed phrase.
            let rest = phrase.trim_start().strip_prefix(first).unwrap_or_default();
            format!("{}{}{rest}", c.to_lowercase(), chars.as_str())
        }
        _ => phrase.to_owned(),
    }
}

/// The first word naming people the brief mentions, as a fallback audience.
fn people_word(prompt: &str) -> Option<String> {
    const PEOPLE: &[&str] = &[
        "patients",
        "parents",
        "families",
        "neighbours",
        "neighbors",
        "commuters",
        "students",
        "founders",
        "owners",
        "couples",
        "travellers",
        "travelers",
        "homeowners",
        "buyers",
        "sellers",
        "donors",
        "teams",
        "clients",
        "customers",
        "members",
        "designers",
        "developers",
        "freelancers",
        "beginners",
        "runners",
        "locals",
        "guests",
        "visitors",
        "familles",
        "clients",
        "couples",
        "étudiants",
        "patients",
        "kunden",
        "familien",
        "patienten",
        "arbeitnehmer",
        "mandanten",
        "alumnos",
        "clientes",
        "familias",
        "pacientes",
        "extranjeros",
    ];
    prompt
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .map(str::to_lowercase)
        .find(|w| PEOPLE.contains(&w.as_str()))
}

fn offer(prompt: &str, business: &str, lang: &str) -> Option<String> {
    let stops: &[&str] = match lang {
        "fr" => &[
            " à ", " qui ", " que ", " pour ", " dans ", ",", ".", ";", ":", " avec ",
        ],
        "de" => &[" in ", " die ", " der ", " mit ", ",", ".", ";", ":"],
        "es" => &[" en ", " para ", " que ", ",", ".", ";", ":", " con "],
        _ => &[
            " that ",
            " which ",
            " who ",
            " for ",
            " in ",
            " with ",
            " covering ",
            " offering ",
            " known ",
            " accepting ",
            " helping ",
            ";",
            ".",
            ":",
            ",",
        ],
    };
    // Verb phrases may list things with commas ("vegan, fragrance-free skincare").
    let verb_stops: Vec<&str> = stops.iter().copied().filter(|s| *s != ",").collect();
    let after = prompt
        .find(business)
        .and_then(|at| prompt.get(at + business.len()..))
        .unwrap_or("");
    let patterns: &[(&str, bool)] = &[
        (", a ", false),
        (", an ", false),
        (" is a ", false),
        (" is an ", false),
        (": ", false),
        (" sells ", true),
        (" handles ", true),
        (" offers ", true),
        (" makes ", true),
        (" builds ", true),
        (" provides ", true),
        (" est un ", false),
        (" est une ", false),
        (", un ", false),
        (", une ", false),
        (" ist ein ", false),
        (" ist eine ", false),
        (", eine ", false),
        (", ein ", false),
        (" es una ", false),
        (" es un ", false),
        (", una ", false),
        (", un ", false),
    ];
    for (pattern, is_verb) in patterns {
        if let Some(rest) = after
            .strip_prefix(pattern.trim_start_matches(' '))
            .or_else(|| after.strip_prefix(pattern))
        {
            let phrase = if *is_verb {
                cut_at_any(rest, &verb_stops)
            } else {
                cut_at_any(rest, stops)
            };
            let phrase = strip_determiners(phrase);
            if (2..=80).contains(&phrase.len()) {
                return Some(if lang == "de" {
                    phrase
                } else {
                    lowercase_first(&phrase)
                });
            }
        }
    }
    // "Je suis photographe de mariage à Bordeaux", "We are a family dentist".
    static SELF: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:je suis|we are an?|we're an?|ich bin|soy|somos) ([^.,;:]+)")
            .expect("valid regex")
    });
    SELF.captures(prompt)
        .and_then(|c| c.get(1))
        .map(|m| strip_determiners(cut_at_any(m.as_str(), stops)))
        .filter(|p| (2..=80).contains(&p.len()) && !p.contains(business))
        .map(|p| lowercase_first(&p))
}

fn audience(prompt: &str, lang: &str) -> Option<String> {
    static HELPS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:helps|helping|aimed at|teaches|serving|serves|for|pour les|pour|für|para)\s+([^.,;:!?]+)").expect("valid regex")
    });
    let stops = [
        " who ",
        " that ",
        " which ",
        " with ",
        " in ",
        " to ",
        " qui ",
        " que ",
        " en ",
        " à ",
        " build ",
        " and want",
        " de ",
        " bei ",
    ];
    for capture in HELPS.captures_iter(prompt) {
        let Some(phrase) = capture.get(1) else {
            continue;
        };
        if prompt
            .get(..capture.get(0).map_or(0, |m| m.start()))
            .unwrap_or_default()
            .trim_end()
            .to_lowercase()
            .ends_with("known")
        {
            continue;
        }
        let phrase = strip_determiners(cut_at_any(phrase.as_str(), &stops));
        let first = phrase.split_whitespace().next().unwrap_or("");
        // People, not things: starts in lower case (not a name) and ends in a plural.
        let last = phrase.split_whitespace().last().unwrap_or("");
        let plural = last.ends_with('s')
            || last.ends_with('x')
            || ["people", "children", "men", "women", "staff"].contains(&last);
        if !first.is_empty()
            && !is_capitalized(first)
            && plural
            && phrase.split_whitespace().count() <= 6
            && lang != "de"
        {
            return Some(phrase);
        }
    }
    None
}

static GOAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:the (?:main |only )?(?:goal|cta|aim) is(?: to)?|want (?:more )?(?:\w+ ){0,2}to|want more|goal is|turns? visitors into|getting \w+ to|want to)\s+([^.;!?]+)",
    )
    .expect("valid regex")
});

/// Verbs a call to action can start with.
const ACTIONS: &[&str] = &[
    "book",
    "order",
    "pre-order",
    "preorder",
    "start",
    "buy",
    "call",
    "visit",
    "request",
    "join",
    "download",
    "sign",
    "subscribe",
    "get",
    "schedule",
    "reserve",
    "try",
    "donate",
    "shop",
    "apply",
    "enroll",
    "enrol",
    "register",
    "claim",
    "contact",
    "grab",
    "see",
    "browse",
    "plan",
    "hire",
    "rent",
    "adopt",
    "give",
    "support",
];

fn goal(prompt: &str, lang: &str) -> Option<String> {
    if lang != "en" {
        return None;
    }
    let capture = GOAL.captures(prompt)?;
    let whole = capture.get(0)?.as_str().to_lowercase();
    let mut phrase = cut_at_any(
        capture.get(1)?.as_str(),
        &[", with ", " with ", " so ", ","],
    )
    .trim()
    .to_owned();
    let lower = phrase.to_lowercase();
    if whole.contains("visitors into") {
        return Some(format!("join our {phrase}"));
    }
    if whole.contains("phone") || lower.contains("call us") {
        return Some("call now for help".into());
    }
    if lower.contains("download") {
        return Some("download the app".into());
    }
    if lower.contains("trial") && lower.ends_with("signups") {
        return Some(format!(
            "start your {}",
            lower.trim_end_matches("signups").trim()
        ));
    }
    if lower.starts_with("online bookings")
        || lower == "bookings"
        || lower.starts_with("more bookings")
    {
        return Some("book online".into());
    }
    // "people buying the kit", "sellers to request a valuation": drop who, keep the action.
    static WHO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:(?:more )?(?:people|customers|visitors|sellers|buyers|neighbours|neighbors|users|clients)\s+(?:to\s+)?)").expect("valid regex")
    });
    phrase = WHO.replace(&phrase, "").into_owned();
    static GET_TO: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)^get(?:ting)? \w+ to ").expect("valid regex"));
    phrase = GET_TO.replace(&phrase, "").into_owned();
    let mut words: Vec<String> = phrase.split_whitespace().map(str::to_owned).collect();
    let first = words.first()?.to_lowercase();
    // Gerunds become imperatives: "booking a call" → "book a call", "shopping" → "shop".
    if let Some(stem) = first.strip_suffix("ing").filter(|s| s.len() >= 3) {
        // Compare characters, not bytes: a byte-level "double letter" can sit inside one
        // multi-byte character, and cutting there is no char boundary.
        let mut without_last = stem.chars();
        let last = without_last.next_back();
        let doubled = stem.chars().count() > 3
            && last.is_some()
            && last == without_last.clone().next_back()
            && !stem.ends_with("ll")
            && !stem.ends_with("ss");
        let imperative = if doubled { without_last.as_str() } else { stem };
        if let Some(word) = words.first_mut() {
            *word = imperative.to_owned();
        }
    }
    let goal = words.join(" ");
    let verb = goal.split_whitespace().next().unwrap_or("").to_lowercase();
    (ACTIONS.contains(&verb.as_str()) && goal.split_whitespace().count() <= 10).then_some(goal)
}

/// The visitor's action when the brief does not name one, from the design's goal.
fn default_goal(design_goal: &str, lang: &str) -> &'static str {
    let goal = design_goal.to_lowercase();
    let words: Vec<&str> = goal.split(|c: char| !c.is_alphanumeric()).collect();
    let has = |options: &[&str]| {
        words
            .iter()
            .any(|w| options.iter().any(|o| w.starts_with(o)))
    };
    let category = if has(&["enrol", "apply", "seat", "cohort"]) {
        8
    } else if has(&["install", "download"]) || words.contains(&"app") {
        9
    } else if has(&["intro", "class"]) {
        10
    } else if has(&["trial"]) {
        0
    } else if has(&["table"]) {
        11
    } else if has(&["book", "appointment", "reserv", "consult"]) {
        1
    } else if has(&["order", "buy", "shop", "purchase", "cart"]) {
        2
    } else if has(&["donat", "give"]) {
        3
    } else if has(&["subscri", "join"]) {
        4
    } else if has(&["quote", "valuation", "estimate"]) {
        5
    } else if has(&["call"]) {
        6
    } else {
        7
    };
    let table: [[&str; 4]; 12] = [
        [
            "start a free trial",
            "commencer l'essai gratuit",
            "kostenlos testen",
            "empezar la prueba gratis",
        ],
        [
            "book an appointment",
            "prendre rendez-vous",
            "Termin vereinbaren",
            "reservar una cita",
        ],
        [
            "order online",
            "commander en ligne",
            "online bestellen",
            "pedir en línea",
        ],
        ["donate today", "faire un don", "jetzt spenden", "donar hoy"],
        [
            "join today",
            "nous rejoindre",
            "jetzt mitmachen",
            "unirse hoy",
        ],
        [
            "request a free quote",
            "demander un devis gratuit",
            "kostenloses Angebot anfordern",
            "pedir un presupuesto gratis",
        ],
        [
            "call us now",
            "nous appeler",
            "jetzt anrufen",
            "llamar ahora",
        ],
        [
            "get in touch",
            "nous contacter",
            "Kontakt aufnehmen",
            "contactar",
        ],
        [
            "reserve your seat",
            "réserver ma place",
            "Platz sichern",
            "reservar mi plaza",
        ],
        [
            "download the app",
            "télécharger l'app",
            "App herunterladen",
            "descargar la app",
        ],
        [
            "claim the intro offer",
            "profiter de l'offre",
            "Angebot sichern",
            "aprovechar la oferta",
        ],
        [
            "reserve a table",
            "réserver une table",
            "Tisch reservieren",
            "reservar mesa",
        ],
    ];
    let column = match lang {
        "fr" => 1,
        "de" => 2,
        "es" => 3,
        _ => 0,
    };
    table
        .get(category)
        .and_then(|row| row.get(column))
        .copied()
        .unwrap_or_default()
}

fn tone_word(prompt: &str) -> Option<String> {
    const TONES: &[&str] = &[
        "warm",
        "friendly",
        "playful",
        "calm",
        "premium",
        "urgent",
        "technical",
        "confident",
        "heartfelt",
        "elegant",
        "professional",
        "reassuring",
        "fun",
        "punchy",
        "laid-back",
        "funny",
        "minimal",
        "serious",
        "bright",
        "cute",
        "chaleureux",
        "élégant",
        "convivial",
        "gourmand",
        "seriös",
        "klar",
        "vertrauenswürdig",
        "cálido",
        "cercano",
    ];
    let lower = prompt.to_lowercase();
    lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .find(|w| TONES.contains(w))
        .map(str::to_owned)
}

/// Concrete nouns the brief lists: split on list separators and function words, keep short
/// phrases, drop the business, the place and filler.
fn keywords(
    prompt: &str,
    business: &str,
    city: Option<&str>,
    offer: &str,
    lang: &str,
) -> Vec<String> {
    let separators: &[&str] = match lang {
        "fr" => &[
            " et ",
            " pour ",
            " avec ",
            " des ",
            " les ",
            " une ",
            " un ",
            " à ",
            " jusqu'à ",
            " dans ",
            " qui ",
            " que ",
            " du ",
            " on ",
            " mon ",
            " nos ",
            " est ",
            " en ",
            " je ",
            " se ",
        ],
        "de" => &[
            " und ", " für ", " bei ", " mit ", " eine ", " einen ", " die ", " der ", " das ",
            " in ", " an ", " ist ", " sind ", " wir ",
        ],
        "es" => &[
            " y ", " para ", " con ", " que ", " los ", " las ", " una ", " un ", " el ", " en ",
            " es ", " del ",
        ],
        _ => &[
            " and ",
            " for ",
            " with ",
            " into ",
            " that ",
            " which ",
            " who ",
            " from ",
            " our ",
            " the ",
            " we ",
            " to ",
            " is ",
            " are ",
            " a ",
            " an ",
            " in ",
            " on ",
            " of ",
            " want ",
            " do ",
            " offering ",
            " known ",
            " so ",
            " keep ",
            " make ",
            " it ",
            " all ",
            " your ",
            " us ",
            " starts ",
            " every ",
            " but ",
            " or ",
        ],
    };
    /// Leading verbs and fillers stripped from a phrase ("pulls Shopify" → "Shopify").
    const VERBS: &[&str] = &[
        "more",
        "their",
        "suis",
        "je",
        "alumnos",
        "people",
        "bake",
        "pulls",
        "teaches",
        "rescues",
        "turns",
        "helps",
        "helping",
        "getting",
        "build",
        "ship",
        "fix",
        "come",
        "sells",
        "handles",
        "launching",
        "need",
        "want",
        "make",
        "keep",
        "vertreten",
        "bieten",
        "propose",
        "reserven",
        "marient",
        "offers",
        "runs",
        "run",
        "do",
        "does",
        "covering",
        "accepting",
        "known",
        "love",
        "serve",
        "serves",
    ];
    /// Words that mark a phrase as talk about the page rather than about the business.
    const META: &[&str] = &[
        "tone", "please", "goal", "copy", "page", "feel", "vibe", "cta", "ton", "tono", "queremos",
        "soll", "veut", "only", "main", "visitors", "aimed", "just",
    ];
    const FILLER: &[&str] = &[
        "approachable",
        "honest",
        "limited",
        "request",
        "booking",
        "bookings",
        "downloads",
        "phone",
        "morning",
        "office",
        "seats",
        "online",
        "buying",
        "reserven",
        "tone",
        "page",
        "landing page",
        "copy",
        "goal",
        "feel",
        "vibe",
        "please",
        "cta",
        "everything",
        "people",
        "more",
        "ton",
        "tono",
        "queremos",
        "alumnos",
        "wir",
        "seite",
        "site",
        "soirée",
        "soir",
        "midi",
    ];
    let mut found: Vec<String> = Vec::new();
    for sentence in prompt.split(['.', ';', ':', '!', '?', ',', '(', ')']) {
        let mut parts = vec![format!(" {} ", sentence.trim())];
        for separator in separators {
            parts = parts
                .iter()
                .flat_map(|p| {
                    let lower = fold_case(p);
                    let mut pieces = Vec::new();
                    let mut last = 0;
                    for (at, _) in lower.match_indices(separator) {
                        pieces.push(format!(" {} ", p.get(last..at).unwrap_or("").trim()));
                        // Keep the separator's trailing space as the next piece's start.
                        last = at + separator.len().saturating_sub(1);
                    }
                    pieces.push(format!(" {} ", p.get(last..).unwrap_or("").trim()));
                    pieces
                })
                .collect();
        }
        for (index, part) in parts.into_iter().enumerate() {
            // Only the sentence's first chunk starts with a capital for grammar's sake; a
            // capital anywhere else ("pulls Shopify") is a name to keep.
            let starts_sentence = index == 0;
            let mut words: Vec<&str> = part.split_whitespace().collect();
            while words
                .first()
                .is_some_and(|w| VERBS.contains(&w.to_lowercase().as_str()))
            {
                words.remove(0);
            }
            if words.iter().any(|w| {
                META.contains(
                    &w.to_lowercase()
                        .trim_matches(|c: char| !c.is_alphanumeric()),
                )
            }) {
                continue;
            }
            let phrase = strip_determiners(&words.join(" "));
            let words = phrase.split_whitespace().count();
            let lower = phrase.to_lowercase();
            let mentions_known = business.to_lowercase().contains(&lower)
                || lower.contains(&business.to_lowercase())
                || city.is_some_and(|c| lower.contains(&c.to_lowercase()))
                || lower == offer.to_lowercase();
            let is_tone = tone_word(&phrase).is_some() && words <= 2;
            if (1..=4).contains(&words)
                && phrase.chars().count() >= 4
                && (words > 1
                    || phrase.chars().count() >= 5
                    || phrase.chars().all(|c| c.is_uppercase()))
                && !mentions_known
                && !is_tone
                && !FILLER.contains(&lower.as_str())
                && !lower.starts_with("i'm")
                && !lower.starts_with("we're")
                && !found.iter().any(|f| f.to_lowercase() == lower)
            {
                found.push(if lang == "de" || !starts_sentence {
                    phrase.clone()
                } else {
                    lowercase_first(&phrase)
                });
            }
        }
    }
    // Multi-word phrases are usually the specific ones ("same-day emergency appointments").
    found.sort_by_key(|k| std::cmp::Reverse(k.split_whitespace().count().min(3)));
    found.truncate(8);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use visions_domain::project::BrandKit;

    fn facts(prompt: &str, locale: &str) -> Facts {
        let brief = Brief {
            prompt: prompt.into(),
            locale: locale.into(),
            project_name: "Project".into(),
            project_description: String::new(),
            brand: BrandKit::default(),
        };
        extract(&brief, None)
    }

    #[test]
    fn characters_whose_lower_case_is_longer_do_not_break_offsets() {
        // `İ` is 2 bytes and its lower case 3: offsets found in `to_lowercase()` used to slice
        // past the end of the original (issue: a prompt stopped the worker).
        for prompt in [
            "A bakery for İİİİİİİİİİ de x.",
            "Bakery İİİİİİİİİİ and x",
            "İİİİ for İİİİ, a İİİİ in İİİİ with İİİİ and İİİİ. ẞẞẞ ΣΣΣ Ⱥ Ⱦ for x",
        ] {
            for locale in ["en", "fr", "de", "es"] {
                let f = facts(prompt, locale);
                assert!(!f.business.is_empty(), "{prompt}");
            }
        }
        assert_eq!(fold_case("İstanbul ÉTÉ"), "İstanbul été");
        assert_eq!(fold_case("Ⱥ").len(), "Ⱥ".len());
    }

    #[test]
    fn reads_an_english_local_business_brief() {
        let f = facts(
            "Landing page for Rosa's Bakery, a family-run sourdough bakery in Portland. We bake naturally leavened loaves, croissants and custom birthday cakes every morning and want neighbours to pre-order for weekend pickup. Warm, friendly tone please.",
            "en",
        );
        assert_eq!(f.business, "Rosa's Bakery");
        assert_eq!(f.city.as_deref(), Some("Portland"));
        assert_eq!(f.offer, "family-run sourdough bakery");
        assert_eq!(f.goal, "pre-order for weekend pickup");
        assert_eq!(f.tone.as_deref(), Some("warm"));
        assert!(
            f.keywords.iter().any(|k| k.contains("croissants")),
            "{:?}",
            f.keywords
        );
    }

    #[test]
    fn reads_a_saas_brief() {
        let f = facts(
            "Northwind Analytics is a SaaS dashboard that pulls Shopify, Stripe and Google Ads data into one daily profit report for e-commerce founders. Confident, no-hype copy; the goal is 14-day free trial signups.",
            "en",
        );
        assert_eq!(f.business, "Northwind Analytics");
        assert_eq!(f.offer, "SaaS dashboard");
        assert_eq!(f.audience, "e-commerce founders");
        assert_eq!(f.goal, "start your 14-day free trial");
        assert_eq!(f.city, None);
    }

    #[test]
    fn reads_french_and_prefers_the_business_over_the_person() {
        let f = facts(
            "Je suis photographe de mariage à Bordeaux et mon studio s'appelle Atelier Lumière. Je propose des reportages naturels.",
            "fr",
        );
        assert_eq!(
            (f.business.as_str(), f.city.as_deref(), f.lang),
            ("Atelier Lumière", Some("Bordeaux"), "fr")
        );
        assert_eq!(f.offer, "photographe de mariage");
        let f = facts(
            "I'm Maya Chen and I run Maya Chen Realty, helping first-time buyers and downsizers in Seattle's Ballard and Fremont neighborhoods.",
            "en",
        );
        assert_eq!(f.business, "Maya Chen Realty");
        assert_eq!(f.audience, "first-time buyers and downsizers");
    }
}
