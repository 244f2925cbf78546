/// The text an embedder sees for a design: what it is, for whom, to what end, and the words
/// briefs use for it. `build.rs` includes this file to embed the built-in corpus with the same
/// text the crate uses at run time.
pub fn search_text(
    name: &str,
    industry: &str,
    conversion_goal: &str,
    audience: &str,
    keywords: &[&str],
) -> String {
    format!(
        "{name}. {}. {}. {audience}. {}",
        industry.replace('_', " "),
        conversion_goal.replace('_', " "),
        keywords.join(", ")
    )
}
