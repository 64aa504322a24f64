//! Attention of a call's queries over the key/value cache, for the GGUF
//! language models (`gemma3`, `llama`): causal, optionally within a
//! sliding window, query heads grouped over shared key/value heads.
//!
//! Two routes, chosen by the number of query positions:
//! - **A few positions** (a generated token): our own loop. Candle's
//!   matrix product packed the whole transposed key cache for every call
//!   — at 512 cached positions that was a tenth of a Gemma 3 step, with
//!   the other core idle. Here each key/value head's cache is split into
//!   chunks of positions that the workers take in turn; every chunk is
//!   read once for all the query heads that share it, and the chunks'
//!   partial softmaxes (maximum, sum, weighted values) are merged after.
//! - **A prompt**: candle's products, one block of query positions at a
//!   time, each against only the keys it may see. The full `[heads,
//!   positions, positions]` score matrices (200 MB a layer for Qwen2.5 at
//!   2,048 prompt tokens) are never built, and keys after a block's last
//!   position are never multiplied.
//!
//! What it is not: the cache (`layers::KvCache`) or the rotary embedding;
//! queries and keys arrive rotated.

use super::dot;
use candle_core::utils::barrier_pool;
use candle_core::{bail, DType, Device, Result, Storage, Tensor};

/// Query positions up to which a call takes the chunked loop.
const FEW_QUERIES: usize = 4;
/// Query positions per block of a prompt.
const QUERY_BLOCK: usize = 128;
/// Cached positions per chunk of the chunked loop.
const KEY_CHUNK: usize = 256;

/// Which keys query position `p` sees: `0..=p`, and within a sliding
/// `window` only the `window` positions ending at `p` (llama.cpp masks a
/// key when `p - key >= window`).
fn visible(position: usize, window: Option<usize>) -> std::ops::Range<usize> {
    let first = window.map_or(0, |w| (position + 1).saturating_sub(w));
    first..position + 1
}

/// The causal mask of query positions `first_query..first_query + len`
/// over key positions `first_key..first_key + keys`, additive: 0 where
/// visible, -inf elsewhere.
fn causal_mask(
    first_query: usize,
    len: usize,
    first_key: usize,
    keys: usize,
    window: Option<usize>,
    device: &Device,
) -> Result<Tensor> {
    let mask: Vec<f32> = (first_query..first_query + len)
        .flat_map(|query| {
            let seen = visible(query, window);
            (first_key..first_key + keys).map(move |key| {
                if seen.contains(&key) {
                    0.
                } else {
                    f32::NEG_INFINITY
                }
            })
        })
        .collect();
    Tensor::from_vec(mask, (len, keys), device)
}

/// Attention of `q` (`[b, heads, s, d]`, rotated; its first position is
/// `first_query`) over the cached keys and values (`[b, kv_heads, t, d]`,
/// positions `0..t`, `t = first_query + s`): `[b, s, heads × d]`.
pub(super) fn attend(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    first_query: usize,
    window: Option<usize>,
) -> Result<Tensor> {
    let (_, heads, seq_len, _) = q.dims4()?;
    let (_, kv_heads, positions, _) = k.dims4()?;
    if kv_heads == 0 || !heads.is_multiple_of(kv_heads) {
        bail!("{heads} attention heads cannot share {kv_heads} key/value heads");
    }
    if positions != first_query + seq_len {
        bail!(
            "{positions} cached positions for queries at {first_query}..{}",
            first_query + seq_len
        );
    }
    let call = Call {
        q,
        k,
        v,
        first_query,
        window,
    };
    if seq_len <= FEW_QUERIES && q.dtype() == DType::F32 && q.device().is_cpu() {
        call.chunked()
    } else {
        call.blocked()
    }
}

/// One call's queries, the cache and the visibility rule.
struct Call<'a> {
    q: &'a Tensor,
    k: &'a Tensor,
    v: &'a Tensor,
    first_query: usize,
    window: Option<usize>,
}

