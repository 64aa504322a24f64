//! Matrix products over 8-bit weights with one scale per output column and
//! activations quantized per row as the product runs: CTranslate2's int8
//! scheme, behind Marian's `--precision int8`.
//!
//! Why not ggml's Q8_0 (`qgemm`, candle's tiled kernels): a scale per 32
//! weights means every 32 inputs' integer sum is converted to f32 and
//! scaled on its own. With one scale per column and one per activation
//! row, the sum runs in 32-bit integers over the whole input width and is
//! scaled once, so the inner loop is `vpdpbusd` and nothing else; each
//! weight vector loaded serves up to eight activation rows.
//!
//! The arithmetic, for weight column `c` and activation row `r`:
//! `s_c = max |w_c| / 127`, `q = round(w / s_c)`; `t_r = max |x_r| / 127`,
//! `a = round(x / t_r) + 128` (unsigned bytes, as `vpdpbusd` takes them);
//! `out[r][c] = t_r · s_c · (Σ a·q − 128 Σ q) + b_c`. The offset term is
//! kept per column, so the integer part is exact: `Σ a·q` stays below
//! 2³¹ for input widths up to 66,000.
//!
//! What it is not: a kernel for CPUs without AVX-512 VNNI —
//! [`ScaledInt8::new`] says `None` there and the caller keeps another
//! product — or a reader of quantized files: weights come in as f32.

use super::vnni_available;
use candle_core::utils::barrier_pool;
use candle_core::{bail, Result};

/// Output columns per panel: two 512-bit vectors of 32-bit sums.
const COLUMNS: usize = 32;
/// Activation rows one pass over a panel serves (16 accumulators).
const ROWS: usize = 8;

/// A weight `[n, k]` (n outputs, k inputs) as signed bytes with one scale
/// per output column.
pub struct ScaledInt8 {
    n: usize,
    k: usize,
    /// Per panel of 32 columns, per four inputs: the 32 columns' four
    /// bytes (columns 0–15, then 16–31), so one load feeds `vpdpbusd`.
    weights: Vec<i8>,
    /// Per column (padded to whole panels, zero there): `s_c`.
    scales: Vec<f32>,
    /// Per column: `−128 Σ q`, which cancels the activations' offset.
    offsets: Vec<i32>,
}

impl ScaledInt8 {
    /// Quantizes `weight` (`[n, k]`, row-major f32); `None` on a CPU
    /// without AVX-512 VNNI or when `k` is not a multiple of 4.
    pub fn new(weight: &[f32], n: usize, k: usize) -> Result<Option<Self>> {
        if !vnni_available() || !k.is_multiple_of(4) {
            return Ok(None);
        }
        if weight.len() != n * k {
            bail!("weight of {} values for {n} × {k}", weight.len());
        }
        let panels = n.div_ceil(COLUMNS);
        let mut weights = vec![0i8; panels * COLUMNS * k];
        let mut scales = vec![0f32; panels * COLUMNS];
        let mut offsets = vec![0i32; panels * COLUMNS];
        for (column, values) in weight.chunks_exact(k).enumerate() {
            let max = values.iter().fold(0f32, |m, w| m.max(w.abs()));
            let scale = max / 127.0;
            let inverse = if scale == 0.0 { 0.0 } else { 1.0 / scale };
            let (panel, lane) = (column / COLUMNS, column % COLUMNS);
            let base = panel * COLUMNS * k + (lane / 16) * 64 + (lane % 16) * 4;
            let mut sum = 0i32;
            for (i, &w) in values.iter().enumerate() {
                let q = (w * inverse).round() as i8;
                sum += i32::from(q);
                weights[base + (i / 4) * COLUMNS * 4 + i % 4] = q;
            }
            scales[column] = scale;
            offsets[column] = -128 * sum;
        }
        Ok(Some(Self {
            n,
            k,
            weights,
            scales,
            offsets,
        }))
    }

    pub fn out_dim(&self) -> usize {
        self.n
    }

    pub fn in_dim(&self) -> usize {
        self.k
    }

