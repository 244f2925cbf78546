//! One renderer per section type, and the pieces they share (headings, images, icons).

use crate::document::Ctx;
use crate::links::{is_descriptive_link_text, safe_href, safe_image_src};
use maud::{Markup, html};
use visions_domain::page::{
    BenefitsProps, ContactProps, Cta, CtaProps, FaqProps, FeaturesProps, FooterProps, GalleryProps,
    HeroProps, HowItWorksProps, ImageSlot, Item, LogosProps, PricingProps, Section, SectionContent,
    SectionType, StatsProps, Testimonial, TestimonialsProps,
};

/// An HTML id from a page's section id: lower-case ASCII letters, digits, `-` and `_`.
pub(crate) fn slug(id: &str) -> String {
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
pub(crate) fn clean(text: &str) -> String {
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

pub(crate) fn first_non_empty(candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| clean(c))
        .find(|c| !c.is_empty())
        .unwrap_or_default()
}

/// A link's visible text: its label, completed by the heading it belongs to when the label is
/// generic ("Learn more" → "Learn more: Pricing").
pub(crate) fn link_label(label: &str, context: &str) -> String {
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

pub(crate) fn variant_of(section: &Section) -> &'static str {
    let variants = section.content.section_type().variants();
    let wanted = section.variant.trim();
    variants
        .iter()
        .find(|v| v.eq_ignore_ascii_case(wanted))
        .or(variants.first())
        .copied()
        .unwrap_or("default")
}

pub(crate) fn is_band(section: &Section) -> bool {
    matches!(
        (&section.content, variant_of(section)),
        (SectionContent::Stats(_), "band") | (SectionContent::Cta(_), "band")
    )
}

/// A heading of the given level (1 to 3, deeper levels clamp to `h4`).
pub(crate) fn heading(level: u8, id: Option<&str>, class: Option<&str>, content: Markup) -> Markup {
    match level {
        1 => html! { h1 id=[id] class=[class] { (content) } },
        2 => html! { h2 id=[id] class=[class] { (content) } },
        3 => html! { h3 id=[id] class=[class] { (content) } },
        _ => html! { h4 id=[id] class=[class] { (content) } },
    }
}

/// What a section contributes: its heading text, and its body rendered at an item level.
pub(crate) fn render_section(
    ctx: &Ctx,
    position: usize,
    section: &Section,
    level: u8,
    alt: bool,
) -> Markup {
    let id = ctx.id(position);
    let title_id = format!("{id}-title");
    let variant = variant_of(section);
    let class = section_class(section, alt);
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
        SectionContent::Contact(p) => contact(ctx, p, &title_id, &h),
        SectionContent::Footer(_) => html! {},
    };
    html! {
        section id=(id) data-section-id=(section.id) class=(class) aria-labelledby=(title_id) {
            div.wrap { (inner) }
        }
    }
}

/// A section's classes: its type, its variant, and how it is tinted.
pub(crate) fn section_class(section: &Section, alt: bool) -> String {
    format!(
        "{} is-{}{}{}",
        css_class(section.content.section_type()),
        variant_of(section),
        if alt { " alt" } else { "" },
        if is_band(section) { " band" } else { "" }
    )
}

pub(crate) fn css_class(kind: SectionType) -> &'static str {
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
        SectionType::Contact => "contact",
        SectionType::Footer => "foot",
    }
}

/// A heading's text, or a stand-in so that no section is left without one.
pub(crate) fn heading_text(text: &str, kind: SectionType) -> String {
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
        SectionType::Contact => "Contact",
        SectionType::Footer => "",
    }
    .into()
}

pub(crate) type HeadingFn<'a> = dyn Fn(&str, Option<&str>) -> Markup + 'a;

pub(crate) fn section_head(title: &str, intro: &str, h: &HeadingFn) -> Markup {
    let intro = clean(intro);
    html! {
        div.head {
            (h(title, None))
            @if !intro.is_empty() { p.lede { (intro) } }
        }
    }
}

