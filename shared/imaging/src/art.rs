//! The offline image generator: raster art composed from the brand palette and the brief, with
//! no key and no network. Not a picture of the subject (that takes an image model), but a
//! finished, on-brand illustration: a gradient ground, a composition chosen from the brief's
//! words (a horizon for places and the outdoors, panels for products and software, soft forms
//! otherwise), light and a fine grain. Every detail is drawn from a hash of the brief, so two
//! briefs never get the same picture and one brief always gets the same one.

use sha2::{Digest, Sha256};

use crate::Pixels;

type Rgb = [f32; 3];

/// Paints a `width`×`height` RGB picture for `brief` in the colours of `palette` (brand colours
/// as `[r, g, b]`; an empty palette gets colours from the brief's hash).
pub fn paint(brief: &str, palette: &[[u8; 3]], width: u32, height: u32) -> Pixels {
    let digest = Sha256::digest(brief.as_bytes());
    let mut seed = [0u8; 8];
    seed.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
    let mut rng = SplitMix(u64::from_le_bytes(seed));
    let colours = colours(palette, &mut rng);
    let scene = Scene::for_brief(brief, &mut rng);
    let (w, h) = (width.max(1), height.max(1));
    let shapes = scene.shapes(&colours, &mut rng);
    let angle = rng.unit() * std::f32::consts::TAU;
    let (dx, dy) = (angle.cos(), angle.sin());
    let mut data = Vec::with_capacity(w as usize * h as usize * 3);
    let mut grain = SplitMix(rng.next());
    for y in 0..h {
        let v = (y as f32 + 0.5) / h as f32;
        for x in 0..w {
            let u = (x as f32 + 0.5) / w as f32;
            let t = ((u - 0.5) * dx + (v - 0.5) * dy + 0.5).clamp(0.0, 1.0);
            let mut c = mix(colours.ground.0, colours.ground.1, smooth(t));
            for shape in &shapes {
                shape.paint(&mut c, u, v, w as f32 / h as f32);
            }
            let noise = (grain.unit() - 0.5) * 6.0;
            for channel in c {
                data.push((channel * 255.0 + noise).clamp(0.0, 255.0) as u8);
            }
        }
    }
    Pixels {
        width: w,
        height: h,
        channels: 3,
        data,
    }
}

struct Colours {
    ground: (Rgb, Rgb),
    forms: Vec<Rgb>,
}

fn colours(palette: &[[u8; 3]], rng: &mut SplitMix) -> Colours {
    let mut base: Vec<Rgb> = palette
        .iter()
        .map(|c| c.map(|v| f32::from(v) / 255.0))
        .collect();
    if base.is_empty() {
        let hue = rng.unit();
        base = vec![
            hsl(hue, 0.55, 0.45),
            hsl((hue + 0.08) % 1.0, 0.6, 0.65),
            hsl((hue + 0.5) % 1.0, 0.5, 0.55),
        ];
    }
    let first = base.first().copied().unwrap_or([0.3, 0.4, 0.6]);
    let light = mix(first, [1.0, 1.0, 1.0], 0.82);
    let deep = mix(first, [0.05, 0.05, 0.1], 0.25);
    let mut forms = Vec::new();
    for c in &base {
        forms.push(*c);
        forms.push(mix(*c, [1.0, 1.0, 1.0], 0.35));
        forms.push(mix(*c, [0.0, 0.0, 0.0], 0.25));
    }
    let ground = if rng.unit() < 0.7 {
        (light, mix(light, first, 0.35))
    } else {
        (deep, mix(deep, base.last().copied().unwrap_or(first), 0.5))
    };
    Colours { ground, forms }
}

enum Scene {
    Horizon,
    Panels,
    Forms,
}

impl Scene {
    fn for_brief(brief: &str, rng: &mut SplitMix) -> Scene {
        const PLACES: [&str; 16] = [
            "outdoor",
            "travel",
            "garden",
            "landscape",
            "farm",
            "hike",
            "nature",
            "beach",
            "mountain",
            "sea",
            "park",
            "city",
            "sky",
            "field",
            "forest",
            "lake",
        ];
        const PRODUCTS: [&str; 12] = [
            "app",
            "software",
            "dashboard",
            "screen",
            "device",
            "product",
            "platform",
            "laptop",
            "phone",
            "interface",
            "data",
            "tool",
        ];
        let text = brief.to_lowercase();
        let has = |words: &[&str]| {
            text.split(|c: char| !c.is_alphanumeric())
                .any(|w| words.contains(&w))
        };
        if has(&PLACES) {
            Scene::Horizon
        } else if has(&PRODUCTS) {
            Scene::Panels
        } else {
            match rng.next() % 3 {
                0 => Scene::Horizon,
                1 => Scene::Panels,
                _ => Scene::Forms,
            }
        }
    }

