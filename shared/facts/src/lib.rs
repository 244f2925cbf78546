//! The facts a brief states, read once and typed: who the business is, how to reach it, its
//! links, prices, hours, an event's dates, current offer and proof, and the language it is
//! written in. The composer writes from them, models receive them as data, and the checks on a
//! finished page compare its claims with them: a page states only facts it was given.
//!
//! Every text field is a span of the brief as written (trimmed), so a claim can be traced back.

pub mod action;
mod contact;
pub mod eval;
pub mod language;
mod money;
mod proof;
pub mod prose;
mod schedule;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use visions_domain::locale::Language;

pub use action::{Action, ActionKind, CONTACT_ANCHOR};
pub use language::detect as detect_language;

/// What a brief states. Absent facts are `None` or empty: nothing is guessed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BriefFacts {
    /// The brief's language (`en`, `fr`, `de`, `es`, `it`, `pt`, `nl`), when it can be told.
    pub language: Option<String>,
    pub business_name: Option<String>,
    /// What the business sells or does, a short noun phrase.
    pub offer: Option<String>,
    pub audience: Option<String>,
    pub city: Option<String>,
    /// A street address as written.
    pub address: Option<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub urls: Vec<Link>,
    pub prices: Vec<Price>,
    /// Opening hours or event times as written.
    pub hours: Option<String>,
    /// When an event takes place, as written ("du 12 au 14 juillet"); never a deadline.
    #[serde(default)]
    pub dates: Option<String>,
    /// A current, introductory or time-limited offer as written.
    pub offer_promo: Option<String>,
    pub proof: Vec<Proof>,
    /// Tone words as written.
    pub tone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// As written; [`Link::href`] adds the scheme a bare domain lacks.
    pub url: String,
    pub kind: LinkKind,
}

impl Link {
    /// The URL a page can link to: over HTTPS (pages link nothing else), with `https://` added
    /// to a bare `example.com/book`.
    pub fn href(&self) -> String {
        let rest = self
            .url
            .strip_prefix("https://")
            .or_else(|| self.url.strip_prefix("http://"))
            .unwrap_or(&self.url);
        format!("https://{rest}")
    }
}

/// What a link is for, which decides the call to action it can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// Appointments, tables, rooms, availability.
    Booking,
    Demo,
    /// A store, food ordering, tickets.
    Shop,
    /// App Store or Google Play.
    AppStore,
    Website,
    /// Donations, enrolment, anything else.
    Other,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Price {
    /// As written, with its currency and any attached period or qualifier ("$499/month").
    pub text: String,
    pub amount: f64,
    /// The upper end of a range ("$120–180").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_max: Option<f64>,
    /// ISO 4217.
    pub currency: String,
    pub period: Option<Period>,
    /// The plan or item the price is for, as written.
    pub label: Option<String>,
    /// A starting price ("from $19", "ab 29 €", "dès 19 €", "desde 35 €").
    #[serde(default)]
    pub from: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Month,
    Year,
    Night,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    pub kind: ProofKind,
    /// As written; for a quote, the words inside the quotation marks.
    pub text: String,
    /// Who said a quote, as written after it ("– Jana & Tim").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProofKind {
    Quote,
    Rating,
    CustomerCount,
    Award,
}

/// What the project and its brand kit add to the brief.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    pub project_name: &'a str,
    pub project_description: &'a str,
    pub brand_tone: Option<&'a str>,
}

/// Reads the facts `brief` states. The project's name stands in for a business name the brief
/// does not give; the brand kit's tone for one it does not state.
pub fn extract(brief: &str, context: Context<'_>) -> BriefFacts {
    let text = prose::normalize(brief);
    let language = language::detect(&text);
    let lang = language.filter(|l| l.composed()).unwrap_or(Language::En);
    let links = contact::links(&text);
    let emails = contact::emails(&text);
    let taken: Vec<(usize, usize)> = links
        .iter()
        .map(|(span, _)| *span)
        .chain(emails.iter().map(|(span, _)| *span))
        .collect();
    let prices = money::prices(&text, &taken);
    let price_spans: Vec<(usize, usize)> = prices.iter().map(|(span, _)| *span).collect();
    let phones = contact::phones(&text, &[taken.clone(), price_spans].concat());
    let business_name = prose::business_name(&text)
        .or_else(|| Some(context.project_name.trim().to_owned()).filter(|n| !n.is_empty()));
    let city = prose::city(&text, business_name.as_deref().unwrap_or(""));
    let offer = business_name
        .as_deref()
        .and_then(|name| prose::offer(&text, name, lang.code()))
        .or_else(|| {
            Some(prose::first_clause(context.project_description)).filter(|d| !d.is_empty())
        });
    BriefFacts {
        language: language.map(|l| l.code().to_owned()),
        offer,
        audience: prose::audience(&text, lang.code()).or_else(|| prose::people_word(&text)),
        address: contact::address(&text),
        phones: phones.into_iter().map(|(_, phone)| phone).collect(),
        emails: emails.into_iter().map(|(_, email)| email).collect(),
        urls: links.into_iter().map(|(_, link)| link).collect(),
        prices: prices.into_iter().map(|(_, price)| price).collect(),
        hours: schedule::hours(&text),
        dates: schedule::dates(&text),
        offer_promo: schedule::promo(&text),
        proof: proof::proof(&text),
        tone: context
            .brand_tone
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .or_else(|| prose::tone_word(&text)),
        city,
        business_name,
    }
}

/// The prices a text states ("$19/month", "119 € la nuit"), read as a brief's are.
pub fn prices_in(text: &str) -> Vec<Price> {
    money::prices(&prose::normalize(text), &[])
        .into_iter()
        .map(|(_, price)| price)
        .collect()
}

impl BriefFacts {
    /// The brief's language when the composer writes it, else English.
    pub fn composed_language(&self) -> Language {
        self.language
            .as_deref()
            .and_then(Language::of)
            .filter(|l| l.composed())
            .unwrap_or(Language::En)
    }

    /// The link a visitor should follow first: booking, demo, shop, app store, other, website.
    pub fn primary_link(&self) -> Option<&Link> {
        [
            LinkKind::Booking,
            LinkKind::Demo,
            LinkKind::Shop,
            LinkKind::AppStore,
            LinkKind::Other,
            LinkKind::Website,
        ]
        .into_iter()
        .find_map(|kind| self.urls.iter().find(|l| l.kind == kind))
    }
}
