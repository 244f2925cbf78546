//! Reading the prose of a brief the way a copywriter would: the business name, what it
//! offers, to whom, where, in which tone. Heuristics over English, French, German and Spanish;
//! the helpers (case folding, determiners, cutting at connectors) serve the composer too.

use std::sync::LazyLock;

use regex::Regex;

pub fn normalize(text: &str) -> String {
    text.replace(['\u{2019}', '\u{2018}'], "'")
        .replace(['\u{201C}', '\u{201D}', '\u{201E}', '«', '»'], "\"")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn first_clause(text: &str) -> String {
    text.split(['.', ';', ':'])
        .next()
        .unwrap_or(text)
        .trim()
        .to_lowercase()
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

pub fn is_capitalized(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_uppercase())
}

fn clean_word(word: &str) -> &str {
    let trimmed =
        word.trim_matches(|c: char| !c.is_alphanumeric() && c != '&' && c != '\'' && c != '-');
    // "Co." and "e.V." keep their period: it is part of the name.
    match word.trim_end_matches([',', ';', ':']) {
        w @ ("Co." | "Inc." | "Ltd." | "Corp." | "e.V." | "S.L." | "S.A." | "Dr." | "St.") => w,
        _ => trimmed,
    }
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
                || cleaned.chars().next().is_some_and(|c| c.is_ascii_digit())
                || LEGAL_FORMS.contains(&cleaned);
            let connector = CONNECTORS.contains(&cleaned)
                && words
                    .get(j + 1)
                    .is_some_and(|w| is_capitalized(clean_word(w)));
            if j > i && !(cap || connector) {
                break;
            }
            end = j;
            // A word ending in punctuation closes the run; a title before a name does not.
            let title = ["Dr.", "St.", "Mr.", "Mrs.", "Ms.", "Prof."].contains(&word);
            if word.ends_with([',', '.', ':', ';', '!', '?', ')']) && !title {
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
            // The next sentence's first word says nothing about this run.
            after: words
                .get(end + 1)
                .filter(|_| {
                    !words
                        .get(end)
                        .is_some_and(|w| w.ends_with(['.', ':', ';', '!', '?']))
                })
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

/// Words that name a kind of business; a name that starts or ends with one ("Bäckerei Müller",
/// "Bright Smile Dental", "Hotel Alpenrose") is very likely the business's own.
const BUSINESS_WORDS: &[&str] = &[
    "bakery",
    "dental",
    "dentistry",
    "clinic",
    "plumbing",
    "yoga",
    "studio",
    "salon",
    "realty",
    "photography",
    "hotel",
    "inn",
    "restaurant",
    "cafe",
    "café",
    "bistro",
    "bar",
    "kitchen",
    "co",
    "co.",
    "company",
    "inc",
    "inc.",
    "ltd",
    "llc",
    "llp",
    "gmbh",
    "e.v.",
    "s.l.",
    "s.a.",
    "sas",
    "sarl",
    "ag",
    "kg",
    "agency",
    "group",
    "partners",
    "partner",
    "associates",
    "law",
    "legal",
    "tax",
    "bookkeeping",
    "auto",
    "care",
    "garage",
    "fitness",
    "gym",
    "academy",
    "school",
    "bank",
    "foundation",
    "festival",
    "boutique",
    "atelier",
    "workshop",
    "roasters",
    "roastery",
    "brewery",
    "farm",
    "spa",
    "barbers",
    "florist",
    "pharmacy",
    "labs",
    "boulangerie",
    "cabinet",
    "plombier",
    "avocats",
    "immobilier",
    "hôtel",
    "maison",
    "fils",
    "association",
    "bäckerei",
    "praxis",
    "zahnarztpraxis",
    "kanzlei",
    "immobilien",
    "autohaus",
    "friseursalon",
    "weingut",
    "yogastudio",
    "tierschutzverein",
    "steuerberatung",
    "sanitär",
    "kaffeerösterei",
    "restaurant",
    "panadería",
    "clínica",
    "fontanería",
    "abogados",
    "taquería",
    "estudio",
    "inmobiliaria",
    "fundación",
    "taller",
    "peluquería",
    "asesoría",
    "fotografía",
    "feria",
    "hermanos",
    "consultorio",
    "centro",
];

/// A time or day range ("Di–Sa", "9–18") or a number is never part of a business name.
fn is_not_name_part(word: &str) -> bool {
    word.contains(['–', '/', '@', ':']) || word.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Lower-case words a title may hold ("Excel pour les RH", "Buchhaltung für Selbstständige").
const TITLE_CONNECTORS: &[&str] = &[
    "für", "pour", "para", "les", "los", "las", "for", "with", "mit", "avec", "con", "in", "en",
    "à", "a", "al", "im", "am", "zum", "zur", "auf",
];

/// Legal forms that close a name in lower case ("Pfotenhilfe Leipzig e.V.").
const LEGAL_FORMS: &[&str] = &["e.V.", "e.K.", "mbH", "gGmbH"];

/// Platforms a brief mentions (where to book, download or read reviews), never the business.
const PLATFORMS: &[&str] = &[
    "App Store",
    "Google Play",
    "Capterra",
    "Doctolib",
    "Booking.com",
    "Google",
    "Instagram",
    "Facebook",
    "TikTok",
    "Tripadvisor",
    "TripAdvisor",
    "Yelp",
    "Trustpilot",
    "Etsy",
    "Amazon",
    "Shopify",
    "Airbnb",
    "Treatwell",
    "Vagaro",
    "OpenTable",
    "TheFork",
    "LinkedIn",
    "YouTube",
    "WhatsApp",
    "Uber Eats",
    "Deliveroo",
    "Just Eat",
    "Glovo",
    "Rappi",
    "Calendly",
    "Zoom",
];

/// Professions written before a person's name ("Fotografin Anna-Lena Böhm").
const PROFESSIONS: &[&str] = &[
    "photographer",
    "fotograf",
    "fotografin",
    "photographe",
    "fotógrafo",
    "fotógrafa",
    "coach",
    "therapist",
    "therapeut",
    "therapeutin",
    "thérapeute",
    "terapeuta",
    "architect",
    "architekt",
    "architektin",
    "architecte",
    "arquitecto",
    "arquitecta",
    "designer",
    "designerin",
    "illustrator",
    "illustratorin",
    "consultant",
    "beraterin",
    "berater",
    "trainer",
    "trainerin",
    "osteopath",
    "ostéopathe",
    "osteópata",
    "tutor",
    "nachhilfelehrerin",
    "traductrice",
    "übersetzerin",
    "traductora",
    "makler",
    "maklerin",
];

/// Drops a descriptor before the trading name: a profession before a person's name, a
/// compound category before a name that carries its own ("Kfz-Meisterbetrieb Autohaus Schröder"),
/// or
/// "Association" before a name that starts with its article ("Association Les Petits Cartables").
fn drop_descriptor(words: &mut Vec<&str>) {
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let (Some(first), Some(second)) = (lower.first(), lower.get(1)) else {
        return;
    };
    let profession = PROFESSIONS.contains(&first.as_str()) && words.len() >= 3;
    let category = words.len() >= 3
        && first.contains('-')
        && BUSINESS_WORDS.contains(&second.as_str())
        && !BUSINESS_WORDS.contains(&first.as_str());
    let association = ["association", "verein", "asociación"].contains(&first.as_str())
        && words.get(1).is_some_and(|w| ARTICLES.contains(w));
    if profession || category || association {
        words.remove(0);
    }
}

/// From the category word at `start`: the lower-case words after it up to the end of the next
/// capitalized run, when one follows within four words and before any punctuation.
fn complete_category(prompt: &str, start: usize) -> Option<String> {
    let words: Vec<&str> = prompt.split(' ').collect();
    let mut out = vec![clean_word(words.get(start)?)];
    let mut saw_capital = false;
    for (n, word) in words.iter().enumerate().skip(start + 1) {
        let cleaned = clean_word(word);
        let capital = is_capitalized(cleaned) || ["Dr.", "St."].contains(&cleaned);
        if !capital && (saw_capital || n > start + 4) {
            break;
        }
        saw_capital |= capital;
        out.push(cleaned);
        let title = ["Dr.", "St."].contains(word);
        if word.ends_with([',', '.', ':', ';', '!', '?', ')']) && !title {
            break;
        }
    }
    (saw_capital && out.len() > 1).then(|| out.join(" "))
}

/// A name its own domain spells ("Ledgerline" and ledgerline.io, "Zoe Laurent Photography" and
/// zoelaurent.photo) gets a bonus; a word that is only part of a longer domain does not.
fn domain_bonus(name: &str, domains: &[String]) -> f64 {
    let squashed: String = name
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let spelled = domains.iter().any(|label| {
        label.len() >= 4
            && (squashed.contains(label.as_str())
                || label.contains(&squashed) && squashed.len() * 10 >= label.len() * 6)
    });
    if spelled { 3.0 } else { 0.0 }
}

/// "Tue-Sat", "lun–ven", "Mo-Fr" (days from one to another), or a day named in full
/// ("every Thursday"): when, never who.
fn is_day(word: &str) -> bool {
    let parts: Vec<String> = word
        .trim_matches(|c: char| !c.is_alphanumeric())
        .split(['-', '–', '/'])
        .map(|part| part.trim_end_matches('.').to_lowercase())
        .collect();
    match parts.as_slice() {
        [day] => day.len() > 3 && crate::schedule::DAYS.contains(&day.as_str()),
        [from, to] => {
            crate::schedule::DAYS.contains(&from.as_str())
                && crate::schedule::DAYS.contains(&to.as_str())
        }
        _ => false,
    }
}

fn is_year(word: &str) -> bool {
    word.len() == 4
        && (word.starts_with("19") || word.starts_with("20"))
        && word.chars().all(|c| c.is_ascii_digit())
}

pub fn business_name(prompt: &str) -> Option<String> {
    // A short quoted run ("Buchhaltung für Selbstständige") names the product; a quoted sentence
    // is a testimonial.
    let quoted_spans: Vec<(usize, usize)> = {
        let mut spans = Vec::new();
        let mut open = None;
        for (at, c) in prompt.char_indices() {
            if c == '"' {
                match open.take() {
                    Some(start) => spans.push((start, at)),
                    None => open = Some(at),
                }
            }
        }
        spans
    };
    // The hosts of the brief's links and emails, letters and digits only.
    let domains: Vec<String> = prompt
        .split_whitespace()
        .filter(|w| {
            w.contains('.') && (w.contains('/') || w.contains('@') || w.starts_with("www."))
        })
        .map(|w| {
            let host = w.rsplit('@').next().unwrap_or(w);
            let host = host.split("://").last().unwrap_or(host);
            host.split('/').next().unwrap_or(host).to_lowercase()
        })
        // The registered label: "ledgerline" of www.ledgerline.io.
        .map(|host| {
            let labels: Vec<&str> = host.split('.').filter(|l| *l != "www").collect();
            let label = labels
                .len()
                .checked_sub(2)
                .and_then(|i| labels.get(i))
                .copied();
            label
                .unwrap_or("")
                .chars()
                .filter(|c| c.is_alphanumeric())
                .collect()
        })
        .collect();
    let mut best: Option<(f64, String)> = None;
    // A short quoted title ("Excel pour les RH") is a candidate; a quoted sentence is not.
    for &(s, e) in &quoted_spans {
        let Some(quoted) = prompt.get(s + 1..e).map(str::trim) else {
            continue;
        };
        let words: Vec<&str> = quoted.split_whitespace().collect();
        let title_case = words
            .iter()
            .all(|w| is_capitalized(w) || CONNECTORS.contains(w) || TITLE_CONNECTORS.contains(w));
        // Right after a noun ("Curso online «Marketing para restaurantes»") a quote is a title
        // even in sentence case; opening a sentence it must look like one.
        let after_word = prompt
            .get(..s)
            .is_some_and(|before| before.trim_end().ends_with(char::is_alphanumeric));
        let first_capital = quoted.chars().next().is_some_and(char::is_uppercase);
        if (1..=5).contains(&words.len())
            && first_capital
            && (title_case || after_word)
            && !quoted.contains(['.', '!', '?', ','])
        {
            let score = 3.0
                + if s < prompt.find(". ").unwrap_or(prompt.len()) {
                    1.5
                } else {
                    0.0
                };
            if best.as_ref().is_none_or(|(b, _)| score > *b) {
                best = Some((score, quoted.to_owned()));
            }
        }
    }
    let called_at = CALLED.find(prompt).map(|m| m.end());
    let runs = capitalized_runs(prompt);
    let first_sentence_end = prompt.find(". ").unwrap_or(prompt.len());
    for run in &runs {
        let position = prompt
            .split(' ')
            .take(run.start)
            .map(|w| w.len() + 1)
            .sum::<usize>();
        if quoted_spans
            .iter()
            .any(|&(s, e)| position > s && position < e)
        {
            continue;
        }
        // Names never start with a number or a time; an article at the start of a sentence
        // is not part of the name ("Die Kaffeerösterei Bohnenglück").
        let mut words: Vec<&str> = run.text.split(' ').collect();
        let first = words.first().copied().unwrap_or("");
        // ...but only before a category word: "Le Petit Zinc" is a name, article and all.
        let category_next = words
            .get(1)
            .is_some_and(|w| BUSINESS_WORDS.contains(&w.to_lowercase().as_str()));
        if words.len() > 1 && ARTICLES.contains(&first) && first != "The" && category_next {
            words.remove(0);
        }
        drop_descriptor(&mut words);
        if words.first().is_none_or(|w| is_not_name_part(w))
            || PLATFORMS.contains(&words.join(" ").as_str())
            // "Open Tue-Sat", "every Thursday".
            || words.iter().any(|w| is_day(w))
        {
            continue;
        }
        // A year closes an event's name ("Brewfest Dayton 2025").
        let kept = words
            .iter()
            .position(|w| is_not_name_part(w) && !is_year(w))
            .unwrap_or(words.len());
        let mut text = words.get(..kept).unwrap_or_default().join(" ");
        // A lone category word takes the words that complete it ("Cabinet dentaire des
        // Tilleuls", "Cabinet dentaire du Dr Amélie Roux").
        if kept == 1 && BUSINESS_WORDS.contains(&text.to_lowercase().as_str()) {
            if let Some(longer) = complete_category(prompt, run.start) {
                text = longer;
            }
        }
        let subject_verb = [
            "is", "sells", "est", "ist", "es", "builds", "handles", "makes", "offers", "helps",
            "bietet", "propose", "vertritt", "hilft", "aide", "ayuda", "ofrece",
        ]
        .contains(&run.after.trim_matches(|c: char| !c.is_alphanumeric()));
        // A lone capitalised word that opens a sentence and runs on into lower case ("Mobile
        // dog grooming van …", "Family bakery selling …") is the sentence's first word, unless
        // a verb makes it the subject, the brief says it again or its links spell it.
        let opens_sentence = run.start == 0 || run.before.ends_with(['.', '!', '?', ':']);
        let runs_on_lower = prompt
            .split(' ')
            .nth(run.start + run.words)
            .and_then(|next| next.chars().next())
            .is_some_and(char::is_lowercase);
        if run.words == 1
            && opens_sentence
            && runs_on_lower
            && !subject_verb
            && prompt.matches(text.as_str()).count() < 2
            && domain_bonus(&text, &domains) == 0.0
        {
            continue;
        }
        let lower_words: Vec<String> = text.split(' ').map(str::to_lowercase).collect();
        let before = run.before.to_lowercase();
        let mut score = run.words.min(3) as f64 - run.start as f64 * 0.02;
        if called_at.is_some_and(|at| at == position) {
            score += 6.0;
        }
        if position < first_sentence_end {
            score += 1.5;
        }
        if lower_words
            .first()
            .into_iter()
            .chain(lower_words.last())
            .any(|w| BUSINESS_WORDS.contains(&w.as_str()))
        {
            score += 3.0;
        }
        score += domain_bonus(&text, &domains);
        // "NetSuite and QuickBooks" lists things; names join with "&".
        if lower_words
            .iter()
            .any(|w| ["and", "und", "et", "y", "or", "oder", "ou", "o"].contains(&w.as_str()))
        {
            score -= 2.0;
        }
        // A name the brief repeats is the one it is about.
        if prompt.matches(text.as_str()).count() >= 2 {
            score += 2.0;
        }
        let intro = [
            "for", "run", "we're", "we are", "sind die", "sind", "at", "from", "meet", "with",
            "about", "für die", "für den", "für das", "pour la", "pour le", "para la", "para el",
        ];
        if intro.iter().any(|p| before.ends_with(p)) {
            score += 2.0;
        }
        if subject_verb {
            score += 2.5;
        }
        if text.contains('\'') || run.words >= 2 {
            score += 1.0;
        }
        // "I'm Maya Chen" introduces a person; "in Portland" is a place.
        if ["i'm", "i am", "je suis", "ich bin", "soy", "my name is"]
            .iter()
            .any(|p| before.ends_with(p))
        {
            score -= 4.0;
        }
        if [
            "in", "à", "en", "covering", "serving", "near", "from", "dans",
        ]
        .iter()
        .any(|p| before.ends_with(p))
        {
            score -= 3.0;
        }
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, text));
        }
    }
    best.filter(|(score, _)| *score > 0.5).map(|(_, text)| text)
}

static CITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:in|à|en|covering|near|dans|bei)\s+((?:San |Santa |Los |Las |New |Saint |St\. |Le |La |El )?[A-ZÀ-Ý][\p{L}'-]+(?:\s[A-ZÀ-Ý][\p{L}-]+)?)")
        .expect("valid regex")
});

