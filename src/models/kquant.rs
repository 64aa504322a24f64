//! Matrix products over ggml's k-quant weights, Q4_K and Q6_K, with
//! AVX-512 VNNI: almost all of a Q4_K_M file (every Qwen2.5 projection and
//! its output head, Gemma 3's 2,048-wide down projections).
//!
//! Why not candle's: candle 0.11 has a tiled kernel for these types, but
//! it keeps each weight twice (the file's blocks and, from the first
//! product on, its tiled copy: Qwen2.5-Coder-1.5B took 2.2–2.8 GB where
//! llama.cpp takes 1.8–1.9), and a generated token — one activation row —
//! read the weights at about 18 GB/s of the machine's 24–27, with the
//! 151,936-row Q6_K output head on an untiled dot product. Here a weight
//! is repacked once, at load, into tiles of 16 output columns × one
//! super-block of 256 inputs, holding the file's integers and scales
//! unchanged (the file's blocks are then dropped), and a product streams
//! each tile once for up to four activation rows.
//!
//! The arithmetic is ggml's: an activation row is quantized per 256
//! values as Q8_K (f32 scale `max / -127`, values rounded half to even,
//! sums kept per 16), each sub-block's integer dot product is multiplied
//! by the sub-block's integer scale and summed in i32 over the
//! super-block, and only then scaled in f32 by `d · d_x` (Q4_K also
//! subtracts `dmin · d_x · Σ m_j · Σ_{sub-block j} q_x`). `vpdpbusd`
//! multiplies unsigned by signed bytes: the weights' integers are stored
//! unsigned (Q4_K's 0–15; Q6_K's 0–63, whose `- 32` enters through the
//! activation sums), so the activations stay signed and need no offset.
//!
//! What it is not: other k-quants (Q2_K, Q3_K, Q5_K stay on candle), or a
//! kernel for CPUs without AVX-512 VNNI — [`PackedKQuant::from_qtensor`]
//! says `None` there and the caller keeps candle's product.

use super::vnni_available;
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::utils::barrier_pool;
use candle_core::{bail, Result, Tensor};
use half::f16;

/// Inputs per super-block (ggml's `QK_K`).
const SUPER: usize = 256;
/// Output columns per tile: one 512-bit vector of 32-bit sums.
const COLUMNS: usize = 16;
/// Activation rows one pass over a tile serves.
const ROWS: usize = 4;
/// Bytes of the packed values of one tile: two 4-bit values per byte
/// (Q6_K's low four bits; its high two bits follow separately).
const NIBBLE_BYTES: usize = SUPER / 2 * COLUMNS;

/// The two k-quant types read, with their tiles' layout.
///
/// Q4_K tile (2,368 bytes): per 32-value sub-block `j`, four vectors of
/// 16 columns × 4 bytes, vector `v` holding inputs `4v..4v + 4` in the low
/// nibbles and `4v + 16..4v + 20` in the high ones; then the 16 columns'
/// 6-bit scales per sub-block (8 × 16 bytes), their minimums likewise,
/// `d` and `dmin` (16 f16 each).
///
/// Q6_K tile (3,392 bytes): the low four bits as Q4_K's values, then per
/// 32 inputs two vectors of high bits (vector `h`, bits `2i..2i + 2` of a
/// byte: the value four bytes on in quad `4h + i`), the signed scales
/// per 16-value sub-block (16 × 16 bytes), `d` (16 f16), and 32 bytes of
/// padding so every tile starts on a cache line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Q4K,
    Q6K,
}

impl Kind {
    fn tile_bytes(self) -> usize {
        match self {
            Self::Q4K => NIBBLE_BYTES + 2 * 8 * COLUMNS + 2 * 2 * COLUMNS,
            Self::Q6K => NIBBLE_BYTES + SUPER / 4 * COLUMNS + 16 * COLUMNS + 2 * COLUMNS + 32,
        }
    }

    /// Bytes of one super-block in the file.
    fn block_bytes(self) -> usize {
        match self {
            Self::Q4K => 144,
            Self::Q6K => 210,
        }
    }
}