/// The prompt route: candle's products per block of query positions.
impl Call<'_> {
    fn blocked(&self) -> Result<Tensor> {
        let Self {
            q,
            k,
            v,
            first_query,
            window,
        } = *self;
        let (batch, heads, seq_len, head_dim) = q.dims4()?;
        let kv_heads = k.dim(1)?;
        let group = heads / kv_heads;
        let scale = 1.0 / (head_dim as f64).sqrt();
        let mut blocks = Vec::with_capacity(seq_len.div_ceil(QUERY_BLOCK));
        for start in (0..seq_len).step_by(QUERY_BLOCK) {
            let len = QUERY_BLOCK.min(seq_len - start);
            let (first, last) = (first_query + start, first_query + start + len - 1);
            let keys = visible(first, window).start..last + 1;
            // The query heads that share a key/value head attend as one
            // matrix of `group × len` rows, so keys and values are read in
            // place, never repeated per query head.
            let q = q.narrow(2, start, len)?.contiguous()?.reshape((
                batch,
                kv_heads,
                group * len,
                head_dim,
            ))?;
            let k = k.narrow(2, keys.start, keys.len())?;
            let v = v.narrow(2, keys.start, keys.len())?;
            let mask = causal_mask(first, len, keys.start, keys.len(), window, q.device())?;
            let scores = ((q.matmul(&k.transpose(2, 3)?)? * scale)?
                .reshape((batch, heads, len, keys.len()))?
                .broadcast_add(&mask))?
            .reshape((batch, kv_heads, group * len, keys.len()))?;
            let weights = candle_nn::ops::softmax_last_dim(&scores)?;
            blocks.push(weights.matmul(&v)?.reshape((batch, heads, len, head_dim))?);
        }
        Tensor::cat(&blocks, 2)?
            .transpose(1, 2)?
            .reshape((batch, seq_len, heads * head_dim))
    }

    /// The few-queries route: key chunks shared among candle's workers,
    /// partial softmaxes merged per query row.
    fn chunked(&self) -> Result<Tensor> {
        let Self {
            q,
            k,
            v,
            first_query,
            window,
        } = *self;
        let (batch, heads, seq_len, d) = q.dims4()?;
        let (kv_heads, positions) = (k.dim(1)?, k.dim(2)?);
        let group = heads / kv_heads;
        let scale = 1.0 / (d as f64).sqrt();
        let scale = scale as f32;
        let queries = q.contiguous()?.flatten_all()?.to_vec1::<f32>()?;
        // Keys a query of this call may see: from the first one's window on.
        let keys = visible(first_query, window).start..positions;
        let chunks = keys.len().div_ceil(KEY_CHUNK);
        let tasks = batch * kv_heads * chunks;
        // Per task, per query position and head of its group: a partial.
        let rows_per_task = seq_len * group;
        let partials: Vec<std::sync::Mutex<Vec<Partial>>> = (0..tasks)
            .map(|_| std::sync::Mutex::new(Vec::new()))
            .collect();
        with_view(k, |keys_view| {
            with_view(v, |values_view| {
                barrier_pool().execute_chunked(tasks, |range| {
                    for task in range {
                        let (bk, chunk) = (task / chunks, task % chunks);
                        let (b, kv) = (bk / kv_heads, bk % kv_heads);
                        let start = keys.start + chunk * KEY_CHUNK;
                        let chunk_keys = start..(start + KEY_CHUNK).min(keys.end);
                        let mut out = Vec::with_capacity(rows_per_task);
                        let mut scores = Vec::with_capacity(chunk_keys.len());
                        for i in 0..seq_len {
                            let seen = visible(first_query + i, window);
                            let from = seen.start.max(chunk_keys.start);
                            let to = seen.end.min(chunk_keys.end);
                            for g in 0..group {
                                let head = kv * group + g;
                                let query = &queries[((b * heads + head) * seq_len + i) * d..][..d];
                                let mut partial = Partial {
                                    max: f32::NEG_INFINITY,
                                    sum: 0.0,
                                    weighted: vec![0.0; d],
                                };
                                if from < to {
                                    scores.clear();
                                    scores.extend((from..to).map(|key| {
                                        dot(query, keys_view.row(b, kv, key, d)) * scale
                                    }));
                                    partial.max = scores.iter().copied().fold(f32::MIN, f32::max);
                                    for (key, score) in (from..to).zip(&scores) {
                                        let weight = (score - partial.max).exp();
                                        partial.sum += weight;
                                        let value = values_view.row(b, kv, key, d);
                                        for (w, x) in partial.weighted.iter_mut().zip(value) {
                                            *w += weight * x;
                                        }
                                    }
                                }
                                out.push(partial);
                            }
                        }
                        *partials[task].lock().expect("no worker panicked") = out;
                    }
                });
                Ok(())
            })
        })?;
        // Merge the chunks' partials: `Σ e^(m_c - M) w_c / Σ e^(m_c - M) s_c`.
        let mut merged = vec![0f32; batch * seq_len * heads * d];
        let partials: Vec<Vec<Partial>> = partials
            .into_iter()
            .map(|p| p.into_inner().expect("no worker panicked"))
            .collect();
        for b in 0..batch {
            for kv in 0..kv_heads {
                let tasks = &partials[(b * kv_heads + kv) * chunks..][..chunks];
                for i in 0..seq_len {
                    for g in 0..group {
                        let row = i * group + g;
                        let max = tasks.iter().map(|t| t[row].max).fold(f32::MIN, f32::max);
                        let head = kv * group + g;
                        let out = &mut merged[((b * seq_len + i) * heads + head) * d..][..d];
                        let mut sum = 0f32;
                        for task in tasks {
                            let partial = &task[row];
                            if partial.sum == 0.0 {
                                continue;
                            }
                            let factor = (partial.max - max).exp();
                            sum += factor * partial.sum;
                            for (o, w) in out.iter_mut().zip(&partial.weighted) {
                                *o += factor * w;
                            }
                        }
                        for o in out.iter_mut() {
                            *o /= sum;
                        }
                    }
                }
            }
        }
        Tensor::from_vec(merged, (batch, seq_len, heads * d), q.device())
    }
}

