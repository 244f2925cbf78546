//! The built-in corpus and its labelled queries, compiled in.

use serde::Deserialize;

use crate::Design;

pub const RECORDS: &str = include_str!("../corpus/records.json");
pub const QUERIES: &str = include_str!("../corpus/queries.json");
pub const SCHEMA: &str = include_str!("../corpus/design.schema.json");

pub fn records() -> Result<Vec<Design>, serde_json::Error> {
    serde_json::from_str(RECORDS)
}

/// A brief and the designs that should come back for it, in rough order of fit.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledQuery {
    pub id: String,
    pub lang: String,
    pub query: String,
    pub relevant: Vec<String>,
}

pub fn queries(json: &str) -> Result<Vec<LabelledQuery>, serde_json::Error> {
    serde_json::from_str(json)
}

/// What is wrong with `records` (a JSON array of design records) by the design schema, one
/// line per problem naming the record; empty when every record is valid.
pub fn validate(records: &str) -> Vec<String> {
    let schema: serde_json::Value = match serde_json::from_str(SCHEMA) {
        Ok(schema) => schema,
        Err(e) => return vec![format!("the schema does not parse: {e}")],
    };
    let validator = match jsonschema::validator_for(&schema) {
        Ok(v) => v,
        Err(e) => return vec![format!("the schema does not compile: {e}")],
    };
    let records: Vec<serde_json::Value> = match serde_json::from_str(records) {
        Ok(records) => records,
        Err(e) => return vec![format!("not a JSON array of records: {e}")],
    };
    let mut problems = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for (i, record) in records.iter().enumerate() {
        let id = record
            .get("id")
            .and_then(|v| v.as_str())
            .map_or_else(|| format!("record {i}"), str::to_owned);
        for error in validator.iter_errors(record) {
            problems.push(format!("{id}: {} at {}", error, error.instance_path()));
        }
        if !ids.insert(id.clone()) {
            problems.push(format!("{id}: the id is used twice"));
        }
    }
    problems
}
