//! BERT's uncased tokenizer, as all-MiniLM-L6-v2 uses it: clean the text, lower-case it, strip
//! accents, split on whitespace and punctuation (each CJK character alone), then take the
//! longest vocabulary piece at each step (`##` marks a piece inside a word).

use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::UnicodeNormalization;

/// Words longer than this are unknown, as in BERT.
const MAX_WORD_CHARS: usize = 100;

include!(concat!(env!("OUT_DIR"), "/vocab.rs"));

pub struct WordPiece {
    /// Compiled in by `build.rs` from `model/vocab.txt`.
    ids: &'static phf::Map<&'static str, u32>,
    unknown: Option<u32>,
}

impl WordPiece {
    /// The built-in vocabulary (all-MiniLM-L6-v2's).
    pub fn builtin() -> Self {
        Self {
            ids: &VOCAB,
            unknown: VOCAB.get("[UNK]").copied(),
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn id(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
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
                if let Some(id) = self.ids.get(candidate.as_str()) {
                    piece = Some(*id);
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