/// An f32 CPU tensor's values and the strides to read them by.
struct View<'a> {
    values: &'a [f32],
    offset: usize,
    strides: [usize; 4],
}

impl View<'_> {
    /// Row `(b, head, position)`: `d` values.
    fn row(&self, b: usize, head: usize, position: usize, d: usize) -> &[f32] {
        let at =
            self.offset + b * self.strides[0] + head * self.strides[1] + position * self.strides[2];
        &self.values[at..at + d]
    }
}

/// Calls `read` with a view of `t`'s values (copied to a contiguous
/// tensor first if its rows are not contiguous).
fn with_view<R>(t: &Tensor, read: impl FnOnce(&View) -> Result<R>) -> Result<R> {
    let t = if t.stride()[3] == 1 {
        t.clone()
    } else {
        t.contiguous()?
    };
    let (storage, layout) = t.storage_and_layout();
    let Storage::Cpu(cpu) = &*storage else {
        bail!("the chunked attention reads CPU tensors");
    };
    let stride = layout.stride();
    read(&View {
        values: cpu.as_slice::<f32>()?,
        offset: layout.start_offset(),
        strides: [stride[0], stride[1], stride[2], stride[3]],
    })
}

/// One chunk's partial softmax for one query row: the largest score,
/// the sum of `exp(score - max)` and the values weighted by those.
struct Partial {
    max: f32,
    sum: f32,
    weighted: Vec<f32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::test_values::random;

