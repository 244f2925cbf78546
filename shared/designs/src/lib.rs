//! Designs of high-converting landing pages, and finding the ones that fit a brief.
//!
//! Until the vector index lands, a built-in corpus (`shared/designs/builtin.json`) is scored
//! with TF-IDF cosine similarity over its industries, keywords, audience and goal.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use visions_domain::page::SectionType;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Design {
    pub id: String,
    pub name: String,
    pub industries: Vec<String>,
    pub keywords: Vec<String>,
    pub audience: String,
    pub goal: String,
    pub tone: String,
    pub sections: Vec<DesignSection>,
    pub principles: Vec<String>,
    pub palette_hint: PaletteHint,
    pub conversion_rate_note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesignSection {
    #[serde(rename = "type")]
    pub section_type: SectionType,
    pub variant: String,
    pub purpose: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaletteHint {
    pub primary: String,
    pub accent: String,
    pub background: String,
    pub text: String,
}

static BUILTIN: LazyLock<DesignIndex> = LazyLock::new(|| {
    let designs: Vec<Design> = serde_json::from_str(include_str!("../builtin.json"))
        .expect("the built-in design corpus is valid");
    DesignIndex::new(designs)
});

/// The built-in corpus, indexed once per process.
pub fn builtin() -> &'static DesignIndex {
    &BUILTIN
}

/// A scored match.
#[derive(Clone, Debug)]
pub struct Match<'a> {
    pub design: &'a Design,
    pub score: f64,
}

pub struct DesignIndex {
    designs: Vec<Design>,
    /// Every corpus term, numbered.
    terms: HashMap<String, usize>,
    /// Inverse document frequency, by term number.
    idf: Vec<f64>,
    /// Each design's TF-IDF vector: (term number, weight), sorted by term number.
    vectors: Vec<Vec<(usize, f64)>>,
}

impl DesignIndex {
    /// Indexes `designs`. Terms are numbered once, so building and scoring hash each term a
    /// single time (the index is built at every cold start of the worker).
    pub fn new(designs: Vec<Design>) -> Self {
        let mut terms: HashMap<String, usize> = HashMap::new();
        let documents: Vec<Vec<usize>> = designs
            .iter()
            .map(|design| {
                document_terms(design)
                    .into_iter()
                    .map(|term| {
                        let next = terms.len();
                        *terms.entry(term).or_insert(next)
                    })
                    .collect()
            })
            .collect();
        let mut df = vec![0.0_f64; terms.len()];
        for document in &documents {
            let mut unique = document.clone();
            unique.sort_unstable();
            unique.dedup();
            for id in unique {
                if let Some(count) = df.get_mut(id) {
                    *count += 1.0;
                }
            }
        }
        let total = documents.len() as f64;
        let idf: Vec<f64> = df.iter().map(|d| (1.0 + total / d).ln()).collect();
        let vectors = documents.into_iter().map(|ids| weigh(ids, &idf)).collect();
        Self {
            designs,
            terms,
            idf,
            vectors,
        }
    }

    pub fn designs(&self) -> &[Design] {
        &self.designs
    }

    pub fn get(&self, id: &str) -> Option<&Design> {
        self.designs.iter().find(|d| d.id == id)
    }

    /// The `k` designs closest to `brief`, best first; ties broken by corpus order so the
    /// answer is deterministic. Always returns `k` designs when the corpus has them.
    pub fn top(&self, brief: &str, k: usize) -> Vec<Match<'_>> {
        let known = tokens(brief)
            .iter()
            .filter_map(|term| self.terms.get(term).copied())
            .collect();
        let query = weigh(known, &self.idf);
        let mut scored: Vec<(usize, f64)> = self
            .vectors
            .iter()
            .enumerate()
            .map(|(i, v)| (i, cosine(&query, v)))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored
            .into_iter()
            .take(k)
            .filter_map(|(i, score)| {
                Some(Match {
                    design: self.designs.get(i)?,
                    score,
                })
            })
            .collect()
    }
}

fn document_terms(design: &Design) -> Vec<String> {
    // Industries and keywords are what briefs say; weigh them twice.
    let said: Vec<String> = design
        .industries
        .iter()
        .chain(&design.keywords)
        .flat_map(|text| tokens(text))
        .collect();
    let mut terms = said.clone();
    terms.extend(said);
    for text in [&design.name, &design.audience, &design.goal] {
        terms.extend(tokens(text));
    }
    terms
}

/// Lower-cased words of 3+ letters with a light plural strip, so "bakeries" meets "bakery".
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(|w| {
            let w = w.to_lowercase();
            if let Some(stem) = w.strip_suffix("ies") {
                format!("{stem}y")
            } else if w.ends_with("ss") || w.ends_with("us") {
                w
            } else if let Some(stem) = w.strip_suffix('s') {
                stem.to_owned()
            } else {
                w
            }
        })
        .collect()
}

/// A sparse TF-IDF vector from term numbers: each term's count times its weight, sorted by
/// term number.
fn weigh(mut ids: Vec<usize>, idf: &[f64]) -> Vec<(usize, f64)> {
    ids.sort_unstable();
    let mut vector: Vec<(usize, f64)> = Vec::new();
    for id in ids {
        let weight = idf.get(id).copied().unwrap_or(0.0);
        match vector.last_mut() {
            Some((last, sum)) if *last == id => *sum += weight,
            _ => vector.push((id, weight)),
        }
    }
    vector
}

fn cosine(a: &[(usize, f64)], b: &[(usize, f64)]) -> f64 {
    // Both sorted by term number: one merge pass.
    let (mut i, mut j, mut dot) = (a.iter().peekable(), b.iter().peekable(), 0.0);
    while let (Some((ta, wa)), Some((tb, wb))) = (i.peek(), j.peek()) {
        match ta.cmp(tb) {
            std::cmp::Ordering::Less => {
                i.next();
            }
            std::cmp::Ordering::Greater => {
                j.next();
            }
            std::cmp::Ordering::Equal => {
                dot += wa * wb;
                i.next();
                j.next();
            }
        }
    }
    let norm = |v: &[(usize, f64)]| v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    let denominator = norm(a) * norm(b);
    if denominator == 0.0 {
        0.0
    } else {
        dot / denominator
    }
}
