//! Corpus BLEU as sacreBLEU 2.x computes it with its defaults (one
//! reference, mixed case, `smooth:exp`, `eff:no`, 4-grams): the per-segment
//! counts ([`BleuStats`]), summed over a corpus, then the score
//! ([`BleuScore::from_stats`]), with the same floating-point steps in the
//! same order, so the score is sacreBLEU's to the last bit or nearly.
//!
//! What it is not: sentence-level BLEU (that wants `eff:yes`), several
//! references, or other smoothings; tokenizing is `super::tokenize`'s.

use std::collections::HashMap;
use std::ops::AddAssign;

use serde::Serialize;

use super::tokenize::{is_python_space, python_split, Tokenizer};

/// Longest n-gram counted.
pub const MAX_ORDER: usize = 4;

/// sacreBLEU's signature for these settings, less its version.
pub fn signature(tokenizer: Tokenizer) -> String {
    format!(
        "nrefs:1|case:mixed|eff:no|tok:{}|smooth:exp",
        tokenizer.name()
    )
}

/// What BLEU needs of one segment or of a whole corpus (sums).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BleuStats {
    pub hyp_len: usize,
    pub ref_len: usize,
    /// Hypothesis n-grams found in the reference (clipped), by order − 1.
    pub correct: [usize; MAX_ORDER],
    /// Hypothesis n-grams, by order − 1.
    pub total: [usize; MAX_ORDER],
}

impl AddAssign for BleuStats {
    fn add_assign(&mut self, other: Self) {
        self.hyp_len += other.hyp_len;
        self.ref_len += other.ref_len;
        for n in 0..MAX_ORDER {
            self.correct[n] += other.correct[n];
            self.total[n] += other.total[n];
        }
    }
}

impl BleuStats {
    /// One segment against its reference. Both are stripped of trailing
    /// whitespace first, as sacreBLEU does (it matters to `13a`: a line
    /// ending in `-\n` is not joined to nothing).
    pub fn segment(hypothesis: &str, reference: &str, tokenizer: Tokenizer) -> Self {
        let tokens = |text: &str| tokenizer.tokenize(text.trim_end_matches(is_python_space));
        let hypothesis = tokens(hypothesis);
        let reference = tokens(reference);
        let hyp_words: Vec<&str> = python_split(&hypothesis).collect();
        let ref_words: Vec<&str> = python_split(&reference).collect();
        let ref_ngrams = ngram_counts(&ref_words);
        let mut stats = BleuStats {
            hyp_len: hyp_words.len(),
            ref_len: ref_words.len(),
            ..Default::default()
        };
        for (ngram, count) in ngram_counts(&hyp_words) {
            let n = ngram.len() - 1;
            stats.total[n] += count;
            if let Some(&in_reference) = ref_ngrams.get(ngram) {
                stats.correct[n] += count.min(in_reference);
            }
        }
        stats
    }
}

/// Every n-gram of 1 to [`MAX_ORDER`] words, with its count.
fn ngram_counts<'a>(words: &'a [&'a str]) -> HashMap<&'a [&'a str], usize> {
    let mut counts = HashMap::new();
    for n in 1..=MAX_ORDER {
        for ngram in words.windows(n) {
            *counts.entry(ngram).or_insert(0) += 1;
        }
    }
    counts
}

/// A BLEU score with the numbers sacreBLEU prints beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BleuScore {
    pub score: f64,
    pub counts: [usize; MAX_ORDER],
    pub totals: [usize; MAX_ORDER],
    /// In percent, smoothed where no n-gram matched.
    pub precisions: [f64; MAX_ORDER],
    /// The brevity penalty.
    pub bp: f64,
    pub sys_len: usize,
    pub ref_len: usize,
}

/// sacreBLEU's `my_log`: log, with log 0 taken as a very low number
/// instead of −∞.
fn floored_log(x: f64) -> f64 {
    if x == 0.0 {
        -9_999_999_999.0
    } else {
        x.ln()
    }
}