/// One super-block of a weight row as integers: `w_i = d · scale_{sub(i)}
/// · q_i - dmin · min_{sub(i)}` (Q4_K, sub-blocks of 32) or `d ·
/// scale_{sub(i)} · (q_i - 32)` (Q6_K, sub-blocks of 16).
struct SuperBlock {
    d: f16,
    dmin: f16,
    /// Q4_K: 8 scales, unsigned; Q6_K: 16, signed.
    scales: [i8; 16],
    mins: [u8; 8],
    /// Q4_K 0–15, Q6_K 0–63, in the row's input order.
    values: [u8; SUPER],
}

/// ggml's Q4_K block: `d`, `dmin` (f16), 12 bytes of packed 6-bit scales
/// and minimums, 128 bytes of nibbles (32 bytes per 64 inputs: low nibbles
/// the first 32, high the next).
fn q4k_block(bytes: &[u8]) -> SuperBlock {
    let d = f16::from_le_bytes([bytes[0], bytes[1]]);
    let dmin = f16::from_le_bytes([bytes[2], bytes[3]]);
    let packed = &bytes[4..16];
    let mut scales = [0i8; 16];
    let mut mins = [0u8; 8];
    for j in 0..8 {
        // ggml's get_scale_min_k4.
        let (scale, min) = if j < 4 {
            (packed[j] & 63, packed[j + 4] & 63)
        } else {
            (
                (packed[j + 4] & 0x0f) | ((packed[j - 4] >> 6) << 4),
                (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4),
            )
        };
        scales[j] = scale as i8;
        mins[j] = min;
    }
    let quants = &bytes[16..144];
    let mut values = [0u8; SUPER];
    for half in 0..4 {
        for l in 0..32 {
            let byte = quants[32 * half + l];
            values[64 * half + l] = byte & 0x0f;
            values[64 * half + 32 + l] = byte >> 4;
        }
    }
    SuperBlock {
        d,
        dmin,
        scales,
        mins,
        values,
    }
}

/// ggml's Q6_K block: 128 bytes of low nibbles, 64 of high bit pairs, 16
/// signed scales, `d` (f16).
fn q6k_block(bytes: &[u8]) -> SuperBlock {
    let (low, high) = (&bytes[..128], &bytes[128..192]);
    let mut scales = [0i8; 16];
    for (s, &b) in scales.iter_mut().zip(&bytes[192..208]) {
        *s = b as i8;
    }
    let d = f16::from_le_bytes([bytes[208], bytes[209]]);
    let mut values = [0u8; SUPER];
    for half in 0..2 {
        let (low, high) = (&low[64 * half..], &high[32 * half..]);
        let out = &mut values[128 * half..];
        for l in 0..32 {
            out[l] = (low[l] & 0x0f) | ((high[l] & 3) << 4);
            out[l + 32] = (low[l + 32] & 0x0f) | (((high[l] >> 2) & 3) << 4);
            out[l + 64] = (low[l] >> 4) | (((high[l] >> 4) & 3) << 4);
            out[l + 96] = (low[l + 32] >> 4) | (((high[l] >> 6) & 3) << 4);
        }
    }
    SuperBlock {
        d,
        dmin: f16::ZERO,
        scales,
        mins: [0; 8],
        values,
    }
}

/// A cache line, so tiles start on one.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u8; 64]);

/// A weight `[n, k]` (n outputs, k inputs) of Q4_K or Q6_K as tiles.
pub struct PackedKQuant {
    n: usize,
    k: usize,
    kind: Kind,
    tiles: Vec<Line>,
}

impl PackedKQuant {
    /// Repacks a Q4_K or Q6_K weight `[n, k]`; `None` for other types, or
    /// a CPU without AVX-512 VNNI.
    pub fn from_qtensor(weight: &QTensor) -> Result<Option<Self>> {
        super::pack_rows(weight)
    }
}