    #[test]
    fn the_mask_matches_llama_cpps_for_a_fresh_prompt() {
        // llama.cpp: masked when j > i or i - j >= window.
        let mask = causal_mask(0, 5, 0, 5, Some(2), &Device::Cpu).unwrap();
        let rows: Vec<Vec<f32>> = mask.to_vec2().unwrap();
        for (i, row) in rows.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                let visible = j <= i && i - j < 2;
                assert_eq!(v == 0., visible, "{i} {j}");
            }
        }
    }

    #[test]
    fn a_continued_prompt_sees_the_cache_within_its_window() {
        let mask = causal_mask(3, 2, 0, 5, Some(2), &Device::Cpu).unwrap();
        let rows: Vec<Vec<f32>> = mask.to_vec2().unwrap();
        // Query positions 3 and 4 over keys 0..5.
        let visible = |row: &Vec<f32>| row.iter().map(|&v| v == 0.).collect::<Vec<_>>();
        assert_eq!(visible(&rows[0]), [false, false, true, true, false]);
        assert_eq!(visible(&rows[1]), [false, false, false, true, true]);
    }

    /// The textbook computation: every query head against its key/value
    /// head repeated, the full masked score matrix, softmax, values.
    fn reference(
        q: &Tensor,
        k: &Tensor,
        v: &Tensor,
        first: usize,
        window: Option<usize>,
    ) -> Tensor {
        let (b, heads, s, d) = q.dims4().unwrap();
        let (kv, t) = (k.dim(1).unwrap(), k.dim(2).unwrap());
        let repeat = |x: &Tensor| {
            Tensor::cat(&vec![x.unsqueeze(2).unwrap(); heads / kv], 2)
                .unwrap()
                .reshape((b, heads, t, d))
                .unwrap()
        };
        let (k, v) = (repeat(k), repeat(v));
        let mask = causal_mask(first, s, 0, t, window, &Device::Cpu).unwrap();
        let scores = (q.matmul(&k.t().unwrap()).unwrap() * (1.0 / (d as f64).sqrt()))
            .unwrap()
            .broadcast_add(&mask)
            .unwrap();
        candle_nn::ops::softmax_last_dim(&scores)
            .unwrap()
            .matmul(&v)
            .unwrap()
            .transpose(1, 2)
            .unwrap()
            .reshape((b, s, heads * d))
            .unwrap()
    }

    /// Both routes against the textbook, for a prompt that spans several
    /// query blocks and single steps deep enough for several key chunks,
    /// with and without a window, reading the cache through a view of a
    /// larger buffer as `KvCache` hands it out.
    #[test]
    fn both_routes_equal_the_full_computation() {
        let device = Device::Cpu;
        let (b, heads, kv, d) = (2, 6, 2, 20);
        for (first, s) in [(0, 300), (5, 3), (700, 1), (0, 1), (40, 4)] {
            for window in [None, Some(64)] {
                let t = first + s;
                let capacity = t + 7;
                let q = Tensor::from_vec(
                    random(b * heads * s * d, 1 + s as u64),
                    (b, heads, s, d),
                    &device,
                )
                .unwrap();
                let cache = |seed| {
                    Tensor::from_vec(
                        random(b * kv * capacity * d, seed),
                        (b, kv, capacity, d),
                        &device,
                    )
                    .unwrap()
                    .narrow(2, 0, t)
                    .unwrap()
                };
                let (k, v) = (cache(2), cache(3));
                let ours = attend(&q, &k, &v, first, window).unwrap();
                let theirs = reference(&q, &k, &v, first, window);
                let flat = |t: &Tensor| t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
                let (ours, theirs) = (flat(&ours), flat(&theirs));
                assert_eq!(ours.len(), theirs.len());
                for (a, b) in ours.iter().zip(&theirs) {
                    assert!((a - b).abs() < 1e-5, "{first}+{s} {window:?}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn uneven_heads_and_wrong_positions_are_refused() {
        let device = Device::Cpu;
        let q = Tensor::zeros((1, 5, 1, 4), DType::F32, &device).unwrap();
        let k = Tensor::zeros((1, 2, 3, 4), DType::F32, &device).unwrap();
        assert!(attend(&q, &k, &k, 2, None).is_err());
        let q = Tensor::zeros((1, 4, 1, 4), DType::F32, &device).unwrap();
        assert!(attend(&q, &k, &k, 5, None).is_err());
        assert!(attend(&q, &k, &k, 2, None).is_ok());
    }
}
