//! What the composer writes from: the brief's typed facts (`visions_facts`, read once per job),
//! plus what only a copywriter needs — the visitor's action as a verb phrase, the concrete
//! things worth naming, and fallbacks from the project or the matched design for what the
//! brief leaves out. Fallbacks are wording (an offer, an audience), never facts.

use std::sync::LazyLock;
use visions_domain::locale::Language;

use regex::Regex;

use visions_agents::task::Brief;
use visions_designs::Design;
use visions_facts::BriefFacts;
use visions_facts::prose::{
    cut_at_any, fold_case, lowercase_first, normalize, strip_determiners, tone_word,
};

#[derive(Clone, Debug, PartialEq)]
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
    /// Everything the brief states, typed: prices, contact, links, proof.
    pub stated: BriefFacts,
    /// The numbers the brief, project and brand kit give: the only ones the page may state.
    pub numbers: Vec<String>,
    /// The page is an event's (the design is a festival's, a conference's): its dates lead.
    pub event: bool,
}

impl Facts {
    /// `phrase` when every number in it is one the brief gives; a span cut inside a figure
    /// ("4" of "4,9") would state a new one.
    pub fn states_only_given_numbers(&self, phrase: &str) -> bool {
        visions_agents::claims::numbers(phrase)
            .iter()
            .all(|n| self.numbers.contains(n))
    }
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
    let stated = &brief.facts;
    let prompt = normalize(&brief.prompt);
    let numbers = visions_agents::claims::Sources::of(brief)
        .numbers()
        .to_vec();
    // A name that is only symbols or braces, or that carries a figure cut out of a longer one,
    // cannot head a page: the project's name, else a plain word, stands in.
    let usable = |name: &str| {
        let name: String = name
            .replace(['{', '}'], "")
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let figures_given = visions_agents::claims::numbers(&name)
            .iter()
            .all(|n| numbers.contains(n));
        // Longer than a name field holds, it is no name: cutting it could even cut a figure.
        let fits = name.trim().chars().count() <= 80;
        (name.chars().any(char::is_alphanumeric) && figures_given && fits)
            .then(|| name.trim().to_owned())
    };
    let business = stated
        .business_name
        .as_deref()
        .and_then(usable)
        .or_else(|| usable(&brief.project_name))
        .unwrap_or_else(|| generic(lang, Generic::Business).to_owned());
    let city = stated.city.clone();
    // The brief's own phrase is used only when it is written in the page's language.
    let same_language = stated.language.as_deref().is_none_or(|l| l == lang);
    let offer = stated
        .offer
        .clone()
        .or_else(|| category_of(&business))
        .filter(|_| same_language)
        .or_else(|| {
            design
                .filter(|_| lang == "en")
                .map(|d| d.industry_label().to_owned())
        })
        .unwrap_or_else(|| generic(lang, Generic::Offer).to_owned());
    let audience = stated
        .audience
        .clone()
        .filter(|_| same_language)
        .unwrap_or_else(|| generic(lang, Generic::Audience).to_owned());
    let goal = goal(&prompt, lang).unwrap_or_else(|| {
        default_goal(&design.map(|d| d.goal_words()).unwrap_or_default(), lang).to_owned()
    });
    let tone = stated
        .tone
        .as_deref()
        .and_then(|t| {
            t.split([',', ' ', ';'])
                .find(|w| w.len() > 2)
                .map(str::to_lowercase)
        })
        .or_else(|| {
            design.and_then(|d| {
                d.palette
                    .mood
                    .split([',', ' '])
                    .find(|w| w.len() > 2)
                    .map(str::to_lowercase)
            })
        });
    // Only phrases of the page's language, and never a price, link or email: those are facts
    // with their own place on the page.
    // The step the page asks for, when it is one (book, start, request…) rather than a purchase.
    let step = Some(fold_case(&goal)).filter(|goal| {
        ["book", "schedule", "start", "request", "try", "claim"]
            .iter()
            .any(|verb| goal.starts_with(&format!("{verb} ")))
    });
    // Phrases the page states in their own place: a keyword inside one is not an offering.
    let placed: Vec<String> = [
        stated.hours.as_deref(),
        stated.offer_promo.as_deref(),
        city.as_deref(),
    ]
    .into_iter()
    .flatten()
    .chain(step.as_deref())
    .map(fold_case)
    .collect();
    let mut keywords: Vec<String> = if same_language {
        keywords(&prompt, &business, city.as_deref(), &offer, lang)
            .into_iter()
            .filter(|k| !has_own_place(k))
            // A call to action's verb cut from its sentence ("Start" of "Start a free trial").
            .filter(|k| !ACTIONS.contains(&k.to_lowercase().as_str()))
            // The hours ("Including Termine Mo–Fr 7–19 Uhr"), the offer ("Including free
            // 14-day trial"), a place of the area served ("Including Round Rock" of "Austin
            // and Round Rock") and the step asked for ("Including 30-minute demo" when the
            // goal is to book one; what a visitor orders or buys is kept).
            .filter(|k| {
                let k = fold_case(k);
                !placed.iter().any(|phrase| phrase.contains(&k))
            })
            // Who the page is for is not something it offers ("Including freelancers", "Rust
            // developers" of a conference for them).
            .filter(|k| {
                let (k, audience) = (fold_case(k), fold_case(&audience));
                !k.contains(&audience) && !audience.contains(&k)
            })
            // A figure cut out of a longer one ("4" of "4,7/5") would be a new claim.
            .filter(|k| {
                visions_agents::claims::numbers(k)
                    .iter()
                    .all(|n| numbers.contains(n))
            })
            .filter_map(|k| noun_phrase(&k))
            .collect()
    } else {
        Vec::new()
    };
    // Never a design's keywords: they name what another business sells, and "Including
    // locksmith" on a plumber's page is a claim the brief never made.
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
        stated: stated.clone(),
        numbers: numbers.clone(),
        event: design.is_some_and(|d| matches!(d.industry.as_str(), "events" | "conference")),
    }
}

