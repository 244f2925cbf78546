//! A page as one self-contained HTML5 document.
//!
//! The output needs nothing else: one inline `<style>` (only the rules the page's sections
//! use), no script but an inert JSON-LD block, no font, no third-party request. It is built to
//! score 100 in every Lighthouse category on a phone:
//!
//! - landmarks (`header`, `main`, `footer`), a skip link, one `h1` — the first section's
//!   heading, which is the hero's headline on a page that opens with its hero — then `h2` per
//!   section and `h3` per item, never skipping a level;
//! - colours from the theme, re-checked here so that every text colour meets WCAG AA on the
//!   background it actually sits on, even for a hand-edited theme;
//! - every string the page carries is model-written data: it is escaped by `maud`, control
//!   characters are dropped, and URLs pass an allow-list (`safe_href`, `safe_image_src`)
//!   or become `#`. A Content-Security-Policy (`default-src 'none'`, the stylesheet by hash)
//!   backs this up in the browser.

use std::collections::{HashMap, HashSet};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};

use super::model::{
    BenefitsProps, Cta, CtaProps, FaqProps, FeaturesProps, FooterProps, GalleryProps, HeroProps,
    HowItWorksProps, ImageSlot, Item, LogosProps, Page, PricingProps, Section, SectionContent,
    SectionType, StatsProps, Testimonial, TestimonialsProps, Theme,
};
use super::theme::{self, AA};

/// The longest URL the renderer keeps.
const MAX_URL_CHARS: usize = 2048;