impl BleuScore {
    /// `BLEU.compute_bleu` with `smooth_method='exp'`, no effective order.
    pub fn from_stats(stats: &BleuStats) -> Self {
        let (sys_len, ref_len) = (stats.hyp_len, stats.ref_len);
        let bp = if sys_len >= ref_len {
            1.0
        } else if sys_len > 0 {
            (1.0 - ref_len as f64 / sys_len as f64).exp()
        } else {
            0.0
        };
        let mut precisions = [0.0; MAX_ORDER];
        let mut score = 0.0;
        // No match at all is 0, whatever the smoothing (sacreBLEU #141).
        if stats.correct.iter().any(|&c| c > 0) {
            // Method 3 of Chen & Cherry (mteval's): an order with no match
            // gets 1 / (2^k · total), k counting such orders so far.
            let mut smooth = 1.0;
            let orders = stats.correct.iter().zip(&stats.total);
            for (precision, (&correct, &total)) in precisions.iter_mut().zip(orders) {
                // Orders past the hypothesis's length stay 0 (log: very low).
                if total == 0 {
                    break;
                }
                *precision = if correct == 0 {
                    smooth *= 2.0;
                    100.0 / (smooth * total as f64)
                } else {
                    100.0 * correct as f64 / total as f64
                };
            }
            let log_sum = precisions.iter().fold(0.0, |sum, &p| sum + floored_log(p));
            score = bp * (log_sum / MAX_ORDER as f64).exp();
        }
        BleuScore {
            score,
            counts: stats.correct,
            totals: stats.total,
            precisions,
            bp,
            sys_len,
            ref_len,
        }
    }

    /// Hypothesis length over reference length (0 with no reference).
    pub fn ratio(&self) -> f64 {
        if self.ref_len == 0 {
            0.0
        } else {
            self.sys_len as f64 / self.ref_len as f64
        }
    }

    /// What sacreBLEU prints after the score:
    /// `55.0/30.1/18.2/11.0 (BP = 1.000 ratio = 1.012 hyp_len = 345 ref_len = 341)`.
    pub fn verbose(&self) -> String {
        let precisions: Vec<String> = self.precisions.iter().map(|p| format!("{p:.1}")).collect();
        format!(
            "{} (BP = {:.3} ratio = {:.3} hyp_len = {} ref_len = {})",
            precisions.join("/"),
            self.bp,
            self.ratio(),
            self.sys_len,
            self.ref_len
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bleu(pairs: &[(&str, &str)]) -> BleuScore {
        let mut stats = BleuStats::default();
        for (hyp, reference) in pairs {
            stats += BleuStats::segment(hyp, reference, Tokenizer::Mteval13a);
        }
        BleuScore::from_stats(&stats)
    }

    #[test]
    fn identical_text_scores_100_and_a_short_one_pays_the_brevity_penalty() {
        let same = bleu(&[(
            "The talks resumed on Monday.",
            "The talks resumed on Monday.",
        )]);
        // exp(log 100) as sacreBLEU computes it, to the bit.
        assert_eq!(same.score, 100.00000000000004);
        assert_eq!(
            same.verbose(),
            "100.0/100.0/100.0/100.0 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)"
        );
        // sacrebleu 2.6.0: BLEU = 81.87, BP = 0.819.
        let short = bleu(&[("a b c d e", "a b c d e f")]);
        assert_eq!(format!("{:.2}", short.score), "81.87");
        assert_eq!(format!("{:.3}", short.bp), "0.819");
    }

    #[test]
    fn orders_without_a_match_are_smoothed_and_no_match_at_all_is_zero() {
        // sacrebleu 2.6.0: BLEU = 15.11 80.0/12.5/8.3/6.2 (6.25 printed
        // as Python rounds it, to even).
        let smoothed = bleu(&[("house the door a mat", "a door the house rug")]);
        assert_eq!(smoothed.counts, [4, 0, 0, 0]);
        assert_eq!(smoothed.precisions, [80.0, 12.5, 100.0 / 12.0, 6.25]);
        assert_eq!(format!("{:.2}", smoothed.score), "15.11");
        assert!(smoothed
            .verbose()
            .starts_with("80.0/12.5/8.3/6.2 (BP = 1.000"));
        let nothing = bleu(&[("alpha beta", "gamma delta")]);
        assert_eq!((nothing.score, nothing.precisions), (0.0, [0.0; 4]));
        let empty = bleu(&[("", "gamma delta")]);
        assert_eq!((empty.score, empty.bp, empty.sys_len), (0.0, 0.0, 0));
    }
}
