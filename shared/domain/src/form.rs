//! Messages visitors send through a published page's contact form. The form posts to an
//! address that names its project by a signed token, so the public endpoint accepts messages
//! only for forms the platform published, and the token reveals nothing about the owner.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::text::{FieldError, has_control_chars};

pub const MAX_NAME_CHARS: usize = 100;
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// One message, as stored for the project's owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"id": "0190c5a6-2b1c-7d3e-8f40-5a6b7c8d9e0f", "project_id": "0190c5a0-3f1e-7c2a-9b1d-5e8f0a7c4d21", "name": "Maria Lopez", "email": "maria@example.com", "message": "Do you bake gluten-free loaves on Saturdays?", "created_at": "2026-12-01T10:15:00Z"}))]
pub struct Submission {
    pub id: Uuid,
    pub project_id: Uuid,
    pub name: String,
    pub email: String,
    pub message: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// What a form sends. `website` is a field people never see: only bots fill it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct FormFields {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub website: String,
}

impl FormFields {
    /// Filled in by a bot rather than a person.
    pub fn is_spam(&self) -> bool {
        !self.website.trim().is_empty()
    }

    /// The message to store, or what is wrong with each field.
    pub fn submission(
        &self,
        project_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<Submission, Vec<FieldError>> {
        let mut errors = Vec::new();
        let (name, email, message) = (self.name.trim(), self.email.trim(), self.message.trim());
        if name.is_empty()
            || name.chars().count() > MAX_NAME_CHARS
            || has_control_chars(name, false)
        {
            errors.push(FieldError::new(
                "name",
                format!("1 to {MAX_NAME_CHARS} characters, on one line"),
            ));
        }
        if !is_email(email) {
            errors.push(FieldError::new(
                "email",
                "an email address such as you@example.com",
            ));
        }
        if message.is_empty()
            || message.chars().count() > MAX_MESSAGE_CHARS
            || has_control_chars(message, true)
        {
            errors.push(FieldError::new(
                "message",
                format!("1 to {MAX_MESSAGE_CHARS} characters"),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Submission {
            id: Uuid::now_v7(),
            project_id,
            name: name.to_owned(),
            email: email.to_owned(),
            message: message.to_owned(),
            created_at: now,
        })
    }
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    text.chars().count() <= MAX_EMAIL_CHARS
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
}

/// Signs and reads the token in a form's address: `base64url(project id) "." base64url(MAC)`.
pub struct FormToken<'a> {
    key: &'a [u8],
}

impl<'a> FormToken<'a> {
    pub fn new(key: &'a [u8]) -> Self {
        Self { key }
    }

    pub fn sign(&self, project_id: Uuid) -> String {
        let tag = self.mac(project_id).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(project_id.as_bytes()),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The project a token names, if the platform signed it.
    pub fn verify(&self, token: &str) -> Option<Uuid> {
        if token.len() > 128 {
            return None;
        }
        let (id, tag) = token.split_once('.')?;
        let id = Uuid::from_slice(&URL_SAFE_NO_PAD.decode(id).ok()?).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        // verify_slice compares in constant time.
        self.mac(id).verify_slice(&tag).ok()?;
        Some(id)
    }

    fn mac(&self, project_id: Uuid) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.key).expect("HMAC takes keys of any length");
        mac.update(b"visions-form-v1");
        mac.update(project_id.as_bytes());
        mac
    }
}

/// The address a published page's form posts to: `base` is the API's public URL (empty for
/// pages served by the API's own origin, as the local server serves them).
pub fn form_address(base: &str, key: &[u8], project_id: Uuid) -> String {
    format!(
        "{}/v1/forms/{}",
        base.trim_end_matches('/'),
        FormToken::new(key).sign(project_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn tokens_name_their_project_and_resist_forgery() {
        let id = Uuid::now_v7();
        let token = FormToken::new(KEY).sign(id);
        assert_eq!(FormToken::new(KEY).verify(&token), Some(id));
        assert_eq!(
            FormToken::new(b"another key of thirty-two bytes!").verify(&token),
            None
        );
        let other = FormToken::new(KEY).sign(Uuid::now_v7());
        let (head, _) = token.split_once('.').unwrap();
        let (_, tail) = other.split_once('.').unwrap();
        assert_eq!(FormToken::new(KEY).verify(&format!("{head}.{tail}")), None);
        for bad in ["", ".", "x.y", &"a".repeat(500), "AAAA.AAAA"] {
            assert_eq!(FormToken::new(KEY).verify(bad), None, "{bad}");
        }
    }

    #[test]
    fn fields_are_checked() {
        let now = OffsetDateTime::now_utc();
        let good = FormFields {
            name: " Maria ".into(),
            email: "maria@example.com".into(),
            message: "Hello\nthere".into(),
            website: String::new(),
        };
        let stored = good.submission(Uuid::now_v7(), now).unwrap();
        assert_eq!(stored.name, "Maria");
        let bad = FormFields {
            name: "a\u{0}b".into(),
            email: "not an email".into(),
            message: "x".repeat(MAX_MESSAGE_CHARS + 1),
            website: String::new(),
        };
        let errors = bad.submission(Uuid::now_v7(), now).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "email", "message"]);
        assert!(
            FormFields {
                website: "http://spam".into(),
                ..good
            }
            .is_spam()
        );
    }
}