/// Renders `page` as a complete HTML5 document.
pub fn render_page(page: &Page) -> String {
    let ctx = Ctx::new(page);
    let main_sections: Vec<(usize, &Section)> = page
        .sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.content.section_type() != SectionType::Footer)
        .collect();
    let footer = page
        .sections
        .iter()
        .enumerate()
        .find_map(|(i, s)| match &s.content {
            SectionContent::Footer(props) => Some((i, props)),
            _ => None,
        });

    let mut types: Vec<SectionType> = main_sections
        .iter()
        .map(|(_, s)| s.content.section_type())
        .collect();
    types.sort_by_key(|t| *t as u8);
    types.dedup();
    let css = stylesheet(&ctx.tokens, &types);
    let csp = format!(
        "default-src 'none'; connect-src 'self'; img-src 'self' https: data:; style-src 'sha256-{}'; base-uri 'none'; form-action 'none'",
        STANDARD.encode(Sha256::digest(css.as_bytes()))
    );

    let seo = &page.seo;
    let title = first_non_empty(&[&seo.title, &seo.og_title, &ctx.business]);
    let description = first_non_empty(&[
        &seo.description,
        &seo.og_description,
        &ctx.hero_summary,
        &title,
    ]);
    let og_title = first_non_empty(&[&seo.og_title, &title]);
    let og_description = first_non_empty(&[&seo.og_description, &description]);
    let og_image = ctx
        .hero_image
        .as_deref()
        .filter(|src| src.starts_with("https://"));

    // Alternate plain and tinted bands so that neighbouring sections never merge.
    let mut previous_tinted = false;
    let mut body: Vec<Markup> = Vec::with_capacity(main_sections.len());
    for (index, (position, section)) in main_sections.iter().enumerate() {
        let band = is_band(section);
        let tinted_by_design = matches!(&section.content, SectionContent::Hero(_))
            && variant_of(section) == "centered";
        let alt = !band && !tinted_by_design && !previous_tinted && index > 0;
        previous_tinted = band || tinted_by_design || alt;
        let level = if index == 0 { 1 } else { 2 };
        body.push(render_section(&ctx, *position, section, level, alt));
    }

    let header_cta = ctx.header_cta.as_ref().map(|(cta, context)| {
        html! { a.btn href=(ctx.href(&cta.href)) { (link_label(&cta.label, context)) } }
    });

    let document = html! {
        (DOCTYPE)
        html lang=(ctx.lang) dir=[ctx.rtl.then_some("rtl")] {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta http-equiv="Content-Security-Policy" content=(csp);
                title { (title) }
                meta name="description" content=(description);
                meta name="theme-color" content=(ctx.tokens.primary);
                meta property="og:type" content="website";
                meta property="og:title" content=(og_title);
                meta property="og:description" content=(og_description);
                meta property="og:site_name" content=(ctx.business);
                @if let Some(locale) = &ctx.og_locale {
                    meta property="og:locale" content=(locale);
                }
                @if let Some(image) = og_image {
                    meta property="og:image" content=(image);
                }
                meta name="twitter:card" content=(if og_image.is_some() { "summary_large_image" } else { "summary" });
                meta name="twitter:title" content=(og_title);
                meta name="twitter:description" content=(og_description);
                @if let Some(image) = og_image {
                    meta name="twitter:image" content=(image);
                }
                meta name="generator" content="Visions AI";
                link rel="icon" href="data:,";
                style { (PreEscaped(&css)) }
                script type="application/ld+json" { (PreEscaped(json_ld(page, &ctx, &description))) }
            }
            body {
                a.skip href="#main" { (ctx.strings.skip) }
                header.top {
                    div.wrap.bar {
                        p.brand { (ctx.business) }
                        @if let Some(cta) = header_cta { (cta) }
                    }
                }
                main id="main" tabindex="-1" {
                    @for section in &body { (section) }
                }
                @match footer {
                    Some((position, props)) => (render_footer(&ctx, position, props)),
                    None => footer.foot { div.wrap { p.legal { (ctx.business) } } },
                }
            }
        }
    };
    document.into_string()
}

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
const NON_DESCRIPTIVE: &[&str] = &[
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

/// An image source the page may load, or `None`: an `https://` URL without credentials or a
/// site-relative `/path`.
pub fn safe_image_src(raw: &str) -> Option<String> {
    let url = raw.trim();
    if url.chars().count() > MAX_URL_CHARS || url.chars().any(|c| c.is_control() || c == '\\') {
        return None;
    }
    https_url(url).or_else(|| site_path(url))
}

fn https_url(url: &str) -> Option<String> {
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

fn site_path(url: &str) -> Option<String> {
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

/// Everything the sections share: tokens, ids, strings in the page's language.
struct Ctx {
    lang: String,
    /// Right-to-left script (Arabic, Hebrew, Persian, Urdu…).
    rtl: bool,
    og_locale: Option<String>,
    strings: &'static Strings,
    tokens: Tokens,
    business: String,
    hero_summary: String,
    hero_image: Option<String>,
    header_cta: Option<(Cta, String)>,
    /// The HTML id of each section, by position: unique and valid.
    section_ids: Vec<String>,
    /// The page's section ids → the HTML id of the first section with that id.
    ids: HashMap<String, String>,
}

impl Ctx {
    fn new(page: &Page) -> Self {
        let lang = language_tag(&page.locale);
        let strings = strings_for(&lang);
        let business = page
            .sections
            .iter()
            .find_map(|s| match &s.content {
                SectionContent::Footer(f) => Some(clean(&f.business_name)),
                _ => None,
            })
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| {
                // "Rosa's Bakery | Fresh bread in Lyon" → "Rosa's Bakery"
                let title = clean(&page.seo.title);
                let title = title.replace('\u{a0}', " ");
                let name = [" | ", " — ", " – ", " - ", " · ", ": "]
                    .iter()
                    .fold(title.as_str(), |name, separator| {
                        name.split(separator).next().unwrap_or(name)
                    })
                    .trim()
                    .to_owned();
                if name.is_empty() {
                    strings.untitled.to_owned()
                } else {
                    name
                }
            });
        let hero = page.sections.iter().find_map(|s| match &s.content {
            SectionContent::Hero(h) => Some(h),
            _ => None,
        });
        let header_cta = hero
            .map(|h| (h.primary_cta.clone(), clean(&h.headline)))
            .or_else(|| {
                page.sections.iter().find_map(|s| match &s.content {
                    SectionContent::Cta(c) => Some((c.cta.clone(), clean(&c.heading))),
                    _ => None,
                })
            });

        let mut ids = HashMap::new();
        let mut section_ids = Vec::with_capacity(page.sections.len());
        let mut taken: HashSet<String> = ["main", "top"].iter().map(|s| s.to_string()).collect();
        for (index, section) in page.sections.iter().enumerate() {
            let mut base = slug(&section.id);
            if base.is_empty() {
                base = format!(
                    "{}-{}",
                    section.content.section_type().as_str().replace('_', "-"),
                    index + 1
                );
            }
            let mut candidate = base.clone();
            let mut n = 2;
            while taken.contains(&candidate) || taken.contains(&format!("{candidate}-title")) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            taken.insert(candidate.clone());
            taken.insert(format!("{candidate}-title"));
            ids.entry(section.id.clone())
                .or_insert_with(|| candidate.clone());
            section_ids.push(candidate);
        }

        Self {
            og_locale: og_locale(&lang),
            rtl: matches!(
                lang.split('-').next().unwrap_or_default(),
                "ar" | "he" | "fa" | "ur" | "ps" | "yi" | "dv" | "ckb" | "sd" | "ug"
            ),
            lang,
            strings,
            tokens: Tokens::from_theme(&page.theme),
            business,
            hero_summary: hero.map(|h| clean(&h.subheadline)).unwrap_or_default(),
            hero_image: hero
                .and_then(|h| h.image.as_ref())
                .and_then(|i| i.src.as_deref())
                .and_then(safe_image_src),
            header_cta,
            section_ids,
            ids,
        }
    }

    /// The HTML id of the section at `position` in the page.
    fn id(&self, position: usize) -> &str {
        self.section_ids
            .get(position)
            .map(String::as_str)
            .unwrap_or("section")
    }

    /// A safe `href`; fragments that name a section follow that section's HTML id.
    fn href(&self, raw: &str) -> String {
        let raw = raw.trim();
        if let Some(fragment) = raw.strip_prefix('#') {
            if let Some(id) = self.ids.get(fragment) {
                return format!("#{id}");
            }
        }
        safe_href(raw).unwrap_or_else(|| "#".into())
    }
}

/// Colours the stylesheet uses, each text colour checked against its real background.
struct Tokens {
    primary: String,
    on_primary: String,
    accent: String,
    on_accent: String,
    background: String,
    surface: String,
    text: String,
    muted: String,
    /// The primary colour as text (eyebrows, icons, numbers) on background, surface and tint.
    link: String,
    line: String,
    line_strong: String,
    shadow: String,
    primary_tint: String,
    primary_soft: String,
    accent_tint: String,
    dark: bool,
    radius: u8,
    heading_font: String,
    body_font: String,
}

impl Tokens {
    fn from_theme(theme: &Theme) -> Self {
        let defaults = theme::Palette::default();
        let colour = |value: &str, fallback: &str| {
            theme::normalize_hex(value).unwrap_or_else(|| fallback.to_owned())
        };
        let primary = colour(&theme.primary, &defaults.primary);
        let accent = colour(&theme.accent, &defaults.accent);
        let background = colour(&theme.background, &defaults.background);
        let dark = theme::relative_luminance(&background).unwrap_or(1.0) < 0.18;
        let surface = theme::normalize_hex(&theme.surface).unwrap_or_else(|| {
            theme::mix(&background, if dark { "#FFFFFF" } else { "#000000" }, 0.04)
        });
        let bgs = [background.as_str(), surface.as_str()];
        let text = theme::ensure_contrast(&colour(&theme.text, &defaults.text), &bgs, AA + 0.1);
        let muted = theme::ensure_contrast(
            &theme::normalize_hex(&theme.muted_text)
                .unwrap_or_else(|| theme::mix(&text, &background, 0.4)),
            &bgs,
            AA + 0.1,
        );
        let on_primary = match theme::normalize_hex(&theme.on_primary) {
            Some(ink) if theme::contrast_ratio(&ink, &primary) >= AA + 0.1 => ink,
            _ => theme::ink_on(&primary),
        };
        let primary_tint = theme::mix(&background, &primary, 0.12);
        let link = theme::ensure_contrast(
            &primary,
            &[background.as_str(), surface.as_str(), primary_tint.as_str()],
            AA + 0.1,
        );
        Self {
            on_accent: theme::ink_on(&accent),
            line: theme::mix(&background, &text, 0.13),
            line_strong: theme::mix(&background, &text, 0.3),
            shadow: if dark {
                "#000000B3".into()
            } else {
                format!("{}40", theme::mix(&text, &primary, 0.3))
            },
            primary_soft: theme::mix(&background, &primary, 0.4),
            accent_tint: theme::mix(&background, &accent, 0.35),
            radius: theme.radius.min(28),
            heading_font: font_stack(&theme.heading_font),
            body_font: font_stack(&theme.body_font),
            primary,
            on_primary,
            accent,
            background,
            surface,
            text,
            muted,
            link,
            primary_tint,
            dark,
        }
    }

    fn css_variables(&self) -> String {
        format!(
            ":root{{color-scheme:{};--p:{};--op:{};--a:{};--oa:{};--bg:{};--sf:{};--cb:{};--tx:{};--mt:{};--lk:{};--fr:{};--ln:{};--ln2:{};--sh:{};--p2:{};--p3:{};--a2:{};--r:{}px;--fh:{};--fb:{}}}",
            if self.dark { "dark" } else { "light" },
            self.primary,
            self.on_primary,
            self.accent,
            self.on_accent,
            self.background,
            self.surface,
            self.surface,
            self.text,
            self.muted,
            self.link,
            self.text,
            self.line,
            self.line_strong,
            self.shadow,
            self.primary_tint,
            self.primary_soft,
            self.accent_tint,
            self.radius,
            self.heading_font,
            self.body_font,
        )
    }
}

/// The brand font first, then system fonts of the same kind. Names are reduced to letters,
/// digits, spaces and dashes, so nothing can leave the CSS string.
fn font_stack(name: &str) -> String {
    const GENERIC: &[&str] = &[
        "system-ui",
        "sans-serif",
        "serif",
        "monospace",
        "ui-sans-serif",
        "ui-serif",
        "ui-monospace",
        "ui-rounded",
        "cursive",
    ];
    const SANS: &str =
        "system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif";
    const SERIF: &str = "ui-serif,Georgia,Cambria,\"Times New Roman\",Times,serif";
    const MONO: &str = "ui-monospace,\"SF Mono\",Menlo,Consolas,\"Liberation Mono\",monospace";
    const SERIF_FAMILIES: &[&str] = &[
        "serif",
        "fraunces",
        "playfair",
        "merriweather",
        "lora",
        "georgia",
        "garamond",
        "times",
        "baskerville",
        "caslon",
        "bodoni",
        "didot",
        "cormorant",
        "crimson",
        "spectral",
        "literata",
        "domine",
        "cardo",
        "prata",
        "vollkorn",
        "alegreya",
        "bitter",
        "zilla",
        "arvo",
        "rockwell",
    ];
    let Some(name) = theme::font_name(Some(name)) else {
        return SANS.into();
    };
    let lower = name.to_lowercase();
    let fallback = if lower.contains("mono") || lower.contains("code") {
        MONO
    } else if !lower.contains("sans") && SERIF_FAMILIES.iter().any(|f| lower.contains(f)) {
        SERIF
    } else {
        SANS
    };
    if GENERIC.contains(&lower.as_str()) {
        if fallback.starts_with(lower.as_str()) {
            fallback.into()
        } else {
            format!("{lower},{fallback}")
        }
    } else {
        format!("\"{name}\",{fallback}")
    }
}

/// Renderer-owned words, in the page's language where we have it.
struct Strings {
    skip: &'static str,
    popular: &'static str,
    footer_nav: &'static str,
    untitled: &'static str,
}

const EN: Strings = Strings {
    skip: "Skip to content",
    popular: "Most popular",
    footer_nav: "Footer",
    untitled: "Home",
};
const FR: Strings = Strings {
    skip: "Aller au contenu",
    popular: "Le plus choisi",
    footer_nav: "Pied de page",
    untitled: "Accueil",
};
const DE: Strings = Strings {
    skip: "Zum Inhalt springen",
    popular: "Am beliebtesten",
    footer_nav: "Fußzeile",
    untitled: "Startseite",
};
const ES: Strings = Strings {
    skip: "Saltar al contenido",
    popular: "Más popular",
    footer_nav: "Pie de página",
    untitled: "Inicio",
};
const IT: Strings = Strings {
    skip: "Vai al contenuto",
    popular: "Il più scelto",
    footer_nav: "Piè di pagina",
    untitled: "Home",
};
const PT: Strings = Strings {
    skip: "Ir para o conteúdo",
    popular: "Mais popular",
    footer_nav: "Rodapé",
    untitled: "Início",
};
const NL: Strings = Strings {
    skip: "Naar de inhoud",
    popular: "Meest gekozen",
    footer_nav: "Voettekst",
    untitled: "Home",
};

fn strings_for(lang: &str) -> &'static Strings {
    match lang.split('-').next().unwrap_or("en") {
        "fr" => &FR,
        "de" => &DE,
        "es" => &ES,
        "it" => &IT,
        "pt" => &PT,
        "nl" => &NL,
        _ => &EN,
    }
}

/// A well-formed BCP 47 tag (`en`, `fr-FR`, `zh-Hant-TW`), else `en`.
fn language_tag(locale: &str) -> String {
    let locale = locale.trim().replace('_', "-");
    let mut parts = locale.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    let rest_ok =
        parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if primary_ok && rest_ok && locale.len() <= 35 {
        let mut out: Vec<String> = Vec::new();
        for (i, part) in locale.split('-').enumerate() {
            out.push(match (i, part.len()) {
                (0, _) => part.to_ascii_lowercase(),
                (_, 2) if part.chars().all(|c| c.is_ascii_alphabetic()) => {
                    part.to_ascii_uppercase()
                }
                _ => part.to_owned(),
            });
        }
        out.join("-")
    } else {
        "en".into()
    }
}

/// `fr-FR` → `fr_FR`, the form Open Graph expects.
fn og_locale(lang: &str) -> Option<String> {
    let mut parts = lang.split('-');
    let language = parts.next()?;
    let region = parts.find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_uppercase()))?;
    Some(format!("{language}_{region}"))
}