/// What a name says the business is, when it opens with what it is: "Cabinet dentaire du Dr
/// Amélie Roux" → "cabinet dentaire", "Bäckerei Müller" → "Bäckerei", "Hotel Alpenrose" →
/// "hotel". The words before the first capitalised one after the first.
fn category_of(business: &str) -> Option<String> {
    const CATEGORIES: &[&str] = &[
        "cabinet",
        "boulangerie",
        "plombier",
        "garage",
        "atelier",
        "hôtel",
        "hotel",
        "restaurant",
        "bäckerei",
        "praxis",
        "zahnarztpraxis",
        "kanzlei",
        "autohaus",
        "friseursalon",
        "weingut",
        "yogastudio",
        "panadería",
        "clínica",
        "fontanería",
        "taquería",
        "peluquería",
        "asesoría",
        "inmobiliaria",
        "taller",
        "estudio",
        "studio",
        "salon",
        "bakery",
        "clinic",
        "café",
        "cafe",
    ];
    let mut words = business.split_whitespace();
    let first = words.next()?;
    if !CATEGORIES.contains(&first.to_lowercase().as_str()) {
        return None;
    }
    let mut phrase = vec![first];
    for word in words {
        if word.chars().next().is_some_and(char::is_uppercase)
            || !word.chars().all(char::is_alphabetic)
        {
            break;
        }
        if [
            "du", "de", "des", "la", "le", "der", "die", "das", "del", "el", "of", "the",
        ]
        .contains(&word)
        {
            break;
        }
        phrase.push(word);
    }
    let phrase = phrase.join(" ");
    // German nouns keep their capital; elsewhere the category reads in lower case.
    let german = first.chars().next().is_some_and(char::is_uppercase)
        && [
            "praxis",
            "bäckerei",
            "kanzlei",
            "autohaus",
            "friseursalon",
            "weingut",
            "yogastudio",
            "zahnarztpraxis",
        ]
        .contains(&first.to_lowercase().as_str());
    Some(if german {
        phrase
    } else {
        phrase.to_lowercase()
    })
}