impl super::RowPacked for PackedKQuant {
    fn start(dtype: GgmlDType, n: usize, k: usize) -> Option<Self> {
        let kind = match dtype {
            GgmlDType::Q4K => Kind::Q4K,
            GgmlDType::Q6K => Kind::Q6K,
            _ => return None,
        };
        if !vnni_available() || !k.is_multiple_of(SUPER) {
            return None;
        }
        let lines = n.div_ceil(COLUMNS) * (k / SUPER) * kind.tile_bytes() / 64;
        Some(Self {
            n,
            k,
            kind,
            tiles: vec![Line([0; 64]); lines],
        })
    }

    fn place_row(&mut self, column: usize, bytes: &[u8]) {
        let read = match self.kind {
            Kind::Q4K => q4k_block,
            Kind::Q6K => q6k_block,
        };
        let (per_row, size, tile_bytes) = (
            self.k / SUPER,
            self.kind.block_bytes(),
            self.kind.tile_bytes(),
        );
        let (group, lane) = (column / COLUMNS, column % COLUMNS);
        let tiles: &mut [u8] = {
            let len = self.tiles.len() * 64;
            // SAFETY: `Line` is 64 plain bytes, so the lines are `len`
            // initialized bytes.
            unsafe { std::slice::from_raw_parts_mut(self.tiles.as_mut_ptr() as *mut u8, len) }
        };
        for (block, bytes) in bytes.chunks_exact(size).take(per_row).enumerate() {
            let tile = &mut tiles[(group * per_row + block) * tile_bytes..][..tile_bytes];
            place(self.kind, &read(bytes), lane, tile);
        }
    }
}

