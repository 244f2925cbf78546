//! The document: head (title, description, Open Graph, JSON-LD, CSP-hashed style), landmarks,
//! the skip link, and the context every section renders with.

use std::collections::{HashMap, HashSet};

use crate::css::{Tokens, stylesheet};
use crate::i18n::{Strings, language_tag, og_locale, strings_for};
use crate::links::{safe_href, safe_image_src};
use crate::sections::{
    clean, first_non_empty, is_band, link_label, render_footer, render_section, slug, variant_of,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use sha2::{Digest, Sha256};
use visions_domain::page::{Cta, ImageSlot, Page, Section, SectionContent, SectionType};

/// How a document refers to its stylesheet and icon.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    /// Link the stylesheet at this path instead of inlining it (the static-site export).
    pub stylesheet: Option<&'a str>,
    /// The icon's path; none keeps the page from requesting one.
    pub favicon: Option<&'a str>,
}

/// Renders `page` as a complete HTML5 document, its stylesheet inline.
pub fn render_page(page: &Page) -> String {
    render_page_with(page, Options::default())
}

/// The page's stylesheet: its colour tokens as CSS variables (`:root{…}`), then its rules.
pub fn stylesheet_parts(page: &Page) -> (String, String) {
    let tokens = Tokens::from_theme(&page.theme);
    let mut types: Vec<SectionType> = page
        .sections
        .iter()
        .map(|s| s.content.section_type())
        .filter(|t| *t != SectionType::Footer)
        .collect();
    types.sort_by_key(|t| *t as u8);
    types.dedup();
    let slots: Vec<&ImageSlot> = page
        .sections
        .iter()
        .filter(|s| s.content.section_type() != SectionType::Footer)
        .flat_map(|s| s.content.image_slots())
        .collect();
    let variables = tokens.css_variables();
    let all = stylesheet(&tokens, &types) + &crate::sections::placeholder_css(&slots);
    let rules = all.strip_prefix(&variables).unwrap_or(&all).to_owned();
    (variables, rules)
}

/// Where the page's contact form may post, for the CSP's `form-action`: `'self'` for the
/// platform's endpoint on the page's own origin, the API's origin when it is elsewhere, and
/// `'none'` for a page without a form.
fn form_sources(page: &Page) -> String {
    let mut sources: Vec<String> = page
        .sections
        .iter()
        .filter_map(|s| match &s.content {
            SectionContent::Contact(c) => c.form.as_ref(),
            _ => None,
        })
        .filter_map(|form| crate::sections::form_action(&form.action))
        .map(|action| match action.strip_prefix("https://") {
            Some(rest) => format!("https://{}", rest.split('/').next().unwrap_or_default()),
            None => "'self'".to_owned(),
        })
        .collect();
    sources.sort();
    sources.dedup();
    if sources.is_empty() {
        "'none'".to_owned()
    } else {
        sources.join(" ")
    }
}

/// What the document's head says about the page, shared by the HTML and the exports.
pub struct Head {
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) og_title: String,
    pub(crate) og_description: String,
    /// An https picture for link previews.
    pub(crate) og_image: Option<String>,
    /// Only an https URL the allow-list keeps may be canonical.
    pub(crate) canonical: Option<String>,
    pub(crate) json_ld: String,
}

impl Head {
    pub(crate) fn of(page: &Page, ctx: &Ctx) -> Self {
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
            .clone()
            .filter(|src| src.starts_with("https://"));
        let canonical = seo
            .canonical_url
            .as_deref()
            .filter(|url| url.starts_with("https://"))
            .and_then(safe_href);
        let json_ld = json_ld(page, ctx, &description);
        Self {
            title,
            description,
            og_title,
            og_description,
            og_image,
            canonical,
            json_ld,
        }
    }

    /// Title, description, canonical, Open Graph and Twitter tags.
    pub(crate) fn tags(&self, ctx: &Ctx) -> Markup {
        let og_image = self.og_image.as_deref();
        html! {
            title { (self.title) }
            meta name="description" content=(self.description);
            meta name="theme-color" content=(ctx.tokens.primary);
            @if let Some(canonical) = &self.canonical {
                link rel="canonical" href=(canonical);
                meta property="og:url" content=(canonical);
            }
            meta property="og:type" content="website";
            meta property="og:title" content=(self.og_title);
            meta property="og:description" content=(self.og_description);
            meta property="og:site_name" content=(ctx.business);
            @if let Some(locale) = &ctx.og_locale {
                meta property="og:locale" content=(locale);
            }
            @if let Some(image) = og_image {
                meta property="og:image" content=(image);
            }
            meta name="twitter:card" content=(if og_image.is_some() { "summary_large_image" } else { "summary" });
            meta name="twitter:title" content=(self.og_title);
            meta name="twitter:description" content=(self.og_description);
            @if let Some(image) = og_image {
                meta name="twitter:image" content=(image);
            }
        }
    }