/// A keyword as a noun phrase, fit for "Including {keyword}": without a leading verb ("syncs
/// NetSuite" → "NetSuite") or a dangling function word ("plant owners when" → "plant owners").
fn noun_phrase(phrase: &str) -> Option<String> {
    const VERBS: &[&str] = &[
        "reminds", "syncs", "helps", "makes", "offers", "sells", "lets", "gives", "turns", "keeps",
        "brings", "shows", "tracks", "runs", "builds", "handles", "provides", "connects", "bakes",
        "serves", "teaches", "delivers", "creates", "plans", "finds", "sends", "books", "get",
        "gets", "buy", "shop",
        // As a product's feature list says them ("send invoices", "track accounts payable").
        "track", "send", "manage", "automate", "sync", "create", "schedule", "collect", "share",
        "organise", "organize", "monitor",
    ];
    const DANGLING: &[&str] = &[
        "when", "that", "to", "for", "and", "or", "with", "of", "the", "a", "an", "who", "which",
        "de", "des", "du", "la", "le", "les", "et", "ou", "und", "oder", "mit", "für", "y", "o",
        "con", "para", "el", "los", "las", "que", "qui", "die", "der", "das", "en", "in", "à",
    ];
    // An instruction ("Prenez rendez-vous sur Doctolib", "Book online") is a call to action,
    // not a thing the business offers; a postcode or a bare number is not one either, nor is
    // the word that opens the hours.
    const IMPERATIVES: &[&str] = &[
        "book",
        "call",
        "order",
        "visit",
        "contact",
        "email",
        "write",
        "download",
        "get",
        "join",
        "sign",
        "reserve",
        "buy",
        "shop",
        "donate",
        "register",
        "apply",
        "prenez",
        "réservez",
        "appelez",
        "contactez",
        "commandez",
        "écrivez",
        "téléchargez",
        "inscrivez-vous",
        "venez",
        "buchen",
        "rufen",
        "bestellen",
        "schreiben",
        "besuchen",
        "reserva",
        "llama",
        "pide",
        "escribe",
        "descarga",
        "visita",
        "compra",
        "reserve",
        "termin",
        "jetzt",
    ];
    const NOT_THINGS: &[&str] = &[
        "open",
        "opened",
        "ouvert",
        "ouverte",
        "geöffnet",
        "abierto",
        "abierta",
    ];
    let mut words: Vec<&str> = phrase.split_whitespace().collect();
    if words
        .first()
        .is_some_and(|w| IMPERATIVES.contains(&w.to_lowercase().as_str()))
        || words
            .iter()
            .any(|w| NOT_THINGS.contains(&w.to_lowercase().as_str()))
        // A postcode or a number first ("69002 Lyon"), not "SOC 2".
        || words
            .first()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit()))
        || words
            .iter()
            .any(|w| w.len() >= 4 && w.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    while words
        .first()
        .is_some_and(|w| VERBS.contains(&w.to_lowercase().as_str()))
    {
        words.remove(0);
    }
    while words
        .last()
        .is_some_and(|w| DANGLING.contains(&w.to_lowercase().as_str()))
    {
        words.pop();
    }
    let phrase = words.join(" ");
    (phrase.chars().count() >= 3).then_some(phrase)
}

#[derive(Clone, Copy)]
enum Generic {
    Business,
    Offer,
    Audience,
}

