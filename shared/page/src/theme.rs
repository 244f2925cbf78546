//! Theme tokens from a brand kit, with contrast guaranteed.
//!
//! Brand colours override a fallback palette; then every colour that carries text is nudged
//! (lightness only, in small steps, so the hue survives) until it meets WCAG 2.x contrast:
//! body text 7:1 where the background allows it and 4.5:1 always, muted text 4.5:1 on the
//! background and on the surface, and the text placed on `primary` (buttons, bands) 4.5:1.

use visions_domain::page::Theme;
use visions_domain::project::BrandKit;

/// The colours a theme starts from when the brand kit does not say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Palette {
    pub primary: String,
    pub accent: String,
    pub background: String,
    pub text: String,
}

impl Default for Palette {
    /// A neutral indigo-and-amber palette on white.
    fn default() -> Self {
        Self {
            primary: "#4338CA".into(),
            accent: "#F59E0B".into(),
            background: "#FFFFFF".into(),
            text: "#111827".into(),
        }
    }
}

/// Body text contrast we aim for (WCAG AAA) when the background allows it.
pub const TEXT_TARGET: f64 = 7.0;
/// Where body text is taken when the brand's own text colour has to be adjusted.
const ADJUSTED_TEXT_TARGET: f64 = 10.0;
/// The floor for every piece of text (WCAG AA, normal size).
pub const AA: f64 = 4.5;
/// What the builder aims for where the floor is AA: a small margin above it.
const AA_MARGIN: f64 = 4.6;
/// Corner radius when nothing else says.
pub const DEFAULT_RADIUS: u8 = 12;
/// The font a theme names when the brand kit has none; the renderer adds the fallbacks.
pub const DEFAULT_FONT: &str = "system-ui";

/// A theme for `brand`: its colours (`#RGB` or `#RRGGBB`) and fonts where valid, `fallback`
/// elsewhere, with every text colour adjusted for contrast.
pub fn build_theme(brand: &BrandKit, fallback: &Palette) -> Theme {
    let colors = &brand.colors;
    let pick = |brand: Option<&String>, fallback: &str, last_resort: &str| {
        brand
            .and_then(|c| Rgb::parse(c))
            .or_else(|| Rgb::parse(fallback))
            .or_else(|| Rgb::parse(last_resort))
            .expect("the last resort is a valid colour")
    };
    let defaults = Palette::default();
    let primary = pick(
        colors.primary.as_ref(),
        &fallback.primary,
        &defaults.primary,
    );
    let accent = pick(
        colors.accent.as_ref().or(colors.secondary.as_ref()),
        &fallback.accent,
        &defaults.accent,
    );
    let background = readable_background(pick(
        colors.background.as_ref(),
        &fallback.background,
        &defaults.background,
    ));
    let text = pick(colors.text.as_ref(), &fallback.text, &defaults.text);

    // The surface (cards, alternate bands) leans a little towards the text, tinted by the brand.
    let provisional_text = adjust_for_contrast(text, &[background], TEXT_TARGET);
    let surface = background.mix(provisional_text.mix(primary, 0.35), 0.05);
    // Brand text that already reads well is kept; text that has to move goes a little past the
    // 7:1 floor, so that muted text can still sit visibly between it and the background.
    let text = if min_contrast(text, &[background, surface]) >= TEXT_TARGET {
        text
    } else {
        adjust_for_contrast(text, &[background, surface], ADJUSTED_TEXT_TARGET)
    };
    let muted_text =
        adjust_for_contrast(text.mix(background, 0.3), &[background, surface], AA_MARGIN);
    let (primary, on_primary) = primary_and_ink(primary);

    Theme {
        primary: primary.hex(),
        accent: accent.hex(),
        background: background.hex(),
        surface: surface.hex(),
        text: text.hex(),
        muted_text: muted_text.hex(),
        on_primary: on_primary.hex(),
        heading_font: font_name(brand.fonts.heading.as_deref())
            .or_else(|| font_name(brand.fonts.body.as_deref()))
            .unwrap_or_else(|| DEFAULT_FONT.into()),
        body_font: font_name(brand.fonts.body.as_deref()).unwrap_or_else(|| DEFAULT_FONT.into()),
        radius: DEFAULT_RADIUS,
    }
}

