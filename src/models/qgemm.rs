//! Matrix products over 8-bit quantized weights with AVX-512 VNNI, for the
//! GGUF weights candle has no tiled kernel for.
//!
//! Why: candle 0.11's tiled x86 kernels take a weight only when its input
//! width is a multiple of 256 (k-quant super-blocks). Gemma 3 270M's
//! widths are 640, so its Q5_0 and Q8_0 projections (query, key, value,
//! gate, up) fall back to one dot product per (row, column) pair, which
//! decodes every weight block again for every prompt token: the prompt
//! ran at a quarter of llama.cpp's speed. Here such a weight is repacked
//! once, at load, into tiles of 16 output columns × 32 inputs of signed
//! bytes with one scale per tile row — exactly the integers and scales of
//! the file, so nothing is lost — and a product reuses each tile for four
//! activation rows.
//!
//! The arithmetic is ggml's for these types: each activation row is
//! quantized in blocks of 32 to Q8_0 (scale `max |x| / 127` rounded to
//! f16, values rounded half away from zero), each block's integer dot
//! product is exact, and the block's sum is scaled by both scales and
//! added in f32. `vpdpbusd` multiplies unsigned by signed bytes, so
//! activations are stored plus 128 and every block's sum starts at
//! `-128 × Σ weights` (Σ kept per tile), which cancels the offset exactly.
//! A packed weight takes 1.125 bytes per weight (Q8_0: 1.06, Q5_0: 0.69).
//!
//! Q4_1 (SmolLM2-135M's 576-wide weights) is kept in half a byte per
//! weight: its values are 0–15, so a tile stores two quads of inputs per
//! 64 bytes (low and high nibbles) and the kernel splits them with a mask
//! and a shift; 0.69 bytes per weight against the file's 0.63. Its blocks
//! also carry a minimum `m`: `w = d·q + m`, so each block adds
//! `m · s` with `s = d_x Σ q_x` of the activation block, as ggml's Q8_1
//! keeps it (`s` from the unrounded scale, stored as f16).
//!
//! What it is not: a general GEMM (f32 weights go through `gemm`, k-quants
//! through candle; only Q8_0, Q5_0 and Q4_1 are read), or a kernel for CPUs without AVX-512 VNNI —
//! [`PackedInt8::from_qtensor`] says `None` there and the caller keeps
//! candle's product.

use super::vnni_available;
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::utils::barrier_pool;
use candle_core::{bail, Result, Tensor};
use half::f16;

/// Inputs per block: ggml's Q8_0 and Q5_0 block size.
const BLOCK: usize = 32;
/// Output columns per tile: one 512-bit vector of 32-bit sums.
const COLUMNS: usize = 16;
/// Activation rows one pass over a tile serves.
const ROWS: usize = 4;
/// How far ahead of the tile being read the kernel asks for tiles.
const PREFETCH_BYTES: usize = 2048;

/// A weight `[n, k]` (n outputs, k inputs) as signed-byte tiles.
pub struct PackedInt8 {
    n: usize,
    k: usize,
    /// The file's type (Q8_0, Q5_0 or Q4_1).
    dtype: GgmlDType,
    /// Per column group, per block, per four inputs: 16 columns × 4 bytes;
    /// with `nibbles`, quads `q` and `q + 4` share the 64 bytes (low and
    /// high half of each byte).
    weights: Vec<i8>,
    nibbles: bool,
    /// Per column group and block: the 16 columns' minimums (Q4_1 only).
    mins: Option<Vec<f16>>,
    /// Per column group and block: the 16 columns' scales (the file's
    /// f16, kept as f16: a generated token reads every weight once, so
    /// bytes are time).
    scales: Vec<f16>,
    /// Per column group and block: `-Σ weights` of each column (times 128
    /// when used).
    sums: Vec<i16>,
}

impl PackedInt8 {
    /// Repacks a Q8_0, Q5_0 or Q4_1 weight `[n, k]`; `None` for other
    /// types, shapes, or a CPU without AVX-512 VNNI.
    pub fn from_qtensor(weight: &QTensor) -> Result<Option<Self>> {
        super::pack_rows(weight)
    }
}