    fn shapes(&self, colours: &Colours, rng: &mut SplitMix) -> Vec<Shape> {
        let pick = |rng: &mut SplitMix| {
            let n = colours.forms.len().max(1);
            colours
                .forms
                .get(rng.next() as usize % n)
                .copied()
                .unwrap_or([0.5, 0.5, 0.5])
        };
        let mut shapes = Vec::new();
        match self {
            Scene::Horizon => {
                shapes.push(Shape::Disc {
                    x: 0.2 + 0.6 * rng.unit(),
                    y: 0.15 + 0.2 * rng.unit(),
                    r: 0.08 + 0.08 * rng.unit(),
                    colour: mix(pick(rng), [1.0, 0.95, 0.85], 0.6),
                    softness: 0.25,
                    alpha: 0.95,
                });
                let layers = 3 + rng.next() % 2;
                for i in 0..layers {
                    let depth = i as f32 / layers as f32;
                    shapes.push(Shape::Hill {
                        base: 0.45 + 0.14 * i as f32 + 0.05 * rng.unit(),
                        amplitude: 0.04 + 0.06 * rng.unit(),
                        frequency: 1.5 + 3.0 * rng.unit(),
                        phase: rng.unit() * 6.3,
                        colour: mix(pick(rng), [0.05, 0.05, 0.1], 0.15 + 0.35 * depth),
                    });
                }
            }
            Scene::Panels => {
                let count = 3 + rng.next() % 3;
                for i in 0..count {
                    let x = 0.12 + 0.7 * rng.unit();
                    let y = 0.15 + 0.6 * rng.unit();
                    shapes.push(Shape::Panel {
                        x,
                        y,
                        w: 0.18 + 0.25 * rng.unit(),
                        h: 0.16 + 0.3 * rng.unit(),
                        colour: if i == 0 { [0.98, 0.98, 1.0] } else { pick(rng) },
                        alpha: 0.85,
                    });
                }
                shapes.push(Shape::Disc {
                    x: rng.unit(),
                    y: rng.unit(),
                    r: 0.3 + 0.2 * rng.unit(),
                    colour: pick(rng),
                    softness: 1.0,
                    alpha: 0.35,
                });
            }
            Scene::Forms => {
                let count = 5 + rng.next() % 5;
                for _ in 0..count {
                    shapes.push(Shape::Disc {
                        x: rng.unit(),
                        y: rng.unit(),
                        r: 0.08 + 0.3 * rng.unit(),
                        colour: pick(rng),
                        softness: 0.1 + 0.8 * rng.unit(),
                        alpha: 0.55 + 0.4 * rng.unit(),
                    });
                }
            }
        }
        shapes
    }
}

enum Shape {
    Disc {
        x: f32,
        y: f32,
        r: f32,
        colour: Rgb,
        softness: f32,
        alpha: f32,
    },
    Hill {
        base: f32,
        amplitude: f32,
        frequency: f32,
        phase: f32,
        colour: Rgb,
    },
    Panel {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: Rgb,
        alpha: f32,
    },
}