impl PackedKQuant {
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
        let mut out = Vec::<f32>::with_capacity(m * self.n);
        let out_ptr = out.as_mut_ptr() as usize;
        barrier_pool().execute_chunked(self.n.div_ceil(COLUMNS), |range| {
            for group in range {
                // SAFETY: checked at load (`vnni_available`); each group
                // writes only its own columns of `out` (`m × n` values
                // reserved above, which outlive `execute_chunked`).
                unsafe { self.group(group, &activations, out_ptr as *mut f32) }
            }
        });
        // SAFETY: the groups cover every column of every row.
        unsafe { out.set_len(m * self.n) };
        let mut shape = outer.to_vec();
        shape.push(self.n);
        Tensor::from_vec(out, shape, &candle_core::Device::Cpu)
    }

    /// One column group for every activation row, up to four rows per
    /// pass over its tiles.
    unsafe fn group(&self, group: usize, activations: &Activations, out: *mut f32) {
        let mut row = 0;
        while row < activations.rows {
            let rows = (activations.rows - row).min(ROWS);
            // A fixed row count lets the compiler keep every accumulator in
            // a register.
            match (self.kind, rows) {
                (Kind::Q4K, 1) => self.q4k_rows::<1>(group, row, activations, out),
                (Kind::Q4K, 2) => self.q4k_rows::<2>(group, row, activations, out),
                (Kind::Q4K, 3) => self.q4k_rows::<3>(group, row, activations, out),
                (Kind::Q4K, _) => self.q4k_rows::<4>(group, row, activations, out),
                (Kind::Q6K, 1) => self.q6k_rows::<1>(group, row, activations, out),
                (Kind::Q6K, 2) => self.q6k_rows::<2>(group, row, activations, out),
                (Kind::Q6K, 3) => self.q6k_rows::<3>(group, row, activations, out),
                (Kind::Q6K, _) => self.q6k_rows::<4>(group, row, activations, out),
            }
            row += rows;
        }
    }

    fn tiles(&self, group: usize) -> *const u8 {
        let per_row = self.k / SUPER;
        // SAFETY (of the offset): `group < n / 16` rounded up, and the
        // tiles hold `groups × per_row` tiles.
        unsafe { (self.tiles.as_ptr() as *const u8).add(group * per_row * self.kind.tile_bytes()) }
    }

    /// Writes the group's (up to) 16 columns of `R` rows.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    unsafe fn store<const R: usize>(
        &self,
        group: usize,
        row: usize,
        sums: [std::arch::x86_64::__m512; R],
        out: *mut f32,
    ) {
        use std::arch::x86_64::*;
        let width = (self.n - group * COLUMNS).min(COLUMNS);
        let mask: __mmask16 = if width == COLUMNS {
            0xffff
        } else {
            (1u16 << width) - 1
        };
        for (r, sum) in sums.iter().enumerate() {
            _mm512_mask_storeu_ps(out.add((row + r) * self.n + group * COLUMNS), mask, *sum);
        }
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    unsafe fn q4k_rows<const R: usize>(
        &self,
        group: usize,
        row: usize,
        activations: &Activations,
        out: *mut f32,
    ) {
        use std::arch::x86_64::*;
        let tile_bytes = self.kind.tile_bytes();
        let tiles = self.tiles(group);
        let values: [*const i8; R] = std::array::from_fn(|r| activations.row(row + r));
        let mut sums = [_mm512_setzero_ps(); R];
        for block in 0..self.k / SUPER {
            let tile = tiles.add(block * tile_bytes);
            let mut scaled = [_mm512_setzero_si512(); R];
            let mut minimums = [_mm512_setzero_si512(); R];
            for sub in 0..8 {
                prefetch_ahead(tile, tile_bytes, sub);
                let quads = nibble_quads(tile.add(sub * 4 * 64));
                let scale = _mm512_cvtepu8_epi32(_mm_loadu_si128(
                    tile.add(NIBBLE_BYTES + sub * COLUMNS) as *const _,
                ));
                let min = _mm512_cvtepu8_epi32(_mm_loadu_si128(
                    tile.add(NIBBLE_BYTES + 8 * COLUMNS + sub * COLUMNS) as *const _,
                ));
                for r in 0..R {
                    let x = values[r].add(block * SUPER + sub * 32);
                    let mut dot = _mm512_setzero_si512();
                    for (q, &w) in quads.iter().enumerate() {
                        let a = (x.add(q * 4) as *const i32).read_unaligned();
                        dot = _mm512_dpbusd_epi32(dot, w, _mm512_set1_epi32(a));
                    }
                    scaled[r] = _mm512_add_epi32(scaled[r], _mm512_mullo_epi32(dot, scale));
                    let x_sum = activations.sum(row + r, block * 16 + sub * 2, 2);
                    minimums[r] = _mm512_add_epi32(
                        minimums[r],
                        _mm512_mullo_epi32(min, _mm512_set1_epi32(x_sum)),
                    );
                }
            }
            let scales = tile.add(NIBBLE_BYTES + 16 * COLUMNS);
            let d = _mm512_cvtph_ps(_mm256_loadu_si256(scales as *const _));
            let dmin = _mm512_cvtph_ps(_mm256_loadu_si256(scales.add(32) as *const _));
            for r in 0..R {
                let dx = _mm512_set1_ps(activations.scale(row + r, block));
                sums[r] =
                    _mm512_fmadd_ps(_mm512_cvtepi32_ps(scaled[r]), _mm512_mul_ps(d, dx), sums[r]);
                sums[r] = _mm512_fnmadd_ps(
                    _mm512_cvtepi32_ps(minimums[r]),
                    _mm512_mul_ps(dmin, dx),
                    sums[r],
                );
            }
        }
        self.store(group, row, sums, out);
    }

    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    unsafe fn q6k_rows<const R: usize>(
        &self,
        group: usize,
        row: usize,
        activations: &Activations,
        out: *mut f32,
    ) {
        use std::arch::x86_64::*;
        let tile_bytes = self.kind.tile_bytes();
        let tiles = self.tiles(group);
        let high_pair = _mm512_set1_epi8(0x30);
        let values: [*const i8; R] = std::array::from_fn(|r| activations.row(row + r));
        let mut sums = [_mm512_setzero_ps(); R];
        for block in 0..self.k / SUPER {
            let tile = tiles.add(block * tile_bytes);
            let mut scaled = [_mm512_setzero_si512(); R];
            for pair in 0..8 {
                prefetch_ahead(tile, tile_bytes, pair);
                let packed = tile.add(pair * 4 * 64);
                let high = tile.add(NIBBLE_BYTES + pair * 2 * 64);
                let highs = [
                    _mm512_load_si512(high as *const _),
                    _mm512_load_si512(high.add(64) as *const _),
                ];
                let mut quads = nibble_quads(packed);
                for (q, quad) in quads.iter_mut().enumerate() {
                    // Bits 2i..2i + 2 of the high vector to bits 4..6.
                    let h = highs[q / 4];
                    let shifted = match q % 4 {
                        0 => _mm512_slli_epi16::<4>(h),
                        1 => _mm512_slli_epi16::<2>(h),
                        2 => h,
                        _ => _mm512_srli_epi16::<2>(h),
                    };
                    *quad = _mm512_or_si512(*quad, _mm512_and_si512(shifted, high_pair));
                }
                for half in 0..2 {
                    let sub = pair * 2 + half;
                    let scale = _mm512_cvtepi8_epi32(_mm_loadu_si128(
                        tile.add(NIBBLE_BYTES + 8 * 2 * 64 + sub * COLUMNS) as *const _,
                    ));
                    for r in 0..R {
                        let x = values[r].add(block * SUPER + sub * 16);
                        // The stored values are q + 32.
                        let offset = -32 * activations.sum(row + r, block * 16 + sub, 1);
                        let mut dot = _mm512_set1_epi32(offset);
                        for q in 0..4 {
                            let a = (x.add(q * 4) as *const i32).read_unaligned();
                            dot =
                                _mm512_dpbusd_epi32(dot, quads[half * 4 + q], _mm512_set1_epi32(a));
                        }
                        scaled[r] = _mm512_add_epi32(scaled[r], _mm512_mullo_epi32(dot, scale));
                    }
                }
            }
            let d = _mm512_cvtph_ps(_mm256_loadu_si256(
                tile.add(NIBBLE_BYTES + 8 * 2 * 64 + 16 * COLUMNS) as *const _,
            ));
            for r in 0..R {
                let dx = _mm512_set1_ps(activations.scale(row + r, block));
                sums[r] =
                    _mm512_fmadd_ps(_mm512_cvtepi32_ps(scaled[r]), _mm512_mul_ps(d, dx), sums[r]);
            }
        }
        self.store(group, row, sums, out);
    }
}