/// "serving Austin and Round Rock": the area a business serves, when names of places end the
/// phrase ("serving Thai food" names a cuisine, not a place).
static SERVING: LazyLock<Regex> = LazyLock::new(|| {
    let place = r"(?:San |Santa |Los |Las |New |Saint |St\. )?[A-Z][\p{L}-]+(?:\s[A-Z][\p{L}-]+)?";
    Regex::new(&format!(
        r"\bserv(?:ing|es)\s+(?:the\s+)?({place}(?:(?:,\s|\s(?:and|&)\s){place})*)(?:[.,;!]|\s+(?:and surrounding|area|since|for|with)\b|$)"
    ))
    .expect("valid regex")
});

pub fn city(prompt: &str, business: &str) -> Option<String> {
    // What follows "in" and is capitalised but is no place: times, languages, subjects.
    const NOT_PLACES: &[&str] = &[
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Januar",
        "Februar",
        "März",
        "Juni",
        "Juli",
        "Oktober",
        "Dezember",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "Spring",
        "Summer",
        "Autumn",
        "Fall",
        "Winter",
        "English",
        "Spanish",
        "French",
        "German",
        "Italian",
        "Portuguese",
        "Dutch",
        "Chinese",
        "Mandarin",
        "Japanese",
        "Korean",
        "Arabic",
        "Russian",
        "Latin",
        "Greek",
        "Hindi",
        "Gironde",
        "Python",
        "SQL",
        "JavaScript",
        "TypeScript",
        "Java",
        "Rust",
        "React",
        "Excel",
        "Photoshop",
        "Figma",
        "Kubernetes",
        "AWS",
        "Maths",
        "Math",
        "Mathematics",
        "Physics",
        "Chemistry",
        "Biology",
        "History",
        "Economics",
        "Finance",
        "Marketing",
        "Design",
        "Data",
        "Business",
        "Law",
        "Medicine",
        "Nursing",
        "Psychology",
        "UX",
    ];
    let served = SERVING
        .captures_iter(prompt)
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_owned()));
    CITY.captures_iter(prompt)
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_owned()))
        .chain(served)
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