    /// Row `column` of the weight, dequantized (an embedding lookup in a
    /// table whose rows are tokens).
    pub fn row(&self, column: usize, out: &mut [f32]) {
        let (panel, lane) = (column / COLUMNS, column % COLUMNS);
        let base = panel * COLUMNS * self.k + (lane / 16) * 64 + (lane % 16) * 4;
        let scale = self.scales[column];
        for (i, o) in out.iter_mut().enumerate().take(self.k) {
            *o = f32::from(self.weights[base + (i / 4) * COLUMNS * 4 + i % 4]) * scale;
        }
    }

    /// `xs W^T (+ bias)` for `xs` `[m, k]` row-major: `[m, n]` row-major.
    pub fn product(&self, xs: &[f32], m: usize, bias: Option<&[f32]>) -> Vec<f32> {
        let mut out = Vec::with_capacity(m * self.n);
        // SAFETY: `product_into` writes every one of the `m × n` values
        // (each panel stores all its rows and columns) before `set_len`.
        unsafe {
            self.product_into(xs, m, bias, out.as_mut_ptr());
            out.set_len(m * self.n);
        }
        out
    }

    /// Writes `xs W^T (+ bias)` to `out`, `m × n` values; panels are shared
    /// among candle's workers. Why not a slice: the output need not be
    /// zeroed first (63 MB per beam-search step for the output head).
    unsafe fn product_into(&self, xs: &[f32], m: usize, bias: Option<&[f32]>, out: *mut f32) {
        assert_eq!(xs.len(), m * self.k, "activations");
        if let Some(bias) = bias {
            assert_eq!(bias.len(), self.n, "bias");
        }
        let activations = Activations::quantize(xs, m, self.k);
        let panels = self.n.div_ceil(COLUMNS);
        let out_ptr = out as usize;
        barrier_pool().execute_chunked(panels, |range| {
            for panel in range {
                // SAFETY: `new` checked for AVX-512 VNNI; each panel writes
                // only its own columns of `out` (`m × n` values, which
                // the caller provides and which outlive `execute_chunked`);
                // `xs` and `bias` were checked against the shape above.
                unsafe { self.panel(panel, &activations, bias, out_ptr as *mut f32) }
            }
        });
    }

    /// One panel of 32 columns for every activation row.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    unsafe fn panel(
        &self,
        panel: usize,
        activations: &Activations,
        bias: Option<&[f32]>,
        out: *mut f32,
    ) {
        let m = activations.rows;
        let mut row = 0;
        while row < m {
            let rows = (m - row).min(ROWS);
            // Monomorphized per row count so the accumulators stay in
            // registers.
            match rows {
                8 => self.tile::<8>(panel, row, activations, bias, out),
                7 => self.tile::<7>(panel, row, activations, bias, out),
                6 => self.tile::<6>(panel, row, activations, bias, out),
                5 => self.tile::<5>(panel, row, activations, bias, out),
                4 => self.tile::<4>(panel, row, activations, bias, out),
                3 => self.tile::<3>(panel, row, activations, bias, out),
                2 => self.tile::<2>(panel, row, activations, bias, out),
                _ => self.tile::<1>(panel, row, activations, bias, out),
            }
            row += rows;
        }
    }

    /// Rows `first..first + R` of one panel.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    #[inline]
    unsafe fn tile<const R: usize>(
        &self,
        panel: usize,
        first: usize,
        activations: &Activations,
        bias: Option<&[f32]>,
        out: *mut f32,
    ) {
        use std::arch::x86_64::*;
        let k = self.k;
        let weights = self.weights.as_ptr().add(panel * COLUMNS * k);
        let values: [*const u8; R] = std::array::from_fn(|r| activations.row(first + r));
        let mut sums = [[_mm512_setzero_si512(); 2]; R];
        for quad in 0..k / 4 {
            let w0 = _mm512_loadu_si512(weights.add(quad * COLUMNS * 4) as *const _);
            let w1 = _mm512_loadu_si512(weights.add(quad * COLUMNS * 4 + 64) as *const _);
            for r in 0..R {
                let a = _mm512_set1_epi32((values[r].add(quad * 4) as *const i32).read_unaligned());
                sums[r][0] = _mm512_dpbusd_epi32(sums[r][0], a, w0);
                sums[r][1] = _mm512_dpbusd_epi32(sums[r][1], a, w1);
            }
        }
        let first_column = panel * COLUMNS;
        for half in 0..2 {
            let column = first_column + half * 16;
            if column >= self.n {
                break;
            }
            let width = (self.n - column).min(16);
            let mask: __mmask16 = if width == 16 {
                0xffff
            } else {
                (1u16 << width) - 1
            };
            let offset = _mm512_loadu_si512(self.offsets.as_ptr().add(column) as *const _);
            let scale = _mm512_loadu_ps(self.scales.as_ptr().add(column));
            let bias = match bias {
                Some(b) => _mm512_maskz_loadu_ps(mask, b.as_ptr().add(column)),
                None => _mm512_setzero_ps(),
            };
            for (r, sum) in sums.iter().enumerate() {
                let exact = _mm512_cvtepi32_ps(_mm512_add_epi32(sum[half], offset));
                let scaled = _mm512_mul_ps(scale, _mm512_set1_ps(activations.scales[first + r]));
                let value = _mm512_fmadd_ps(exact, scaled, bias);
                _mm512_mask_storeu_ps(out.add((first + r) * self.n + column), mask, value);
            }
        }
    }
}