/// An HTML id from a page's section id: lower-case ASCII letters, digits, `-` and `_`.
fn slug(id: &str) -> String {
    let mut out = String::new();
    for c in id.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out
        .trim_end_matches('-')
        .chars()
        .take(64)
        .collect::<String>();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("s-{out}")
    } else {
        out
    }
}

/// Model text without control characters (line breaks become spaces), trimmed.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            if matches!(c, '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}') && !out.ends_with(' ') {
                out.push(' ');
            }
        } else if !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            // Bidi overrides and isolates could visually reorder neighbouring text.
            out.push(c);
        }
    }
    out.trim().to_owned()
}

fn first_non_empty(candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| clean(c))
        .find(|c| !c.is_empty())
        .unwrap_or_default()
}

/// A link's visible text: its label, completed by the heading it belongs to when the label is
/// generic ("Learn more" → "Learn more: Pricing").
fn link_label(label: &str, context: &str) -> String {
    let label = clean(label);
    let context = clean(context);
    if is_descriptive_link_text(&label) || context.is_empty() {
        if label.is_empty() { context } else { label }
    } else if label.is_empty() {
        context
    } else {
        format!("{label}: {context}")
    }
}

fn variant_of(section: &Section) -> &str {
    let variants = section.content.section_type().variants();
    let wanted = section.variant.trim();
    variants
        .iter()
        .find(|v| v.eq_ignore_ascii_case(wanted))
        .or(variants.first())
        .copied()
        .unwrap_or("default")
}

