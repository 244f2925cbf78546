//! The stylesheet: colour tokens re-checked for contrast, font stacks, and only the rules the
//! page's sections use.

use crate::theme::{self, AA};
use visions_domain::page::{SectionType, Theme};

/// Colours the stylesheet uses, each text colour checked against its real background.
pub(crate) struct Tokens {
    pub(crate) primary: String,
    pub(crate) on_primary: String,
    pub(crate) accent: String,
    pub(crate) on_accent: String,
    pub(crate) background: String,
    pub(crate) surface: String,
    pub(crate) text: String,
    pub(crate) muted: String,
    /// The primary colour as text (eyebrows, icons, numbers) on background, surface and tint.
    pub(crate) link: String,
    pub(crate) line: String,
    pub(crate) line_strong: String,
    pub(crate) shadow: String,
    pub(crate) primary_tint: String,
    pub(crate) primary_soft: String,
    pub(crate) accent_tint: String,
    pub(crate) dark: bool,
    pub(crate) radius: u8,
    pub(crate) heading_font: String,
    pub(crate) body_font: String,
}

impl Tokens {
    pub(crate) fn from_theme(theme: &Theme) -> Self {
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

    pub(crate) fn css_variables(&self) -> String {
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
pub(crate) fn font_stack(name: &str) -> String {
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

/// The page's stylesheet: tokens, the base rules and the rules of the section types present.
pub(crate) fn stylesheet(tokens: &Tokens, types: &[SectionType]) -> String {
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
            SectionType::Contact => CONTACT_CSS,
            SectionType::Footer => "",
        });
    }
    css.push_str(MOTION_CSS);
    css
}

pub(crate) const BASE_CSS: &str = concat!(
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

pub(crate) const HERO_CSS: &str = concat!(
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

pub(crate) const LOGOS_CSS: &str = concat!(
    "main>.logos{padding-block:2.75rem}",
    ".logos h2,.logos h1{font:700 .9375rem/1.4 var(--fb);letter-spacing:.08em;text-transform:uppercase;color:var(--mt);text-align:center;margin-bottom:1.5rem}",
    ".marks{display:flex;flex-wrap:wrap;justify-content:center;align-items:center;gap:1rem 2.75rem;list-style:none;margin:0;padding:0}",
    ".marks li{font:800 clamp(1.125rem,1rem + .6vw,1.5rem)/1.2 var(--fh);letter-spacing:-.02em;color:var(--mt)}",
);

pub(crate) const FEATURES_CSS: &str = concat!(
    ".cols{display:grid;gap:clamp(2rem,1rem + 4vw,4.5rem)}",
    "@media(min-width:60rem){.cols{grid-template-columns:1fr 1.35fr;align-items:start}.cols .head{text-align:start;margin:0}}",
    ".checks{display:grid;gap:1.75rem;list-style:none;margin:0;padding:0}",
    ".checks li{display:grid;grid-template-columns:auto 1fr;gap:1rem}",
    ".checks .ico{width:2.5rem;height:2.5rem;margin:0}",
    ".checks p{margin:0;color:var(--mt)}",
);

pub(crate) const BENEFITS_CSS: &str = concat!(
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

pub(crate) const STEPS_CSS: &str = concat!(
    ".steps{counter-reset:step;display:grid;gap:1.25rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,15rem),1fr));list-style:none;margin:0;padding:0}",
    ".steps li{counter-increment:step}",
    ".steps li::before{content:counter(step);display:grid;place-items:center;width:2.75rem;height:2.75rem;margin-bottom:1.25rem;border-radius:50%;background:var(--p);color:var(--op);font:800 1.125rem/1 var(--fh)}",
);

pub(crate) const TESTIMONIALS_CSS: &str = concat!(
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

pub(crate) const PRICING_CSS: &str = concat!(
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

pub(crate) const FAQ_CSS: &str = concat!(
    ".qa{max-width:48rem;margin-inline:auto}",
    ".qa details{border-bottom:1px solid var(--ln)}",
    ".qa details:first-child{border-top:1px solid var(--ln)}",
    ".qa summary{display:flex;justify-content:space-between;align-items:center;gap:1rem;min-height:3rem;padding:1.125rem 0;cursor:pointer;list-style:none;font-weight:700;font-size:1.125rem;line-height:1.4}",
    ".qa summary::-webkit-details-marker{display:none}",
    ".qa summary::after{content:\"\";flex:none;width:.6rem;height:.6rem;margin-inline-end:.35rem;border:solid var(--lk);border-width:0 .16rem .16rem 0;transform:rotate(45deg);transition:transform .2s ease}",
    ".qa details[open] summary::after{transform:rotate(-135deg)}",
    ".qa details p{margin:0;padding:0 0 1.25rem;color:var(--mt);max-width:42rem}",
);

pub(crate) const STATS_CSS: &str = concat!(
    ".figures{display:grid;gap:2rem 1.5rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,9rem),1fr));margin:0;text-align:center}",
    ".figures div{display:flex;flex-direction:column-reverse;gap:.25rem}",
    ".figures dd{margin:0;font:800 clamp(2.5rem,2rem + 2.2vw,3.75rem)/1.05 var(--fh);letter-spacing:-.03em}",
    ".figures dt{font-weight:400}",
    ".stats:not(.band) dd{color:var(--lk)}",
);

pub(crate) const GALLERY_CSS: &str = concat!(
    ".gal{display:grid;gap:.875rem;grid-template-columns:repeat(2,1fr);list-style:none;margin:0;padding:0}",
    ".gal li:first-child{grid-column:span 2}",
    ".gal .media{height:100%;border-radius:var(--r)}",
    ".gal li:first-child .media{aspect-ratio:16/10}",
    "@media(min-width:48rem){.gal{grid-template-columns:repeat(4,1fr)}.gal li:first-child{grid-row:span 2}.gal li:first-child .media{aspect-ratio:auto}}",
);

pub(crate) const CTA_CSS: &str = concat!(
    ".cta{text-align:center}",
    ".cta h2,.cta h1{max-width:24ch;margin-inline:auto}",
    ".cta .lede{max-width:40rem;margin:0 auto}",
    ".cta .actions{justify-content:center}",
    ".band .btn{background:var(--op);color:var(--p);border-color:var(--op)}",
    ".box{max-width:56rem;margin-inline:auto;padding:clamp(2rem,1.25rem + 3.5vw,4rem);border-radius:calc(var(--r) + 10px);background:var(--cb);border:1px solid var(--ln);border-top:4px solid var(--p);box-shadow:0 32px 64px -44px var(--sh)}",
);

pub(crate) const CONTACT_CSS: &str = concat!(
    ".contact .cols{display:grid;gap:2rem;align-items:start}",
    "@media(min-width:56rem){.contact .cols{grid-template-columns:1fr 1.4fr}}",
    ".details{margin:0;display:grid;gap:.25rem 1rem;grid-template-columns:auto 1fr}",
    ".details dt{font-weight:700}",
    ".details dd{margin:0;overflow-wrap:anywhere}",
    ".contact .form{display:grid;gap:.5rem;padding:clamp(1.5rem,1rem + 2vw,2.5rem);border-radius:calc(var(--r) + 6px);background:var(--cb);border:1px solid var(--ln)}",
    ".contact label{font-weight:600}",
    ".contact input,.contact textarea{font:inherit;color:var(--tx);background:var(--bg);border:1px solid var(--mt);border-radius:var(--r);padding:.7rem .85rem;width:100%}",
    ".contact .btn{justify-self:start;margin-top:.5rem}",
    // Off the start edge, which is the right one in right-to-left pages (never a scrollable side).
    ".hp{position:absolute;inset-inline-start:-9999px;width:1px;height:1px;overflow:hidden}",
    ".sent{display:none;font-weight:700;color:var(--lk)}.sent:target{display:block}",
);

pub(crate) const MOTION_CSS: &str = "@media(prefers-reduced-motion:reduce){html{scroll-behavior:auto}*,::before,::after{transition:none!important;animation:none!important}.btn:hover{transform:none}}";