    /// What a document's head says about the page, for a document built elsewhere (the React
    /// export's `index.html`): the tags above, the icon at `favicon` and the JSON-LD block.
    pub fn markup(page: &Page, favicon: &str) -> String {
        let ctx = Ctx::new(page);
        let head = Self::of(page, &ctx);
        html! {
            (head.tags(&ctx))
            meta name="generator" content="Visions AI";
            link rel="icon" href=(favicon);
            script type="application/ld+json" { (PreEscaped(&head.json_ld)) }
        }
        .into_string()
    }
}

/// The main sections in page order (the footer is rendered apart), each with its position,
/// heading level (the first is the page's `h1`) and whether it is tinted: plain and tinted
/// bands alternate so that neighbouring sections never merge.
pub(crate) fn main_sections(page: &Page) -> Vec<(usize, &Section, u8, bool)> {
    let mut previous_tinted = false;
    page.sections
        .iter()
        .enumerate()
        .filter(|(_, s)| s.content.section_type() != SectionType::Footer)
        .enumerate()
        .map(|(index, (position, section))| {
            let band = is_band(section);
            let tinted_by_design = matches!(&section.content, SectionContent::Hero(_))
                && variant_of(section) == "centered";
            let alt = !band && !tinted_by_design && !previous_tinted && index > 0;
            previous_tinted = band || tinted_by_design || alt;
            (position, section, if index == 0 { 1 } else { 2 }, alt)
        })
        .collect()
}

/// Renders `page` as a complete HTML5 document.
pub fn render_page_with(page: &Page, options: Options<'_>) -> String {
    let ctx = Ctx::new(page);
    let footer = page
        .sections
        .iter()
        .enumerate()
        .find_map(|(i, s)| match &s.content {
            SectionContent::Footer(props) => Some((i, s.id.as_str(), props)),
            _ => None,
        });
    let (variables, rules) = stylesheet_parts(page);
    let css = variables + &rules;
    let style_src = match options.stylesheet {
        Some(_) => "'self'".to_owned(),
        None => format!(
            "'sha256-{}'",
            STANDARD.encode(Sha256::digest(css.as_bytes()))
        ),
    };
    let csp = format!(
        "default-src 'none'; connect-src 'self'; img-src 'self' https: data:; style-src {style_src}; base-uri 'none'; form-action {}",
        form_sources(page)
    );
    let head = Head::of(page, &ctx);
    let body: Vec<Markup> = main_sections(page)
        .into_iter()
        .map(|(position, section, level, alt)| render_section(&ctx, position, section, level, alt))
        .collect();

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
                (head.tags(&ctx))
                meta name="generator" content="Visions AI";
                link rel="icon" href=(options.favicon.unwrap_or("data:,"));
                @match options.stylesheet {
                    Some(href) => link rel="stylesheet" href=(href);,
                    None => style { (PreEscaped(&css)) },
                }
                script type="application/ld+json" { (PreEscaped(&head.json_ld)) }
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
                    Some((position, id, props)) => (render_footer(&ctx, position, id, props)),
                    None => footer.foot { div.wrap { p.legal { (ctx.business) } } },
                }
            }
        }
    };
    document.into_string()
}

/// Everything the sections share: tokens, ids, strings in the page's language.
pub(crate) struct Ctx {
    pub(crate) lang: String,
    /// Right-to-left script (Arabic, Hebrew, Persian, Urdu…).
    pub(crate) rtl: bool,
    pub(crate) og_locale: Option<String>,
    pub(crate) strings: &'static Strings,
    pub(crate) tokens: Tokens,
    pub(crate) business: String,
    pub(crate) hero_summary: String,
    pub(crate) hero_image: Option<String>,
    pub(crate) header_cta: Option<(Cta, String)>,
    /// The HTML id of each section, by position: unique and valid.
    pub(crate) section_ids: Vec<String>,
    /// The page's section ids → the HTML id of the first section with that id.
    pub(crate) ids: HashMap<String, String>,
}

impl Ctx {
    pub(crate) fn new(page: &Page) -> Self {
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
            hero_image: hero.and_then(|h| h.image.as_ref()).and_then(share_image),
            header_cta,
            section_ids,
            ids,
        }
    }

    /// The HTML id of the section at `position` in the page.
    pub(crate) fn id(&self, position: usize) -> &str {
        self.section_ids
            .get(position)
            .map(String::as_str)
            .unwrap_or("section")
    }

    /// A safe `href`; fragments that name a section follow that section's HTML id.
    pub(crate) fn href(&self, raw: &str) -> String {
        let raw = raw.trim();
        if let Some(fragment) = raw.strip_prefix('#') {
            if let Some(id) = self.ids.get(fragment) {
                return format!("#{id}");
            }
        }
        safe_href(raw).unwrap_or_else(|| "#".into())
    }
}