fn is_band(section: &Section) -> bool {
    matches!(
        (&section.content, variant_of(section)),
        (SectionContent::Stats(_), "band") | (SectionContent::Cta(_), "band")
    )
}

/// A heading of the given level (1 to 3, deeper levels clamp to `h4`).
fn heading(level: u8, id: Option<&str>, class: Option<&str>, content: Markup) -> Markup {
    match level {
        1 => html! { h1 id=[id] class=[class] { (content) } },
        2 => html! { h2 id=[id] class=[class] { (content) } },
        3 => html! { h3 id=[id] class=[class] { (content) } },
        _ => html! { h4 id=[id] class=[class] { (content) } },
    }
}

/// What a section contributes: its heading text, and its body rendered at an item level.
fn render_section(ctx: &Ctx, position: usize, section: &Section, level: u8, alt: bool) -> Markup {
    let id = ctx.id(position);
    let title_id = format!("{id}-title");
    let kind = section.content.section_type();
    let variant = variant_of(section);
    let class = format!(
        "{} is-{}{}{}",
        css_class(kind),
        variant,
        if alt { " alt" } else { "" },
        if is_band(section) { " band" } else { "" }
    );
    let h =
        |text: &str, class: Option<&str>| heading(level, Some(&title_id), class, html! { (text) });
    let items = level + 1;
    let inner = match &section.content {
        SectionContent::Hero(p) => hero(ctx, p, variant, &h),
        SectionContent::Logos(p) => logos(p, &h),
        SectionContent::Features(p) => features(p, variant, items, &h),
        SectionContent::Benefits(p) => benefits(p, variant, items, &h),
        SectionContent::HowItWorks(p) => how_it_works(p, items, &h),
        SectionContent::Testimonials(p) => testimonials(p, variant, &h),
        SectionContent::Pricing(p) => pricing(ctx, p, items, &h),
        SectionContent::Faq(p) => faq(p, &h),
        SectionContent::Stats(p) => stats(p, &h),
        SectionContent::Gallery(p) => gallery(p, &h),
        SectionContent::Cta(p) => cta(ctx, p, variant, &h),
        SectionContent::Footer(_) => html! {},
    };
    html! {
        section id=(id) class=(class) aria-labelledby=(title_id) {
            div.wrap { (inner) }
        }
    }
}

fn css_class(kind: SectionType) -> &'static str {
    match kind {
        SectionType::Hero => "hero",
        SectionType::Logos => "logos",
        SectionType::Features => "features",
        SectionType::Benefits => "benefits",
        SectionType::HowItWorks => "how",
        SectionType::Testimonials => "testimonials",
        SectionType::Pricing => "pricing",
        SectionType::Faq => "faq",
        SectionType::Stats => "stats",
        SectionType::Gallery => "gallery",
        SectionType::Cta => "cta",
        SectionType::Footer => "foot",
    }
}

/// A heading's text, or a stand-in so that no section is left without one.
fn heading_text(text: &str, kind: SectionType) -> String {
    let text = clean(text);
    if !text.is_empty() {
        return text;
    }
    match kind {
        SectionType::Hero => "Welcome",
        SectionType::Logos => "Trusted by",
        SectionType::Features => "Features",
        SectionType::Benefits => "Benefits",
        SectionType::HowItWorks => "How it works",
        SectionType::Testimonials => "What people say",
        SectionType::Pricing => "Pricing",
        SectionType::Faq => "Questions and answers",
        SectionType::Stats => "In numbers",
        SectionType::Gallery => "Gallery",
        SectionType::Cta => "Get in touch",
        SectionType::Footer => "",
    }
    .into()
}

type HeadingFn<'a> = dyn Fn(&str, Option<&str>) -> Markup + 'a;

fn section_head(title: &str, intro: &str, h: &HeadingFn) -> Markup {
    let intro = clean(intro);
    html! {
        div.head {
            (h(title, None))
            @if !intro.is_empty() { p.lede { (intro) } }
        }
    }
}

fn hero(ctx: &Ctx, p: &HeroProps, variant: &str, h: &HeadingFn) -> Markup {
    let headline = heading_text(&p.headline, SectionType::Hero);
    let eyebrow = clean(&p.eyebrow);
    let sub = clean(&p.subheadline);
    let shape = if variant == "centered" {
        Shape::Wide
    } else {
        Shape::Landscape
    };
    let copy = html! {
        div.copy {
            @if !eyebrow.is_empty() { p.eyebrow { (eyebrow) } }
            (h(&headline, None))
            @if !sub.is_empty() { p.lede { (sub) } }
            div.actions {
                a.btn href=(ctx.href(&p.primary_cta.href)) { (link_label(&p.primary_cta.label, &headline)) }
                @if let Some(second) = &p.secondary_cta {
                    a.btn.ghost href=(ctx.href(&second.href)) { (link_label(&second.label, &headline)) }
                }
            }
        }
    };
    let media = p
        .image
        .as_ref()
        .map(|slot| image(slot, &headline, shape, true));
    html! {
        div.layout {
            (copy)
            @if let Some(media) = media { (media) }
        }
    }
}

fn logos(p: &LogosProps, h: &HeadingFn) -> Markup {
    let title = heading_text(&p.heading, SectionType::Logos);
    html! {
        (h(&title, None))
        ul.marks {
            @for name in p.names.iter().map(|n| clean(n)).filter(|n| !n.is_empty()) {
                li { (name) }
            }
        }
    }
}

fn item_heading(level: u8, item: &Item) -> Markup {
    let title = clean(&item.title);
    let body = clean(&item.body);
    html! {
        @if !title.is_empty() { (heading(level, None, None, html! { (title) })) }
        @if !body.is_empty() { p { (body) } }
    }
}

fn features(p: &FeaturesProps, variant: &str, level: u8, h: &HeadingFn) -> Markup {
    let title = heading_text(&p.heading, SectionType::Features);
    if variant == "list" {
        html! {
            div.cols {
                (section_head(&title, &p.intro, h))
                ul.checks {
                    @for item in &p.items {
                        li {
                            span.ico aria-hidden="true" { (icon(0)) }
                            div { (item_heading(level, item)) }
                        }
                    }
                }
            }
        }
    } else {
        html! {
            (section_head(&title, &p.intro, h))
            ul.grid {
                @for (i, item) in p.items.iter().enumerate() {
                    li.card {
                        span.ico aria-hidden="true" { (icon(i + 1)) }
                        (item_heading(level, item))
                    }
                }
            }
        }
    }
}

