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

/// The int8 inner product with a query widened to i16, in sixteen independent i32 sums so it
/// vectorizes where no hand-written kernel applies (aarch64's baseline NEON included).
#[inline(always)]
pub(crate) fn dot_i8(row: &[i8], query: &[i16]) -> i32 {
    let mut sums = [0i32; 16];
    let (a16, b16) = (row.chunks_exact(16), query.chunks_exact(16));
    // Wrapping arithmetic: it cannot overflow (|sum| ≤ 127² per element, 2³¹ allows 133,000
    // dimensions), and without overflow checks debug builds vectorize it too.
    let mut tail = 0i32;
    for (x, y) in a16.remainder().iter().zip(b16.remainder()) {
        tail = tail.wrapping_add(i32::from(*x).wrapping_mul(i32::from(*y)));
    }
    for (x, y) in a16.zip(b16) {
        for ((s, x), y) in sums.iter_mut().zip(x).zip(y) {
            *s = s.wrapping_add(i32::from(*x).wrapping_mul(i32::from(*y)));
        }
    }
    let mut total = tail;
    for s in sums {
        total = total.wrapping_add(s);
    }
    total
}

/// The inner products of `query` (a row's codes widened to i16) with each row of `codes`
/// (`dim` per row), into `out`: one call per block of rows. On x86-64 with AVX2 (checked once
/// per call, a cached flag) a hand-written kernel runs; elsewhere the portable loop.
pub(crate) fn dots_i8(codes: &[i8], dim: usize, query: &[i16], out: &mut Vec<i32>) {
    out.clear();
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        unsafe { avx2::dots_i8(codes, dim, query, out) };
        return;
    }
    for row in codes.chunks_exact(dim) {
        out.push(dot_i8(row, query));
    }
}

