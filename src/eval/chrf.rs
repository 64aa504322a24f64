//! chrF and chrF++ as sacreBLEU 2.x computes them with its defaults:
//! character n-grams up to 6 with whitespace removed, β = 2, and the
//! effective-order averaging (`eff:yes`: orders that neither side has are
//! left out of the average, instead of sacreBLEU's optional ε smoothing);
//! chrF++ adds word unigrams and bigrams, after sacreBLEU's crude
//! splitting of one ASCII punctuation mark off either end of a word.
//!
//! What it is not: case-insensitive or whitespace-keeping variants, or
//! several references.

use std::collections::HashMap;
use std::hash::Hash;

use super::tokenize::python_split;

/// Longest character n-gram.
pub const CHAR_ORDER: usize = 6;
/// Recall weighs β² = 4 times precision.
const BETA: usize = 2;

/// chrF (characters only) or chrF++ (also word 1- and 2-grams).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChrfVariant {
    Chrf,
    ChrfPlusPlus,
}

impl ChrfVariant {
    pub fn word_order(self) -> usize {
        match self {
            ChrfVariant::Chrf => 0,
            ChrfVariant::ChrfPlusPlus => 2,
        }
    }

    /// The name sacreBLEU prints: `chrF2`, `chrF2++`.
    pub fn name(self) -> String {
        format!("chrF{BETA}{}", "+".repeat(self.word_order()))
    }

    /// sacreBLEU's signature, less its version.
    pub fn signature(self) -> String {
        format!(
            "nrefs:1|case:mixed|eff:yes|nc:{CHAR_ORDER}|nw:{}|space:no",
            self.word_order()
        )
    }
}

/// Per order (characters 1–6, then words), the hypothesis's n-grams, the
/// reference's, and the matches: for one segment, or summed over a corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChrfStats(Vec<[usize; 3]>);

impl ChrfStats {
    pub fn empty(variant: ChrfVariant) -> Self {
        ChrfStats(vec![[0; 3]; CHAR_ORDER + variant.word_order()])
    }

    pub fn add(&mut self, other: &ChrfStats) {
        for (sum, order) in self.0.iter_mut().zip(&other.0) {
            for i in 0..3 {
                sum[i] += order[i];
            }
        }
    }

    /// One segment against its reference.
    pub fn segment(hypothesis: &str, reference: &str, variant: ChrfVariant) -> Self {
        let hyp_chars: Vec<char> = python_split(hypothesis).flat_map(str::chars).collect();
        let ref_chars: Vec<char> = python_split(reference).flat_map(str::chars).collect();
        let mut orders: Vec<[usize; 3]> = (1..=CHAR_ORDER)
            .map(|n| match_counts(&ngram_counts(&hyp_chars, n), &ngram_counts(&ref_chars, n)))
            .collect();
        let hyp_words = split_punctuation(hypothesis);
        let ref_words = split_punctuation(reference);
        for n in 1..=variant.word_order() {
            orders.push(match_counts(
                &ngram_counts(&hyp_words, n),
                &ngram_counts(&ref_words, n),
            ));
        }
        ChrfStats(orders)
    }

    /// `CHRF._compute_f_score` without ε smoothing, in percent.
    pub fn score(&self) -> f64 {
        let factor = (BETA * BETA) as f64;
        let (mut precision, mut recall) = (0.0, 0.0);
        let mut effective_order = 0;
        for &[hyp, reference, matched] in &self.0 {
            if hyp > 0 && reference > 0 {
                precision += matched as f64 / hyp as f64;
                recall += matched as f64 / reference as f64;
                effective_order += 1;
            }
        }
        if effective_order == 0 {
            return 0.0;
        }
        precision /= effective_order as f64;
        recall /= effective_order as f64;
        if precision + recall == 0.0 {
            return 0.0;
        }
        let score = (1.0 + factor) * precision * recall / (factor * precision + recall);
        100.0 * score
    }
}

