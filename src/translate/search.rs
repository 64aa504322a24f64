//! Choosing output tokens: greedy and beam search over an encoder-decoder
//! (Marian or T5, through `crate::models::EncoderDecoder`), reproducing
//! transformers' `generate()` for the settings opus-mt and MADLAD-400 use.
//!
//! The decoder is run one step at a time for all live rows of a batch
//! (sentences × beams); finished sentences are dropped from the batch so
//! their rows cost nothing. What it is not: the model (see
//! `crate::models::marian`) or tokenization.
//!
//! Logit processors, as transformers applies them for opus-mt's
//! generation config: `bad_words_ids` (the pad id) can never be chosen, and
//! at the last allowed position only `</s>` can (`forced_eos_token_id`).

use candle_core::{DType, Result, Storage, Tensor};

use crate::models::marian::DecoderState;
use crate::models::{argmax, EncoderDecoder};
use crate::output::record::DecodingSettings;

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

impl SearchSettings {
    /// What a record says of these settings, with the translator's source
    /// limit and weight precision.
    pub fn decoding(&self, max_source_tokens: usize, precision: String) -> DecodingSettings {
        DecodingSettings {
            strategy: if self.beams > 1 { "beam" } else { "greedy" }.to_string(),
            beams: self.beams,
            max_length: self.max_length,
            length_penalty: self.length_penalty,
            renormalize_logits: self.renormalize_logits,
            max_source_tokens,
            precision,
        }
    }
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

    /// The logit processors for the step where the sequence so far has
    /// `length` tokens, the decoder start token included.
    fn processors(&self, length: usize, max_length: usize) -> Processors<'_> {
        let forced = self.forced_eos.filter(|_| length + 1 == max_length);
        Processors {
            forced: forced.map(|eos| eos as usize),
            banned: &self.banned,
        }
    }
}

/// What the logit processors do to one step's scores, applied one token at
/// a time so a row is never copied to be rewritten.
struct Processors<'a> {
    /// At the last allowed position, only this token may follow.
    forced: Option<usize>,
    banned: &'a [u32],
}

impl Processors<'_> {
    /// The score token `id` has after the processors, given its score
    /// before them.
    fn apply(&self, id: usize, score: f32) -> f32 {
        if let Some(eos) = self.forced {
            // transformers' ForcedEOSTokenLogitsProcessor gives the end
            // token a score of exactly 0, which beam scores then add.
            return if id == eos { 0.0 } else { f32::NEG_INFINITY };
        }
        if self.banned.contains(&(id as u32)) {
            f32::NEG_INFINITY
        } else {
            score
        }
    }
}

/// One output per input row: the generated ids, starting with the decoder
/// start token and ending with `</s>` unless `max_length` cut it short.
pub fn generate(
    model: &impl EncoderDecoder,
    encoded: &Tensor,
    mask: &Tensor,
    ids: &SpecialIds,
    settings: &SearchSettings,
) -> Result<Vec<Vec<u32>>> {
    let search = Search {
        model,
        ids,
        settings,
    };
    if settings.beams <= 1 {
        search.greedy(encoded, mask)
    } else {
        search.beam(encoded, mask)
    }
}

/// What stays fixed while one batch is searched: the model, its special
/// tokens and the settings.
struct Search<'a, M> {
    model: &'a M,
    ids: &'a SpecialIds,
    settings: &'a SearchSettings,
}

