//! Scoring an extractor against a labelled set of briefs (`tests/fixtures/labelled-briefs.json`):
//! precision and recall per field, matched the way the set's README says (exact for phones,
//! emails and URLs; amount and currency for prices; overlap for free-text spans).

use serde::Deserialize;

use crate::{BriefFacts, Context, extract, prose::normalize};

#[derive(Debug, Deserialize)]
pub struct Labelled {
    pub id: String,
    pub lang: String,
    pub brief: String,
    pub facts: Expected,
}

#[derive(Debug, Deserialize)]
pub struct Expected {
    pub business_name: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub urls: Vec<ExpectedUrl>,
    pub prices: Vec<ExpectedPrice>,
    pub hours: Option<String>,
    pub offer_promo: Option<String>,
    pub audience: Option<String>,
    pub proof: Vec<ExpectedProof>,
}

#[derive(Debug, Deserialize)]
pub struct ExpectedUrl {
    pub url: String,
    pub kind: String,
}

#[derive(Debug, Deserialize)]
pub struct ExpectedPrice {
    pub amount: f64,
    pub currency: String,
}

#[derive(Debug, Deserialize)]
pub struct ExpectedProof {
    pub kind: String,
    pub text: String,
}

/// Counts for one field: found and right, found, expected.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Score {
    pub hits: usize,
    pub found: usize,
    pub expected: usize,
}

impl Score {
    /// 1.0 when nothing was found (nothing wrong was said).
    pub fn precision(&self) -> f64 {
        if self.found == 0 {
            1.0
        } else {
            self.hits as f64 / self.found as f64
        }
    }

    pub fn recall(&self) -> f64 {
        if self.expected == 0 {
            1.0
        } else {
            self.hits as f64 / self.expected as f64
        }
    }

    fn add<T>(&mut self, found: &[T], expected: &[T], same: impl Fn(&T, &T) -> bool) {
        self.found += found.len();
        self.expected += expected.len();
        self.hits += found
            .iter()
            .filter(|f| expected.iter().any(|e| same(f, e)))
            .count();
    }
}

/// The scored fields, in report order.
pub const FIELDS: [&str; 12] = [
    "language",
    "business_name",
    "city",
    "address",
    "phones",
    "emails",
    "urls",
    "url_kinds",
    "prices",
    "hours",
    "offer_promo",
    "audience",
];

/// One row per field, plus `proof`; and the ids of briefs with a wrong or missed fact per field.
pub struct Report {
    pub scores: Vec<(&'static str, Score)>,
    pub misses: Vec<(&'static str, String, String)>,
}

fn overlaps(a: &str, b: &str) -> bool {
    let (a, b) = (normalize(a).to_lowercase(), normalize(b).to_lowercase());
    !a.is_empty() && !b.is_empty() && (a.contains(&b) || b.contains(&a))
}

fn option<T: Clone>(value: &Option<T>) -> Vec<T> {
    value.iter().cloned().collect()
}

pub fn score(set: &[Labelled]) -> Report {
    let mut scores: Vec<(&'static str, Score)> = FIELDS
        .iter()
        .chain(["proof"].iter())
        .map(|f| (*f, Score::default()))
        .collect();
    let mut misses = Vec::new();
    for item in set {
        let facts: BriefFacts = extract(&item.brief, Context::default());
        let e = &item.facts;
        let mut field = |name: &'static str, update: &dyn Fn(&mut Score)| {
            if let Some((_, score)) = scores.iter_mut().find(|(n, _)| *n == name) {
                let before = *score;
                update(score);
                let delta = (
                    score.hits - before.hits,
                    score.found - before.found,
                    score.expected - before.expected,
                );
                if delta.0 != delta.1 || delta.0 != delta.2 {
                    misses.push((name, item.id.clone(), String::new()));
                }
            }
        };
        field("language", &|s| {
            s.add(
                &option(&facts.language),
                std::slice::from_ref(&item.lang),
                |a, b| a == b,
            )
        });
        field("business_name", &|s| {
            s.add(
                &option(&facts.business_name),
                &option(&e.business_name),
                |a, b| normalize(a) == normalize(b),
            )
        });
        field("city", &|s| {
            s.add(&option(&facts.city), &option(&e.city), |a, b| {
                overlaps(a, b)
            })
        });
        field("address", &|s| {
            s.add(&option(&facts.address), &option(&e.address), |a, b| {
                overlaps(a, b)
            })
        });
        field("phones", &|s| {
            s.add(&facts.phones, &e.phones, |a, b| a == b)
        });
        field("emails", &|s| {
            s.add(&facts.emails, &e.emails, |a, b| a == b)
        });
        let urls: Vec<String> = facts.urls.iter().map(|l| l.url.clone()).collect();
        let expected_urls: Vec<String> = e.urls.iter().map(|u| u.url.clone()).collect();
        field("urls", &|s| s.add(&urls, &expected_urls, |a, b| a == b));
        let kinds: Vec<String> = facts
            .urls
            .iter()
            .map(|l| {
                format!(
                    "{}|{}",
                    l.url,
                    serde_json::to_value(l.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                )
            })
            .collect();
        let expected_kinds: Vec<String> = e
            .urls
            .iter()
            .map(|u| format!("{}|{}", u.url, u.kind))
            .collect();
        field("url_kinds", &|s| {
            s.add(&kinds, &expected_kinds, |a, b| a == b)
        });
        let prices: Vec<(f64, String)> = facts
            .prices
            .iter()
            .map(|p| (p.amount, p.currency.clone()))
            .collect();
        let expected_prices: Vec<(f64, String)> = e
            .prices
            .iter()
            .map(|p| (p.amount, p.currency.clone()))
            .collect();
        field("prices", &|s| {
            s.add(&prices, &expected_prices, |a, b| {
                (a.0 - b.0).abs() < 0.005 && a.1 == b.1
            })
        });
        field("hours", &|s| {
            s.add(&option(&facts.hours), &option(&e.hours), |a, b| {
                overlaps(a, b)
            })
        });
        field("offer_promo", &|s| {
            s.add(
                &option(&facts.offer_promo),
                &option(&e.offer_promo),
                |a, b| overlaps(a, b),
            )
        });
        field("audience", &|s| {
            s.add(&option(&facts.audience), &option(&e.audience), |a, b| {
                overlaps(a, b)
            })
        });
        let proof: Vec<(String, String)> = facts
            .proof
            .iter()
            .map(|p| {
                (
                    serde_json::to_value(p.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    p.text.clone(),
                )
            })
            .collect();
        let expected_proof: Vec<(String, String)> = e
            .proof
            .iter()
            .map(|p| (p.kind.clone(), p.text.clone()))
            .collect();
        field("proof", &|s| {
            s.add(&proof, &expected_proof, |a, b| {
                a.0 == b.0 && overlaps(&a.1, &b.1)
            })
        });
    }
    Report { scores, misses }
}

impl Report {
    /// A Markdown table: field, precision, recall, and the counts behind them.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| field | precision | recall | right / found / expected |\n|---|---|---|---|\n",
        );
        for (name, s) in &self.scores {
            out.push_str(&format!(
                "| {name} | {:.3} | {:.3} | {} / {} / {} |\n",
                s.precision(),
                s.recall(),
                s.hits,
                s.found,
                s.expected
            ));
        }
        out
    }

    pub fn get(&self, field: &str) -> Score {
        self.scores
            .iter()
            .find(|(n, _)| *n == field)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    }
}