fn ngram_counts<T: Eq + Hash>(items: &[T], n: usize) -> HashMap<&[T], usize> {
    let mut counts = HashMap::new();
    for ngram in items.windows(n) {
        *counts.entry(ngram).or_insert(0) += 1;
    }
    counts
}

/// `CHRF._get_match_statistics`: a hypothesis's n-grams only count when
/// the reference has n-grams of that order at all.
fn match_counts<K: Eq + Hash>(
    hyp: &HashMap<K, usize>,
    reference: &HashMap<K, usize>,
) -> [usize; 3] {
    let hyp_count: usize = hyp.values().sum();
    let matched: usize = hyp
        .iter()
        .filter_map(|(ngram, &count)| reference.get(ngram).map(|&r| count.min(r)))
        .sum();
    let hyp_count = if reference.is_empty() { 0 } else { hyp_count };
    [hyp_count, reference.values().sum(), matched]
}

/// `CHRF._remove_punctuation`: a word of two characters or more loses one
/// ASCII punctuation mark at its end, or else one at its start, which
/// becomes a word of its own (so `(hi)` gives `(hi` and `)`).
fn split_punctuation(text: &str) -> Vec<&str> {
    let is_punct = |c: char| c.is_ascii_punctuation();
    let mut words = Vec::new();
    for word in python_split(text) {
        let mut chars = word.chars();
        let first = chars.next();
        let last = chars.next_back();
        match (first, last) {
            (_, Some(last)) if is_punct(last) => {
                let cut = word.len() - last.len_utf8();
                words.extend([&word[..cut], &word[cut..]]);
            }
            (Some(first), Some(_)) if is_punct(first) => {
                let cut = first.len_utf8();
                words.extend([&word[..cut], &word[cut..]]);
            }
            _ => words.push(word),
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrf(hyp: &str, reference: &str, variant: ChrfVariant) -> f64 {
        ChrfStats::segment(hyp, reference, variant).score()
    }

    #[test]
    fn names_and_signatures_are_sacrebleus() {
        assert_eq!(ChrfVariant::Chrf.name(), "chrF2");
        assert_eq!(ChrfVariant::ChrfPlusPlus.name(), "chrF2++");
        assert_eq!(
            ChrfVariant::ChrfPlusPlus.signature(),
            "nrefs:1|case:mixed|eff:yes|nc:6|nw:2|space:no"
        );
    }

    #[test]
    fn whitespace_does_not_count_and_identical_text_scores_100() {
        let text = "The talks resumed on Monday.";
        assert_eq!(chrf(text, text, ChrfVariant::ChrfPlusPlus), 100.0);
        assert_eq!(
            chrf("Thetalks  resumed", "The talks resumed", ChrfVariant::Chrf),
            100.0
        );
        assert_eq!(chrf("", text, ChrfVariant::Chrf), 0.0);
        assert_eq!(chrf("", "", ChrfVariant::ChrfPlusPlus), 0.0);
    }

    #[test]
    fn one_punctuation_mark_comes_off_a_word() {
        assert_eq!(
            split_punctuation("(hi) \"yes\" a. . «non» x!?"),
            ["(hi", ")", "\"yes", "\"", "a", ".", ".", "«non»", "x!", "?"]
        );
    }

    #[test]
    fn scores_match_sacrebleu_on_a_small_pair() {
        // sacrebleu 2.6.0: chrF2 = 39.78, chrF2++ = 43.39.
        let (hyp, reference) = ("The cat sat on the mat.", "A cat was sitting on the mat.");
        assert_eq!(
            format!("{:.2}", chrf(hyp, reference, ChrfVariant::Chrf)),
            "39.78"
        );
        assert_eq!(
            format!("{:.2}", chrf(hyp, reference, ChrfVariant::ChrfPlusPlus)),
            "43.39"
        );
    }
}