/// Activation rows as unsigned bytes (`round(x / t) + 128`) with their
/// scales `t`.
struct Activations {
    rows: usize,
    k: usize,
    values: Vec<u8>,
    scales: Vec<f32>,
}

impl Activations {
    /// Rows shared among candle's workers: at a beam-search step's 256
    /// rows the quantization is a tenth of the product's work.
    fn quantize(xs: &[f32], rows: usize, k: usize) -> Self {
        let mut values = Vec::<u8>::with_capacity(rows * k);
        let mut scales = vec![0f32; rows];
        let (values_ptr, scales_ptr) = (values.as_mut_ptr() as usize, scales.as_mut_ptr() as usize);
        barrier_pool().execute_chunked(rows, |range| {
            for row in range {
                // SAFETY: each row writes only its own `k` bytes and scale,
                // within the buffers' `rows × k` and `rows` values, which
                // outlive `execute_chunked`; AVX-512 was checked when the
                // weight was made (no `Activations` without a weight).
                unsafe {
                    let out =
                        std::slice::from_raw_parts_mut((values_ptr as *mut u8).add(row * k), k);
                    *(scales_ptr as *mut f32).add(row) = quantize_row(&xs[row * k..][..k], out);
                }
            }
        });
        // SAFETY: every row's `k` bytes were written above.
        unsafe { values.set_len(rows * k) };
        Self {
            rows,
            k,
            values,
            scales,
        }
    }

    /// The first of `row`'s `k` bytes.
    fn row(&self, row: usize) -> *const u8 {
        self.values[row * self.k..][..self.k].as_ptr()
    }
}

