//! Links and image sources from model-written data: an allow-list of safe URLs, and labels
//! that say where a link goes.

use visions_domain::text::MAX_URL_CHARS;

/// Whether `label` says where a link goes. Generic labels ("click here", "learn more", "more",
/// "read more", "start"…, in the languages Lighthouse checks) do not; the renderer completes
/// them with the heading they belong to, and callers can refuse them from models.
pub fn is_descriptive_link_text(label: &str) -> bool {
    let normalised: String = label
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' || c == '’' {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    let normalised = normalised.split_whitespace().collect::<Vec<_>>().join(" ");
    !normalised.is_empty() && !NON_DESCRIPTIVE.contains(&normalised.as_str())
}

/// Lighthouse's list (`link-text` audit) in every language it checks, and a few more.
pub(crate) const NON_DESCRIPTIVE: &[&str] = &[
    // English
    "click here",
    "click this",
    "go",
    "here",
    "information",
    "learn more",
    "more",
    "more info",
    "more information",
    "right here",
    "read more",
    "see more",
    "start",
    "this",
    "click",
    "link",
    "this link",
    "go here",
    "details",
    "more details",
    "see details",
    "continue",
    "find out more",
    "info",
    "tap here",
    "see here",
    "view more",
    "show more",
    "next",
    // Japanese
    "ここをクリック",
    "こちらをクリック",
    "リンク",
    "続きを読む",
    "続く",
    "全文表示",
    // Spanish
    "click aquí",
    "click aqui",
    "clicka aquí",
    "clicka aqui",
    "pincha aquí",
    "pincha aqui",
    "aquí",
    "aqui",
    "más",
    "mas",
    "más información",
    "más informacion",
    "mas información",
    "mas informacion",
    "este",
    "enlace",
    "este enlace",
    "empezar",
    "leer más",
    "leer mas",
    "ver más",
    "ver mas",
    // Portuguese
    "clique aqui",
    "ir",
    "mais informação",
    "mais informações",
    "mais",
    "veja mais",
    "saiba mais",
    "leia mais",
    // Korean
    "여기",
    "여기를 클릭",
    "클릭",
    "링크",
    "자세히",
    "자세히 보기",
    "계속",
    "이동",
    "전체 보기",
    // Swedish
    "här",
    "klicka här",
    "läs mer",
    "mer",
    "mer info",
    "mer information",
    // German
    "klicke hier",
    "hier klicken",
    "hier",
    "mehr",
    "siehe",
    "dies",
    "das",
    "weiterlesen",
    "mehr erfahren",
    "mehr lesen",
    // French and Italian
    "cliquez ici",
    "clique ici",
    "ici",
    "en savoir plus",
    "plus",
    "lire la suite",
    "lien",
    "clicca qui",
    "qui",
    "scopri di più",
    "leggi di più",
    "altro",
    // Tamil
    "அடுத்த பக்கம்",
    "மறுபக்கம்",
    "முந்தைய பக்கம்",
    "முன்பக்கம்",
    "மேலும் அறிக",
    "மேலும் தகவலுக்கு",
    "மேலும் தரவுகளுக்கு",
    "தயவுசெய்து இங்கே அழுத்தவும்",
    "இங்கே கிளிக் செய்யவும்",
    // Persian
    "اطلاعات بیشتر",
    "اطلاعات",
    "این",
    "اینجا بزنید",
    "اینجا کلیک کنید",
    "اینجا",
    "برو",
    "بیشتر بخوانید",
    "بیشتر بدانید",
    "بیشتر",
    "شروع",
];

/// A link target the page may carry, normalised, or `None` (rendered as `#`): a `#fragment`,
/// an `https://` URL without credentials, `mailto:`, `tel:` or a site-relative `/path`.
/// Everything else — `javascript:`, `data:`, `vbscript:`, `http:`, protocol-relative `//…`,
/// backslashes, control characters — is refused.
pub fn safe_href(raw: &str) -> Option<String> {
    let url = raw.trim();
    if url.chars().count() > MAX_URL_CHARS || url.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    if let Some(fragment) = url.strip_prefix('#') {
        return fragment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
            .then(|| url.to_owned());
    }
    if lower.starts_with("mailto:") {
        let parsed = url::Url::parse(url).ok()?;
        let address = parsed.path();
        return (parsed.scheme() == "mailto" && address.contains('@') && !address.contains('/'))
            .then(|| parsed.to_string());
    }
    if lower.starts_with("tel:") {
        let number: String = url
            .get("tel:".len()..)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let digits = number.chars().filter(char::is_ascii_digit).count();
        let allowed = number.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit() || matches!(c, '-' | '.' | '(' | ')') || (c == '+' && i == 0)
        });
        return (allowed && (3..=20).contains(&digits)).then(|| format!("tel:{number}"));
    }
    https_url(url).or_else(|| site_path(url))
}

/// An image source the page may load, or `None`: an `https://` URL without credentials, a
/// site-relative `/path`, or an exported site's own `images/<name>.webp`.
pub fn safe_image_src(raw: &str) -> Option<String> {
    let url = raw.trim();
    if url.chars().count() > MAX_URL_CHARS || url.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    https_url(url)
        .or_else(|| site_path(url))
        .or_else(|| bundled_image(url))
}

/// `images/<name>.webp` beside the page: the folder an export ships its pictures in.
fn bundled_image(url: &str) -> Option<String> {
    let name = url.strip_prefix("images/")?.strip_suffix(".webp")?;
    (!name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then(|| url.to_owned())
}

pub(crate) fn https_url(url: &str) -> Option<String> {
    if !url.to_ascii_lowercase().starts_with("https://") {
        return None;
    }
    let parsed = url::Url::parse(url).ok()?;
    (parsed.scheme() == "https"
        && parsed.host_str().is_some_and(|h| !h.is_empty())
        && parsed.username().is_empty()
        && parsed.password().is_none())
    .then(|| parsed.to_string())
}

pub(crate) fn site_path(url: &str) -> Option<String> {
    if !url.starts_with('/') || url.starts_with("//") {
        return None;
    }
    let base = url::Url::parse("https://site.invalid/").expect("a valid base");
    let joined = base.join(url).ok()?;
    if joined.host_str() != Some("site.invalid") {
        return None;
    }
    let mut path = joined.path().to_owned();
    if let Some(query) = joined.query() {
        path.push('?');
        path.push_str(query);
    }
    if let Some(fragment) = joined.fragment() {
        path.push('#');
        path.push_str(fragment);
    }
    // `/..//evil.example` normalises to `//evil.example`: protocol-relative, refused.
    (!path.starts_with("//")).then_some(path)
}
