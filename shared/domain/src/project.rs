//! Projects: a named landing page in the making, with the brand kit generation draws on.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::text::{FieldError, MAX_URL_CHARS, has_control_chars};

pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
pub const MAX_TONE_CHARS: usize = 200;
pub const MAX_FONT_CHARS: usize = 64;

/// A stored project. `version` counts every change and is the `ETag`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "0190c5a0-3f1e-7c2a-9b1d-5e8f0a7c4d21",
    "name": "Acme Coffee",
    "description": "Small-batch roastery in Portland",
    "brand": {"colors": {"primary": "#6B3E26", "accent": "#E8A33D"}, "fonts": {"heading": "Fraunces", "body": "Inter"}, "tone": "warm, plain-spoken"},
    "created_at": "2026-12-01T09:30:00Z",
    "updated_at": "2026-12-01T09:30:00Z",
    "version": 1
}))]
pub struct Project {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub brand: BrandKit,
    /// Where the page is published (https): its canonical URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: u64,
}

/// Colours, fonts, tone of voice and logo: what makes a page look and sound like its brand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrandKit {
    #[serde(default, deserialize_with = "json_object")]
    pub colors: BrandColors,
    #[serde(default, deserialize_with = "json_object")]
    pub fonts: BrandFonts,
    /// The voice of the copy, e.g. `warm, plain-spoken`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$",
        example = "warm"
    )]
    pub tone: Option<String>,
    /// An https URL of the logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(
        max_length = 2048,
        pattern = "^https://([A-Za-z0-9-]+\\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?(/[!-~]*)?$"
    )]
    pub logo_url: Option<String>,
}

/// Hex colours (`#RRGGBB` or `#RGB`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrandColors {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$", example = "#6B3E26")]
    pub primary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    pub secondary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    pub accent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    pub background: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
    pub text: Option<String>,
}

/// Font family names, e.g. `Inter`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BrandFonts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[\\w -]{1,64}$", example = "Inter")]
    pub heading: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[\\w -]{1,64}$", example = "Inter")]
    pub body: Option<String>,
}

/// Body of `POST /v1/projects`. Unknown fields (an `owner`, a `version`…) are refused.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Acme Coffee", "description": "Small-batch roastery in Portland", "brand": {"colors": {"primary": "#6B3E26"}, "tone": "warm"}}))]
pub struct NewProject {
    /// 1 to 120 characters, not only spaces, on one line.
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$",
        example = "Acme Coffee"
    )]
    pub name: String,
    /// At most 2000 characters; new lines and tabs allowed.
    #[serde(default)]
    #[schema(max_length = 2000, pattern = "^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*$")]
    pub description: String,
    #[serde(default, deserialize_with = "json_object")]
    pub brand: BrandKit,
    /// Where the page will be published (https); pages name it as their canonical URL.
    #[serde(default)]
    #[schema(
        max_length = 2048,
        pattern = "^https://([A-Za-z0-9-]+\\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?(/[!-~]*)?$"
    )]
    pub site_url: Option<String>,
}

/// Body of `PATCH /v1/projects/{id}`: each field given replaces the stored one.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Acme Coffee Roasters", "brand": {"colors": {"primary": "#5A3320"}}}))]
pub struct ProjectPatch {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*[^\\s\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub name: Option<String>,
    #[schema(max_length = 2000, pattern = "^[^\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f]*$")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "optional_json_object")]
    pub brand: Option<BrandKit>,
    /// Where the page will be published (https).
    #[schema(
        max_length = 2048,
        pattern = "^https://([A-Za-z0-9-]+\\.)*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?(/[!-~]*)?$"
    )]
    pub site_url: Option<String>,
}

