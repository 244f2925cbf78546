//! An index's designs: parsed when the index is read, or, for the compiled-in corpus, each
//! parsed from its JSON at its first use. A search shows three designs of 191 and a cold start
//! waits for it; parsing all of them took 0.6 ms of a warm read and more of a cold one
//! (`cargo bench -p visions-designs --bench index`). Filters and look-ups by id read a table
//! `build.rs` makes beside the compiled-in file, so they parse nothing.

use std::ops::Range;
use std::sync::OnceLock;

use crate::Design;

/// A built-in design as `build.rs` records it: where its JSON object lies in the compiled-in
/// index file, and the fields that filters and look-ups read.
pub(crate) struct BuiltinRecord {
    pub bytes: Range<usize>,
    pub id: &'static str,
    pub industry: &'static str,
    pub goal: &'static str,
}

pub(crate) enum DesignList {
    Parsed(Vec<Design>),
    Builtin {
        file: &'static [u8],
        records: &'static [BuiltinRecord],
        parsed: Box<[OnceLock<Option<Design>>]>,
    },
}

impl DesignList {
    /// The compiled-in designs, none parsed yet.
    pub fn builtin(file: &'static [u8], records: &'static [BuiltinRecord]) -> Self {
        Self::Builtin {
            file,
            records,
            parsed: records.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Self::Parsed(designs) => designs.len(),
            Self::Builtin { records, .. } => records.len(),
        }
    }

    /// The design at `position`, parsed now if it was not yet. `None` past the end, or for a
    /// built-in record that does not parse (a test parses every one).
    pub fn get(&self, position: usize) -> Option<&Design> {
        match self {
            Self::Parsed(designs) => designs.get(position),
            Self::Builtin {
                file,
                records,
                parsed,
            } => parsed
                .get(position)?
                .get_or_init(|| {
                    let json = file.get(records.get(position)?.bytes.clone())?;
                    serde_json::from_slice(json)
                        .inspect_err(|error| {
                            tracing::error!(%error, position, "a built-in design does not parse")
                        })
                        .ok()
                })
                .as_ref(),
        }
    }

    /// The id, industry and conversion goal of the design at `position`, without parsing it.
    pub fn keys(&self, position: usize) -> Option<(&str, &str, &str)> {
        match self {
            Self::Parsed(designs) => designs.get(position).map(|d| {
                (
                    d.id.as_str(),
                    d.industry.as_str(),
                    d.conversion_goal.as_str(),
                )
            }),
            Self::Builtin { records, .. } => {
                records.get(position).map(|r| (r.id, r.industry, r.goal))
            }
        }
    }

    /// Every design in row order (parsing those not parsed yet).
    pub fn iter(&self) -> impl Iterator<Item = &Design> {
        (0..self.len()).filter_map(|position| self.get(position))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Filter, Mode};

    fn parsed(list: &DesignList) -> usize {
        match list {
            DesignList::Parsed(designs) => designs.len(),
            DesignList::Builtin { parsed, .. } => {
                parsed.iter().filter(|p| p.get().is_some()).count()
            }
        }
    }

    #[test]
    fn the_compiled_in_designs_read_one_by_one_are_the_corpus() {
        let whole = crate::corpus::records().expect("the corpus parses");
        let builtin = crate::read_builtin().expect("the built-in index reads");
        assert_eq!(builtin.len(), whole.len());
        for (position, design) in whole.iter().enumerate() {
            let keys = (
                design.id.as_str(),
                design.industry.as_str(),
                design.conversion_goal.as_str(),
            );
            assert_eq!(builtin.designs.keys(position), Some(keys));
            assert_eq!(builtin.designs.get(position), Some(design));
            assert_eq!(builtin.get(&design.id), Some(design));
        }
        assert_eq!(builtin.designs.get(whole.len()), None);
        assert_eq!(builtin.get("no-such-design"), None);
    }

    #[test]
    fn a_search_parses_only_the_designs_it_returns() {
        let index = crate::read_builtin().expect("the built-in index reads");
        assert_eq!(parsed(&index.designs), 0);
        let embedder = visions_embed::StaticEmbedder::builtin().expect("the built-in embedder");
        let query = "teeth whitening studio in Lyon";
        let filter = Filter {
            industry: Some("dental".into()),
            goal: None,
        };
        let found = index.search_with(&embedder.embed_one(query), query, 3, &filter, Mode::Hybrid);
        assert_eq!(found.len(), 3);
        assert!(found.iter().all(|m| m.design.industry == "dental"));
        assert_eq!(parsed(&index.designs), 3);
    }
}
