//! The extractive summary: sentences picked from the translation, no
//! model. Each sentence is scored by centrality (TF-IDF cosine to the
//! whole translation) and by position (news puts the facts first); the
//! best ones that fit the limits are joined in text order.
//!
//! What it is not: the checks the result then goes through
//! (`super::checks`), or the brief's merged summary (`crate::brief`).

use crate::summarize::checks::words;
use crate::summarize::SummaryLimits;
use crate::text::tfidf::{self, Weighting};

/// Picks sentences for an extractive summary (see the module doc).
pub fn extractive(sentences: &[&str], limits: &SummaryLimits) -> String {
    let docs: Vec<Vec<String>> = sentences
        .iter()
        .map(|s| words(s).map(str::to_lowercase).collect())
        .collect();
    let scored = ranked(&docs);
    let chosen = fitting(&scored, &docs, limits);
    if chosen.is_empty() {
        // Not even the best sentence fits: keep its opening words.
        if let Some(&(_, i)) = scored.first() {
            let opening: Vec<&str> = sentences[i]
                .split_whitespace()
                .take(limits.max_words)
                .collect();
            return format!("{} …", opening.join(" "));
        }
        return String::new();
    }
    chosen
        .iter()
        .map(|&i| ended(sentences[i].trim()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The sentence with a full stop added when it has no closing mark: a
/// headline picked beside the first sentence must not run into it
/// ("Talks in Moscow After a year…").
fn ended(sentence: &str) -> String {
    const CLOSING: [char; 10] = ['.', '!', '?', '…', '"', '”', '»', '\'', ')', ':'];
    if sentence.is_empty() || sentence.ends_with(CLOSING) {
        sentence.to_string()
    } else {
        format!("{sentence}.")
    }
}

/// The non-empty sentences as (score, index), best first; ties to the
/// earlier sentence, so the result never depends on anything but the text.
fn ranked(docs: &[Vec<String>]) -> Vec<(f64, usize)> {
    let vectors = tfidf::tfidf(docs, Weighting::Count);
    let centroid = tfidf::centroid(&vectors);
    let mut scored: Vec<(f64, usize)> = vectors
        .iter()
        .enumerate()
        .filter(|(i, _)| !docs[*i].is_empty())
        .map(|(i, v)| {
            let centrality = tfidf::cosine(v, &centroid);
            let position = 1.0 / (1.0 + i as f64);
            (0.6 * centrality + 0.4 * position, i)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
}

/// The best sentences that fit the limits, in text order.
fn fitting(scored: &[(f64, usize)], docs: &[Vec<String>], limits: &SummaryLimits) -> Vec<usize> {
    let mut chosen = Vec::new();
    let mut total_words = 0;
    for &(_, i) in scored {
        if chosen.len() == limits.max_sentences {
            break;
        }
        let count = docs[i].len();
        if total_words + count <= limits.max_words {
            chosen.push(i);
            total_words += count;
        }
    }
    chosen.sort_unstable();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extractive_keeps_text_order_and_limits() {
        let sentences = [
            "Le Drian met Shoigu in Moscow on Monday.",
            "The weather was mild.",
            "Le Drian and Shoigu agreed to exchange intelligence in Moscow.",
            "Shoigu said Moscow and Paris share an enemy.",
        ];
        let limits = SummaryLimits {
            max_words: 20,
            max_sentences: 2,
        };
        let summary = extractive(&sentences, &limits);
        assert_eq!(summary, "Le Drian met Shoigu in Moscow on Monday. Le Drian and Shoigu agreed to exchange intelligence in Moscow.");
        assert!(words(&summary).count() <= 20);
        assert_eq!(extractive(&[], &limits), "");
    }

    #[test]
    fn a_headline_picked_for_the_summary_gets_a_full_stop() {
        let sentences = [
            "Talks on Syria in Moscow",
            "Le Drian met Shoigu in Moscow on Monday.",
            "Shoigu said: \"Moscow and Paris share an enemy.\"",
        ];
        let limits = SummaryLimits {
            max_words: 40,
            max_sentences: 3,
        };
        assert_eq!(
            extractive(&sentences, &limits),
            "Talks on Syria in Moscow. Le Drian met Shoigu in Moscow on Monday. \
             Shoigu said: \"Moscow and Paris share an enemy.\""
        );
    }
}