impl Shape {
    /// Blends this shape into `c` at (u, v), in a square-pixel space for an `aspect` picture.
    fn paint(&self, c: &mut Rgb, u: f32, v: f32, aspect: f32) {
        match *self {
            Shape::Disc {
                x,
                y,
                r,
                colour,
                softness,
                alpha,
            } => {
                let d = (((u - x) * aspect).powi(2) + (v - y).powi(2)).sqrt() / r;
                let edge =
                    1.0 - smooth(((d - (1.0 - softness)) / softness.max(0.01)).clamp(0.0, 1.0));
                *c = mix(*c, colour, alpha * edge);
            }
            Shape::Hill {
                base,
                amplitude,
                frequency,
                phase,
                colour,
            } => {
                let top = base
                    + amplitude * (u * frequency * std::f32::consts::TAU + phase).sin()
                    + 0.4 * amplitude * (u * frequency * 2.7 * std::f32::consts::TAU).sin();
                let edge = smooth(((v - top) * 400.0 + 0.5).clamp(0.0, 1.0));
                // A little light at the top of each ridge.
                let shade = 1.0 - 0.25 * ((v - top).max(0.0) * 4.0).min(1.0);
                *c = mix(*c, colour.map(|k| k * (0.85 + 0.15 * shade)), edge);
            }
            Shape::Panel {
                x,
                y,
                w,
                h,
                colour,
                alpha,
            } => {
                let radius = 0.03;
                let px = ((u - x).abs() - w / 2.0 + radius).max(0.0) * aspect;
                let py = ((v - y).abs() - h / 2.0 + radius).max(0.0);
                let d = (px * px + py * py).sqrt() - radius;
                let shadow = 1.0 - smooth(((d - 0.005) / 0.04).clamp(0.0, 1.0));
                *c = mix(*c, [0.0, 0.0, 0.05], 0.18 * shadow);
                let inside = 1.0 - smooth((d * 600.0 + 0.5).clamp(0.0, 1.0));
                *c = mix(*c, colour, alpha * inside);
            }
        }
    }
}

fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

fn smooth(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

fn hsl(h: f32, s: f32, l: f32) -> Rgb {
    let q = if l < 0.5 {
        l * (1.0 + s)
    } else {
        l + s - l * s
    };
    let p = 2.0 * l - q;
    let channel = |t: f32| {
        let t = t.rem_euclid(1.0);
        if t < 1.0 / 6.0 {
            p + (q - p) * 6.0 * t
        } else if t < 0.5 {
            q
        } else if t < 2.0 / 3.0 {
            p + (q - p) * (2.0 / 3.0 - t) * 6.0
        } else {
            p
        }
    };
    [channel(h + 1.0 / 3.0), channel(h), channel(h - 1.0 / 3.0)]
}

/// SplitMix64: a small, well-mixed generator; the pictures need variety, not cryptography.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spread(p: &Pixels) -> f32 {
        let lum: Vec<f32> = p
            .data
            .chunks_exact(3)
            .map(|c| c.iter().map(|&v| f32::from(v)).sum::<f32>() / 3.0)
            .collect();
        let mean = lum.iter().sum::<f32>() / lum.len() as f32;
        (lum.iter().map(|l| (l - mean).powi(2)).sum::<f32>() / lum.len() as f32).sqrt()
    }

    #[test]
    fn distinct_briefs_get_distinct_pictures_and_none_is_a_flat_box() {
        let palette = [[37, 99, 235], [249, 115, 22]];
        let briefs = [
            "Barista pouring a flat white in a sunlit cafe",
            "Team reviewing a dashboard on a laptop",
            "Hikers on a mountain ridge at dawn",
            "Close-up of fresh sourdough loaves",
        ];
        let pictures: Vec<Pixels> = briefs.iter().map(|b| paint(b, &palette, 160, 90)).collect();
        for (i, a) in pictures.iter().enumerate() {
            assert_eq!(a.data.len(), 160 * 90 * 3);
            assert!(spread(a) > 8.0, "brief {i} is nearly flat: {}", spread(a));
            for b in pictures.iter().skip(i + 1) {
                let differing = a
                    .data
                    .iter()
                    .zip(&b.data)
                    .filter(|(x, y)| x.abs_diff(**y) > 16)
                    .count();
                assert!(differing > a.data.len() / 10, "two briefs look alike");
            }
        }
        assert_eq!(
            paint(briefs[0], &palette, 64, 36).data,
            paint(briefs[0], &palette, 64, 36).data
        );
    }

    #[test]
    fn the_palette_colours_the_picture() {
        let blue = paint("Abstract calm shapes", &[[20, 60, 220]], 80, 45);
        let orange = paint("Abstract calm shapes", &[[240, 120, 20]], 80, 45);
        let mean = |p: &Pixels, ch: usize| {
            p.data
                .chunks_exact(3)
                .map(|c| f32::from(c.get(ch).copied().unwrap_or(0)))
                .sum::<f32>()
                / (80.0 * 45.0)
        };
        assert!(mean(&blue, 2) > mean(&blue, 0));
        assert!(mean(&orange, 0) > mean(&orange, 2));
    }
}