/// WCAG 2.x contrast ratio of two hex colours, from 1 to 21. A value that is not a hex colour
/// counts as no contrast at all (1.0).
pub fn contrast_ratio(a: &str, b: &str) -> f64 {
    match (Rgb::parse(a), Rgb::parse(b)) {
        (Some(a), Some(b)) => a.contrast(b),
        _ => 1.0,
    }
}

/// `#RGB` or `#RRGGBB` (any case) as `#RRGGBB` in upper case; anything else is `None`.
pub fn normalize_hex(value: &str) -> Option<String> {
    Rgb::parse(value).map(Rgb::hex)
}

/// `foreground` nudged (lightness only) until it has at least `target` contrast against every
/// colour of `backgrounds`; the most contrasting variant when the target is out of reach.
/// Colours that do not parse are replaced by black or white, whichever contrasts more.
pub fn ensure_contrast(foreground: &str, backgrounds: &[&str], target: f64) -> String {
    let backgrounds: Vec<Rgb> = backgrounds.iter().filter_map(|b| Rgb::parse(b)).collect();
    let foreground = Rgb::parse(foreground).unwrap_or_else(|| best_extreme(&backgrounds));
    adjust_for_contrast(foreground, &backgrounds, target).hex()
}

/// Black-ish or white text for a background, whichever reads better; at least 4.5:1.
pub fn ink_on(background: &str) -> String {
    let bg = Rgb::parse(background).unwrap_or(Rgb::WHITE);
    if Rgb::WHITE.contrast(bg) >= AA_MARGIN {
        Rgb::WHITE.hex()
    } else {
        let (h, s, _) = bg.hsl();
        adjust_for_contrast(Rgb::from_hsl(h, s * 0.6, 0.12), &[bg], TEXT_TARGET).hex()
    }
}

/// `a` moved towards `b` by `amount` (0 = `a`, 1 = `b`), as `#RRGGBB`. Unparsable colours are
/// taken as black.
pub fn mix(a: &str, b: &str, amount: f64) -> String {
    let a = Rgb::parse(a).unwrap_or(Rgb::BLACK);
    let b = Rgb::parse(b).unwrap_or(Rgb::BLACK);
    a.mix(b, amount).hex()
}

/// Relative luminance (WCAG 2.x) of a hex colour, `None` when it does not parse.
pub fn relative_luminance(value: &str) -> Option<f64> {
    Rgb::parse(value).map(Rgb::luminance)
}

/// A usable CSS family name: letters, digits, spaces, dashes and underscores, at most 64
/// characters; `None` when nothing usable is left.
pub fn font_name(value: Option<&str>) -> Option<String> {
    let cleaned: String = value?
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .take(64)
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    (!cleaned.is_empty()).then_some(cleaned)
}

/// The primary colour, darkened a touch if that lets white text sit on it, and its ink.
fn primary_and_ink(primary: Rgb) -> (Rgb, Rgb) {
    if Rgb::WHITE.contrast(primary) >= AA_MARGIN {
        return (primary, Rgb::WHITE);
    }
    // A small darkening keeps the brand recognisable; a large one would not, so a light
    // primary (yellow, sky blue) keeps its colour and gets dark ink instead.
    let (h, s, l) = primary.hsl();
    let mut step = 0.0;
    while step <= 0.1 + f64::EPSILON {
        let darker = Rgb::from_hsl(h, s, (l - step).max(0.0));
        if Rgb::WHITE.contrast(darker) >= AA_MARGIN {
            return (darker, Rgb::WHITE);
        }
        step += 0.02;
    }
    let ink = adjust_for_contrast(Rgb::from_hsl(h, s * 0.6, 0.12), &[primary], TEXT_TARGET);
    (primary, ink)
}

/// A background that leaves room for 7:1 text and a distinct muted tone: mid-tones are moved
/// towards the nearer end (lighter or darker), keeping their hue.
fn readable_background(bg: Rgb) -> Rgb {
    const ROOM: f64 = 9.0;
    let room = |c: Rgb| Rgb::BLACK.contrast(c).max(Rgb::WHITE.contrast(c));
    if room(bg) >= ROOM {
        return bg;
    }
    let lighten = Rgb::BLACK.contrast(bg) >= Rgb::WHITE.contrast(bg);
    let (h, s, mut l) = bg.hsl();
    for _ in 0..100 {
        l = if lighten {
            (l + 0.01).min(1.0)
        } else {
            (l - 0.01).max(0.0)
        };
        let candidate = Rgb::from_hsl(h, s, l);
        if room(candidate) >= ROOM {
            return candidate;
        }
    }
    if lighten { Rgb::WHITE } else { Rgb::BLACK }
}