impl Project {
    /// A validated new project; ids are UUIDv7, so they sort by creation time.
    pub fn create(input: NewProject, now: OffsetDateTime) -> Result<Self, Vec<FieldError>> {
        check_raw_lengths(Some(&input.name), Some(&input.description))?;
        let project = Self {
            id: Uuid::now_v7(),
            name: input.name.trim().to_owned(),
            description: input.description.trim().to_owned(),
            brand: input.brand,
            site_url: input.site_url,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        project.validate()?;
        Ok(project)
    }

    /// The project after `patch`, one version on; `self` is left untouched.
    pub fn patched(
        &self,
        patch: ProjectPatch,
        now: OffsetDateTime,
    ) -> Result<Self, Vec<FieldError>> {
        check_raw_lengths(patch.name.as_deref(), patch.description.as_deref())?;
        let mut next = self.clone();
        if let Some(name) = patch.name {
            next.name = name.trim().to_owned();
        }
        if let Some(description) = patch.description {
            next.description = description.trim().to_owned();
        }
        if let Some(brand) = patch.brand {
            next.brand = brand;
        }
        if let Some(site_url) = patch.site_url {
            next.site_url = Some(site_url);
        }
        next.updated_at = now;
        next.version = self.version + 1;
        next.validate()?;
        Ok(next)
    }

    pub fn etag(&self) -> String {
        format!("\"{}\"", self.version)
    }

    fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        if self.name.is_empty() {
            fail("name", "must not be empty".into());
        }
        check_text(&mut fail, "name", &self.name, MAX_NAME_CHARS, false);
        check_text(
            &mut fail,
            "description",
            &self.description,
            MAX_DESCRIPTION_CHARS,
            true,
        );
        if let Some(url) = self.site_url.as_deref().filter(|u| !is_https_url(u)) {
            errors.push(FieldError::new(
                "site_url",
                format!("{url:?} is not an https URL of at most {MAX_URL_CHARS} characters"),
            ));
        }
        errors.extend(self.brand.problems());
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl BrandKit {
    /// Every rule the brand kit breaks, with `brand.…` field paths.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        let colors = &self.colors;
        for (field, value) in [
            ("brand.colors.primary", &colors.primary),
            ("brand.colors.secondary", &colors.secondary),
            ("brand.colors.accent", &colors.accent),
            ("brand.colors.background", &colors.background),
            ("brand.colors.text", &colors.text),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !is_hex_color(v)) {
                fail(field, format!("{value:?} is not a hex colour like #1A2B3C"));
            }
        }
        for (field, value) in [
            ("brand.fonts.heading", &self.fonts.heading),
            ("brand.fonts.body", &self.fonts.body),
        ] {
            if let Some(value) = value {
                if value.is_empty()
                    || value.chars().count() > MAX_FONT_CHARS
                    || !value
                        .chars()
                        .all(|c| c.is_alphanumeric() || " -_".contains(c))
                {
                    fail(
                        field,
                        format!(
                            "must be a font family name of 1 to {MAX_FONT_CHARS} letters, digits, spaces or dashes"
                        ),
                    );
                }
            }
        }
        if let Some(tone) = &self.tone {
            check_text(&mut fail, "brand.tone", tone, MAX_TONE_CHARS, false);
        }
        if let Some(logo) = &self.logo_url {
            if !is_https_url(logo) {
                fail(
                    "brand.logo_url",
                    format!("must be an https URL of at most {MAX_URL_CHARS} characters"),
                );
            }
        }
        errors
    }
}

/// Lengths count what the client sent, before trimming, as the OpenAPI `maxLength` says.
fn check_raw_lengths(name: Option<&str>, description: Option<&str>) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    for (field, value, max) in [
        ("name", name, MAX_NAME_CHARS),
        ("description", description, MAX_DESCRIPTION_CHARS),
    ] {
        if value.is_some_and(|v| v.chars().count() > max) {
            errors.push(FieldError {
                field: field.into(),
                message: format!("must be at most {max} characters"),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// For nested objects of a request body: only a JSON object, never the array of its fields
/// that serde's derived `Deserialize` would also take.
pub fn json_object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let map = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
    serde_json::from_value(serde_json::Value::Object(map)).map_err(serde::de::Error::custom)
}

/// An optional whole number as JSON Schema counts them: `3` or `3.0` (a number with no
/// fractional part is an integer there), never `3.5` or a negative.
pub fn optional_json_u64<'de, D>(deserializer: D) -> Result<Option<u64>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    if let Some(n) = number.as_u64() {
        return Ok(Some(n));
    }
    // Exact below 2^53; above it a float cannot name one whole number.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match number.as_f64() {
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked whole and in range"
        )]
        Some(f) if f.fract() == 0.0 && (0.0..=EXACT).contains(&f) => Ok(Some(f as u64)),
        _ => Err(serde::de::Error::custom(format!(
            "{number} is not a whole number of at least 0"
        ))),
    }
}