pub(crate) fn hero(ctx: &Ctx, p: &HeroProps, variant: &str, h: &HeadingFn) -> Markup {
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

pub(crate) fn logos(p: &LogosProps, h: &HeadingFn) -> Markup {
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

pub(crate) fn item_heading(level: u8, item: &Item) -> Markup {
    let title = clean(&item.title);
    let body = clean(&item.body);
    html! {
        @if !title.is_empty() { (heading(level, None, None, html! { (title) })) }
        @if !body.is_empty() { p { (body) } }
    }
}

pub(crate) fn features(p: &FeaturesProps, variant: &str, level: u8, h: &HeadingFn) -> Markup {
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

pub(crate) fn benefits(p: &BenefitsProps, variant: &str, level: u8, h: &HeadingFn) -> Markup {
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

pub(crate) fn how_it_works(p: &HowItWorksProps, level: u8, h: &HeadingFn) -> Markup {
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

pub(crate) fn quote(t: &Testimonial, class: &str) -> Markup {
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

pub(crate) fn testimonials(p: &TestimonialsProps, variant: &str, h: &HeadingFn) -> Markup {
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

pub(crate) fn pricing(ctx: &Ctx, p: &PricingProps, level: u8, h: &HeadingFn) -> Markup {
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

pub(crate) fn faq(p: &FaqProps, h: &HeadingFn) -> Markup {
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

pub(crate) fn stats(p: &StatsProps, h: &HeadingFn) -> Markup {
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

pub(crate) fn gallery(p: &GalleryProps, h: &HeadingFn) -> Markup {
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

pub(crate) fn cta(ctx: &Ctx, p: &CtaProps, variant: &str, h: &HeadingFn) -> Markup {
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

/// Where a contact form may post: the platform's forms endpoint, on this origin or over HTTPS.
pub(crate) fn form_action(raw: &str) -> Option<String> {
    let action = raw.trim();
    let path_ok = |path: &str| {
        path.starts_with("/v1/forms/")
            && path
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '~'))
    };
    if path_ok(action) {
        return Some(action.to_owned());
    }
    let rest = action.strip_prefix("https://")?;
    let (host, path) = rest.split_once('/')?;
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
    (host_ok && path_ok(&format!("/{path}"))).then(|| action.to_owned())
}

pub(crate) fn contact(ctx: &Ctx, p: &ContactProps, title_id: &str, h: &HeadingFn) -> Markup {
    let title = heading_text(&p.heading, SectionType::Contact);
    let strings = ctx.strings;
    let phone = clean(&p.phone);
    let email = clean(&p.email);
    let address = clean(&p.address);
    let hours = clean(&p.hours);
    let phone_href =
        safe_href(&visions_domain::text::tel_uri(&phone)).filter(|_| !phone.is_empty());
    let email_href = safe_href(&format!("mailto:{email}")).filter(|_| !email.is_empty());
    let form = p
        .form
        .as_ref()
        .and_then(|f| form_action(&f.action).map(|action| (f, action)));
    let field = |name: &str| format!("{title_id}-{name}");
    html! {
        (section_head(&title, &p.intro, h))
        div.cols {
            @if !(phone.is_empty() && email.is_empty() && address.is_empty() && hours.is_empty()) {
                dl.details {
                    @if !phone.is_empty() {
                        dt { (strings.phone) }
                        dd { @if let Some(href) = &phone_href { a href=(href) { (phone) } } @else { (phone) } }
                    }
                    @if !email.is_empty() {
                        dt { (strings.email) }
                        dd { @if let Some(href) = &email_href { a href=(href) { (email) } } @else { (email) } }
                    }
                    @if !address.is_empty() { dt { (strings.address) } dd { (address) } }
                    @if !hours.is_empty() { dt { (strings.hours) } dd { (hours) } }
                }
            }
            @if let Some((form, action)) = &form {
                form.box.form method="post" action=(action) {
                    p.sent id="message-sent" role="status" { (strings.sent) }
                    @let intro = clean(&form.intro);
                    @if !intro.is_empty() { p { (intro) } }
                    label for=(field("name")) { (clean(&form.name_label)) }
                    input id=(field("name")) name="name" type="text" autocomplete="name" required maxlength="100";
                    label for=(field("email")) { (clean(&form.email_label)) }
                    input id=(field("email")) name="email" type="email" autocomplete="email" required maxlength="254";
                    label for=(field("message")) { (clean(&form.message_label)) }
                    textarea id=(field("message")) name="message" rows="5" required maxlength="4000" {}
                    // A field people never see: bots fill it, and the endpoint drops what they send.
                    div.hp aria-hidden="true" {
                        label for=(field("website")) { "Website" }
                        input id=(field("website")) name="website" type="text" tabindex="-1" autocomplete="off";
                    }
                    button.btn type="submit" { (clean(&form.submit_label)) }
                }
            }
        }
    }
}

pub(crate) fn render_footer(
    ctx: &Ctx,
    position: usize,
    section_id: &str,
    p: &FooterProps,
) -> Markup {
    let tagline = clean(&p.tagline);
    let legal = clean(&p.legal);
    let links: Vec<&Cta> = p
        .links
        .iter()
        .filter(|l| !clean(&l.label).is_empty())
        .collect();
    html! {
        footer.foot id=(ctx.id(position)) data-section-id=(section_id) {
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
pub(crate) enum Shape {
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
    /// How wide the picture is drawn, for the browser to pick a width from `srcset` (the
    /// layout's breakpoints in css.rs).
    pub(crate) fn sizes(self) -> &'static str {
        match self {
            Shape::Landscape => "(min-width: 60rem) 50vw, 100vw",
            Shape::Wide => "(min-width: 64rem) 64rem, 100vw",
            Shape::Panorama => "(min-width: 72rem) 72rem, 100vw",
            Shape::Square => "(min-width: 52rem) 33vw, 50vw",
        }
    }

    pub(crate) fn size(self) -> (u32, u32, &'static str) {
        match self {
            Shape::Landscape => (1200, 900, "r43"),
            Shape::Wide => (1600, 900, "r169"),
            Shape::Panorama => (1680, 720, "r219"),
            Shape::Square => (800, 800, "r11"),
        }
    }
}

/// The picture of a slot, or a themed placeholder until the image stage has produced it.
pub(crate) fn image(slot: &ImageSlot, fallback_alt: &str, shape: Shape, eager: bool) -> Markup {
    let alt = first_non_empty(&[&slot.alt, fallback_alt]);
    let (width, height, ratio) = shape.size();
    let class = format!("media {ratio}");
    let loading = if eager { "eager" } else { "lazy" };
    let fetchpriority = eager.then_some("high");
    let decoding = if eager { "sync" } else { "async" };
    if let Some(picture) = slot.picture.as_ref().and_then(Responsive::of) {
        return html! {
            div class=(class) {
                img class=[picture.placeholder.then(|| placeholder_class(slot))]
                    src=(picture.src) srcset=(picture.srcset) sizes=(shape.sizes())
                    alt=(alt) width=(picture.width) height=(picture.height)
                    loading=(loading) fetchpriority=[fetchpriority] decoding=(decoding);
            }
        };
    }
    match slot.src.as_deref().and_then(safe_image_src) {
        Some(src) => html! {
            div class=(class) {
                img src=(src) alt=(alt) width=(width) height=(height)
                    loading=(loading) fetchpriority=[fetchpriority] decoding=(decoding);
            }
        },
        None => {
            let tone = placeholder_tone(slot);
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

/// Which of the three placeholder tints a slot gets: fixed by its id.
pub(crate) fn placeholder_tone(slot: &ImageSlot) -> u8 {
    let hash = slot
        .id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    (hash % 3) as u8
}

/// Small stroke icons for feature cards (decorative).
pub(crate) fn icon(index: usize) -> Markup {
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

/// A picture as `img` attributes: every width whose URL the allow-list keeps.
pub(crate) struct Responsive {
    pub(crate) src: String,
    pub(crate) srcset: String,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) placeholder: bool,
}

impl Responsive {
    pub(crate) fn of(picture: &visions_domain::page::Picture) -> Option<Self> {
        let sources: Vec<(String, u32)> = picture
            .sources
            .iter()
            .filter(|s| s.width > 0 && s.height > 0)
            .filter_map(|s| safe_image_src(&s.url).map(|url| (url, s.width)))
            .collect();
        // The fallback `src`: the smallest width of at least 1024 px, or the widest there is.
        let src = sources
            .iter()
            .filter(|(_, w)| *w >= 1024)
            .min_by_key(|(_, w)| *w)
            .or_else(|| sources.iter().max_by_key(|(_, w)| *w))?
            .0
            .clone();
        let srcset = sources
            .iter()
            .map(|(url, w)| format!("{url} {w}w"))
            .collect::<Vec<_>>()
            .join(", ");
        (picture.width > 0 && picture.height > 0).then(|| Self {
            src,
            srcset,
            width: picture.width,
            height: picture.height,
            placeholder: placeholder_uri(&picture.placeholder).is_some(),
        })
    }
}

/// The class that shows a slot's blurred placeholder behind its picture while it loads.
pub(crate) fn placeholder_class(slot: &ImageSlot) -> String {
    let id: String = slot
        .id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    format!("lq-{id}")
}

/// A placeholder the stylesheet may carry: a small base64 WebP data URI, nothing else.
pub(crate) fn placeholder_uri(uri: &str) -> Option<&str> {
    let data = uri.strip_prefix("data:image/webp;base64,")?;
    (!data.is_empty()
        && data.len() <= 4096
        && data
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='))
    .then_some(uri)
}

/// One CSS rule per pictured slot: its placeholder under the picture. In the stylesheet, whose
/// hash the page's CSP allows, since inline `style` attributes are not allowed.
pub(crate) fn placeholder_css(slots: &[&ImageSlot]) -> String {
    let mut css = String::new();
    for slot in slots {
        if let Some(uri) = slot
            .picture
            .as_ref()
            .and_then(|p| placeholder_uri(&p.placeholder))
        {
            css.push_str(&format!(
                ".{}{{background:url({uri}) center/cover no-repeat}}",
                placeholder_class(slot)
            ));
        }
    }
    css
}