impl super::RowPacked for PackedInt8 {
    fn start(dtype: GgmlDType, n: usize, k: usize) -> Option<Self> {
        if !vnni_available() || !k.is_multiple_of(BLOCK) {
            return None;
        }
        let nibbles = match dtype {
            GgmlDType::Q8_0 | GgmlDType::Q5_0 => false,
            GgmlDType::Q4_1 => true,
            _ => return None,
        };
        let tiles = n.div_ceil(COLUMNS) * (k / BLOCK);
        let tile_bytes = if nibbles { BLOCK / 2 } else { BLOCK } * COLUMNS;
        Some(Self {
            n,
            k,
            dtype,
            weights: vec![0i8; tiles * tile_bytes],
            nibbles,
            mins: nibbles.then(|| vec![f16::ZERO; tiles * COLUMNS]),
            scales: vec![f16::ZERO; tiles * COLUMNS],
            sums: vec![0i16; tiles * COLUMNS],
        })
    }

    /// Block by block from the file's bytes: a decoded copy of a whole
    /// table (Gemma's 178 MB token table) would only raise the peak.
    fn place_row(&mut self, column: usize, bytes: &[u8]) {
        let (size, read): (usize, BlockReader) = match self.dtype {
            GgmlDType::Q8_0 => (34, q8_0_block),
            GgmlDType::Q5_0 => (22, q5_0_block),
            _ => (20, q4_1_block),
        };
        let per_row = self.k / BLOCK;
        let tile_bytes = if self.nibbles { BLOCK / 2 } else { BLOCK } * COLUMNS;
        let (group, lane) = (column / COLUMNS, column % COLUMNS);
        for (block, bytes) in bytes.chunks_exact(size).take(per_row).enumerate() {
            let Block { scale, min, values } = read(bytes);
            let tile = group * per_row + block;
            self.scales[tile * COLUMNS + lane] = scale;
            if let Some(mins) = &mut self.mins {
                mins[tile * COLUMNS + lane] = min;
            }
            // |Σ| ≤ 32 × 128 fits an i16.
            self.sums[tile * COLUMNS + lane] = -values.iter().map(|&v| i16::from(v)).sum::<i16>();
            for (i, &v) in values.iter().enumerate() {
                let (quad, byte) = (i / 4, i % 4);
                if self.nibbles {
                    // Quad q in the low half of vector q % 4, quad q + 4 in
                    // its high half; values are 0–15.
                    let at = tile * tile_bytes + (quad % 4) * COLUMNS * 4 + lane * 4 + byte;
                    self.weights[at] |= ((v as u8) << (4 * (quad / 4))) as i8;
                } else {
                    self.weights[(tile * (BLOCK / 4) + quad) * COLUMNS * 4 + lane * 4 + byte] = v;
                }
            }
        }
    }
}

impl PackedInt8 {
    /// The integer at input `i` of `column` (as stored, before scale and
    /// minimum).
    fn value(&self, column: usize, i: usize) -> i8 {
        let per_row = self.k / BLOCK;
        let (group, lane) = (column / COLUMNS, column % COLUMNS);
        let tile = group * per_row + i / BLOCK;
        let (quad, byte) = ((i % BLOCK) / 4, i % 4);
        if self.nibbles {
            let at = tile * (BLOCK / 2) * COLUMNS + (quad % 4) * COLUMNS * 4 + lane * 4 + byte;
            ((self.weights[at] as u8 >> (4 * (quad / 4))) & 0x0f) as i8
        } else {
            self.weights[(tile * (BLOCK / 4) + quad) * COLUMNS * 4 + lane * 4 + byte]
        }
    }