/// A whole number, negative or not, as JSON Schema counts one: `261` or `261.0` (an
/// integer-valued float is an integer there); anything else is refused.
pub fn json_i64<'de, D>(deserializer: D) -> Result<i64, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let number = serde_json::Number::deserialize(deserializer)?;
    if let Some(n) = number.as_i64() {
        return Ok(n);
    }
    // Exact below 2^53; above it a float cannot name one whole number.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match number.as_f64() {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "checked whole and in range"
        )]
        Some(f) if f.fract() == 0.0 && (-EXACT..=EXACT).contains(&f) => Ok(f as i64),
        _ => Err(serde::de::Error::custom(format!(
            "{number} is not a whole number"
        ))),
    }
}

/// [`json_object`] for an optional field (`null` is absent).
pub fn optional_json_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Option::<serde_json::Map<String, serde_json::Value>>::deserialize(deserializer)?
        .map(|map| serde_json::from_value(serde_json::Value::Object(map)))
        .transpose()
        .map_err(serde::de::Error::custom)
}

fn check_text(
    fail: &mut impl FnMut(&str, String),
    field: &str,
    value: &str,
    max: usize,
    multiline: bool,
) {
    if value.chars().count() > max {
        fail(field, format!("must be at most {max} characters"));
    }
    if has_control_chars(value, multiline) {
        fail(field, "must not contain control characters".into());
    }
}

fn is_hex_color(value: &str) -> bool {
    value
        .strip_prefix('#')
        .is_some_and(|hex| matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

fn is_https_url(value: &str) -> bool {
    value.len() <= MAX_URL_CHARS
        && url::Url::parse(value)
            .is_ok_and(|url| url.scheme() == "https" && url.host_str().is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(json: serde_json::Value) -> Result<Project, Vec<FieldError>> {
        Project::create(
            serde_json::from_value(json).unwrap(),
            OffsetDateTime::now_utc(),
        )
    }

    #[test]
    fn creates_trimmed_project_at_version_one() {
        let project = new(serde_json::json!({"name": "  Acme  "})).unwrap();
        assert_eq!(project.name, "Acme");
        assert_eq!(project.version, 1);
        assert_eq!(project.etag(), "\"1\"");
    }

    #[test]
    fn reports_every_invalid_field() {
        let errors = new(serde_json::json!({
            "name": "",
            "brand": {"colors": {"primary": "red"}, "logo_url": "javascript:alert(1)", "fonts": {"body": "<script>"}}
        }))
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "brand.colors.primary",
                "brand.fonts.body",
                "brand.logo_url"
            ]
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let result: Result<NewProject, _> =
            serde_json::from_value(serde_json::json!({"name": "x", "owner": "someone-else"}));
        assert!(
            result
                .unwrap_err()
                .to_string()
                .contains("unknown field `owner`")
        );
        let result: Result<ProjectPatch, _> =
            serde_json::from_value(serde_json::json!({"version": 9}));
        assert!(result.is_err());
    }

    #[test]
    fn patch_bumps_version_and_keeps_the_rest() {
        let project = new(serde_json::json!({"name": "Acme", "description": "Coffee"})).unwrap();
        let patch = ProjectPatch {
            name: Some("Acme Coffee".into()),
            ..Default::default()
        };
        let next = project.patched(patch, OffsetDateTime::now_utc()).unwrap();
        assert_eq!(
            (next.name.as_str(), next.description.as_str(), next.version),
            ("Acme Coffee", "Coffee", 2)
        );
        assert_eq!(next.created_at, project.created_at);
    }
}
