//! Rules every piece of user text follows, in one place.

use serde::Serialize;

/// The longest URL accepted anywhere (a logo, a link in a page).
pub const MAX_URL_CHARS: usize = 2048;

/// One field that failed validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Whether `value` holds a control character; new lines and tabs are allowed in `multiline`
/// text (a description, a prompt), never in one-line text (a name).
pub fn has_control_chars(value: &str, multiline: bool) -> bool {
    value
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t')))
}

/// A dialable `tel:` URI from a phone number as written: its digits, with a leading `+` kept.
pub fn tel_uri(phone: &str) -> String {
    let plus = if phone.trim_start().starts_with('+') {
        "+"
    } else {
        ""
    };
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    format!("tel:{plus}{digits}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_lines_are_allowed_only_in_multiline_text() {
        assert!(!has_control_chars("a\nb\tc", true));
        assert!(has_control_chars("a\nb", false));
        assert!(has_control_chars("a\u{0}b", true));
        assert!(has_control_chars("a\u{85}b", true));
        assert!(!has_control_chars("Café · 東京", false));
    }
}