    /// Rows of the weight as f32, `[ids.., k]`: a token-embedding lookup
    /// in a table whose rows are tokens (Gemma's, tied to its output
    /// head).
    pub fn rows(&self, ids: &Tensor) -> Result<Tensor> {
        let dims = ids.dims().to_vec();
        let ids = ids.flatten_all()?.to_vec1::<u32>()?;
        let per_row = self.k / BLOCK;
        let mut out = Vec::with_capacity(ids.len() * self.k);
        for id in ids {
            let column = id as usize;
            if column >= self.n {
                bail!("row {column} of a table of {}", self.n);
            }
            let (group, lane) = (column / COLUMNS, column % COLUMNS);
            for block in 0..per_row {
                let tile = group * per_row + block;
                let scale = self.scales[tile * COLUMNS + lane].to_f32();
                let min = self
                    .mins
                    .as_ref()
                    .map_or(0.0, |m| m[tile * COLUMNS + lane].to_f32());
                for i in 0..BLOCK {
                    let q = f32::from(self.value(column, block * BLOCK + i));
                    // ggml's dequantization: `d·q + m`, one rounding each.
                    out.push(if self.mins.is_some() {
                        q * scale + min
                    } else {
                        q * scale
                    });
                }
            }
        }
        let mut shape = dims;
        shape.push(self.k);
        Tensor::from_vec(out, shape, &candle_core::Device::Cpu)
    }

    /// `xs W^T` for `xs` `[.., k]` (f32 on the CPU): `[.., n]`.
    pub fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let dims = xs.dims().to_vec();
        let Some((&k, outer)) = dims.split_last() else {
            bail!("a matrix product needs at least one dimension");
        };
        if k != self.k {
            bail!("input width {k}, weight takes {}", self.k);
        }
        let m: usize = outer.iter().product();
        let xs = xs.flatten_all()?.to_vec1::<f32>()?;
        let activations = Activations::quantize(&xs, m, k);
        let mut out = vec![0f32; m * self.n];
        self.product(&activations, &mut out);
        let mut shape = outer.to_vec();
        shape.push(self.n);
        Tensor::from_vec(out, shape, &candle_core::Device::Cpu)
    }

    /// Fills `out` (`[m, n]`), column groups shared among candle's workers.
    fn product(&self, activations: &Activations, out: &mut [f32]) {
        let groups = self.n.div_ceil(COLUMNS);
        let out_ptr = out.as_mut_ptr() as usize;
        barrier_pool().execute_chunked(groups, |range| {
            for group in range {
                // SAFETY: checked at load (`vnni_available`); each group
                // writes only its own columns of `out`, which outlives
                // `execute_chunked`.
                unsafe { self.group(group, activations, out_ptr as *mut f32) }
            }
        });
    }

    /// One column group for every activation row.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    unsafe fn group(&self, group: usize, activations: &Activations, out: *mut f32) {
        use std::arch::x86_64::*;
        let per_row = self.k / BLOCK;
        let width = (self.n - group * COLUMNS).min(COLUMNS);
        let mask: __mmask16 = if width == COLUMNS {
            0xffff
        } else {
            (1u16 << width) - 1
        };
        let tile_bytes = if self.nibbles { BLOCK / 2 } else { BLOCK } * COLUMNS;
        let tiles = self.weights.as_ptr().add(group * per_row * tile_bytes);
        let scales = self.scales.as_ptr().add(group * per_row * COLUMNS);
        let mins = self
            .mins
            .as_ref()
            .map(|m| m.as_ptr().add(group * per_row * COLUMNS));
        let low_nibbles = _mm512_set1_epi8(0x0f);
        let weight_sums = self.sums.as_ptr().add(group * per_row * COLUMNS);
        let m = activations.rows;
        let mut row = 0;
        while row < m {
            let rows = (m - row).min(ROWS);
            let row_values: [*const u8; ROWS] =
                std::array::from_fn(|r| activations.row(row + r.min(rows - 1)));
            let mut sums = [_mm512_setzero_ps(); ROWS];
            for block in 0..per_row {
                let weight_sum = _mm256_loadu_si256(weight_sums.add(block * COLUMNS) as *const _);
                let offset = _mm512_slli_epi32::<7>(_mm512_cvtepi16_epi32(weight_sum));
                let mut dots = [offset; ROWS];
                let tile = tiles.add(block * tile_bytes);
                // The tiles a few blocks on (2 KB of Q8_0): one activation
                // row's product is bound by memory, and asking ahead is
                // worth 10–20% there (measured on kquant's tiles).
                let ahead = tile.wrapping_add(PREFETCH_BYTES);
                for line in (0..tile_bytes).step_by(64) {
                    _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add(line));
                }
                let mut quads = [_mm512_setzero_si512(); BLOCK / 4];
                if self.nibbles {
                    for v in 0..4 {
                        let both = _mm512_loadu_si512(tile.add(v * COLUMNS * 4) as *const _);
                        quads[v] = _mm512_and_si512(both, low_nibbles);
                        quads[v + 4] = _mm512_and_si512(_mm512_srli_epi16::<4>(both), low_nibbles);
                    }
                } else {
                    for (quad, w) in quads.iter_mut().enumerate() {
                        *w = _mm512_loadu_si512(tile.add(quad * COLUMNS * 4) as *const _);
                    }
                }
                for (quad, &w) in quads.iter().enumerate() {
                    let at = block * BLOCK + quad * 4;
                    for (dot, values) in dots.iter_mut().zip(row_values).take(rows) {
                        let a = (values.add(at) as *const i32).read_unaligned();
                        *dot = _mm512_dpbusd_epi32(*dot, _mm512_set1_epi32(a), w);
                    }
                }
                let weight_scale =
                    _mm512_cvtph_ps(_mm256_loadu_si256(scales.add(block * COLUMNS) as *const _));
                let weight_min = mins.map(|m| {
                    _mm512_cvtph_ps(_mm256_loadu_si256(m.add(block * COLUMNS) as *const _))
                });
                for (r, (sum, dot)) in sums.iter_mut().zip(dots).enumerate().take(rows) {
                    let scale = _mm512_mul_ps(
                        weight_scale,
                        _mm512_set1_ps(activations.scale(row + r, block)),
                    );
                    *sum = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), scale, *sum);
                    if let Some(weight_min) = weight_min {
                        let total = _mm512_set1_ps(activations.scaled_sum(row + r, block));
                        *sum = _mm512_fmadd_ps(weight_min, total, *sum);
                    }
                }
            }
            for (r, sum) in sums.iter().enumerate().take(rows) {
                let dst = out.add((row + r) * self.n + group * COLUMNS);
                _mm512_mask_storeu_ps(dst, mask, *sum);
            }
            row += rows;
        }
    }
}