fn benefits(p: &BenefitsProps, variant: &str, level: u8, h: &HeadingFn) -> Markup {
    let title = heading_text(&p.heading, SectionType::Benefits);
    if variant == "cards" {
        html! {
            (section_head(&title, "", h))
            @if let Some(slot) = &p.image { div.banner { (image(slot, &title, Shape::Panorama, false)) } }
            ul.grid {
                @for (i, item) in p.items.iter().enumerate() {
                    li.card.topline {
                        span.num aria-hidden="true" { (i + 1) }
                        (item_heading(level, item))
                    }
                }
            }
        }
    } else {
        html! {
            (section_head(&title, "", h))
            ul.rows {
                @for (i, item) in p.items.iter().enumerate() {
                    li.row {
                        @match (i, &p.image) {
                            (0, Some(slot)) => (image(slot, &title, Shape::Wide, false)),
                            _ => div.tile aria-hidden="true" { span { (format!("{:02}", i + 1)) } },
                        }
                        div.copy { (item_heading(level, item)) }
                    }
                }
            }
        }
    }
}

fn how_it_works(p: &HowItWorksProps, level: u8, h: &HeadingFn) -> Markup {
    let title = heading_text(&p.heading, SectionType::HowItWorks);
    html! {
        (section_head(&title, "", h))
        ol.steps {
            @for step in &p.steps {
                li.card { (item_heading(level, step)) }
            }
        }
    }
}

fn quote(t: &Testimonial, class: &str) -> Markup {
    let text = clean(&t.quote);
    let name = clean(&t.name);
    let role = clean(&t.role);
    let initials: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphabetic()))
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    html! {
        figure class=(class) {
            blockquote { p { (text) } }
            @if !name.is_empty() || !role.is_empty() {
                figcaption {
                    @if !initials.is_empty() { span.av aria-hidden="true" { (initials) } }
                    span {
                        @if !name.is_empty() { b { (name) } }
                        @if !role.is_empty() { span.role { (role) } }
                    }
                }
            }
        }
    }
}

fn testimonials(p: &TestimonialsProps, variant: &str, h: &HeadingFn) -> Markup {
    let title = heading_text(&p.heading, SectionType::Testimonials);
    let items: Vec<&Testimonial> = p
        .items
        .iter()
        .filter(|t| !clean(&t.quote).is_empty())
        .collect();
    if variant == "spotlight" {
        let (lead, rest) = items
            .split_first()
            .map_or((None, &[][..]), |(l, r)| (Some(*l), r));
        html! {
            (section_head(&title, "", h))
            @if let Some(lead) = lead { (quote(lead, "quote lead")) }
            @if !rest.is_empty() {
                ul.grid {
                    @for t in rest { li { (quote(t, "quote card")) } }
                }
            }
        }
    } else {
        html! {
            (section_head(&title, "", h))
            ul.grid {
                @for t in &items { li { (quote(t, "quote card")) } }
            }
        }
    }
}

fn pricing(ctx: &Ctx, p: &PricingProps, level: u8, h: &HeadingFn) -> Markup {
    let title = heading_text(&p.heading, SectionType::Pricing);
    html! {
        (section_head(&title, &p.intro, h))
        ul.grid.plans {
            @for plan in &p.plans {
                @let name = clean(&plan.name);
                @let price = clean(&plan.price);
                @let period = clean(&plan.period);
                li.card.plan.hi[plan.highlighted] {
                    (heading(level, None, None, html! {
                        (if name.is_empty() { title.clone() } else { name.clone() })
                        @if plan.highlighted { " " span.badge { (ctx.strings.popular) } }
                    }))
                    @if !price.is_empty() {
                        p.price { (price) @if !period.is_empty() { " " span { (period) } } }
                    }
                    ul.feat {
                        @for f in plan.features.iter().map(|f| clean(f)).filter(|f| !f.is_empty()) {
                            li { (f) }
                        }
                    }
                    a.btn href=(ctx.href(&plan.cta.href)) {
                        (link_label(&plan.cta.label, if name.is_empty() { &title } else { &name }))
                    }
                }
            }
        }
    }
}

fn faq(p: &FaqProps, h: &HeadingFn) -> Markup {
    let title = heading_text(&p.heading, SectionType::Faq);
    html! {
        (section_head(&title, "", h))
        div.qa {
            @for q in &p.items {
                @let question = clean(&q.question);
                @let answer = clean(&q.answer);
                @if !question.is_empty() {
                    details {
                        summary { (question) }
                        @if !answer.is_empty() { p { (answer) } }
                    }
                }
            }
        }
    }
}

fn stats(p: &StatsProps, h: &HeadingFn) -> Markup {
    let title = heading_text(&p.heading, SectionType::Stats);
    html! {
        (section_head(&title, "", h))
        dl.figures {
            @for s in &p.items {
                @let value = clean(&s.value);
                @let label = clean(&s.label);
                @if !value.is_empty() {
                    div { dt { (label) } dd { (value) } }
                }
            }
        }
    }
}

fn gallery(p: &GalleryProps, h: &HeadingFn) -> Markup {
    let title = heading_text(&p.heading, SectionType::Gallery);
    html! {
        (section_head(&title, "", h))
        ul.gal {
            @for slot in &p.images {
                li { (image(slot, &title, Shape::Square, false)) }
            }
        }
    }
}

fn cta(ctx: &Ctx, p: &CtaProps, variant: &str, h: &HeadingFn) -> Markup {
    let title = heading_text(&p.heading, SectionType::Cta);
    let body = clean(&p.body);
    let content = html! {
        (h(&title, None))
        @if !body.is_empty() { p.lede { (body) } }
        div.actions { a.btn href=(ctx.href(&p.cta.href)) { (link_label(&p.cta.label, &title)) } }
    };
    if variant == "card" {
        html! { div.box { (content) } }
    } else {
        content
    }
}