/// The int8 scan in AVX2 intrinsics. The compiler's own vectorization of [`dot_i8`] widens to
/// i32 and multiplies eight lanes at a time; this widens sixteen codes to i16 and multiplies
/// and adds pairs in one `vpmaddwd`, exact in i32 (a pair sums to at most 2·127²).
#[cfg(target_arch = "x86_64")]
// The crate's minimum Rust (1.85) needs `#[target_feature]` functions to be `unsafe` and the
// intrinsics called in `unsafe` blocks; newer compilers find some of those blocks unneeded.
#[allow(unused_unsafe)]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _MM_HINT_T0, _mm_add_epi32, _mm_cvtsi128_si32, _mm_loadu_si128, _mm_prefetch,
        _mm_shuffle_epi32, _mm256_add_epi32, _mm256_castsi256_si128, _mm256_cvtepi8_epi16,
        _mm256_extracti128_si256, _mm256_loadu_si256, _mm256_madd_epi16, _mm256_setzero_si256,
    };

    /// How far ahead of the row being scored the scan prefetches (1 and 4 KiB measured no
    /// better than 2).
    const PREFETCH_AHEAD: usize = 2048;

    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn dots_i8(codes: &[i8], dim: usize, query: &[i16], out: &mut Vec<i32>) {
        for row in codes.chunks_exact(dim) {
            // SAFETY: AVX2 is present (this function's contract), which is all the helpers
            // and intrinsics need.
            unsafe {
                prefetch(row);
                let mut sum = _mm256_setzero_si256();
                for (x, y) in row.chunks_exact(16).zip(query.chunks_exact(16)) {
                    // Always 16 of each (`chunks_exact`); the conversions give the loads'
                    // types.
                    if let (Ok(x), Ok(y)) = (x.try_into(), y.try_into()) {
                        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(widen(x), load_i16(y)));
                    }
                }
                out.push(horizontal_sum(sum).wrapping_add(tail(row, query)));
            }
        }
    }

    /// Asks for the cache lines [`PREFETCH_AHEAD`] bytes past `row`: with the hardware
    /// prefetcher alone, the scan of rows streamed from memory was about a quarter slower
    /// (`docs/BENCHMARKS.md`, "The vector index beside FAISS").
    ///
    /// # Safety
    /// The CPU must have AVX2 (as for every function here).
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn prefetch(row: &[i8]) {
        let ahead = row.as_ptr().wrapping_add(PREFETCH_AHEAD);
        for line in (0..row.len()).step_by(64) {
            // SAFETY: a prefetch is only a hint that never faults, so an address past the
            // end is harmless; `wrapping_add` computes it without claiming it is in bounds.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add(line).cast()) };
        }
    }

    /// Sixteen codes, sign-extended to i16.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn widen(x: &[i8; 16]) -> __m256i {
        // SAFETY: an unaligned load of exactly the 16 bytes of `x`.
        unsafe { _mm256_cvtepi8_epi16(_mm_loadu_si128(x.as_ptr().cast())) }
    }

    /// Sixteen i16 of the query.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn load_i16(y: &[i16; 16]) -> __m256i {
        // SAFETY: an unaligned load of exactly the 32 bytes of `y`.
        unsafe { _mm256_loadu_si256(y.as_ptr().cast()) }
    }

    /// # Safety
    /// The CPU must have AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn horizontal_sum(v: __m256i) -> i32 {
        // SAFETY: register arithmetic only.
        unsafe {
            let s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
            let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
            let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b10_11_00_01>(s));
            _mm_cvtsi128_si32(s)
        }
    }

    /// The products past the last whole chunk of 16 (none when 16 divides the dimension).
    fn tail(row: &[i8], query: &[i16]) -> i32 {
        row.chunks_exact(16)
            .remainder()
            .iter()
            .zip(query.chunks_exact(16).remainder())
            .fold(0, |t, (x, y)| t + i32::from(*x) * i32::from(*y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seeded linear congruential generator's high 31 bits.
    fn random(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state >> 33
        }
    }

    #[test]
    fn the_scan_kernel_computes_exact_inner_products_at_every_dimension() {
        let mut random = random(11);
        let mut next = || (random() % 255) as i32 - 127;
        for dim in [1, 7, 16, 33, 100, 384, 1536] {
            let rows = 9;
            let codes: Vec<i8> = (0..rows * dim).map(|_| next() as i8).collect();
            // The extreme code too: every third query value is -127.
            let query: Vec<i16> = (0..dim)
                .map(|i| if i % 3 == 0 { -127 } else { next() as i16 })
                .collect();
            let mut out = Vec::new();
            dots_i8(&codes, dim, &query, &mut out);
            let want: Vec<i32> = codes
                .chunks_exact(dim)
                .map(|row| {
                    row.iter()
                        .zip(&query)
                        .map(|(x, y)| i32::from(*x) * i32::from(*y))
                        .sum()
                })
                .collect();
            assert_eq!(out, want, "dim {dim}");
        }
    }

    #[test]
    fn the_recorded_error_bounds_every_inner_product() {
        let mut random = random(7);
        let mut next = || (random() as f32 / (1u64 << 31) as f32) - 0.5;
        let dim = 48;
        for _ in 0..200 {
            let mut x: Vec<f32> = (0..dim).map(|_| next()).collect();
            let mut q: Vec<f32> = (0..dim).map(|_| next()).collect();
            crate::normalize(&mut x).expect("non-zero");
            crate::normalize(&mut q).expect("non-zero");
            let (mut cx, mut cq) = (Vec::new(), Vec::new());
            let (sx, ex) = encode_row(&x, &mut cx);
            let (sq, eq) = encode_row(&q, &mut cq);
            let wide: Vec<i16> = cq.iter().map(|c| i16::from(*c)).collect();
            let approx = sx * sq * dot_i8(&cx, &wide) as f32;
            let exact = crate::dot(&x, &q);
            let bound = ex + eq * (1.0 + ex);
            assert!(
                (approx - exact).abs() <= bound + 1e-6,
                "{approx} vs {exact}"
            );
        }
    }
}