/// Activation rows quantized as ggml's Q8_0, stored plus 128, with each
/// block's `d Σ q` rounded to f16 (ggml's Q8_1 `s`, which Q4_1's minimums
/// multiply).
struct Activations {
    rows: usize,
    k: usize,
    values: Vec<u8>,
    scales: Vec<f32>,
    scaled_sums: Vec<f32>,
}

impl Activations {
    fn quantize(xs: &[f32], rows: usize, k: usize) -> Self {
        let mut values = vec![0u8; rows * k];
        let mut scales = vec![0f32; rows * k / BLOCK];
        let mut scaled_sums = vec![0f32; rows * k / BLOCK];
        for (b, (block, out)) in xs
            .chunks_exact(BLOCK)
            .zip(values.chunks_exact_mut(BLOCK))
            .enumerate()
        {
            let max = block.iter().fold(0f32, |m, x| m.max(x.abs()));
            let scale = max / 127.0;
            let inverse = if scale == 0.0 { 0.0 } else { 1.0 / scale };
            let mut total = 0i32;
            for (x, o) in block.iter().zip(out.iter_mut()) {
                let q = (x * inverse).round() as i32;
                total += q;
                *o = (q + 128) as u8;
            }
            // ggml keeps the scale as f16, and `s` from the f32 scale.
            scales[b] = f16::from_f32(scale).to_f32();
            scaled_sums[b] = f16::from_f32(total as f32 * scale).to_f32();
        }
        Self {
            rows,
            k,
            values,
            scales,
            scaled_sums,
        }
    }

    /// The first of `row`'s `k` bytes.
    fn row(&self, row: usize) -> *const u8 {
        self.values[row * self.k..][..self.k].as_ptr()
    }

    fn scale(&self, row: usize, block: usize) -> f32 {
        self.scales[row * (self.k / BLOCK) + block]
    }

    fn scaled_sum(&self, row: usize, block: usize) -> f32 {
        self.scaled_sums[row * (self.k / BLOCK) + block]
    }
}

/// One block of a weight row: `w = scale · values (+ min)`.
struct Block {
    scale: f16,
    /// Q4_1's minimum; zero for the symmetric types.
    min: f16,
    values: [i8; BLOCK],
}