/// What a brief that names no business is about, as its first sentence opens: "Mobile dog
/// grooming van" of "Mobile dog grooming van serving Austin. …", at most six words, up to the
/// first place, price, verb or clause that follows. A title for the project, never a name the
/// page states.
pub fn subject(brief: &str) -> Option<String> {
    const STOPS: &[&str] = &[
        ",",
        ";",
        ":",
        " - ",
        " — ",
        " – ",
        "(",
        " serving ",
        " selling ",
        " offering ",
        " providing ",
        " in ",
        " near ",
        " for ",
        " with ",
        " that ",
        " who ",
        " which ",
        " where ",
        " based ",
        " from ",
        " at ",
        " open ",
        " is ",
        " are ",
        " we ",
        " à ",
        " pour ",
        " avec ",
        " qui ",
        " für ",
        " mit ",
        " para ",
        " con ",
        " que ",
        " en ",
    ];
    let first = brief
        .split_terminator(['.', '!', '?', '\n'])
        .map(str::trim)
        .find(|sentence| sentence.chars().any(char::is_alphabetic))?;
    let words: Vec<&str> = cut_at_any(first, STOPS)
        .split_whitespace()
        .take(6)
        .collect();
    let subject = words.join(" ");
    (subject.chars().filter(|c| c.is_alphabetic()).count() >= 3).then_some(subject)
}

