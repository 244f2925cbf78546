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
    vectors: Vec<HashMap<String, f64>>,
    idf: HashMap<String, f64>,
}

impl DesignIndex {
    pub fn new(designs: Vec<Design>) -> Self {
        let documents: Vec<Vec<String>> = designs.iter().map(document_terms).collect();
        let mut df: HashMap<String, f64> = HashMap::new();
        for terms in &documents {
            let mut unique: Vec<&String> = terms.iter().collect();
            unique.sort();
            unique.dedup();
            for term in unique {
                *df.entry(term.clone()).or_default() += 1.0;
            }
        }
        let total = documents.len() as f64;
        let idf: HashMap<String, f64> = df
            .into_iter()
            .map(|(t, d)| (t, (1.0 + total / d).ln()))
            .collect();
        let vectors = documents.iter().map(|terms| weigh(terms, &idf)).collect();
        Self {
            designs,
            vectors,
            idf,
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
        let query = weigh(&tokens(brief), &self.idf);
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
    let mut terms = Vec::new();
    for _ in 0..2 {
        for text in design.industries.iter().chain(&design.keywords) {
            terms.extend(tokens(text));
        }
    }
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

fn weigh(terms: &[String], idf: &HashMap<String, f64>) -> HashMap<String, f64> {
    let mut vector: HashMap<String, f64> = HashMap::new();
    for term in terms {
        if let Some(weight) = idf.get(term) {
            *vector.entry(term.clone()).or_default() += weight;
        }
    }
    vector
}

fn cosine(a: &HashMap<String, f64>, b: &HashMap<String, f64>) -> f64 {
    let dot: f64 = a.iter().filter_map(|(t, w)| b.get(t).map(|v| w * v)).sum();
    let norm = |v: &HashMap<String, f64>| v.values().map(|w| w * w).sum::<f64>().sqrt();
    let denominator = norm(a) * norm(b);
    if denominator == 0.0 {
        0.0
    } else {
        dot / denominator
    }
}