/// Tiles ahead of the one being read that `prefetch_ahead` asks for.
const PREFETCH_TILES: usize = 2;

/// Asks for an eighth (`step`) of the tile `PREFETCH_TILES` on.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn prefetch_ahead(tile: *const u8, tile_bytes: usize, step: usize) {
    use std::arch::x86_64::*;
    let lines = tile_bytes / 64;
    let per_step = lines.div_ceil(8);
    let ahead = tile.wrapping_add(PREFETCH_TILES * tile_bytes);
    for line in step * per_step..((step + 1) * per_step).min(lines) {
        _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add(line * 64) as *const i8);
    }
}

/// The eight quads of a 32-input part of a tile (four vectors, low
/// nibbles quads 0–3, high nibbles 4–7), as bytes 0–15.
#[inline]
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn nibble_quads(packed: *const u8) -> [std::arch::x86_64::__m512i; 8] {
    use std::arch::x86_64::*;
    let low_nibbles = _mm512_set1_epi8(0x0f);
    let mut quads = [_mm512_setzero_si512(); 8];
    for v in 0..4 {
        let both = _mm512_load_si512(packed.add(v * 64) as *const _);
        quads[v] = _mm512_and_si512(both, low_nibbles);
        quads[v + 4] = _mm512_and_si512(_mm512_srli_epi16::<4>(both), low_nibbles);
    }
    quads
}

