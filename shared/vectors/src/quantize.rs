//! Int8 codes: each vector scaled by its own largest component, with the length of what the
//! rounding lost, so a search knows how far an int8 score can be from the f32 one.

/// Every vector's codes, scale and quantization error, row by row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Codes {
    pub codes: Vec<i8>,
    pub scales: Vec<f32>,
    /// `‖x − scale·code‖` per row.
    pub errors: Vec<f32>,
}

impl Codes {
    pub fn encode(vectors: &[f32], dim: usize) -> Self {
        let rows = vectors.len() / dim.max(1);
        let mut out = Self {
            codes: Vec::with_capacity(vectors.len()),
            scales: Vec::with_capacity(rows),
            errors: Vec::with_capacity(rows),
        };
        for row in vectors.chunks_exact(dim) {
            let (scale, error) = encode_row(row, &mut out.codes);
            out.scales.push(scale);
            out.errors.push(error);
        }
        out
    }
}

/// Appends the codes of `row` to `codes`; returns its scale and its quantization error.
pub(crate) fn encode_row(row: &[f32], codes: &mut Vec<i8>) -> (f32, f32) {
    let max = row.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    let mut error = 0.0f32;
    for x in row {
        // In range by construction: |x / scale| ≤ 127.
        let code = (x / scale).round().clamp(-127.0, 127.0) as i8;
        let lost = x - f32::from(code) * scale;
        error += lost * lost;
        codes.push(code);
    }
    (scale, error.sqrt())
}

/// The int8 inner product, in sixteen independent i32 sums so it vectorizes. Inlined into
/// [`dots_i8`], which is compiled for each SIMD level.
#[inline(always)]
pub(crate) fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    let mut sums = [0i32; 16];
    let (a16, b16) = (a.chunks_exact(16), b.chunks_exact(16));
    // Wrapping arithmetic: it cannot overflow (|sum| ≤ 127² per element, 2³¹ allows 133,000
    // dimensions), and without overflow checks debug builds vectorize it too.
    let tail = a16
        .remainder()
        .iter()
        .zip(b16.remainder())
        .fold(0i32, |t, (x, y)| {
            t.wrapping_add(i32::from(*x).wrapping_mul(i32::from(*y)))
        });
    for (x, y) in a16.zip(b16) {
        for ((s, x), y) in sums.iter_mut().zip(x).zip(y) {
            *s = s.wrapping_add(i32::from(*x).wrapping_mul(i32::from(*y)));
        }
    }
    sums.iter().fold(tail, |t, s| t.wrapping_add(*s))
}

/// The inner products of `query` with each row of `codes` (`dim` per row), into `out`: one
/// call per block of rows, compiled again for AVX2 and the like and picked at run time (the
/// portable x86-64 baseline, SSE2, has no wide widening multiply).
#[multiversion::multiversion(targets = "simd")]
pub(crate) fn dots_i8(codes: &[i8], dim: usize, query: &[i8], out: &mut Vec<i32>) {
    out.clear();
    out.extend(codes.chunks_exact(dim).map(|row| dot_i8(row, query)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_error_bounds_every_inner_product() {
        let mut rng = 7u64;
        let mut next = || {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((rng >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        };
        let dim = 48;
        for _ in 0..200 {
            let mut x: Vec<f32> = (0..dim).map(|_| next()).collect();
            let mut q: Vec<f32> = (0..dim).map(|_| next()).collect();
            crate::normalize(&mut x).expect("non-zero");
            crate::normalize(&mut q).expect("non-zero");
            let (mut cx, mut cq) = (Vec::new(), Vec::new());
            let (sx, ex) = encode_row(&x, &mut cx);
            let (sq, eq) = encode_row(&q, &mut cq);
            let approx = sx * sq * dot_i8(&cx, &cq) as f32;
            let exact = crate::dot(&x, &q);
            let bound = ex + eq * (1.0 + ex);
            assert!(
                (approx - exact).abs() <= bound + 1e-6,
                "{approx} vs {exact}"
            );
        }
    }
}
