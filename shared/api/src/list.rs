//! Paginated lists, one way for every collection: `limit` and `cursor` in the query, `items`
//! and `next_cursor` in the answer. A cursor is opaque to clients and bound (by an HMAC, see
//! [`crate::cursor`]) to the user and collection it was minted for.

use std::borrow::Cow;
use std::fmt::Display;
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, PartialSchema, ToSchema};
use visions_domain::ports::{SecretName, SecretStore};

use crate::cursor::CursorCodec;
use crate::problem::{Problem, ProblemKind};

pub const DEFAULT_PAGE_SIZE: usize = 20;
pub const MAX_PAGE_SIZE: usize = 100;

/// `limit` as clients send it: absent → the default, above the maximum → clamped.
const LIMIT_RULE: &str =
    "limit must be a whole number from 1 to 9223372036854775807 (above 100 counts as 100)";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page size, 1 to 100 (larger values are clamped); 20 by default.
    #[param(value_type = Option<i64>, minimum = 1)]
    limit: Option<String>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

pub fn page_size(raw: Option<&str>) -> Result<usize, Problem> {
    match raw {
        None => Ok(DEFAULT_PAGE_SIZE),
        // Digits only (no sign), an int64 as the document says; above 100 counts as 100.
        Some(raw) => raw
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| raw.parse::<i64>().ok())
            .flatten()
            .filter(|n| *n >= 1)
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX).min(MAX_PAGE_SIZE))
            .ok_or_else(|| Problem::new(ProblemKind::InvalidQuery).detail(LIMIT_RULE)),
    }
}

/// One list request, read and checked: how many items, and where the previous page ended.
pub struct Listing {
    pub limit: usize,
    after: Option<String>,
    key: Arc<str>,
    scope: String,
}

impl Listing {
    /// Reads `limit` and `cursor`; the cursor must have been minted for `scope` (the user, and
    /// the collection when a user has many, e.g. `sub/project`).
    pub async fn read(
        query: Result<Query<ListParams>, QueryRejection>,
        secrets: &dyn SecretStore,
        scope: String,
    ) -> Result<Self, Problem> {
        let Query(params) =
            query.map_err(|err| Problem::new(ProblemKind::InvalidQuery).detail(err.body_text()))?;
        let limit = page_size(params.limit.as_deref())?;
        let key = secrets
            .get(SecretName::CursorKey)
            .await
            .map_err(Problem::internal)?;
        let after = match params.cursor.as_deref() {
            None | Some("") => None,
            Some(cursor) => Some(
                CursorCodec::new(key.as_bytes())
                    .decode(&scope, cursor)
                    .map_err(|e| Problem::new(ProblemKind::InvalidCursor).detail(e.to_string()))?,
            ),
        };
        Ok(Self {
            limit,
            after,
            key,
            scope,
        })
    }

    /// Where the previous page ended, as the collection's position type.
    pub fn after<T: FromStr>(&self) -> Result<Option<T>, Problem> {
        self.after
            .as_deref()
            .map(|position| {
                position
                    .parse()
                    .map_err(|_| Problem::new(ProblemKind::InvalidCursor))
            })
            .transpose()
    }

    /// The answer: `items`, and a cursor for `next` (the last position returned) when more
    /// remain.
    pub fn page<T>(&self, items: Vec<T>, next: Option<impl Display>) -> Paginated<T> {
        let codec = CursorCodec::new(self.key.as_bytes());
        Paginated {
            items,
            next_cursor: next.map(|position| codec.encode(&self.scope, &position.to_string())),
        }
    }
}

/// One page of a collection. Its schema is named by the item type (`ProjectList`…).
#[derive(Debug, Serialize, Deserialize)]
pub struct Paginated<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// An item type with a list: names the list's schema.
pub trait Listed: ToSchema {
    const LIST_NAME: &'static str;
    /// One item, for the list's example.
    fn example() -> serde_json::Value;
}

impl<T: Listed> PartialSchema for Paginated<T> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property(
                "items",
                ArrayBuilder::new().items(Ref::from_schema_name(T::name())),
            )
            .required("items")
            .examples([serde_json::json!({
                "items": [T::example()],
                "next_cursor": "MDE5MGM1YTAtM2YxZQ.Xr2kP0f8c1ZyQm3nV7tW9a",
            })])
            .property(
                "next_cursor",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .description(Some(
                        "Pass as `cursor` for the next page; absent on the last page.",
                    )),
            )
            .into()
    }
}

impl<T: Listed> ToSchema for Paginated<T> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed(T::LIST_NAME)
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into(), T::schema()));
        T::schemas(schemas);
    }
}

impl Listed for visions_domain::project::Project {
    const LIST_NAME: &'static str = "ProjectList";
    fn example() -> serde_json::Value {
        example_of::<Self>()
    }
}

impl Listed for visions_domain::form::Submission {
    const LIST_NAME: &'static str = "SubmissionList";
    fn example() -> serde_json::Value {
        example_of::<Self>()
    }
}

/// The example a derived schema declares (`#[schema(example = …)]`), or `null`.
pub fn example_of<T: ToSchema>() -> serde_json::Value {
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object.examples.first().cloned().unwrap_or_default(),
        _ => serde_json::Value::Null,
    }
}