fn render_footer(ctx: &Ctx, position: usize, p: &FooterProps) -> Markup {
    let tagline = clean(&p.tagline);
    let legal = clean(&p.legal);
    let links: Vec<&Cta> = p
        .links
        .iter()
        .filter(|l| !clean(&l.label).is_empty())
        .collect();
    html! {
        footer.foot id=(ctx.id(position)) {
            div.wrap {
                div.fcols {
                    div {
                        p.brand { (ctx.business) }
                        @if !tagline.is_empty() { p.muted { (tagline) } }
                    }
                    @if !links.is_empty() {
                        nav aria-label=(ctx.strings.footer_nav) {
                            ul {
                                @for l in links {
                                    li { a href=(ctx.href(&l.href)) { (link_label(&l.label, &ctx.business)) } }
                                }
                            }
                        }
                    }
                }
                @if !legal.is_empty() { p.legal { (legal) } }
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Shape {
    /// 4:3, hero (split) and benefit rows.
    Landscape,
    /// 16:9, a centred hero.
    Wide,
    /// 21:9, a banner over cards.
    Panorama,
    /// 1:1, gallery tiles.
    Square,
}

impl Shape {
    fn size(self) -> (u32, u32, &'static str) {
        match self {
            Shape::Landscape => (1200, 900, "r43"),
            Shape::Wide => (1600, 900, "r169"),
            Shape::Panorama => (1680, 720, "r219"),
            Shape::Square => (800, 800, "r11"),
        }
    }
}

/// The picture of a slot, or a themed placeholder until the image stage has produced it.
fn image(slot: &ImageSlot, fallback_alt: &str, shape: Shape, eager: bool) -> Markup {
    let alt = first_non_empty(&[&slot.alt, fallback_alt]);
    let (width, height, ratio) = shape.size();
    let class = format!("media {ratio}");
    match slot.src.as_deref().and_then(safe_image_src) {
        Some(src) => html! {
            div class=(class) {
                img src=(src) alt=(alt) width=(width) height=(height)
                    loading=(if eager { "eager" } else { "lazy" })
                    fetchpriority=[eager.then_some("high")]
                    decoding=(if eager { "sync" } else { "async" });
            }
        },
        None => {
            let tone = slot
                .id
                .bytes()
                .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
                % 3;
            html! {
                div class=(format!("{class} ph t{tone}")) role="img" aria-label=(alt) {
                    svg viewBox="0 0 48 36" aria-hidden="true" focusable="false" {
                        circle cx="34" cy="10" r="5" fill="currentColor" {}
                        path d="M2 34 17 16l9 10 6-6 14 14z" fill="currentColor" {}
                    }
                }
            }
        }
    }
}

/// Small stroke icons for feature cards (decorative).
fn icon(index: usize) -> Markup {
    const PATHS: [&str; 6] = [
        "M5 12.5l4.5 4.5L19 7.5",
        "M13 3 5 14h6l-1 7 8-11h-6z",
        "M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1-4.4-4.3 6.1-.9z",
        "M12 3l7 3v5c0 4.5-3 8.3-7 10-4-1.7-7-5.5-7-10V6z",
        "M12 7v5l3 2m6-2a9 9 0 1 1-18 0 9 9 0 0 1 18 0z",
        "M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z",
    ];
    html! {
        svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"
            stroke-linecap="round" stroke-linejoin="round" focusable="false" {
            path d=(PATHS[index % PATHS.len()]) {}
        }
    }
}

/// Organization structured data, with `<`, `>` and `&` escaped so the block cannot be closed.
fn json_ld(page: &Page, ctx: &Ctx, description: &str) -> String {
    let mut org = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": ctx.business,
        "description": description,
    });
    let tagline = page.sections.iter().find_map(|s| match &s.content {
        SectionContent::Footer(f) => Some(clean(&f.tagline)),
        _ => None,
    });
    if let (Some(tagline), Some(org)) = (tagline.filter(|t| !t.is_empty()), org.as_object_mut()) {
        org.insert("slogan".into(), tagline.into());
    }
    if let (Some(image), Some(org)) = (
        ctx.hero_image
            .as_deref()
            .filter(|s| s.starts_with("https://")),
        org.as_object_mut(),
    ) {
        org.insert("image".into(), image.into());
    }
    let json = serde_json::to_string(&org).unwrap_or_else(|_| "{}".into());
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The page's stylesheet: tokens, the base rules and the rules of the section types present.
fn stylesheet(tokens: &Tokens, types: &[SectionType]) -> String {
    let mut css = tokens.css_variables();
    css.push_str(BASE_CSS);
    for kind in types {
        css.push_str(match kind {
            SectionType::Hero => HERO_CSS,
            SectionType::Logos => LOGOS_CSS,
            SectionType::Features => FEATURES_CSS,
            SectionType::Benefits => BENEFITS_CSS,
            SectionType::HowItWorks => STEPS_CSS,
            SectionType::Testimonials => TESTIMONIALS_CSS,
            SectionType::Pricing => PRICING_CSS,
            SectionType::Faq => FAQ_CSS,
            SectionType::Stats => STATS_CSS,
            SectionType::Gallery => GALLERY_CSS,
            SectionType::Cta => CTA_CSS,
            SectionType::Footer => "",
        });
    }
    css.push_str(MOTION_CSS);
    css
}

const BASE_CSS: &str = concat!(
    "*,::before,::after{box-sizing:border-box}",
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%;scroll-behavior:smooth}",
    "body{margin:0;background:var(--bg);color:var(--tx);font:400 1.0625rem/1.65 var(--fb);-webkit-font-smoothing:antialiased}",
    "h1,h2,h3,h4{font-family:var(--fh);line-height:1.12;letter-spacing:-.02em;margin:0 0 .55em}",
    "h1{font-size:clamp(2.375rem,1.6rem + 3.6vw,4.25rem);font-weight:800}",
    "h2{font-size:clamp(1.875rem,1.45rem + 1.9vw,2.875rem);font-weight:700}",
    "h3,h4{font-size:clamp(1.1875rem,1.1rem + .4vw,1.375rem);font-weight:700;letter-spacing:-.01em;line-height:1.3;margin-bottom:.4em}",
    "p{margin:0 0 1rem}",
    "img,svg{display:block;max-width:100%}",
    "a{color:var(--lk);text-decoration-thickness:.08em;text-underline-offset:.2em}",
    "a:hover{text-decoration-thickness:.16em}",
    ":focus-visible{outline:3px solid var(--fr);outline-offset:3px}",
    "main:focus{outline:none}",
    ".skip{position:absolute;inset-inline-start:1rem;top:-6rem;z-index:9;padding:.75rem 1.25rem;background:var(--tx);color:var(--bg);border-radius:var(--r);font-weight:700}",
    ".skip:focus{top:1rem}",
    ".wrap{width:min(100% - 2.5rem,72rem);margin-inline:auto}",
    "main>section{padding-block:clamp(3.75rem,2.5rem + 5vw,7rem)}",
    ".alt{background:var(--sf);--cb:var(--bg)}",
    ".band{background:var(--p);color:var(--op);--fr:var(--op);--lk:var(--op);--mt:var(--op)}",
    ".head{max-width:46rem;margin:0 auto clamp(2.25rem,1.5rem + 2.5vw,3.5rem);text-align:center}",
    ".head p{margin:0}",
    ".lede{font-size:clamp(1.0625rem,1rem + .45vw,1.3125rem);line-height:1.6;color:var(--mt)}",
    ".muted{color:var(--mt)}",
    ".btn{display:inline-flex;align-items:center;justify-content:center;min-height:3rem;padding:.75rem 1.5rem;border:2px solid var(--p);border-radius:var(--r);background:var(--p);color:var(--op);font-weight:700;line-height:1.25;text-align:center;text-decoration:none;transition:transform .15s ease,box-shadow .15s ease}",
    ".btn:hover{transform:translateY(-2px);box-shadow:0 12px 24px -12px var(--sh)}",
    ".btn.ghost{background:transparent;color:var(--tx);border-color:var(--ln2)}",
    ".actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:2rem}",
    ".top{border-bottom:1px solid var(--ln)}",
    ".bar{display:flex;align-items:center;justify-content:space-between;gap:1rem;min-height:4.5rem;padding-block:.75rem}",
    ".brand{margin:0;font:800 1.25rem/1.2 var(--fh);letter-spacing:-.02em}",
    ".bar .btn{padding:.5rem 1.125rem;font-size:.9375rem}",
    ".grid{display:grid;gap:1.25rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,16.5rem),1fr));list-style:none;margin:0;padding:0}",
    ".card{background:var(--cb);border:1px solid var(--ln);border-radius:calc(var(--r) + 4px);padding:clamp(1.5rem,1.2rem + 1vw,2rem)}",
    ".card p:last-child{margin:0}",
    ".card p{color:var(--mt)}",
    ".ico{display:grid;place-items:center;width:3rem;height:3rem;margin-bottom:1.25rem;border-radius:var(--r);background:var(--p2);color:var(--lk)}",
    ".ico svg{width:1.5rem;height:1.5rem}",
    ".media{overflow:hidden;border-radius:calc(var(--r) + 6px);background:var(--sf)}",
    ".media img{width:100%;height:100%;object-fit:cover}",
    ".r43{aspect-ratio:4/3}.r169{aspect-ratio:16/9}.r219{aspect-ratio:21/9}.r11{aspect-ratio:1}",
    ".ph{display:grid;place-items:center;color:var(--p3);background:radial-gradient(circle at 18% 12%,var(--a2),transparent 55%),radial-gradient(circle at 88% 96%,var(--p3),transparent 62%),var(--p2)}",
    ".ph.t1{background:radial-gradient(circle at 82% 18%,var(--a2),transparent 50%),linear-gradient(160deg,var(--p2),var(--p3))}",
    ".ph.t2{background:radial-gradient(circle at 25% 88%,var(--p3),transparent 60%),linear-gradient(25deg,var(--p2),var(--a2))}",
    ".ph svg{width:clamp(3rem,22%,7rem);height:auto;color:var(--bg);opacity:.85}",
    ".foot{background:var(--sf);border-top:1px solid var(--ln);padding-block:3rem 2rem}",
    ".fcols{display:grid;gap:1.5rem;margin-bottom:1.5rem}",
    "@media(min-width:48rem){.fcols{display:flex;justify-content:space-between;align-items:flex-start;gap:3rem}}",
    ".foot .brand{margin-bottom:.5rem}",
    ".foot ul{display:flex;flex-wrap:wrap;gap:0 1.5rem;list-style:none;margin:0;padding:0}",
    ".foot nav a{display:inline-flex;align-items:center;min-height:3rem;color:var(--tx)}",
    ".legal{margin:0;padding-top:1.5rem;border-top:1px solid var(--ln);color:var(--mt);font-size:.9375rem}",
);

const HERO_CSS: &str = concat!(
    "main>.hero{padding-block:clamp(3rem,1.5rem + 6vw,7.5rem)}",
    ".hero .layout{display:grid;gap:clamp(2.5rem,1.5rem + 4vw,4.5rem);align-items:center}",
    "@media(min-width:60rem){.is-split .layout{grid-template-columns:1.05fr 1fr}}",
    ".eyebrow{margin:0 0 1rem;color:var(--lk);font-size:.9375rem;font-weight:700;letter-spacing:.08em;text-transform:uppercase}",
    ".hero .lede{max-width:38rem;margin:0}",
    ".is-centered{background:var(--sf);--cb:var(--bg);text-align:center}",
    ".is-centered h1,.is-centered h2{max-width:20ch;margin-inline:auto}",
    ".is-centered .lede{margin-inline:auto}",
    ".is-centered .actions{justify-content:center}",
    ".is-centered .media{max-width:64rem;width:100%;margin-inline:auto;box-shadow:0 40px 80px -48px var(--sh)}",
    ".is-split .media{box-shadow:0 40px 80px -48px var(--sh)}",
);

const LOGOS_CSS: &str = concat!(
    "main>.logos{padding-block:2.75rem}",
    ".logos h2,.logos h1{font:700 .9375rem/1.4 var(--fb);letter-spacing:.08em;text-transform:uppercase;color:var(--mt);text-align:center;margin-bottom:1.5rem}",
    ".marks{display:flex;flex-wrap:wrap;justify-content:center;align-items:center;gap:1rem 2.75rem;list-style:none;margin:0;padding:0}",
    ".marks li{font:800 clamp(1.125rem,1rem + .6vw,1.5rem)/1.2 var(--fh);letter-spacing:-.02em;color:var(--mt)}",
);

const FEATURES_CSS: &str = concat!(
    ".cols{display:grid;gap:clamp(2rem,1rem + 4vw,4.5rem)}",
    "@media(min-width:60rem){.cols{grid-template-columns:1fr 1.35fr;align-items:start}.cols .head{text-align:start;margin:0}}",
    ".checks{display:grid;gap:1.75rem;list-style:none;margin:0;padding:0}",
    ".checks li{display:grid;grid-template-columns:auto 1fr;gap:1rem}",
    ".checks .ico{width:2.5rem;height:2.5rem;margin:0}",
    ".checks p{margin:0;color:var(--mt)}",
);

const BENEFITS_CSS: &str = concat!(
    ".rows{display:grid;gap:clamp(2.5rem,1.5rem + 4vw,5rem);list-style:none;margin:0;padding:0}",
    ".row{display:grid;gap:1.5rem;align-items:center}",
    "@media(min-width:52rem){.row{grid-template-columns:1fr 1fr;gap:clamp(2rem,1rem + 4vw,5rem)}.row:nth-child(even)>:first-child{order:2}}",
    ".tile{display:grid;place-items:center;width:3.25rem;height:3.25rem;border-radius:var(--r);background:var(--p2)}",
    ".tile span{font:800 1.25rem/1 var(--fh);letter-spacing:-.02em;color:var(--lk)}",
    "@media(min-width:52rem){.tile{width:auto;height:auto;aspect-ratio:16/9;border-radius:calc(var(--r) + 6px)}.tile span{font-size:clamp(3rem,1rem + 5vw,5.5rem);letter-spacing:-.04em}}",
    ".row h3,.row h2{font-size:clamp(1.375rem,1.2rem + .8vw,1.75rem)}",
    ".row p{color:var(--mt);margin:0}",
    ".banner{margin-bottom:1.25rem}",
    ".topline{border-top:4px solid var(--a)}",
    ".num{display:inline-grid;place-items:center;min-width:2.5rem;height:2.5rem;margin-bottom:1rem;border-radius:999px;background:var(--p);color:var(--op);font-weight:800}",
);

const STEPS_CSS: &str = concat!(
    ".steps{counter-reset:step;display:grid;gap:1.25rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,15rem),1fr));list-style:none;margin:0;padding:0}",
    ".steps li{counter-increment:step}",
    ".steps li::before{content:counter(step);display:grid;place-items:center;width:2.75rem;height:2.75rem;margin-bottom:1.25rem;border-radius:50%;background:var(--p);color:var(--op);font:800 1.125rem/1 var(--fh)}",
);

const TESTIMONIALS_CSS: &str = concat!(
    ".quote{margin:0;display:flex;flex-direction:column;justify-content:space-between;gap:1.5rem;height:100%}",
    ".quote blockquote{margin:0}",
    ".quote blockquote::before{content:\"\\201C\";display:block;height:2.25rem;font:800 3.5rem/1 var(--fh);color:var(--lk)}",
    ".quote blockquote p{margin:0;color:var(--tx)}",
    ".quote figcaption{display:flex;align-items:center;gap:.875rem;line-height:1.35}",
    ".av{display:grid;place-items:center;flex:none;width:3rem;height:3rem;border-radius:50%;background:var(--a);color:var(--oa);font-weight:800}",
    ".quote b{display:block}",
    ".role{display:block;color:var(--mt);font-size:.9375rem}",
    ".quote.lead{max-width:54rem;margin:0 auto clamp(2.5rem,2rem + 2vw,3.5rem);align-items:center;text-align:center}",
    ".quote.lead blockquote::before{margin-inline:auto}",
    ".quote.lead blockquote p{font:700 clamp(1.375rem,1.1rem + 1.3vw,2.125rem)/1.35 var(--fh);letter-spacing:-.01em}",
    ".quote.lead figcaption{text-align:start}",
);

const PRICING_CSS: &str = concat!(
    ".plans{align-items:stretch}",
    ".plan{display:flex;flex-direction:column;gap:1.25rem}",
    ".plan h3,.plan h2{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin:0}",
    ".plan.hi{border:2px solid var(--p);box-shadow:0 28px 56px -32px var(--sh)}",
    ".badge{display:inline-block;padding:.3rem .75rem;border-radius:999px;background:var(--p);color:var(--op);font:700 .8125rem/1.2 var(--fb);letter-spacing:.02em}",
    ".plan .price{margin:0;color:var(--tx);font:800 clamp(2.25rem,2rem + 1vw,2.75rem)/1.1 var(--fh);letter-spacing:-.02em}",
    ".price span{font:400 1rem/1.4 var(--fb);letter-spacing:0;color:var(--mt)}",
    ".feat{display:grid;gap:.625rem;flex:1;align-content:start;list-style:none;margin:0;padding:0}",
    ".feat li{position:relative;padding-inline-start:1.875rem}",
    ".feat li::before{content:\"\";position:absolute;inset-inline-start:.4rem;top:.3em;width:.45rem;height:.8rem;border:solid var(--lk);border-width:0 .16rem .16rem 0;transform:rotate(45deg)}",
    ".plan .btn{width:100%}",
    ".plan:not(.hi) .btn{background:transparent;color:var(--tx);border-color:var(--ln2)}",
);

const FAQ_CSS: &str = concat!(
    ".qa{max-width:48rem;margin-inline:auto}",
    ".qa details{border-bottom:1px solid var(--ln)}",
    ".qa details:first-child{border-top:1px solid var(--ln)}",
    ".qa summary{display:flex;justify-content:space-between;align-items:center;gap:1rem;min-height:3rem;padding:1.125rem 0;cursor:pointer;list-style:none;font-weight:700;font-size:1.125rem;line-height:1.4}",
    ".qa summary::-webkit-details-marker{display:none}",
    ".qa summary::after{content:\"\";flex:none;width:.6rem;height:.6rem;margin-inline-end:.35rem;border:solid var(--lk);border-width:0 .16rem .16rem 0;transform:rotate(45deg);transition:transform .2s ease}",
    ".qa details[open] summary::after{transform:rotate(-135deg)}",
    ".qa details p{margin:0;padding:0 0 1.25rem;color:var(--mt);max-width:42rem}",
);

const STATS_CSS: &str = concat!(
    ".figures{display:grid;gap:2rem 1.5rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,9rem),1fr));margin:0;text-align:center}",
    ".figures div{display:flex;flex-direction:column-reverse;gap:.25rem}",
    ".figures dd{margin:0;font:800 clamp(2.5rem,2rem + 2.2vw,3.75rem)/1.05 var(--fh);letter-spacing:-.03em}",
    ".figures dt{font-weight:400}",
    ".stats:not(.band) dd{color:var(--lk)}",
);

const GALLERY_CSS: &str = concat!(
    ".gal{display:grid;gap:.875rem;grid-template-columns:repeat(2,1fr);list-style:none;margin:0;padding:0}",
    ".gal li:first-child{grid-column:span 2}",
    ".gal .media{height:100%;border-radius:var(--r)}",
    ".gal li:first-child .media{aspect-ratio:16/10}",
    "@media(min-width:48rem){.gal{grid-template-columns:repeat(4,1fr)}.gal li:first-child{grid-row:span 2}.gal li:first-child .media{aspect-ratio:auto}}",
);

const CTA_CSS: &str = concat!(
    ".cta{text-align:center}",
    ".cta h2,.cta h1{max-width:24ch;margin-inline:auto}",
    ".cta .lede{max-width:40rem;margin:0 auto}",
    ".cta .actions{justify-content:center}",
    ".band .btn{background:var(--op);color:var(--p);border-color:var(--op)}",
    ".box{max-width:56rem;margin-inline:auto;padding:clamp(2rem,1.25rem + 3.5vw,4rem);border-radius:calc(var(--r) + 10px);background:var(--cb);border:1px solid var(--ln);border-top:4px solid var(--p);box-shadow:0 32px 64px -44px var(--sh)}",
);

const MOTION_CSS: &str = "@media(prefers-reduced-motion:reduce){html{scroll-behavior:auto}*,::before,::after{transition:none!important;animation:none!important}.btn:hover{transform:none}}";
