//! The page as the exported React and Next.js components read it (`templates/components/
//! types.ts` in `visions-export`): every decision the renderer makes — cleaned text, checked
//! links, completed link labels, heading levels, HTML ids, classes, image attributes — taken
//! here with the renderer's own functions, so the components only lay it out.

use serde::Serialize;
use visions_domain::page::{Cta, ImageSlot, Item, Page, Section, SectionContent, Testimonial};

use crate::document::{Ctx, Head, main_sections};
use crate::links::safe_href;
use crate::sections::{
    Responsive, Shape, clean, first_non_empty, form_action, heading_text, link_label,
    placeholder_class, placeholder_tone, section_class, variant_of,
};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageData {
    pub lang: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<&'static str>,
    pub meta: Meta,
    pub skip_label: &'static str,
    pub business: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_cta: Option<Link>,
    pub sections: Vec<SectionData>,
    pub footer: FooterData,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    pub title: String,
    pub description: String,
    pub og_title: String,
    pub og_description: String,
    pub site_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub og_locale: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub og_image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical: Option<String>,
    pub theme_color: String,
    pub json_ld: String,
}

#[derive(Debug, Serialize)]
pub struct Link {
    pub href: String,
    pub label: String,
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Media {
    #[serde(rename_all = "camelCase")]
    Picture {
        ratio: &'static str,
        src: String,
        src_set: String,
        sizes: &'static str,
        alt: String,
        width: u32,
        height: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        placeholder_class: Option<String>,
        eager: bool,
    },
    Image {
        ratio: &'static str,
        src: String,
        alt: String,
        width: u32,
        height: u32,
        eager: bool,
    },
    Placeholder {
        ratio: &'static str,
        alt: String,
        tone: u8,
    },
}

#[derive(Debug, Serialize)]
pub struct ItemData {
    pub title: String,
    pub body: String,
}

#[derive(Debug, Serialize)]
pub struct QuoteData {
    pub quote: String,
    pub name: String,
    pub role: String,
    pub initials: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanData {
    pub name: String,
    pub price: String,
    pub period: String,
    pub features: Vec<String>,
    pub highlighted: bool,
    pub cta: Link,
}

#[derive(Debug, Serialize)]
pub struct Question {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Serialize)]
pub struct Figure {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct Labels {
    pub phone: &'static str,
    pub email: &'static str,
    pub address: &'static str,
    pub hours: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Reach {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormData {
    pub action: String,
    pub intro: String,
    pub name_label: String,
    pub email_label: String,
    pub message_label: String,
    pub submit_label: String,
    pub sent_label: &'static str,
}

/// What every section has, flattened into its type's fields.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SectionData {
    pub id: String,
    pub section_id: String,
    pub class_name: String,
    pub level: u8,
    pub heading: String,
    #[serde(flatten)]
    pub body: SectionBody,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SectionBody {
    Hero {
        variant: &'static str,
        eyebrow: String,
        lede: String,
        primary: Link,
        #[serde(skip_serializing_if = "Option::is_none")]
        secondary: Option<Link>,
        #[serde(skip_serializing_if = "Option::is_none")]
        media: Option<Media>,
    },
    Logos {
        names: Vec<String>,
    },
    Features {
        variant: &'static str,
        intro: String,
        items: Vec<ItemData>,
    },
    Benefits {
        variant: &'static str,
        items: Vec<ItemData>,
        #[serde(skip_serializing_if = "Option::is_none")]
        media: Option<Media>,
    },
    HowItWorks {
        steps: Vec<ItemData>,
    },
    Testimonials {
        variant: &'static str,
        items: Vec<QuoteData>,
    },
    #[serde(rename_all = "camelCase")]
    Pricing {
        intro: String,
        popular_label: &'static str,
        plans: Vec<PlanData>,
    },
    Faq {
        items: Vec<Question>,
    },
    Stats {
        items: Vec<Figure>,
    },
    Gallery {
        images: Vec<Media>,
    },
    Cta {
        variant: &'static str,
        body: String,
        cta: Link,
    },
    Contact {
        intro: String,
        labels: Labels,
        phone: Reach,
        email: Reach,
        address: String,
        hours: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        form: Option<FormData>,
    },
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FooterData {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_id: Option<String>,
    pub business: String,
    pub tagline: String,
    pub nav_label: &'static str,
    pub links: Vec<Link>,
    pub legal: String,
}

/// The page resolved for the exported components.
pub fn page_data(page: &Page) -> PageData {
    let ctx = Ctx::new(page);
    let head = Head::of(page, &ctx);
    let sections = main_sections(page)
        .into_iter()
        .filter_map(|(position, section, level, alt)| {
            section_data(&ctx, position, section, level, alt)
        })
        .collect();
    let footer = page
        .sections
        .iter()
        .enumerate()
        .find_map(|(position, s)| match &s.content {
            SectionContent::Footer(p) => Some(FooterData {
                id: Some(ctx.id(position).to_owned()),
                section_id: Some(s.id.clone()),
                business: ctx.business.clone(),
                tagline: clean(&p.tagline),
                nav_label: ctx.strings.footer_nav,
                links: p
                    .links
                    .iter()
                    .filter(|l| !clean(&l.label).is_empty())
                    .map(|l| link(&ctx, l, &ctx.business))
                    .collect(),
                legal: clean(&p.legal),
            }),
            _ => None,
        })
        .unwrap_or_else(|| FooterData {
            id: None,
            section_id: None,
            business: ctx.business.clone(),
            tagline: String::new(),
            nav_label: ctx.strings.footer_nav,
            links: Vec::new(),
            legal: String::new(),
        });
    PageData {
        lang: ctx.lang.clone(),
        dir: ctx.rtl.then_some("rtl"),
        meta: Meta {
            title: head.title,
            description: head.description,
            og_title: head.og_title,
            og_description: head.og_description,
            site_name: ctx.business.clone(),
            og_locale: ctx.og_locale.clone(),
            og_image: head.og_image,
            canonical: head.canonical,
            theme_color: ctx.tokens.primary.clone(),
            json_ld: head.json_ld,
        },
        skip_label: ctx.strings.skip,
        business: ctx.business.clone(),
        header_cta: ctx
            .header_cta
            .as_ref()
            .map(|(cta, context)| link(&ctx, cta, context)),
        sections,
        footer,
    }
}

fn link(ctx: &Ctx, cta: &Cta, context: &str) -> Link {
    Link {
        href: ctx.href(&cta.href),
        label: link_label(&cta.label, context),
    }
}

fn items(items: &[Item]) -> Vec<ItemData> {
    items
        .iter()
        .map(|item| ItemData {
            title: clean(&item.title),
            body: clean(&item.body),
        })
        .collect()
}

fn quote(t: &Testimonial) -> QuoteData {
    let name = clean(&t.name);
    QuoteData {
        quote: clean(&t.quote),
        initials: name
            .split_whitespace()
            .filter_map(|w| w.chars().find(|c| c.is_alphabetic()))
            .take(2)
            .flat_map(char::to_uppercase)
            .collect(),
        name,
        role: clean(&t.role),
    }
}

/// A slot as the renderer's `image` draws it.
fn media(slot: &ImageSlot, fallback_alt: &str, shape: Shape, eager: bool) -> Media {
    let alt = first_non_empty(&[&slot.alt, fallback_alt]);
    let (width, height, ratio) = shape.size();
    if let Some(picture) = slot.picture.as_ref().and_then(Responsive::of) {
        return Media::Picture {
            ratio,
            src: picture.src,
            src_set: picture.srcset,
            sizes: shape.sizes(),
            alt,
            width: picture.width,
            height: picture.height,
            placeholder_class: picture.placeholder.then(|| placeholder_class(slot)),
            eager,
        };
    }
    match slot.src.as_deref().and_then(crate::safe_image_src) {
        Some(src) => Media::Image {
            ratio,
            src,
            alt,
            width,
            height,
            eager,
        },
        None => Media::Placeholder {
            ratio,
            alt,
            tone: placeholder_tone(slot),
        },
    }
}

fn section_data(
    ctx: &Ctx,
    position: usize,
    section: &Section,
    level: u8,
    alt: bool,
) -> Option<SectionData> {
    let kind = section.content.section_type();
    let variant = variant_of(section);
    let title = |text: &str| heading_text(text, kind);
    let (heading, body) = match &section.content {
        SectionContent::Hero(p) => {
            let headline = title(&p.headline);
            let shape = if variant == "centered" {
                Shape::Wide
            } else {
                Shape::Landscape
            };
            let body = SectionBody::Hero {
                variant,
                eyebrow: clean(&p.eyebrow),
                lede: clean(&p.subheadline),
                primary: link(ctx, &p.primary_cta, &headline),
                secondary: p.secondary_cta.as_ref().map(|c| link(ctx, c, &headline)),
                media: p.image.as_ref().map(|s| media(s, &headline, shape, true)),
            };
            (headline, body)
        }
        SectionContent::Logos(p) => (
            title(&p.heading),
            SectionBody::Logos {
                names: p
                    .names
                    .iter()
                    .map(|n| clean(n))
                    .filter(|n| !n.is_empty())
                    .collect(),
            },
        ),
        SectionContent::Features(p) => (
            title(&p.heading),
            SectionBody::Features {
                variant,
                intro: clean(&p.intro),
                items: items(&p.items),
            },
        ),
        SectionContent::Benefits(p) => {
            let heading = title(&p.heading);
            let shape = if variant == "cards" {
                Shape::Panorama
            } else {
                Shape::Wide
            };
            let media = p.image.as_ref().map(|s| media(s, &heading, shape, false));
            let body = SectionBody::Benefits {
                variant,
                items: items(&p.items),
                media,
            };
            (heading, body)
        }
        SectionContent::HowItWorks(p) => (
            title(&p.heading),
            SectionBody::HowItWorks {
                steps: items(&p.steps),
            },
        ),
        SectionContent::Testimonials(p) => (
            title(&p.heading),
            SectionBody::Testimonials {
                variant,
                items: p
                    .items
                    .iter()
                    .filter(|t| !clean(&t.quote).is_empty())
                    .map(quote)
                    .collect(),
            },
        ),
        SectionContent::Pricing(p) => {
            let heading = title(&p.heading);
            let plans = p
                .plans
                .iter()
                .map(|plan| {
                    let name = clean(&plan.name);
                    let name = if name.is_empty() {
                        heading.clone()
                    } else {
                        name
                    };
                    PlanData {
                        cta: link(ctx, &plan.cta, &name),
                        name,
                        price: clean(&plan.price),
                        period: clean(&plan.period),
                        features: plan
                            .features
                            .iter()
                            .map(|f| clean(f))
                            .filter(|f| !f.is_empty())
                            .collect(),
                        highlighted: plan.highlighted,
                    }
                })
                .collect();
            let body = SectionBody::Pricing {
                intro: clean(&p.intro),
                popular_label: ctx.strings.popular,
                plans,
            };
            (heading, body)
        }
        SectionContent::Faq(p) => (
            title(&p.heading),
            SectionBody::Faq {
                items: p
                    .items
                    .iter()
                    .map(|q| Question {
                        question: clean(&q.question),
                        answer: clean(&q.answer),
                    })
                    .filter(|q| !q.question.is_empty())
                    .collect(),
            },
        ),
        SectionContent::Stats(p) => (
            title(&p.heading),
            SectionBody::Stats {
                items: p
                    .items
                    .iter()
                    .map(|s| Figure {
                        value: clean(&s.value),
                        label: clean(&s.label),
                    })
                    .filter(|f| !f.value.is_empty())
                    .collect(),
            },
        ),
        SectionContent::Gallery(p) => {
            let heading = title(&p.heading);
            let images = p
                .images
                .iter()
                .map(|s| media(s, &heading, Shape::Square, false))
                .collect();
            (heading, SectionBody::Gallery { images })
        }
        SectionContent::Cta(p) => {
            let heading = title(&p.heading);
            let body = SectionBody::Cta {
                variant,
                body: clean(&p.body),
                cta: link(ctx, &p.cta, &heading),
            };
            (heading, body)
        }
        SectionContent::Contact(p) => {
            let phone = clean(&p.phone);
            let email = clean(&p.email);
            let body = SectionBody::Contact {
                intro: clean(&p.intro),
                labels: Labels {
                    phone: ctx.strings.phone,
                    email: ctx.strings.email,
                    address: ctx.strings.address,
                    hours: ctx.strings.hours,
                },
                phone: Reach {
                    href: safe_href(&visions_domain::text::tel_uri(&phone))
                        .filter(|_| !phone.is_empty()),
                    text: phone,
                },
                email: Reach {
                    href: safe_href(&format!("mailto:{email}")).filter(|_| !email.is_empty()),
                    text: email,
                },
                address: clean(&p.address),
                hours: clean(&p.hours),
                form: p.form.as_ref().and_then(|f| {
                    Some(FormData {
                        action: form_action(&f.action)?,
                        intro: clean(&f.intro),
                        name_label: clean(&f.name_label),
                        email_label: clean(&f.email_label),
                        message_label: clean(&f.message_label),
                        submit_label: clean(&f.submit_label),
                        sent_label: ctx.strings.sent,
                    })
                }),
            };
            (title(&p.heading), body)
        }
        // The footer is the page's `footer`, not a section of `main`.
        SectionContent::Footer(_) => return None,
    };
    Some(SectionData {
        id: ctx.id(position).to_owned(),
        section_id: section.id.clone(),
        class_name: section_class(section, alt),
        level,
        heading,
        body,
    })
}