/// Writes `round(x / t) + 128` for one row and returns `t = max |x| / 127`.
/// The conversion rounds half to even (the vector unit's default mode).
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn quantize_row(xs: &[f32], out: &mut [u8]) -> f32 {
    use std::arch::x86_64::*;
    let k = xs.len();
    let mask_at = |i: usize| -> __mmask16 {
        let width = (k - i).min(16);
        if width == 16 {
            0xffff
        } else {
            (1u16 << width) - 1
        }
    };
    let mut max = _mm512_setzero_ps();
    for i in (0..k).step_by(16) {
        let v = _mm512_maskz_loadu_ps(mask_at(i), xs.as_ptr().add(i));
        max = _mm512_max_ps(max, _mm512_abs_ps(v));
    }
    let max = _mm512_reduce_max_ps(max);
    let inverse = _mm512_set1_ps(if max == 0.0 { 0.0 } else { 127.0 / max });
    let offset = _mm512_set1_epi32(128);
    for i in (0..k).step_by(16) {
        let mask = mask_at(i);
        let v = _mm512_maskz_loadu_ps(mask, xs.as_ptr().add(i));
        let q = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(v, inverse)), offset);
        _mm512_mask_cvtepi32_storeu_epi8(out.as_mut_ptr().add(i) as *mut _, mask, q);
    }
    max / 127.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::test_values::random;

    /// The same product computed in plain scalar code from the definition
    /// in the module's documentation: integers exact, so the two agree up
    /// to the f32 rounding of the last multiply-add.
    fn reference(w: &[f32], n: usize, k: usize, xs: &[f32], m: usize, bias: &[f32]) -> Vec<f32> {
        let quantize = |v: &[f32]| -> (f32, Vec<i32>) {
            let max = v.iter().fold(0f32, |a, x| a.max(x.abs()));
            let inverse = if max == 0.0 { 0.0 } else { 127.0 / max };
            (
                max / 127.0,
                v.iter()
                    .map(|x| (x * inverse).round_ties_even() as i32)
                    .collect(),
            )
        };
        let mut out = vec![0f32; m * n];
        for r in 0..m {
            let (t, a) = quantize(&xs[r * k..][..k]);
            for c in 0..n {
                let column = &w[c * k..][..k];
                let max = column.iter().fold(0f32, |acc, x| acc.max(x.abs()));
                let s = max / 127.0;
                let inverse = if s == 0.0 { 0.0 } else { 1.0 / s };
                let dot: i64 = column
                    .iter()
                    .zip(&a)
                    .map(|(w, a)| i64::from((w * inverse).round() as i8) * i64::from(*a))
                    .sum();
                out[r * n + c] = (dot as f64 * f64::from(t) * f64::from(s)) as f32 + bias[c];
            }
        }
        out
    }

    #[test]
    fn products_follow_the_definition_at_every_edge() {
        if !vnni_available() {
            eprintln!("skipped: no AVX-512 VNNI on this CPU");
            return;
        }
        // Row counts around the 8-row tile, column counts around the
        // 32-column panel and its 16-column halves.
        for (m, k, n) in [
            (1, 64, 16),
            (3, 128, 40),
            (8, 512, 64),
            (13, 1024, 97),
            (9, 36, 1),
        ] {
            let w = random(n * k, 7 + n as u64);
            let xs = random(m * k, 11 + m as u64);
            let bias = random(n, 5);
            let packed = ScaledInt8::new(&w, n, k).unwrap().unwrap();
            let ours = packed.product(&xs, m, Some(&bias));
            assert_eq!(ours.len(), m * n);
            let expected = reference(&w, n, k, &xs, m, &bias);
            for (i, (a, b)) in ours.iter().zip(&expected).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-5 * (1.0 + b.abs()),
                    "{m}x{k}x{n} at {i}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn int8_products_stay_close_to_f32() {
        if !vnni_available() {
            return;
        }
        let (m, k, n) = (4, 512, 48);
        let w = random(n * k, 3);
        let xs = random(m * k, 4);
        let packed = ScaledInt8::new(&w, n, k).unwrap().unwrap();
        let ours = packed.product(&xs, m, None);
        for r in 0..m {
            for c in 0..n {
                let exact: f32 = (0..k).map(|i| xs[r * k + i] * w[c * k + i]).sum();
                // Both factors rounded to within 1/254 of their range
                // (here 1): each term errs by about 0.002 (standard
                // deviation), a 512-term sum by about 0.05, against sums
                // of size 7; 0.25 is five deviations.
                assert!((ours[r * n + c] - exact).abs() < 0.25, "{r},{c}");
            }
        }
    }

    #[test]
    fn rows_are_the_dequantized_weight_rows() {
        if !vnni_available() {
            return;
        }
        let (n, k) = (40, 64);
        let w = random(n * k, 9);
        let packed = ScaledInt8::new(&w, n, k).unwrap().unwrap();
        let mut row = vec![0f32; k];
        for column in [0, 17, 39] {
            packed.row(column, &mut row);
            for (i, v) in row.iter().enumerate() {
                assert!((v - w[column * k + i]).abs() <= packed.scales[column] / 2.0 + 1e-7);
            }
        }
    }
}
