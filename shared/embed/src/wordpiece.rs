//! BERT's uncased tokenizer, as all-MiniLM-L6-v2 uses it: clean the text, lower-case it, strip
//! accents, split on whitespace and punctuation (each CJK character alone), then take the
//! longest vocabulary piece at each step (`##` marks a piece inside a word).

use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::UnicodeNormalization;

/// Words longer than this are unknown, as in BERT.
const MAX_WORD_CHARS: usize = 100;

include!(concat!(env!("OUT_DIR"), "/vocab.rs"));

/// The id of `piece`: the slot its hash names holds the one piece that could be there.
fn vocab_id(piece: &str) -> Option<u32> {
    let slot = phf_shared::get_index(&phf_shared::hash(piece, &KEY), &DISPS, SLOTS.len());
    let id = *SLOTS.get(usize::try_from(slot).ok()?)?;
    let at = usize::try_from(id).ok()?;
    let (start, end) = (*STARTS.get(at)?, *STARTS.get(at + 1)?);
    let stored = PIECES.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?)?;
    (stored == piece).then_some(id)
}

/// The built-in vocabulary (all-MiniLM-L6-v2's), compiled in by `build.rs` from
/// `model/vocab.txt`.
pub struct WordPiece {
    unknown: Option<u32>,
}

impl WordPiece {
    pub fn builtin() -> Self {
        Self {
            unknown: vocab_id("[UNK]"),
        }
    }

    pub fn len(&self) -> usize {
        SLOTS.len()
    }

    pub fn is_empty(&self) -> bool {
        SLOTS.is_empty()
    }

    pub fn id(&self, token: &str) -> Option<u32> {
        vocab_id(token)
    }

    /// Token ids of `text` (no `[CLS]`/`[SEP]`; a word with no pieces gives `[UNK]`).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::new();
        for word in basic_tokens(text) {
            self.pieces(&word, &mut out);
        }
        out
    }

    fn pieces(&self, word: &str, out: &mut Vec<u32>) {
        let chars: Vec<char> = word.chars().collect();
        if chars.len() > MAX_WORD_CHARS {
            out.extend(self.unknown);
            return;
        }
        let mut found = Vec::new();
        let mut start = 0;
        while start < chars.len() {
            let mut end = chars.len();
            let mut piece = None;
            while start < end {
                let mut candidate: String = chars.get(start..end).unwrap_or(&[]).iter().collect();
                if start > 0 {
                    candidate.insert_str(0, "##");
                }
                if let Some(id) = vocab_id(&candidate) {
                    piece = Some(id);
                    break;
                }
                end -= 1;
            }
            match piece {
                Some(id) => found.push(id),
                None => {
                    out.extend(self.unknown);
                    return;
                }
            }
            start = end;
        }
        out.extend(found);
    }
}

/// The words of `text`, lower-cased and without accents, punctuation dropped: what a lexical
/// index counts.
pub fn words(text: &str) -> Vec<String> {
    basic_tokens(text)
        .into_iter()
        .filter(|w| !w.chars().all(is_punctuation))
        .collect()
}

/// BERT's BasicTokenizer with `do_lower_case` (which also strips accents).
fn basic_tokens(text: &str) -> Vec<String> {
    let mut cleaned = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\0' || c == '\u{fffd}' || is_control(c) {
            continue;
        }
        if is_cjk(c) {
            cleaned.extend([' ', c, ' ']);
        } else if is_whitespace(c) {
            cleaned.push(' ');
        } else {
            cleaned.push(c);
        }
    }
    let mut words = Vec::new();
    for word in cleaned.split(' ').filter(|w| !w.is_empty()) {
        let lowered: String = word
            .to_lowercase()
            .nfd()
            .filter(|c| get_general_category(*c) != GeneralCategory::NonspacingMark)
            .collect();
        let mut current = String::new();
        for c in lowered.chars() {
            if is_punctuation(c) {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
                words.push(c.to_string());
            } else {
                current.push(c);
            }
        }
        if !current.is_empty() {
            words.push(current);
        }
    }
    words
}

fn is_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
        || get_general_category(c) == GeneralCategory::SpaceSeparator
}

fn is_control(c: char) -> bool {
    if matches!(c, '\t' | '\n' | '\r') {
        return false;
    }
    matches!(
        get_general_category(c),
        GeneralCategory::Control | GeneralCategory::Format
    )
}

fn is_punctuation(c: char) -> bool {
    let cp = u32::from(c);
    if (33..=47).contains(&cp)
        || (58..=64).contains(&cp)
        || (91..=96).contains(&cp)
        || (123..=126).contains(&cp)
    {
        return true;
    }
    matches!(
        get_general_category(c),
        GeneralCategory::ConnectorPunctuation
            | GeneralCategory::DashPunctuation
            | GeneralCategory::OpenPunctuation
            | GeneralCategory::ClosePunctuation
            | GeneralCategory::InitialPunctuation
            | GeneralCategory::FinalPunctuation
            | GeneralCategory::OtherPunctuation
    )
}

fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B820..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::WordPiece;

    #[test]
    fn every_vocabulary_line_is_found_at_its_id_and_nothing_else_is() {
        let vocab = WordPiece::builtin();
        let lines: Vec<&str> = include_str!("../model/vocab.txt").lines().collect();
        assert_eq!(vocab.len(), lines.len());
        for (id, piece) in lines.iter().enumerate() {
            assert_eq!(vocab.id(piece), u32::try_from(id).ok(), "{piece:?}");
        }
        for absent in ["", "visionsai", "##", "[unk]", "the ", "hello\n", "café"] {
            assert_eq!(vocab.id(absent), None, "{absent:?}");
        }
    }
}
