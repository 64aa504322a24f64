//! Choosing output tokens: greedy and beam search over the Marian decoder,
//! reproducing transformers' `generate()` for the settings opus-mt uses.
//!
//! The decoder is run one step at a time for all live rows of a batch
//! (sentences × beams); finished sentences are dropped from the batch so
//! their rows cost nothing. What it is not: the model (see
//! `crate::models::marian`) or tokenization.
//!
//! Logit processors, as transformers applies them for opus-mt's
//! generation config: `bad_words_ids` (the pad id) can never be chosen, and
//! at the last allowed position only `</s>` can (`forced_eos_token_id`).

use candle_core::{Result, Tensor};

use crate::models::marian::{DecoderState, MarianMT};

/// How the output is searched for. All of it is recorded with each output.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchSettings {
    /// 1 means greedy.
    pub beams: usize,
    /// Longest output, counting the decoder start token (transformers'
    /// `max_length`).
    pub max_length: usize,
    pub length_penalty: f64,
    /// Log-softmax again after the logit processors (transformers'
    /// `renormalize_logits`), so banned tokens' mass is spread over the rest.
    pub renormalize_logits: bool,
}

/// The ids the search needs from the model's configuration.
#[derive(Debug, Clone)]
pub struct SpecialIds {
    pub decoder_start: u32,
    pub eos: u32,
    pub forced_eos: Option<u32>,
    /// Tokens never generated (single-token entries of `bad_words_ids`).
    pub banned: Vec<u32>,
}

impl SpecialIds {
    pub fn from_config(cfg: &crate::models::marian::Config) -> Self {
        let banned = cfg
            .bad_words_ids
            .iter()
            .flatten()
            .filter(|seq| seq.len() == 1)
            .map(|seq| seq[0])
            .collect();
        Self {
            decoder_start: cfg.decoder_start_token_id,
            eos: cfg.eos_token_id,
            forced_eos: cfg.forced_eos_token_id,
            banned,
        }
    }

    /// Applies the logit processors in place. `length` is the length of the
    /// sequence so far, the decoder start token included.
    fn process(&self, scores: &mut [f32], length: usize, max_length: usize) {
        for &id in &self.banned {
            if let Some(s) = scores.get_mut(id as usize) {
                *s = f32::NEG_INFINITY;
            }
        }
        if let Some(eos) = self.forced_eos {
            if length + 1 == max_length {
                for (id, s) in scores.iter_mut().enumerate() {
                    if id != eos as usize {
                        *s = f32::NEG_INFINITY;
                    }
                }
                // transformers' ForcedEOSTokenLogitsProcessor gives the end
                // token a score of exactly 0, which beam scores then add.
                if let Some(s) = scores.get_mut(eos as usize) {
                    *s = 0.0;
                }
            }
        }
    }
}

/// One output per input row: the generated ids, starting with the decoder
/// start token and ending with `</s>` unless `max_length` cut it short.
pub fn generate(
    model: &MarianMT,
    encoded: &Tensor,
    mask: &Tensor,
    ids: &SpecialIds,
    settings: &SearchSettings,
) -> Result<Vec<Vec<u32>>> {
    if settings.beams <= 1 {
        greedy(model, encoded, mask, ids, settings)
    } else {
        beam(model, encoded, mask, ids, settings)
    }
}

/// The logits of all rows in one buffer, and the row width (vocabulary).
fn rows_of(logits: &Tensor) -> Result<(Vec<f32>, usize)> {
    let (_, vocab) = logits.dims2()?;
    let flat = logits
        .to_dtype(candle_core::DType::F32)?
        .flatten_all()?
        .to_vec1()?;
    Ok((flat, vocab))
}

/// Index of the largest score; the first one on ties, as torch's argmax.
fn argmax(scores: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &s) in scores.iter().enumerate() {
        if s > scores[best] {
            best = i;
        }
    }
    best as u32
}

fn greedy(
    model: &MarianMT,
    encoded: &Tensor,
    mask: &Tensor,
    ids: &SpecialIds,
    settings: &SearchSettings,
) -> Result<Vec<Vec<u32>>> {
    let sentences = encoded.dim(0)?;
    let mut state = model.start_decoding(encoded, mask, 1)?;
    let mut outputs: Vec<Vec<u32>> = vec![vec![ids.decoder_start]; sentences];
    // Row r of the decoder state belongs to sentence live[r].
    let mut live: Vec<usize> = (0..sentences).collect();
    let mut length = 1;
    while !live.is_empty() && length < settings.max_length {
        let last: Vec<u32> = live.iter().map(|&s| outputs[s][length - 1]).collect();
        let (mut logits, vocab) = rows_of(&model.decode_step(&last, &mut state)?)?;
        let mut keep = Vec::with_capacity(live.len());
        for (row, (&sentence, scores)) in live.iter().zip(logits.chunks_mut(vocab)).enumerate() {
            ids.process(scores, length, settings.max_length);
            let token = argmax(scores);
            outputs[sentence].push(token);
            if token != ids.eos {
                keep.push(row);
            }
        }
        length += 1;
        if keep.len() != live.len() {
            live = keep.iter().map(|&r| live[r]).collect();
            if !live.is_empty() {
                let rows: Vec<u32> = keep.iter().map(|&r| r as u32).collect();
                state.select_rows(&rows)?;
            }
        }
    }
    Ok(outputs)
}