impl<M: EncoderDecoder> Search<'_, M> {
    /// One decoder step: the logits of every live row after `last`, and
    /// the processors for a step at `length`.
    fn step(
        &self,
        last: &[u32],
        state: &mut DecoderState,
        length: usize,
    ) -> Result<(Tensor, Processors<'_>)> {
        let logits = self.model.decode_step(last, state)?;
        Ok((
            logits,
            self.ids.processors(length, self.settings.max_length),
        ))
    }

    /// Greedy search: the best token at every step, each sentence until
    /// its `</s>`.
    fn greedy(&self, encoded: &Tensor, mask: &Tensor) -> Result<Vec<Vec<u32>>> {
        let Search {
            model,
            ids,
            settings,
        } = *self;
        let sentences = encoded.dim(0)?;
        let mut state = model.start_decoding(encoded, mask, 1)?;
        let mut outputs: Vec<Vec<u32>> = vec![vec![ids.decoder_start]; sentences];
        // Row r of the decoder state belongs to sentence live[r].
        let mut live: Vec<usize> = (0..sentences).collect();
        let mut length = 1;
        while !live.is_empty() && length < settings.max_length {
            let last: Vec<u32> = live.iter().map(|&s| outputs[s][length - 1]).collect();
            let (logits, processors) = self.step(&last, &mut state, length)?;
            let tokens = with_logits(&logits, |logits, vocab| {
                per_row(logits, vocab, |row| best_token(row, &processors))
            })?;
            let mut keep = Vec::with_capacity(live.len());
            for (row, (&sentence, token)) in live.iter().zip(tokens).enumerate() {
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
    fn beam(&self, encoded: &Tensor, mask: &Tensor) -> Result<Vec<Vec<u32>>> {
        let Search {
            model,
            ids,
            settings,
        } = *self;
        let width = settings.beams;
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
            let (logits, processors) = self.step(&last, &mut state, length)?;
            let best_per_row = with_logits(&logits, |logits, vocab| {
                best_continuations(
                    logits,
                    vocab,
                    2 * width,
                    &processors,
                    settings.renormalize_logits,
                )
            })?;
            let step = BeamStep {
                width,
                eos: ids.eos,
                reaches_max: length + 1 >= settings.max_length,
                normalizer: (length as f32).powf(settings.length_penalty as f32),
            };
            let mut next_rows: Vec<u32> = Vec::new();
            let mut row = 0usize;
            for sentence in all.iter_mut().filter(|s| !s.done) {
                let rows = &best_per_row[row..row + sentence.beams.len()];
                sentence.advance(rows, row, &step, &mut next_rows);
                row += rows.len();
            }
            length += 1;
            if !next_rows.is_empty() {
                state.select_rows(&next_rows)?;
            }
        }
        Ok(all
            .into_iter()
            .map(|sentence| sentence.best(ids.decoder_start))
            .collect())
    }
}

/// Runs `f` on the logits `[rows, vocab]` as one f32 buffer and the row
/// width. On the CPU the tensor's own buffer is lent, not copied: at batch 64
/// with 4 beams a copy was 64 MB per step.
fn with_logits<R>(logits: &Tensor, f: impl FnOnce(&[f32], usize) -> R) -> Result<R> {
    let (_, vocab) = logits.dims2()?;
    let logits = logits.to_dtype(DType::F32)?.contiguous()?;
    {
        let (storage, layout) = logits.storage_and_layout();
        if let (Storage::Cpu(cpu), Some((start, end))) = (&*storage, layout.contiguous_offsets()) {
            return Ok(f(&cpu.as_slice::<f32>()?[start..end], vocab));
        }
    }
    let flat: Vec<f32> = logits.flatten_all()?.to_vec1()?;
    Ok(f(&flat, vocab))
}

/// The greedy choice for one row of logits: the argmax after the
/// processors.
fn best_token(row: &[f32], processors: &Processors) -> u32 {
    if processors.forced.is_none() {
        // The processors only lower banned tokens, so unless the plain
        // argmax is banned it is also the processed one (and the first of
        // equals, since everything before it is strictly lower). The plain
        // scan over the slice is much cheaper than one through the
        // processors.
        let plain = argmax(row.len(), |id| row[id]);
        if !processors.banned.contains(&plain) {
            return plain;
        }
    }
    argmax(row.len(), |id| processors.apply(id, row[id]))
}

/// `f` applied to every `vocab`-wide row of `logits`, rows spread over
/// candle's worker pool (the threads the model uses; a second pool would
/// compete with them).
fn per_row<T: Default + Send>(
    logits: &[f32],
    vocab: usize,
    f: impl Fn(&[f32]) -> T + Sync,
) -> Vec<T> {
    let rows = logits.len() / vocab;
    let results: Vec<std::sync::Mutex<T>> = (0..rows).map(|_| Default::default()).collect();
    candle_core::utils::barrier_pool().execute_chunked(rows, |range| {
        for row in range {
            let value = f(&logits[row * vocab..(row + 1) * vocab]);
            *results[row].lock().unwrap_or_else(|e| e.into_inner()) = value;
        }
    });
    results
        .into_iter()
        .map(|r| r.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

/// The log-sum-exp of one row, in f32 as torch's `log_softmax` computes
/// it: `log_softmax(x)[i] = x[i] - max - log_sum`.
fn max_and_log_sum(len: usize, scores: impl Fn(usize) -> f32) -> (f32, f32) {
    let max = (0..len).map(&scores).fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = (0..len).map(|i| (scores(i) - max).exp()).sum();
    (max, sum.ln())
}

/// For every row of `logits` (`vocab` wide): its `count` best next tokens
/// with their log-probabilities (log-softmax, then the processors, then
/// log-softmax again if `renormalize`), best first.
fn best_continuations(
    logits: &[f32],
    vocab: usize,
    count: usize,
    processors: &Processors,
    renormalize: bool,
) -> Vec<Vec<(f32, u32)>> {
    per_row(logits, vocab, |raw| {
        let (max, log_sum) = max_and_log_sum(vocab, |i| raw[i]);
        let processed = |i: usize| processors.apply(i, raw[i] - max - log_sum);
        if renormalize {
            let (max, log_sum) = max_and_log_sum(vocab, processed);
            top_scores(vocab, count, |i| processed(i) - max - log_sum)
        } else if processors.forced.is_none() {
            // The common step: only a few banned tokens differ from plain
            // log-softmax. Rank plain scores with room for the banned ones,
            // then drop those: what is left is exactly the processed
            // ranking, at a fraction of the cost per token.
            let banned = processors.banned;
            let mut best = top_scores(vocab, count + banned.len(), |i| raw[i] - max - log_sum);
            best.retain(|(_, id)| !banned.contains(id));
            if best.len() >= count {
                best.truncate(count);
                best
            } else {
                // Fewer allowed tokens than asked for: the ranking must go
                // on into banned (-inf) ones, in id order.
                top_scores(vocab, count, processed)
            }
        } else {
            top_scores(vocab, count, processed)
        }
    })
}

/// The `count` highest of `scores(0..len)` with their indices, best first;
/// equal scores in index order (the order a full ranking gives). One pass
/// with a short sorted list: a row is read once and nothing is allocated
/// per token.
fn top_scores(len: usize, count: usize, scores: impl Fn(usize) -> f32) -> Vec<(f32, u32)> {
    use std::cmp::Ordering;
    let mut best: Vec<(f32, u32)> = Vec::with_capacity(count + 1);
    if count == 0 {
        return best;
    }
    let mut threshold = f32::NEG_INFINITY;
    for i in 0..len {
        let s = scores(i);
        // Most tokens fall below the last kept score; the plain comparison
        // turns them away cheaply (NaN and equal scores go on to the exact
        // test).
        if s < threshold {
            continue;
        }
        if best.len() == count {
            // Indices come in increasing order, so a tie with the last kept
            // score loses: only a strictly higher score gets in.
            if s.total_cmp(&best[count - 1].0) != Ordering::Greater {
                continue;
            }
            best.pop();
        }
        let at = best.partition_point(|&(b, _)| b.total_cmp(&s) != Ordering::Less);
        best.insert(at, (s, i as u32));
        if best.len() == count {
            threshold = best[count - 1].0;
        }
    }
    best
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

/// What one step of the beam search is the same for every sentence.
struct BeamStep {
    width: usize,
    eos: u32,
    /// Whether this step's tokens are the last the length limit allows.
    reaches_max: bool,
    /// The length penalty's divisor for hypotheses ending at this step.
    normalizer: f32,
}

impl SentenceBeams {
    /// One step of one live sentence: ranks the continuations of its beams
    /// (`rows`: each beam's best `2 × width`, in beam order; the first at
    /// decoder row `first_row`), records those that end, keeps the best
    /// `width` live ones and pushes their decoder rows onto `next_rows`;
    /// marks the sentence done when no live beam can beat its finished ones.
    fn advance(
        &mut self,
        rows: &[Vec<(f32, u32)>],
        first_row: usize,
        step: &BeamStep,
        next_rows: &mut Vec<u32>,
    ) {
        let (width, keep) = (step.width, 2 * step.width);
        let mut candidates: Vec<(f32, usize, u32)> = Vec::with_capacity(keep * width);
        for (beam_index, (_, beam_score)) in self.beams.iter().enumerate() {
            // The best `keep` continuations over all beams are among the
            // best `keep` of each beam, so only those are ranked.
            for &(score, token) in &rows[beam_index] {
                candidates.push((score + beam_score, beam_index, token));
            }
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        candidates.truncate(keep);

        let mut next_beams = Vec::with_capacity(width);
        let mut best_running = None;
        for (rank, &(score, beam_index, token)) in candidates.iter().enumerate() {
            let mut tokens = self.beams[beam_index].0.clone();
            tokens.push(token);
            if token == step.eos || step.reaches_max {
                if rank < width && score.is_finite() {
                    self.add_finished(tokens, score / step.normalizer, width);
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
            || (self.finished.len() >= width
                && self.worst_finished() >= best_running / step.normalizer)
        {
            self.done = true;
            next_rows.truncate(next_rows.len() - next_beams.len());
            next_beams.clear();
        }
        self.beams = next_beams;
    }

    /// The best finished hypothesis, or the start token alone when none
    /// finished.
    fn best(self, decoder_start: u32) -> Vec<u32> {
        self.finished
            .into_iter()
            .max_by(|a, b| a.score.total_cmp(&b.score))
            .map_or_else(|| vec![decoder_start], |f| f.tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_takes_the_first_of_equal_scores() {
        let scores = [1.0, 3.0, 3.0, 2.0];
        assert_eq!(argmax(scores.len(), |i| scores[i]), 1);
    }

    #[test]
    fn processors_ban_pad_and_force_eos_at_the_end() {
        let ids = SpecialIds {
            decoder_start: 3,
            eos: 0,
            forced_eos: Some(0),
            banned: vec![3],
        };
        let scores = [0.5, 2.0, 1.0, 9.0];
        let p = ids.processors(2, 8);
        assert_eq!(argmax(4, |i| p.apply(i, scores[i])), 1);
        let p = ids.processors(7, 8);
        assert_eq!(argmax(4, |i| p.apply(i, scores[i])), 0);
        assert_eq!(p.apply(0, scores[0]), 0.0);
        assert_eq!(p.apply(1, scores[1]), f32::NEG_INFINITY);
    }

    #[test]
    fn top_scores_agree_with_a_full_sort() {
        let scores = [0.5f32, 3.0, -1.0, 3.0, 2.0, f32::NEG_INFINITY, 2.5];
        let ids = |best: Vec<(f32, u32)>| best.into_iter().map(|(_, id)| id).collect::<Vec<_>>();
        assert_eq!(ids(top_scores(7, 3, |i| scores[i])), vec![1, 3, 6]);
        assert_eq!(
            ids(top_scores(7, 10, |i| scores[i])),
            vec![1, 3, 6, 4, 0, 2, 5]
        );
        assert!(top_scores(7, 0, |i| scores[i]).is_empty());
    }

    #[test]
    fn the_greedy_choice_skips_a_banned_best_token() {
        let ids = SpecialIds {
            decoder_start: 3,
            eos: 0,
            forced_eos: Some(0),
            banned: vec![3],
        };
        let p = ids.processors(2, 8);
        assert_eq!(best_token(&[0.5, 2.0, 2.0, 1.0], &p), 1);
        assert_eq!(best_token(&[0.5, 2.0, 1.0, 9.0], &p), 1);
        assert_eq!(best_token(&[0.5, 2.0, 1.0, 9.0], &ids.processors(7, 8)), 0);
        let rows = [0.5, 2.0, 1.0, 9.0, 3.0, 2.0, 1.0, 0.0];
        assert_eq!(per_row(&rows, 4, |row| best_token(row, &p)), vec![1, 0]);
    }

    #[test]
    fn log_softmax_sums_to_one() {
        let x = [1.0f32, 2.0, 3.0];
        let (max, log_sum) = max_and_log_sum(3, |i| x[i]);
        let total: f32 = x.iter().map(|v| (v - max - log_sum).exp()).sum();
        assert!((total - 1.0).abs() < 1e-6);
    }

    #[test]
    fn best_continuations_rank_log_probabilities_after_the_processors() {
        let ids = SpecialIds {
            decoder_start: 3,
            eos: 0,
            forced_eos: Some(0),
            banned: vec![3],
        };
        // Two rows of a vocabulary of 4; token 3 is banned.
        let logits = [0.0f32, 1.0, 2.0, 9.0, 5.0, 4.0, 4.0, 0.0];
        let p = ids.processors(2, 8);
        let best = best_continuations(&logits, 4, 2, &p, false);
        let row0 = &logits[..4];
        let (max, log_sum) = max_and_log_sum(4, |i| row0[i]);
        assert_eq!(
            best[0],
            vec![(2.0 - max - log_sum, 2), (1.0 - max - log_sum, 1)]
        );
        assert_eq!(best[1].iter().map(|b| b.1).collect::<Vec<_>>(), vec![0, 1]);
        // Renormalized, the banned token's mass is spread over the rest.
        let renormalized = best_continuations(&logits, 4, 3, &p, true);
        let total: f32 = renormalized[0].iter().map(|b| b.0.exp()).sum();
        assert!((total - 1.0).abs() < 1e-6, "{total}");
        // Asked for more than the allowed tokens, the ranking goes on into
        // the banned one, as a full sort of the processed row would.
        let all = best_continuations(&logits, 4, 4, &p, false);
        assert_eq!(
            all[0].iter().map(|b| b.1).collect::<Vec<_>>(),
            vec![2, 1, 0, 3]
        );
        assert_eq!(all[0][3].0, f32::NEG_INFINITY);
        // At the last position only the end token is left, at score 0.
        let p = ids.processors(7, 8);
        let best = best_continuations(&logits, 4, 2, &p, false);
        assert_eq!(best[0][0], (0.0, 0));
        assert_eq!(best[0][1].0, f32::NEG_INFINITY);
    }
}
