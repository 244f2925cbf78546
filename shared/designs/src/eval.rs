//! Retrieval quality on a labelled query set: recall@3 (a relevant design among the first
//! three) and MRR (the mean of 1 / rank of the first relevant design within the first ten),
//! per language.

use std::collections::BTreeMap;

use visions_embed::Embedder;

use crate::corpus::LabelledQuery;
use crate::{DesignIndex, Filter, Mode, RetrievalError};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Score {
    pub queries: usize,
    pub recall_at_3: f64,
    pub mrr: f64,
}

/// One mode's scores: per language, plus `all` and `non-en`.
#[derive(Clone, Debug)]
pub struct Report {
    pub mode: Mode,
    pub by_language: BTreeMap<String, Score>,
    /// Queries with no relevant design in the first three.
    pub misses: Vec<String>,
}

pub async fn run(
    index: &DesignIndex,
    embedder: &dyn Embedder,
    queries: &[LabelledQuery],
    modes: &[Mode],
) -> Result<Vec<Report>, RetrievalError> {
    let texts: Vec<String> = queries.iter().map(|q| q.query.clone()).collect();
    let vectors = embedder.embed(&texts).await?;
    let mut reports = Vec::new();
    for &mode in modes {
        let mut sums: BTreeMap<String, (usize, f64, f64)> = BTreeMap::new();
        let mut misses = Vec::new();
        for (query, vector) in queries.iter().zip(&vectors) {
            let found = index.search_with(vector, &query.query, 10, &Filter::default(), mode);
            let rank = found
                .iter()
                .position(|m| query.relevant.contains(&m.design.id));
            let hit = rank.is_some_and(|r| r < 3);
            if !hit {
                misses.push(query.id.clone());
            }
            let reciprocal = rank.map_or(0.0, |r| 1.0 / (r as f64 + 1.0));
            let group = if query.lang == "en" { "en" } else { "non-en" };
            let mut keys = vec![query.lang.as_str(), group, "all"];
            keys.dedup();
            for key in keys {
                let entry = sums.entry(key.to_owned()).or_default();
                entry.0 += 1;
                entry.1 += f64::from(u8::from(hit));
                entry.2 += reciprocal;
            }
        }
        let by_language = sums
            .into_iter()
            .map(|(lang, (n, hits, rr))| {
                let n_f = n.max(1) as f64;
                (
                    lang,
                    Score {
                        queries: n,
                        recall_at_3: hits / n_f,
                        mrr: rr / n_f,
                    },
                )
            })
            .collect();
        reports.push(Report {
            mode,
            by_language,
            misses,
        });
    }
    Ok(reports)
}