/// `log_softmax` over one row, in f32 as torch computes it.
fn log_softmax(scores: &mut [f32]) {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = scores.iter().map(|&s| (s - max).exp()).sum();
    let log_sum = sum.ln();
    for s in scores.iter_mut() {
        *s = *s - max - log_sum;
    }
}

/// For every row of `logits` (`vocab` wide): `score` applied to a copy of
/// the row, then its `count` best tokens with their scores, best first.
/// Rows are independent, so they are spread over candle's worker pool (the
/// threads the model uses; a second pool would compete with them).
fn best_continuations(
    logits: &[f32],
    vocab: usize,
    count: usize,
    score: impl Fn(&mut [f32]) + Sync,
) -> Vec<Vec<(f32, u32)>> {
    let rows = logits.len() / vocab;
    let results: Vec<std::sync::Mutex<Vec<(f32, u32)>>> =
        (0..rows).map(|_| Default::default()).collect();
    candle_core::utils::barrier_pool().execute_chunked(rows, |range| {
        let mut scores = vec![0f32; vocab];
        for row in range {
            scores.copy_from_slice(&logits[row * vocab..(row + 1) * vocab]);
            score(&mut scores);
            let best = top_tokens(&scores, count)
                .into_iter()
                .map(|token| (scores[token as usize], token))
                .collect();
            *results[row].lock().unwrap_or_else(|e| e.into_inner()) = best;
        }
    });
    results
        .into_iter()
        .map(|r| r.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

/// The `count` highest-scoring token ids of one row, best first; equal
/// scores in id order (the order the full ranking uses).
fn top_tokens(scores: &[f32], count: usize) -> Vec<u32> {
    let rank = |a: &u32, b: &u32| {
        scores[*b as usize]
            .total_cmp(&scores[*a as usize])
            .then(a.cmp(b))
    };
    let mut ids: Vec<u32> = (0..scores.len() as u32).collect();
    if count < ids.len() {
        ids.select_nth_unstable_by(count, rank);
        ids.truncate(count);
    }
    ids.sort_by(rank);
    ids
}

/// A finished hypothesis: its tokens (start included, the last generated
/// token too) and length-normalized score.
struct Finished {
    tokens: Vec<u32>,
    score: f32,
}

/// Beam search state of one sentence.
struct SentenceBeams {
    /// Live beams: tokens so far and summed log-probability.
    beams: Vec<(Vec<u32>, f32)>,
    finished: Vec<Finished>,
    done: bool,
}

impl SentenceBeams {
    fn worst_finished(&self) -> f32 {
        self.finished
            .iter()
            .map(|f| f.score)
            .fold(f32::INFINITY, f32::min)
    }

    /// Keeps the best `width` finished hypotheses.
    fn add_finished(&mut self, tokens: Vec<u32>, score: f32, width: usize) {
        if self.finished.len() < width || score > self.worst_finished() {
            self.finished.push(Finished { tokens, score });
            if self.finished.len() > width {
                let worst = self
                    .finished
                    .iter()
                    .enumerate()
                    .min_by(|a, b| a.1.score.total_cmp(&b.1.score))
                    .map(|(i, _)| i)
                    .unwrap_or(0);
                self.finished.remove(worst);
            }
        }
    }
}

/// Beam search as transformers 5's `_beam_search` does it with
/// `early_stopping=False`:
/// - each step keeps the top 2×width continuations (summed log-probs) of
///   all live beams of a sentence;
/// - a continuation that ends (`</s>`, or reaching `max_length`) becomes a
///   finished hypothesis if it ranks within the top `width`, scored
///   `sum / generated_len^length_penalty` (generated length counting the
///   new token);
/// - the best `width` continuations that did not end are the next beams;
/// - a sentence is done once `width` hypotheses are finished and the best
///   live beam, scored at the current length, cannot beat the worst of them.
fn beam(
    model: &MarianMT,
    encoded: &Tensor,
    mask: &Tensor,
    ids: &SpecialIds,
    settings: &SearchSettings,
) -> Result<Vec<Vec<u32>>> {
    let width = settings.beams;
    let penalty = settings.length_penalty as f32;
    let sentences = encoded.dim(0)?;
    // Every sentence starts with a single beam (transformers starts with
    // `width` copies, all but one at -1e9, which selects the same
    // continuations); the decoder state has one row per live beam,
    // sentence by sentence, in order.
    let mut state: DecoderState = model.start_decoding(encoded, mask, 1)?;
    let mut all: Vec<SentenceBeams> = (0..sentences)
        .map(|_| SentenceBeams {
            beams: vec![(vec![ids.decoder_start], 0.0)],
            finished: Vec::new(),
            done: false,
        })
        .collect();
    let mut length = 1;
    while length < settings.max_length && all.iter().any(|s| !s.done) {
        let last: Vec<u32> = all
            .iter()
            .filter(|s| !s.done)
            .flat_map(|s| s.beams.iter().map(|(t, _)| t[length - 1]))
            .collect();
        let (logits, vocab) = rows_of(&model.decode_step(&last, &mut state)?)?;
        let keep = 2 * width;
        let best_per_row = best_continuations(&logits, vocab, keep, |scores| {
            log_softmax(scores);
            ids.process(scores, length, settings.max_length);
            if settings.renormalize_logits {
                log_softmax(scores);
            }
        });
        let reaches_max = length + 1 >= settings.max_length;
        let normalizer = (length as f32).powf(penalty);
        let mut next_rows: Vec<u32> = Vec::new();
        let mut row = 0usize;
        for sentence in all.iter_mut().filter(|s| !s.done) {
            let first_row = row;
            let mut candidates: Vec<(f32, usize, u32)> = Vec::with_capacity(keep * width);
            for (beam_index, (_, beam_score)) in sentence.beams.iter().enumerate() {
                // The best `keep` continuations over all beams are among
                // the best `keep` of each beam, so only those are ranked.
                for &(score, token) in &best_per_row[row] {
                    candidates.push((score + beam_score, beam_index, token));
                }
                row += 1;
            }
            candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
            candidates.truncate(keep);

            let mut next_beams = Vec::with_capacity(width);
            let mut best_running = None;
            for (rank, &(score, beam_index, token)) in candidates.iter().enumerate() {
                let mut tokens = sentence.beams[beam_index].0.clone();
                tokens.push(token);
                if token == ids.eos || reaches_max {
                    if rank < width && score.is_finite() {
                        sentence.add_finished(tokens, score / normalizer, width);
                    }
                } else if next_beams.len() < width {
                    best_running.get_or_insert(score);
                    next_beams.push((tokens, score));
                    next_rows.push((first_row + beam_index) as u32);
                }
            }
            // transformers ranks ended continuations after live ones with a
            // -1e9 penalty, so with no live one left its best is hopeless.
            let best_running = best_running.unwrap_or(f32::NEG_INFINITY);
            if next_beams.is_empty()
                || (sentence.finished.len() >= width
                    && sentence.worst_finished() >= best_running / normalizer)
            {
                sentence.done = true;
                next_rows.truncate(next_rows.len() - next_beams.len());
                next_beams.clear();
            }
            sentence.beams = next_beams;
        }
        length += 1;
        if !next_rows.is_empty() {
            state.select_rows(&next_rows)?;
        }
    }
    let outputs = all
        .into_iter()
        .map(|sentence| {
            sentence
                .finished
                .into_iter()
                .max_by(|a, b| a.score.total_cmp(&b.score))
                .map_or_else(|| vec![ids.decoder_start], |f| f.tokens)
        })
        .collect();
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_takes_the_first_of_equal_scores() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, 2.0]), 1);
    }

    #[test]
    fn processors_ban_pad_and_force_eos_at_the_end() {
        let ids = SpecialIds {
            decoder_start: 3,
            eos: 0,
            forced_eos: Some(0),
            banned: vec![3],
        };
        let mut scores = vec![0.5, 2.0, 1.0, 9.0];
        ids.process(&mut scores, 2, 8);
        assert_eq!(argmax(&scores), 1);
        let mut scores = vec![0.5, 2.0, 1.0, 9.0];
        ids.process(&mut scores, 7, 8);
        assert_eq!(argmax(&scores), 0);
    }

    #[test]
    fn top_tokens_agree_with_a_full_sort() {
        let scores = [0.5f32, 3.0, -1.0, 3.0, 2.0, f32::NEG_INFINITY, 2.5];
        assert_eq!(top_tokens(&scores, 3), vec![1, 3, 6]);
        assert_eq!(top_tokens(&scores, 10), vec![1, 3, 6, 4, 0, 2, 5]);
    }

    #[test]
    fn log_softmax_sums_to_one() {
        let mut s = vec![1.0f32, 2.0, 3.0];
        log_softmax(&mut s);
        let total: f32 = s.iter().map(|x| x.exp()).sum();
        assert!((total - 1.0).abs() < 1e-6);
    }
}