/// Writes one column's (`lane`'s) super-block into its tile (layouts at
/// [`Kind`]).
fn place(kind: Kind, block: &SuperBlock, lane: usize, tile: &mut [u8]) {
    // Value i of a 32-input part goes to quad i / 4 (vector quad % 4, low
    // nibble for quads 0–3, high for 4–7), byte i % 4 of the lane.
    for (i, &v) in block.values.iter().enumerate() {
        let (part, within) = (i / 32, i % 32);
        let (quad, byte) = (within / 4, within % 4);
        let at = part * 256 + (quad % 4) * 64 + lane * 4 + byte;
        tile[at] |= (v & 0x0f) << (4 * (quad / 4));
        if kind == Kind::Q6K {
            let at = NIBBLE_BYTES + part * 128 + (quad / 4) * 64 + lane * 4 + byte;
            tile[at] |= (v >> 4) << (2 * (quad % 4));
        }
    }
    match kind {
        Kind::Q4K => {
            for sub in 0..8 {
                tile[NIBBLE_BYTES + sub * COLUMNS + lane] = block.scales[sub] as u8;
                tile[NIBBLE_BYTES + 8 * COLUMNS + sub * COLUMNS + lane] = block.mins[sub];
            }
            let at = NIBBLE_BYTES + 16 * COLUMNS;
            tile[at + 2 * lane..][..2].copy_from_slice(&block.d.to_le_bytes());
            tile[at + 32 + 2 * lane..][..2].copy_from_slice(&block.dmin.to_le_bytes());
        }
        Kind::Q6K => {
            let scales = NIBBLE_BYTES + 8 * 2 * 64;
            for sub in 0..16 {
                tile[scales + sub * COLUMNS + lane] = block.scales[sub] as u8;
            }
            let at = scales + 16 * COLUMNS + 2 * lane;
            tile[at..][..2].copy_from_slice(&block.d.to_le_bytes());
        }
    }
}

/// Activation rows quantized as ggml's Q8_K: per 256 values an f32 scale
/// and signed bytes, and the bytes' sums per 16.
struct Activations {
    rows: usize,
    k: usize,
    values: Vec<i8>,
    scales: Vec<f32>,
    sums: Vec<i32>,
}

impl Activations {
    /// Rows shared among candle's workers (a prompt's rows are many).
    fn quantize(xs: &[f32], rows: usize, k: usize) -> Self {
        let mut values = vec![0i8; rows * k];
        let mut scales = vec![0f32; rows * k / SUPER];
        let mut sums = vec![0i32; rows * k / 16];
        let pointers = (
            values.as_mut_ptr() as usize,
            scales.as_mut_ptr() as usize,
            sums.as_mut_ptr() as usize,
        );
        let quantize_rows = |range: std::ops::Range<usize>| {
            for row in range {
                let (values, scales, sums) = pointers;
                // SAFETY: each row writes only its own part of the three
                // buffers (`k`, `k / 256` and `k / 16` values), which
                // outlive the workers.
                let (values, scales, sums) = unsafe {
                    (
                        std::slice::from_raw_parts_mut((values as *mut i8).add(row * k), k),
                        std::slice::from_raw_parts_mut(
                            (scales as *mut f32).add(row * k / SUPER),
                            k / SUPER,
                        ),
                        std::slice::from_raw_parts_mut(
                            (sums as *mut i32).add(row * k / 16),
                            k / 16,
                        ),
                    )
                };
                quantize_row(&xs[row * k..][..k], values, scales, sums);
            }
        };
        if rows == 1 {
            quantize_rows(0..1);
        } else {
            barrier_pool().execute_chunked(rows, quantize_rows);
        }
        Self {
            rows,
            k,
            values,
            scales,
            sums,
        }
    }

    fn row(&self, row: usize) -> *const i8 {
        self.values[row * self.k..][..self.k].as_ptr()
    }

    fn scale(&self, row: usize, block: usize) -> f32 {
        self.scales[row * (self.k / SUPER) + block]
    }

    /// The sum of `count` consecutive sixteens of `row`'s values, from
    /// sixteen `first`.
    fn sum(&self, row: usize, first: usize, count: usize) -> i32 {
        self.sums[row * (self.k / 16) + first..][..count]
            .iter()
            .sum()
    }
}