fn generic(lang: &str, what: Generic) -> &'static str {
    match (lang, what) {
        ("fr", Generic::Business) => "Notre entreprise",
        ("de", Generic::Business) => "Unser Betrieb",
        ("es", Generic::Business) => "Nuestro negocio",
        (_, Generic::Business) => "Our business",
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
    let Some(capture) = GOAL.captures(prompt) else {
        return imperative_goal(prompt).or_else(|| trial_goal(prompt));
    };
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

/// A sentence of the brief that is itself a call to action ("Start a free 14-day trial.",
/// "Book online."). Calling and contacting are left to the brief's phone and email.
fn imperative_goal(prompt: &str) -> Option<String> {
    static SENTENCE_END: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[.!?;](?:\s|$)|\n").expect("valid regex"));
    SENTENCE_END
        .split(prompt)
        .map(str::trim)
        .find_map(|sentence| {
            let words: Vec<&str> = sentence.split_whitespace().collect();
            let verb = words.first()?.to_lowercase();
            let action =
                ACTIONS.contains(&verb.as_str()) && !matches!(verb.as_str(), "call" | "contact");
            (action && (2..=10).contains(&words.len())).then(|| {
                let mut goal = verb;
                for word in words.iter().skip(1) {
                    goal.push(' ');
                    goal.push_str(word);
                }
                goal.trim_end_matches([',', ':']).to_owned()
            })
        })
}

/// A free trial the brief offers ("Free 14-day trial", "a 30-day free trial") is what its
/// visitors are asked to start.
fn trial_goal(prompt: &str) -> Option<String> {
    static TRIAL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:free\s+(?:\d{1,3}[- ]day\s+)?|\d{1,3}[- ]day\s+free\s+)trial\b")
            .expect("valid regex")
    });
    let trial = TRIAL.find(prompt)?.as_str().to_lowercase();
    Some(format!("start your {trial}"))
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
    } else if has(&["demo"]) {
        12
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
    let table: [[&str; 4]; 13] = [
        ["get started", "commencer", "loslegen", "empezar"],
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
        ["make a donation", "faire un don", "spenden", "donar"],
        ["join us", "nous rejoindre", "mitmachen", "unirse"],
        [
            "request a quote",
            "demander un devis",
            "Angebot anfordern",
            "pedir un presupuesto",
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
            "see the offer",
            "découvrir l'offre",
            "Angebot ansehen",
            "ver la oferta",
        ],
        [
            "reserve a table",
            "réserver une table",
            "Tisch reservieren",
            "reservar mesa",
        ],
        [
            "book a demo",
            "réserver une démo",
            "Demo vereinbaren",
            "reservar una demo",
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

/// A link, email or price: facts with their own place on the page ("24/7" and "7j/7" are
/// none of them).
fn has_own_place(phrase: &str) -> bool {
    phrase.contains(['@', '$', '€', '£'])
        || phrase.contains("http")
        || phrase.split_whitespace().any(|word| {
            word.contains('/')
                && (word.contains('.') || word.chars().filter(|c| c.is_alphabetic()).count() > 1)
        })
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
        "integrates",
        "connects",
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
        // "en ligne", "en línea": what is left of them once " en " has split the phrase.
        "ligne",
        "línea",
        "linea",
        "buying",
        "reserven",
        "tone",
        "page",
        "landing page",
        "landing",
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
                // Two words of the name in a row ("Lanternes de Nantes revient" of the
                // Festival des Lanternes de Nantes): the name again, not an offering.
                || shares_two_words(&lower, &business.to_lowercase())
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

fn shares_two_words(phrase: &str, name: &str) -> bool {
    let pairs = |text: &str| -> Vec<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        words.windows(2).map(|pair| pair.join(" ")).collect()
    };
    let named = pairs(name);
    pairs(phrase).iter().any(|pair| named.contains(pair))
}

#[cfg(test)]
mod tests {
    use super::*;
    use visions_domain::page::SectionType;
    use visions_domain::project::BrandKit;

    fn facts(prompt: &str, locale: &str) -> Facts {
        let brief = Brief::new(prompt, locale, "Project", "", BrandKit::default());
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
        assert_eq!(
            visions_facts::prose::fold_case("İstanbul ÉTÉ"),
            "İstanbul été"
        );
        assert_eq!(visions_facts::prose::fold_case("Ⱥ").len(), "Ⱥ".len());
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
    fn names_only_what_the_brief_offers_never_a_designs_keywords() {
        let prompt = "Landing page for Ferreira & Filhos, a family-run plumbing company in Porto offering emergency repairs 24/7, boiler installation from €890. Call 22 123 4567.";
        let brief = Brief::new(prompt, "en", "Project", "", BrandKit::default());
        for id in ["local-locksmith-emergency", "trades-plumber-emergency-call"] {
            let design = visions_designs::builtin()
                .get(id)
                .expect("a built-in design");
            let f = extract(&brief, Some(design));
            for keyword in &f.keywords {
                assert!(
                    prompt.to_lowercase().contains(&keyword.to_lowercase()),
                    "{id}: {keyword:?} is not in the brief ({:?})",
                    f.keywords
                );
            }
            assert!(
                f.keywords
                    .iter()
                    .any(|k| k.contains("emergency repairs 24/7")),
                "{:?}",
                f.keywords
            );
        }
    }

    #[test]
    fn a_free_trial_is_the_goal_and_not_an_offering() {
        let f = facts(
            "Ledgerly is invoicing software for freelancers: send invoices, track accounts payable and get paid via Stripe. Free 14-day trial, then 12 EUR per month.",
            "en",
        );
        assert_eq!(f.goal, "start your free 14-day trial");
        assert!(
            f.keywords.iter().all(|k| !k.contains("trial")),
            "{:?}",
            f.keywords
        );
        for offered in ["invoices", "accounts payable"] {
            assert!(f.keywords.iter().any(|k| k == offered), "{:?}", f.keywords);
        }
    }

    #[test]
    fn no_place_of_the_area_served_is_an_offering() {
        let f = facts(
            "Mobile dog grooming van serving Austin and Round Rock. Full groom from $85, nail trims $20. Book online, we come to your driveway. Open Tue-Sat 8am-6pm.",
            "en",
        );
        assert_eq!(f.city.as_deref(), Some("Austin and Round Rock"));
        assert!(
            f.keywords
                .iter()
                .all(|k| !k.contains("Round Rock") && !k.contains("Tue")),
            "{:?}",
            f.keywords
        );
    }

    #[test]
    fn neither_the_audience_nor_the_step_asked_for_is_an_offering() {
        let f = facts(
            "Northwind Analytics helps mid-size retailers forecast inventory with machine learning. Integrates with Shopify and NetSuite. Book a 30-minute demo with our team.",
            "en",
        );
        assert_eq!(f.audience, "mid-size retailers");
        assert!(
            f.keywords.iter().all(|k| !k.contains("demo")),
            "{:?}",
            f.keywords
        );
        let f = facts(
            "RustConf Lisbon 2027, a two-day conference for Rust developers on 14-15 May 2027 at the LX Factory. Register at https://rustconf.example/tickets.",
            "en",
        );
        assert!(
            f.keywords.iter().all(|k| !k.contains("developers")),
            "{:?}",
            f.keywords
        );
        let f = facts(
            "Crumb & Co is a bakery in Bath with sourdough bread and pastries. Order sourdough bread online.",
            "en",
        );
        assert_eq!(f.goal, "order sourdough bread online");
        assert!(
            f.keywords.iter().any(|k| k.contains("sourdough bread")),
            "{:?}",
            f.keywords
        );
    }

    #[test]
    fn an_events_dates_lead_its_page_and_no_one_elses() {
        let prompt = "Le Festival des Lanternes de Nantes revient du 12 au 14 juillet au parc de Procé : concerts, ateliers pour enfants et marché nocturne. Billet journée 15 €.";
        let brief = Brief::new(prompt, "fr", "Project", "", BrandKit::default());
        let festival = visions_designs::builtin().get("event-music-festival-tickets");
        // The hero's and the questions' copy, for three seeds.
        let copy = |f: &Facts| -> String {
            let ids = vec!["hero".to_owned(), "faq".to_owned()];
            let planned =
                |id: &str, section_type, variant: &str| visions_agents::task::PlannedSection {
                    id: id.into(),
                    section_type,
                    variant: variant.into(),
                    purpose: String::new(),
                };
            let sections = [
                planned("hero", SectionType::Hero, "centered"),
                planned("faq", SectionType::Faq, "accordion"),
            ];
            let mut copy = String::new();
            for seed in 0..3 {
                for s in &sections {
                    copy += &crate::write::section(&seed.to_string(), f, s, &ids).to_string();
                }
            }
            copy
        };
        let f = extract(&brief, festival);
        assert!(f.event);
        assert!(
            f.keywords.iter().all(|k| !k.contains("Lanternes")),
            "the name is no offering: {:?}",
            f.keywords
        );
        let page = copy(&f);
        assert!(
            page.matches("12 au 14 juillet").count() >= 6,
            "every hero and FAQ: {page}"
        );
        let bakery = visions_designs::builtin().get("bakery-boulangerie-fr");
        let f = extract(&brief, bakery);
        assert!(!f.event);
        assert!(!copy(&f).contains("juillet"));
    }

    #[test]
    fn a_demo_is_booked_not_an_appointment() {
        assert_eq!(default_goal("book demo", "en"), "book a demo");
        assert_eq!(default_goal("book demo", "de"), "Demo vereinbaren");
        assert_eq!(
            default_goal("book appointment", "en"),
            "book an appointment"
        );
    }

    #[test]
    fn the_hours_are_not_an_offering() {
        let f = facts(
            "Physiotherapie Berger in Graz: Behandlung bei Rückenschmerzen, Sportverletzungen und nach Operationen. Termine Mo–Fr 7–19 Uhr. Tel. 0316 123456.",
            "de",
        );
        assert!(
            f.keywords.iter().all(|k| !k.contains("Uhr")),
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
        let f = facts(
            "Ledgerly is an invoicing app for freelancers. Plans: Solo $9/month, Team $29/month. Integrates with Stripe and PayPal. Start a free 14-day trial.",
            "en",
        );
        assert_eq!(f.goal, "start a free 14-day trial");
        assert!(
            !f.keywords
                .iter()
                .any(|k| k == "freelancers" || k.starts_with("integrates") || k == "Start"),
            "{:?}",
            f.keywords
        );
        let f = facts(
            "Glow Studio, a nail salon in Leeds. Call 0113 496 0000. Book online.",
            "en",
        );
        assert_eq!(f.goal, "book online");
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
            "Studio de photographie à Lyon. Séances portrait à partir de 120 €, mariages sur devis. Réservez en ligne.",
            "fr",
        );
        assert!(
            f.keywords.iter().all(|k| k != "ligne")
                && f.keywords.contains(&"séances portrait".to_owned()),
            "{:?}",
            f.keywords
        );
        let f = facts(
            "I'm Maya Chen and I run Maya Chen Realty, helping first-time buyers and downsizers in Seattle's Ballard and Fremont neighborhoods.",
            "en",
        );
        assert_eq!(f.business, "Maya Chen Realty");
        assert_eq!(f.audience, "first-time buyers and downsizers");
    }
}