/// Reads one block's bytes.
type BlockReader = fn(&[u8]) -> Block;

/// ggml's `block_q8_0`: an f16 scale, then 32 signed bytes.
fn q8_0_block(bytes: &[u8]) -> Block {
    let scale = f16::from_le_bytes([bytes[0], bytes[1]]);
    let mut values = [0i8; BLOCK];
    for (v, &b) in values.iter_mut().zip(&bytes[2..2 + BLOCK]) {
        *v = b as i8;
    }
    Block {
        scale,
        min: f16::ZERO,
        values,
    }
}

/// ggml's `block_q4_1`: f16 scale and minimum, then 16 bytes whose low
/// nibbles are values 0–15 and high nibbles values 16–31 (each 0–15).
fn q4_1_block(bytes: &[u8]) -> Block {
    let scale = f16::from_le_bytes([bytes[0], bytes[1]]);
    let min = f16::from_le_bytes([bytes[2], bytes[3]]);
    let mut values = [0i8; BLOCK];
    for (j, &b) in bytes[4..4 + BLOCK / 2].iter().enumerate() {
        values[j] = (b & 0x0f) as i8;
        values[j + BLOCK / 2] = (b >> 4) as i8;
    }
    Block { scale, min, values }
}

/// ggml's `block_q5_0`: an f16 scale, 32 high bits, then 16 bytes of low
/// nibbles (values 0–15 in the low nibbles, 16–31 in the high ones); each
/// value is `(low | high << 4) - 16`.
fn q5_0_block(bytes: &[u8]) -> Block {
    let scale = f16::from_le_bytes([bytes[0], bytes[1]]);
    let high = u32::from_le_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]);
    let nibbles = &bytes[6..6 + BLOCK / 2];
    let mut values = [0i8; BLOCK];
    for j in 0..BLOCK / 2 {
        let low0 = nibbles[j] & 0x0f;
        let low1 = nibbles[j] >> 4;
        let high0 = ((high >> j) & 1) as u8;
        let high1 = ((high >> (j + 16)) & 1) as u8;
        values[j] = (low0 | (high0 << 4)) as i8 - 16;
        values[j + BLOCK / 2] = (low1 | (high1 << 4)) as i8 - 16;
    }
    Block {
        scale,
        min: f16::ZERO,
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::test_values::random;
    use candle_core::quantized::QMatMul;
    use candle_core::{Device, Module};

    /// The same integers and scales as ggml's: the product agrees with
    /// candle's on the same quantized weight up to f32 summation order.
    #[test]
    fn products_match_candles_for_q8_0_and_q5_0() {
        if !vnni_available() {
            eprintln!("skipped: no AVX-512 VNNI on this CPU");
            return;
        }
        for dtype in [GgmlDType::Q8_0, GgmlDType::Q5_0] {
            for (m, k, n) in [(1, 640, 256), (3, 640, 1040), (4, 64, 16), (37, 640, 2048)] {
                let weight =
                    Tensor::from_vec(random(n * k, 7 + n as u64), (n, k), &Device::Cpu).unwrap();
                let quantized = QTensor::quantize(&weight, dtype).unwrap();
                let packed = PackedInt8::from_qtensor(&quantized).unwrap().unwrap();
                let candle = QMatMul::from_qtensor(quantized).unwrap();
                let xs = Tensor::from_vec(random(m * k, 11 + m as u64), (1, m, k), &Device::Cpu)
                    .unwrap();
                let values =
                    |t: Tensor| -> Vec<f32> { t.flatten_all().unwrap().to_vec1().unwrap() };
                let ours = values(packed.forward(&xs).unwrap());
                let theirs = values(candle.forward(&xs).unwrap());
                assert_eq!(ours.len(), m * n);
                let worst = ours
                    .iter()
                    .zip(&theirs)
                    .map(|(a, b)| (a - b).abs() / (1.0 + b.abs()))
                    .fold(0f32, f32::max);
                assert!(worst < 1e-4, "{dtype:?} {m}x{k}x{n}: {worst}");
            }
        }
    }

    /// Q4_1 against ggml's `vec_dot_q4_1_q8_1` written out in scalar f64
    /// from the file's blocks. Not against candle's: candle rounds the
    /// activation block's `s` as `f16(Σq) · f16(d)`, ggml (and this
    /// kernel) as `f16(Σq · d)`, which moves products by up to 0.3%.
    #[test]
    fn q4_1_products_follow_ggml() {
        if !vnni_available() {
            return;
        }
        for (m, k, n) in [(1, 576, 64), (5, 576, 100), (9, 64, 16)] {
            let weight =
                Tensor::from_vec(random(n * k, 5 + n as u64), (n, k), &Device::Cpu).unwrap();
            let quantized = QTensor::quantize(&weight, GgmlDType::Q4_1).unwrap();
            let packed = PackedInt8::from_qtensor(&quantized).unwrap().unwrap();
            let xs = random(m * k, 13 + m as u64);
            let ours: Vec<f32> = packed
                .forward(&Tensor::from_vec(xs.clone(), (m, k), &Device::Cpu).unwrap())
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1()
                .unwrap();
            let data = quantized.data().unwrap();
            let per_row = k / BLOCK;
            for r in 0..m {
                for c in 0..n {
                    let mut expected = 0f64;
                    for b in 0..per_row {
                        let w = q4_1_block(&data[(c * per_row + b) * 20..][..20]);
                        let x = &xs[r * k + b * BLOCK..][..BLOCK];
                        // ggml's quantize_row_q8_1.
                        let d = x.iter().fold(0f32, |a, v| a.max(v.abs())) / 127.0;
                        let inverse = if d == 0.0 { 0.0 } else { 1.0 / d };
                        let q: Vec<i32> = x.iter().map(|v| (v * inverse).round() as i32).collect();
                        let s = f16::from_f32(q.iter().sum::<i32>() as f32 * d).to_f32();
                        let dot: i32 = q.iter().zip(w.values).map(|(a, b)| a * i32::from(b)).sum();
                        expected += f64::from(w.scale.to_f32() * f16::from_f32(d).to_f32())
                            * f64::from(dot)
                            + f64::from(w.min.to_f32() * s);
                    }
                    let got = ours[r * n + c];
                    assert!(
                        (f64::from(got) - expected).abs() < 1e-4 * (1.0 + expected.abs()),
                        "{m}x{k}x{n} at {r},{c}: {got} vs {expected}"
                    );
                }
            }
        }
    }

    #[test]
    fn rows_are_the_dequantized_weight_rows() {
        if !vnni_available() {
            return;
        }
        let (n, k) = (40, 64);
        let weight = Tensor::from_vec(random(n * k, 3), (n, k), &Device::Cpu).unwrap();
        for dtype in [GgmlDType::Q8_0, GgmlDType::Q5_0, GgmlDType::Q4_1] {
            let quantized = QTensor::quantize(&weight, dtype).unwrap();
            let packed = PackedInt8::from_qtensor(&quantized).unwrap().unwrap();
            let ids = Tensor::new(&[[0u32, 17, 39]], &Device::Cpu).unwrap();
            let ours: Vec<f32> = packed
                .rows(&ids)
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1()
                .unwrap();
            let theirs: Vec<f32> = quantized
                .embedding(&ids)
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1()
                .unwrap();
            assert_eq!(ours, theirs, "{dtype:?}");
            assert!(packed
                .rows(&Tensor::new(&[40u32], &Device::Cpu).unwrap())
                .is_err());
        }
    }

    #[test]
    fn q5_0_blocks_decode_as_ggml_writes_them() {
        // Scale 1.0 (f16 0x3c00); value j has low nibble j % 16 and high
        // bit set for j ≥ 16, so the values are 0..31 - 16.
        let mut bytes = vec![0x00, 0x3c];
        bytes.extend_from_slice(&0xffff_0000u32.to_le_bytes());
        bytes.extend((0..16u8).map(|j| j | (j << 4)));
        let Block { scale, values, .. } = q5_0_block(&bytes);
        assert_eq!(scale.to_f32(), 1.0);
        let expected: Vec<i8> = (0..32).map(|j| j - 16).collect();
        assert_eq!(values.to_vec(), expected);
    }
}