/// ggml's `quantize_row_q8_K`: per 256 values, the value of largest
/// magnitude `max` (the first of equals) sets `iscale = -127 / max`; each
/// value is `round_half_even(iscale · x)`, capped at 127, and the scale
/// kept is `1 / iscale`.
fn quantize_row(xs: &[f32], values: &mut [i8], scales: &mut [f32], sums: &mut [i32]) {
    for (((xs, values), scale), sums) in xs
        .chunks_exact(SUPER)
        .zip(values.chunks_exact_mut(SUPER))
        .zip(scales.iter_mut())
        .zip(sums.chunks_exact_mut(16))
    {
        let (mut max, mut magnitude) = (0f32, 0f32);
        for &x in xs {
            if magnitude < x.abs() {
                (magnitude, max) = (x.abs(), x);
            }
        }
        if magnitude == 0.0 {
            values.fill(0);
            sums.fill(0);
            *scale = 0.0;
            continue;
        }
        let inverse = -127.0 / max;
        for (x, q) in xs.iter().zip(values.iter_mut()) {
            *q = (inverse * x).round_ties_even().min(127.0) as i8;
        }
        for (sum, sixteen) in sums.iter_mut().zip(values.chunks_exact(16)) {
            *sum = sixteen.iter().map(|&q| i32::from(q)).sum();
        }
        *scale = 1.0 / inverse;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::test_values::random;
    use candle_core::quantized::QMatMul;
    use candle_core::{Device, Module};

    fn quantized(n: usize, k: usize, dtype: GgmlDType, seed: u64) -> QTensor {
        let weight = Tensor::from_vec(random(n * k, seed), (n, k), &Device::Cpu).unwrap();
        QTensor::quantize(&weight, dtype).unwrap()
    }

    fn floats(t: Tensor) -> Vec<f32> {
        t.flatten_all().unwrap().to_vec1().unwrap()
    }

    /// The integers read from a block, put back through ggml's
    /// dequantization formula, give candle's dequantized weights exactly.
    #[test]
    fn blocks_decode_to_the_files_integers() {
        let (n, k) = (3, 512);
        for (dtype, read, size) in [
            (GgmlDType::Q4K, q4k_block as fn(&[u8]) -> SuperBlock, 144),
            (GgmlDType::Q6K, q6k_block, 210),
        ] {
            let weight = quantized(n, k, dtype, 5);
            let expected = floats(weight.dequantize(&Device::Cpu).unwrap());
            let data = weight.data().unwrap();
            let mut ours = Vec::new();
            for block in data.chunks_exact(size) {
                let b = read(block);
                for (i, &q) in b.values.iter().enumerate() {
                    ours.push(if dtype == GgmlDType::Q4K {
                        let (sub, d) = (i / 32, b.d.to_f32());
                        d * f32::from(b.scales[sub] as u8) * f32::from(q)
                            - b.dmin.to_f32() * f32::from(b.mins[sub])
                    } else {
                        b.d.to_f32() * f32::from(b.scales[i / 16]) * f32::from(i16::from(q) - 32)
                    });
                }
            }
            let worst = ours
                .iter()
                .zip(&expected)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max);
            assert!(worst < 1e-6, "{dtype:?}: {worst}");
            assert_eq!(ours.len(), n * k);
        }
    }

    /// ggml's `vec_dot_q4_K_q8_K` / `vec_dot_q6_K_q8_K` written out in
    /// scalar code from the file's blocks and the Q8_K activations.
    fn ggml_product(weight: &QTensor, xs: &[f32], m: usize) -> Vec<f64> {
        let (n, k) = weight.shape().dims2().unwrap();
        let (read, size): (fn(&[u8]) -> SuperBlock, usize) = match weight.dtype() {
            GgmlDType::Q4K => (q4k_block, 144),
            _ => (q6k_block, 210),
        };
        let q4k = weight.dtype() == GgmlDType::Q4K;
        let data = weight.data().unwrap();
        let activations = Activations::quantize(xs, m, k);
        let mut out = vec![0f64; m * n];
        for r in 0..m {
            for c in 0..n {
                let mut total = 0f64;
                for b in 0..k / SUPER {
                    let w = read(&data[(c * k / SUPER + b) * size..][..size]);
                    let x = &activations.values[r * k + b * SUPER..][..SUPER];
                    let (mut sumi, mut mins) = (0i64, 0i64);
                    for (i, (&q, &a)) in w.values.iter().zip(x).enumerate() {
                        let (q, a) = (i64::from(q), i64::from(a));
                        if q4k {
                            sumi += i64::from(w.scales[i / 32] as u8) * q * a;
                            mins += i64::from(w.mins[i / 32]) * a;
                        } else {
                            sumi += i64::from(w.scales[i / 16]) * (q - 32) * a;
                        }
                    }
                    let dx = f64::from(activations.scale(r, b));
                    total += f64::from(w.d.to_f32()) * dx * sumi as f64
                        - f64::from(w.dmin.to_f32()) * dx * mins as f64;
                }
                out[r * n + c] = total;
            }
        }
        out
    }

    #[test]
    fn products_follow_ggml_at_every_row_count_and_edge() {
        if !vnni_available() {
            eprintln!("skipped: no AVX-512 VNNI on this CPU");
            return;
        }
        for dtype in [GgmlDType::Q4K, GgmlDType::Q6K] {
            for (m, k, n) in [
                (1, 256, 16),
                (2, 512, 40),
                (3, 256, 7),
                (4, 768, 33),
                (9, 512, 64),
            ] {
                let weight = quantized(n, k, dtype, 3 + n as u64);
                let packed = PackedKQuant::from_qtensor(&weight).unwrap().unwrap();
                let xs = random(m * k, 17 + m as u64);
                let ours = floats(
                    packed
                        .forward(&Tensor::from_vec(xs.clone(), (m, k), &Device::Cpu).unwrap())
                        .unwrap(),
                );
                let expected = ggml_product(&weight, &xs, m);
                assert_eq!(ours.len(), expected.len());
                for (i, (&got, &want)) in ours.iter().zip(&expected).enumerate() {
                    assert!(
                        (f64::from(got) - want).abs() < 1e-4 * (1.0 + want.abs()),
                        "{dtype:?} {m}x{k}x{n} at {i}: {got} vs {want}"
                    );
                }
            }
        }
    }

    /// Candle's product on the same weight rounds activations half away
    /// from zero where ggml rounds half to even; otherwise the same
    /// arithmetic.
    #[test]
    fn products_agree_with_candles() {
        if !vnni_available() {
            return;
        }
        for dtype in [GgmlDType::Q4K, GgmlDType::Q6K] {
            let (m, k, n) = (5, 1536, 48);
            let weight = quantized(n, k, dtype, 23);
            let packed = PackedKQuant::from_qtensor(&weight).unwrap().unwrap();
            let xs = Tensor::from_vec(random(m * k, 29), (1, m, k), &Device::Cpu).unwrap();
            let ours = floats(packed.forward(&xs).unwrap());
            let theirs = floats(QMatMul::from_qtensor(weight).unwrap().forward(&xs).unwrap());
            let worst = ours
                .iter()
                .zip(&theirs)
                .map(|(a, b)| (a - b).abs() / (1.0 + b.abs()))
                .fold(0f32, f32::max);
            assert!(worst < 1e-3, "{dtype:?}: {worst}");
        }
    }

    #[test]
    fn activations_round_half_to_even_as_ggml() {
        // max 127 → iscale -1: 2.5 → -2.5 → -2 (half to even), -0.5 → 0.
        let mut xs = vec![0f32; SUPER];
        xs[0] = 127.0;
        xs[1] = 2.5;
        xs[2] = -0.5;
        xs[3] = 3.5;
        let a = Activations::quantize(&xs, 1, SUPER);
        assert_eq!(&a.values[..4], &[-127, -2, 0, -4]);
        assert_eq!(a.scale(0, 0), -1.0);
        assert_eq!(a.sum(0, 0, 1), -133);
    }

    #[test]
    fn other_types_and_widths_are_declined() {
        let q8 = quantized(16, 256, GgmlDType::Q8_0, 1);
        assert!(PackedKQuant::from_qtensor(&q8).unwrap().is_none());
    }
}