fn best_extreme(backgrounds: &[Rgb]) -> Rgb {
    if min_contrast(Rgb::BLACK, backgrounds) >= min_contrast(Rgb::WHITE, backgrounds) {
        Rgb::BLACK
    } else {
        Rgb::WHITE
    }
}

fn min_contrast(fg: Rgb, backgrounds: &[Rgb]) -> f64 {
    backgrounds
        .iter()
        .map(|bg| fg.contrast(*bg))
        .fold(f64::INFINITY, f64::min)
}

/// Moves `fg`'s lightness towards black or white (whichever can contrast more with every
/// background) in steps of 1%, and returns the first colour that reaches `target`.
fn adjust_for_contrast(fg: Rgb, backgrounds: &[Rgb], target: f64) -> Rgb {
    if backgrounds.is_empty() || min_contrast(fg, backgrounds) >= target {
        return fg;
    }
    let extreme = best_extreme(backgrounds);
    let darken = extreme == Rgb::BLACK;
    let (h, s, mut l) = fg.hsl();
    let mut best = fg;
    for _ in 0..=100 {
        l = if darken {
            (l - 0.01).max(0.0)
        } else {
            (l + 0.01).min(1.0)
        };
        let candidate = Rgb::from_hsl(h, s, l);
        if min_contrast(candidate, backgrounds) >= target {
            return candidate;
        }
        if min_contrast(candidate, backgrounds) > min_contrast(best, backgrounds) {
            best = candidate;
        }
        if l == 0.0 || l == 1.0 {
            break;
        }
    }
    if min_contrast(extreme, backgrounds) > min_contrast(best, backgrounds) {
        extreme
    } else {
        best
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rgb(u8, u8, u8);

/// A `#RRGGBB` or `#RGB` colour as `[r, g, b]` (what image generators paint with).
pub fn rgb(value: &str) -> Option<[u8; 3]> {
    Rgb::parse(value).map(|Rgb(r, g, b)| [r, g, b])
}

impl Rgb {
    const BLACK: Rgb = Rgb(0, 0, 0);
    const WHITE: Rgb = Rgb(255, 255, 255);

    fn parse(value: &str) -> Option<Rgb> {
        let hex = value.trim().strip_prefix('#')?;
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        // ASCII hex digits only (checked above), so every index is a char boundary.
        let digit = |i: usize| u8::from_str_radix(hex.get(i..=i)?, 16).ok();
        match hex.len() {
            3 => Some(Rgb(digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
            6 => {
                let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
                Some(Rgb(byte(0)?, byte(2)?, byte(4)?))
            }
            _ => None,
        }
    }

    fn hex(self) -> String {
        format!("#{:02X}{:02X}{:02X}", self.0, self.1, self.2)
    }

    fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    fn mix(self, other: Rgb, amount: f64) -> Rgb {
        let t = amount.clamp(0.0, 1.0);
        let lerp = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Rgb(
            lerp(self.0, other.0),
            lerp(self.1, other.1),
            lerp(self.2, other.2),
        )
    }

    /// Hue in degrees, saturation and lightness in 0..=1.
    fn hsl(self) -> (f64, f64, f64) {
        let (r, g, b) = (
            f64::from(self.0) / 255.0,
            f64::from(self.1) / 255.0,
            f64::from(self.2) / 255.0,
        );
        let max = r.max(g).max(b);
        let min = r.min(g).min(b);
        let l = (max + min) / 2.0;
        let d = max - min;
        if d == 0.0 {
            return (0.0, 0.0, l);
        }
        let s = d / (1.0 - (2.0 * l - 1.0).abs());
        let h = if max == r {
            60.0 * (((g - b) / d).rem_euclid(6.0))
        } else if max == g {
            60.0 * ((b - r) / d + 2.0)
        } else {
            60.0 * ((r - g) / d + 4.0)
        };
        (h, s.clamp(0.0, 1.0), l)
    }

    fn from_hsl(h: f64, s: f64, l: f64) -> Rgb {
        let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
        let x = c * (1.0 - ((h / 60.0).rem_euclid(2.0) - 1.0).abs());
        let m = l - c / 2.0;
        let (r, g, b) = match h.rem_euclid(360.0) {
            h if h < 60.0 => (c, x, 0.0),
            h if h < 120.0 => (x, c, 0.0),
            h if h < 180.0 => (0.0, c, x),
            h if h < 240.0 => (0.0, x, c),
            h if h < 300.0 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        let byte = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
        Rgb(byte(r), byte(g), byte(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use visions_domain::project::{BrandColors, BrandFonts};

    fn brand(primary: &str, background: &str, text: &str) -> BrandKit {
        BrandKit {
            colors: BrandColors {
                primary: Some(primary.into()),
                background: Some(background.into()),
                text: Some(text.into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// Every promise the builder makes, for one theme.
    fn assert_readable(theme: &Theme) {
        let context = format!("{theme:?}");
        for colour in [
            &theme.primary,
            &theme.accent,
            &theme.background,
            &theme.surface,
            &theme.text,
            &theme.muted_text,
            &theme.on_primary,
        ] {
            assert_eq!(normalize_hex(colour).as_ref(), Some(colour), "{context}");
        }
        for bg in [&theme.background, &theme.surface] {
            assert!(
                contrast_ratio(&theme.text, bg) >= AA,
                "text on {bg}: {context}"
            );
            assert!(
                contrast_ratio(&theme.muted_text, bg) >= AA,
                "muted on {bg}: {context}"
            );
        }
        assert!(
            contrast_ratio(&theme.on_primary, &theme.primary) >= AA,
            "on_primary: {context}"
        );
    }

    #[test]
    fn contrast_ratio_matches_wcag() {
        assert!((contrast_ratio("#000000", "#FFFFFF") - 21.0).abs() < 1e-9);
        assert!((contrast_ratio("#fff", "#fff") - 1.0).abs() < 1e-9);
        // Known value: #767676 on white is the lightest grey that passes AA (4.54:1).
        let grey = contrast_ratio("#767676", "#FFFFFF");
        assert!((4.5..4.6).contains(&grey), "{grey}");
        assert_eq!(contrast_ratio("red", "#FFFFFF"), 1.0);
    }

    #[test]
    fn hex_colours_are_normalised() {
        assert_eq!(normalize_hex("#abc").as_deref(), Some("#AABBCC"));
        assert_eq!(normalize_hex(" #6b3e26 ").as_deref(), Some("#6B3E26"));
        for bad in ["abc", "#abcd", "#ggg", "#12345", "", "#", "#１２３"] {
            assert_eq!(normalize_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn brand_colours_and_fonts_override_the_fallback() {
        let kit = BrandKit {
            colors: BrandColors {
                primary: Some("#6b3e26".into()),
                secondary: Some("#c90".into()),
                ..Default::default()
            },
            fonts: BrandFonts {
                heading: Some("Fraunces".into()),
                body: Some("Inter".into()),
            },
            ..Default::default()
        };
        let theme = build_theme(&kit, &Palette::default());
        assert_eq!(theme.primary, "#6B3E26");
        assert_eq!(theme.on_primary, "#FFFFFF");
        assert_eq!(
            theme.accent, "#CC9900",
            "the secondary colour stands in for the accent"
        );
        assert_eq!(theme.background, "#FFFFFF");
        assert_eq!(
            (theme.heading_font.as_str(), theme.body_font.as_str()),
            ("Fraunces", "Inter")
        );
        assert_readable(&theme);
    }

    #[test]
    fn invalid_brand_colours_fall_back() {
        let theme = build_theme(&brand("red", "#12", "javascript:"), &Palette::default());
        assert_eq!(theme.primary, "#4338CA");
        assert_eq!(theme.background, "#FFFFFF");
        assert_eq!(theme.text, "#111827");
        assert_eq!(theme.heading_font, DEFAULT_FONT);
        assert_readable(&theme);
    }

    #[test]
    fn yellow_primary_on_white_gets_dark_ink_and_keeps_its_colour() {
        let theme = build_theme(&brand("#FFD400", "#FFFFFF", "#222222"), &Palette::default());
        assert_eq!(
            theme.primary, "#FFD400",
            "a light brand colour is not muddied"
        );
        assert!(contrast_ratio(&theme.on_primary, &theme.primary) >= TEXT_TARGET);
        assert_readable(&theme);
    }

    #[test]
    fn mid_tone_primary_is_darkened_slightly_for_white_text() {
        let theme = build_theme(&brand("#3B82F6", "#FFFFFF", "#111111"), &Palette::default());
        assert_eq!(theme.on_primary, "#FFFFFF");
        assert_ne!(theme.primary, "#3B82F6");
        let (h0, _, _) = Rgb::parse("#3B82F6").unwrap().hsl();
        let (h1, _, _) = Rgb::parse(&theme.primary).unwrap().hsl();
        assert!((h0 - h1).abs() < 3.0, "hue kept: {h0} vs {h1}");
        assert_readable(&theme);
    }

    #[test]
    fn near_grey_text_is_darkened_to_seven_to_one() {
        let theme = build_theme(&brand("#0F766E", "#FFFFFF", "#9A9A9A"), &Palette::default());
        assert!(contrast_ratio(&theme.text, &theme.background) >= TEXT_TARGET);
        assert!(contrast_ratio(&theme.text, &theme.surface) >= TEXT_TARGET);
        assert_readable(&theme);
    }

    #[test]
    fn dark_background_gets_light_text() {
        let theme = build_theme(&brand("#8B5CF6", "#0B1020", "#333344"), &Palette::default());
        assert_eq!(theme.background, "#0B1020");
        assert!(
            relative_luminance(&theme.text).unwrap() > 0.3,
            "{}",
            theme.text
        );
        assert!(contrast_ratio(&theme.text, &theme.background) >= TEXT_TARGET);
        assert!(
            relative_luminance(&theme.surface).unwrap()
                > relative_luminance(&theme.background).unwrap(),
            "a dark surface is lifted, not sunk"
        );
        assert_readable(&theme);
    }

    #[test]
    fn mid_grey_background_is_moved_until_text_can_reach_seven_to_one() {
        let theme = build_theme(&brand("#E11D48", "#777777", "#777777"), &Palette::default());
        assert!(
            contrast_ratio(&theme.text, &theme.background) >= TEXT_TARGET,
            "{theme:?}"
        );
        assert_readable(&theme);
    }

    #[test]
    fn every_combination_on_a_colour_grid_is_readable() {
        let levels = ["00", "33", "77", "AA", "DD", "FF"];
        let mut colours = Vec::new();
        for r in levels {
            for g in levels {
                for b in levels {
                    colours.push(format!("#{r}{g}{b}"));
                }
            }
        }
        // 216 colours: every one as primary, every 5th as background, text picked across the
        // grid, so light, dark, grey and saturated corners all meet each other.
        for (i, primary) in colours.iter().enumerate() {
            for (j, background) in colours.iter().enumerate().step_by(5) {
                let text = &colours[(i * 7 + j * 13) % colours.len()];
                let theme = build_theme(&brand(primary, background, text), &Palette::default());
                assert_readable(&theme);
                assert!(
                    contrast_ratio(&theme.text, &theme.background) >= TEXT_TARGET,
                    "{theme:?}"
                );
            }
        }
    }

    #[test]
    fn ensure_contrast_keeps_the_hue() {
        let fixed = ensure_contrast("#FF6B6B", &["#FFFFFF"], AA);
        assert!(contrast_ratio(&fixed, "#FFFFFF") >= AA);
        let (h0, _, _) = Rgb::parse("#FF6B6B").unwrap().hsl();
        let (h1, _, _) = Rgb::parse(&fixed).unwrap().hsl();
        assert!((h0 - h1).abs() < 3.0, "{h0} vs {h1}");
        assert_eq!(ensure_contrast("#000000", &["#FFFFFF"], AA), "#000000");
        assert!(contrast_ratio(&ink_on("#FFD400"), "#FFD400") >= AA);
        assert_eq!(ink_on("#1E3A8A"), "#FFFFFF");
    }

    #[test]
    fn font_names_are_sanitised() {
        assert_eq!(
            font_name(Some("  Source  Sans 3 ")).as_deref(),
            Some("Source Sans 3")
        );
        assert_eq!(
            font_name(Some("x\";}</style><script>")).as_deref(),
            Some("xstylescript")
        );
        assert_eq!(font_name(Some("\"';{}")), None);
    }
}