/// Structured data by what the page states: the business (a `LocalBusiness` with its address,
/// phone, email and hours when the contact section gives them, else an `Organization`), an
/// `Offer` for each stated price, and a `FAQPage` for the FAQ. `<`, `>` and `&` are escaped so
/// the block cannot be closed.
pub(crate) fn json_ld(page: &Page, ctx: &Ctx, description: &str) -> String {
    let contact = page.sections.iter().find_map(|s| match &s.content {
        SectionContent::Contact(c) => Some(c),
        _ => None,
    });
    let field = |value: Option<&String>| value.map(|v| clean(v)).filter(|v| !v.is_empty());
    let phone = field(contact.map(|c| &c.phone));
    let email = field(contact.map(|c| &c.email));
    let address = field(contact.map(|c| &c.address));
    let hours = field(contact.map(|c| &c.hours));
    let local = address.is_some() || phone.is_some() || hours.is_some();
    let mut business = serde_json::json!({
        "@type": if local { "LocalBusiness" } else { "Organization" },
        "name": ctx.business,
        "description": description,
    });
    if let Some(map) = business.as_object_mut() {
        if let Some(phone) = phone {
            map.insert("telephone".into(), phone.into());
        }
        if let Some(email) = email {
            map.insert("email".into(), email.into());
        }
        if let Some(address) = address {
            map.insert(
                "address".into(),
                serde_json::json!({"@type": "PostalAddress", "streetAddress": address}),
            );
        }
        if let Some(hours) = hours {
            map.insert("openingHours".into(), hours.into());
        }
        let offers: Vec<serde_json::Value> = page
            .sections
            .iter()
            .filter_map(|s| match &s.content {
                SectionContent::Pricing(p) => Some(&p.plans),
                _ => None,
            })
            .flatten()
            .filter_map(|plan| {
                let price = visions_facts::prices_in(&plan.price).into_iter().next()?;
                Some(serde_json::json!({
                    "@type": "Offer",
                    "name": clean(&plan.name),
                    "price": price.amount,
                    "priceCurrency": price.currency,
                }))
            })
            .collect();
        if !offers.is_empty() {
            map.insert("makesOffer".into(), offers.into());
        }
    }
    let tagline = page.sections.iter().find_map(|s| match &s.content {
        SectionContent::Footer(f) => Some(clean(&f.tagline)),
        _ => None,
    });
    if let (Some(tagline), Some(map)) =
        (tagline.filter(|t| !t.is_empty()), business.as_object_mut())
    {
        map.insert("slogan".into(), tagline.into());
    }
    if let (Some(image), Some(map)) = (
        ctx.hero_image
            .as_deref()
            .filter(|s| s.starts_with("https://")),
        business.as_object_mut(),
    ) {
        map.insert("image".into(), image.into());
    }
    let faq: Vec<serde_json::Value> = page
        .sections
        .iter()
        .filter_map(|s| match &s.content {
            SectionContent::Faq(f) => Some(&f.items),
            _ => None,
        })
        .flatten()
        .map(|q| {
            serde_json::json!({
                "@type": "Question",
                "name": clean(&q.question),
                "acceptedAnswer": {"@type": "Answer", "text": clean(&q.answer)},
            })
        })
        .collect();
    let mut graph = vec![business];
    if !faq.is_empty() {
        graph.push(serde_json::json!({"@type": "FAQPage", "mainEntity": faq}));
    }
    let data = serde_json::json!({"@context": "https://schema.org", "@graph": graph});
    let json = serde_json::to_string(&data).unwrap_or_else(|_| "{}".into());
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The picture a link preview shows for the page: the hero's width nearest 1200 px (what
/// Open Graph consumers ask for), or its plain `src`.
fn share_image(slot: &ImageSlot) -> Option<String> {
    let from_picture = slot.picture.as_ref().and_then(|p| {
        p.sources
            .iter()
            .min_by_key(|s| s.width.abs_diff(1200))
            .and_then(|s| safe_image_src(&s.url))
    });
    from_picture.or_else(|| slot.src.as_deref().and_then(safe_image_src))
}

/// A square icon in the page's colours with the business's initial (the exports' favicon).
pub fn favicon_svg(page: &Page) -> String {
    let ctx = Ctx::new(page);
    let initial: String = ctx
        .business
        .chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    let radius = u32::from(ctx.tokens.radius.min(20)) + 8;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" {
            rect width="64" height="64" rx=(radius) fill=(ctx.tokens.primary) {}
            text x="32" y="44" text-anchor="middle" font-family="system-ui,sans-serif"
                font-size="34" font-weight="700" fill=(ctx.tokens.on_primary) { (initial) }
        }
    }
    .into_string()
}
