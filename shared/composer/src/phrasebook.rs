//! The composer's phrasebook (`shared/composer/phrases.json`): copy templates per language and
//! slot, with `{placeholders}` filled from the brief's facts.

use std::collections::HashMap;
use std::sync::LazyLock;

type Language = HashMap<String, Vec<String>>;

static PHRASES: LazyLock<HashMap<String, Language>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../phrases.json")).expect("the phrasebook is valid JSON")
});

/// Placeholder values for one fill; a variant is eligible only if all its placeholders are set.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    values: HashMap<&'static str, String>,
}

impl Vars {
    pub fn set(&mut self, name: &'static str, value: impl Into<String>) -> &mut Self {
        let value = value.into();
        if value.trim().is_empty() {
            self.values.remove(name);
        } else {
            self.values.insert(name, value);
        }
        self
    }

    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// The same values without `name`.
    pub fn without(&self, name: &str) -> Self {
        let mut vars = self.clone();
        vars.values.remove(name);
        vars
    }

    /// Rewrites every value; a value that becomes blank is dropped.
    pub fn map_values(&mut self, rewrite: impl Fn(&str) -> String) {
        for value in self.values.values_mut() {
            *value = rewrite(value);
        }
        self.values.retain(|_, value| !value.trim().is_empty());
    }

    /// Keeps only the values `keep` accepts.
    pub fn retain(&mut self, keep: impl Fn(&str, &str) -> bool) {
        self.values.retain(|name, value| keep(name, value));
    }

    pub fn get(&self, name: &str) -> Option<String> {
        self.values.get(name).cloned()
    }

    pub fn with(&self, name: &'static str, value: impl Into<String>) -> Self {
        let mut vars = self.clone();
        vars.set(name, value);
        vars
    }

    /// Variant `index` of `key`, filled, if all its placeholders are known.
    pub fn fill_variant(&self, lang: &str, key: &str, index: usize) -> Option<String> {
        self.fill(variants(lang, key).get(index)?)
    }

    fn fill(&self, template: &str) -> Option<String> {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some((before, after)) = rest.split_once('{') {
            out.push_str(before);
            let (name, next) = after.split_once('}')?;
            out.push_str(self.values.get(name)?);
            rest = next;
        }
        out.push_str(rest);
        Some(out)
    }
}

/// Variants of `key` in `lang` (English when the language lacks it).
pub fn variants(lang: &str, key: &str) -> &'static [String] {
    let phrases = &*PHRASES;
    phrases
        .get(lang)
        .and_then(|l| l.get(key))
        .or_else(|| phrases.get("en").and_then(|l| l.get(key)))
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// One filled variant, chosen by `rng` among those whose placeholders are all known.
pub fn pick(lang: &str, key: &str, rng: &mut fastrand::Rng, vars: &Vars) -> String {
    let filled: Vec<String> = variants(lang, key)
        .iter()
        .filter_map(|v| vars.fill(v))
        .collect();
    match rng.choice(&filled) {
        Some(choice) => capitalize(choice),
        None => String::new(),
    }
}

/// Like [`pick`], preferring variants that use `{placeholder}` when it has a value (a local
/// business's page names its city up front, for people and for local search).
pub fn pick_using(
    lang: &str,
    key: &str,
    placeholder: &str,
    rng: &mut fastrand::Rng,
    vars: &Vars,
) -> String {
    let marker = format!("{{{placeholder}}}");
    let preferred: Vec<String> = variants(lang, key)
        .iter()
        .filter(|v| v.contains(&marker))
        .filter_map(|v| vars.fill(v))
        .collect();
    match rng.choice(&preferred) {
        Some(choice) => capitalize(choice),
        None => pick(lang, key, rng, vars),
    }
}

/// Every filled variant, in phrasebook order (for lists such as logo names).
pub fn all(lang: &str, key: &str, vars: &Vars) -> Vec<String> {
    variants(lang, key)
        .iter()
        .filter_map(|v| vars.fill(v))
        .collect()
}

/// Index-aligned pairs (FAQ question `i` goes with answer `i`), every eligible one, shuffled.
pub fn shuffled_pairs(
    lang: &str,
    keys: (&str, &str),
    rng: &mut fastrand::Rng,
    vars: &Vars,
) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = variants(lang, keys.0)
        .iter()
        .zip(variants(lang, keys.1))
        .filter_map(|(q, a)| Some((capitalize(&vars.fill(q)?), capitalize(&vars.fill(a)?))))
        .collect();
    rng.shuffle(&mut pairs);
    pairs
}

/// Upper-cases the first letter, unless the first word is a name written with an inner capital
/// ("iPhone", "eBay"), which keeps its spelling.
pub fn capitalize(text: &str) -> String {
    let first_word = text.split_whitespace().next().unwrap_or("");
    if first_word.chars().skip(1).any(char::is_uppercase) {
        return text.to_owned();
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