pub fn cut_at_any<'a>(text: &'a str, stops: &[&str]) -> &'a str {
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

pub fn strip_determiners(phrase: &str) -> String {
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
pub fn lowercase_first(phrase: &str) -> String {
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
pub fn people_word(prompt: &str) -> Option<String> {
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

pub fn offer(prompt: &str, business: &str, lang: &str) -> Option<String> {
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
        // "Ledgerline is reconciliation software for finance teams": no article.
        (" is ", false),
        (" ist ", false),
        (" est ", false),
        (" es ", false),
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
            // "Premium is $4.99/month": a price is no offer (and "$4" of it would be a new
            // figure on the page).
            let priced = phrase.contains(['$', '€', '£', '¥'])
                || phrase.chars().next().is_some_and(|c| c.is_ascii_digit());
            if (2..=80).contains(&phrase.len()) && !priced {
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

pub fn audience(prompt: &str, lang: &str) -> Option<String> {
    static HELPS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:helps|helping|aimed at|teaches|teaching|reminds|serving|serves|for|accompagne les|pour les|pour|für|para)\s+([^.,;:!?]+)").expect("valid regex")
    });
    let stops = [
        " who ",
        " that ",
        " which ",
        " with ",
        " in ",
        " to ",
        " on ",
        " at ",
        " across ",
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
        let words: Vec<&str> = phrase.split_whitespace().collect();
        let people = if lang == "en" {
            up_to_plural(&words)
        } else {
            // Adjectives follow the noun ("professions libérales", "parejas jóvenes"): the
            // whole phrase, when it ends in a plural.
            Some(words.as_slice())
                .filter(|w| w.len() <= 6 && w.last().is_some_and(|l| is_plural(l)))
        };
        // Inside quotes it is a title («Marketing para restaurantes»), not people.
        let Some(people) =
            people.filter(|p| !p.iter().any(|w| w.contains(['"', '«', '»', '“', '”', '„'])))
        else {
            continue;
        };
        let (Some(first), Some(last)) = (people.first(), people.last()) else {
            continue;
        };
        // Not a name: in lower case, or a name qualifying people ("Rust developers").
        let named = is_capitalized(first) && (people.len() < 2 || is_capitalized(last));
        if !named && lang != "de" {
            return Some(people.join(" "));
        }
    }
    None
}

/// English people: the words up to the first plural ("first-time buyers" of "first-time
/// buyers find homes"), or to a later one joined to it ("designers and small agencies");
/// nothing when a clause joins in before any ("the stretching and stayed for the people").
fn up_to_plural<'a>(words: &'a [&'a str]) -> Option<&'a [&'a str]> {
    const JOINS: &[&str] = &["and", "or", "&"];
    let mut end = None;
    for (i, word) in words.iter().enumerate().take(6) {
        if is_plural(word) {
            end = Some(i);
            if !words.get(i + 1).is_some_and(|next| JOINS.contains(next)) {
                break;
            }
        } else if end.is_none() && JOINS.contains(word) {
            return None;
        }
    }
    words.get(..=end?)
}

/// A plural noun by its ending ("retailers", "familles", "cadres"), or one of the common
/// irregular ones; "business", "campus" and "analysis" are not.
fn is_plural(word: &str) -> bool {
    let word = word
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    ["people", "children", "men", "women", "staff"].contains(&word.as_str())
        || word.chars().count() > 3
            && (word.ends_with('x') || word.ends_with('s'))
            && !["ss", "us", "is"].iter().any(|e| word.ends_with(e))
}

pub fn tone_word(prompt: &str) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::{audience, business_name, city, subject};

    #[test]
    fn a_brief_without_a_name_is_titled_by_what_it_opens_with() {
        let cases = [
            (
                "Mobile dog grooming van serving Austin and Round Rock. Full groom from $85.",
                Some("Mobile dog grooming van"),
            ),
            (
                "Family bakery selling sourdough and cakes for weekend pickup.",
                Some("Family bakery"),
            ),
            (
                "Local plumber, emergency repairs 24/7, call 555-0100.",
                Some("Local plumber"),
            ),
            (
                "Cours de yoga pour débutants à Lyon.",
                Some("Cours de yoga"),
            ),
            ("$$$ !!!", None),
        ];
        for (brief, title) in cases {
            assert_eq!(subject(brief).as_deref(), title, "{brief}");
        }
    }

    #[test]
    fn an_audience_is_people_up_to_their_plural() {
        for (brief, people) in [
            (
                "Northwind Analytics helps mid-size retailers forecast inventory with machine learning.",
                Some("mid-size retailers"),
            ),
            (
                "Maple & Stone Realty helps first-time buyers find homes in Toronto's east end.",
                Some("first-time buyers"),
            ),
            (
                "RustConf Lisbon 2027, a two-day conference for Rust developers on 14-15 May 2027.",
                Some("Rust developers"),
            ),
            (
                "Brandkit is a design tool for freelance designers and small agencies.",
                Some("freelance designers and small agencies"),
            ),
            (
                "Bookkeeping for small business owners in Leeds.",
                Some("small business owners"),
            ),
            ("A bakery in Leeds, open for business since 1998.", None),
            ("Gift boxes for Ferreira Hotels.", None),
        ] {
            assert_eq!(audience(brief, "en").as_deref(), people, "{brief}");
        }
    }

    #[test]
    fn a_subject_a_month_or_a_language_after_in_is_no_city() {
        let business = "Data Bootcamp Berlin";
        assert_eq!(
            city(
                "Data Bootcamp Berlin: a 12-week evening course in Python and SQL for career changers.",
                business
            ),
            None
        );
        assert_eq!(
            city("Opening in September in Leeds, classes in Spanish.", "Casa").as_deref(),
            Some("Leeds")
        );
    }

    #[test]
    fn the_area_a_business_serves_is_its_place_and_its_hours_are_no_name() {
        let brief = "Mobile dog grooming van serving Austin and Round Rock. Full groom from $85, \
                     nail trims $20. Book online, we come to your driveway. Open Tue-Sat 8am-6pm.";
        assert_eq!(business_name(brief), None);
        assert_eq!(city(brief, "").as_deref(), Some("Austin and Round Rock"));
        assert_eq!(
            city("Plumbing repairs serving Tacoma since 1998.", "").as_deref(),
            Some("Tacoma")
        );
        // A cuisine or a dish after "serving" is no place.
        assert_eq!(
            city("A food truck serving Thai curries and Korean BBQ.", ""),
            None
        );
        // A sentence's first word, or a day, is no name.
        for brief in [
            "Family bakery selling sourdough and cakes for weekend pickup.",
            "Independent bookshop with author events every Thursday.",
            "Local plumber for emergency repairs, call 555-0100.",
        ] {
            assert_eq!(business_name(brief), None, "{brief}");
        }
        assert_eq!(
            business_name("Lumen helps small teams plan sprints.").as_deref(),
            Some("Lumen")
        );
        assert_eq!(
            business_name("Pho Saigon, open Mon-Sun 11am-10pm, serving Vietnamese noodle soups.")
                .as_deref(),
            Some("Pho Saigon")
        );
    }
}
