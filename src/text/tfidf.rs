//! TF-IDF vectors of a set of documents (each a list of words), their
//! centroid and their cosine.
//!
//! Two weightings, because two outputs were tuned on them and must stay
//! byte-identical: the extractive summary weighs a word by its count,
//! the brief (grouping and merged summary) by scikit-learn's sublinear,
//! smoothed form. Vectors are ordered maps, so every sum runs in word
//! order and the same words always give the same floats. What it is not:
//! where the words come from (the callers tokenize).

use std::collections::{BTreeMap, BTreeSet};

/// A document's weight for each of its words.
pub type Vector = BTreeMap<String, f64>;

/// How a word's count in a document and its document frequency become a
/// weight (`n` documents, the word in `df` of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weighting {
    /// count × ln(1 + n / (1 + df)); the extractive summary's.
    Count,
    /// (1 + ln count) × (ln((1 + n) / (1 + df)) + 1): sublinear term
    /// frequency with smoothed IDF; the brief's.
    Sublinear,
}

impl Weighting {
    fn weight(self, count: usize, df: usize, n: f64) -> f64 {
        match self {
            Self::Count => {
                let idf = (1.0 + n / (1.0 + df as f64)).ln();
                // Summed once per occurrence, not multiplied: the float
                // operations the extractive summaries were made with.
                (0..count).fold(0.0, |sum, _| sum + idf)
            }
            Self::Sublinear => {
                let idf = ((1.0 + n) / (1.0 + df as f64)).ln() + 1.0;
                (1.0 + (count as f64).ln()) * idf
            }
        }
    }
}

/// The TF-IDF vector of each document, in order.
pub fn tfidf(docs: &[Vec<String>], weighting: Weighting) -> Vec<Vector> {
    let n = docs.len() as f64;
    let mut doc_freq: BTreeMap<&str, usize> = BTreeMap::new();
    for doc in docs {
        let unique: BTreeSet<&str> = doc.iter().map(String::as_str).collect();
        for word in unique {
            *doc_freq.entry(word).or_default() += 1;
        }
    }
    docs.iter()
        .map(|doc| {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for word in doc {
                *counts.entry(word).or_default() += 1;
            }
            counts
                .into_iter()
                .map(|(word, count)| {
                    let weight = weighting.weight(count, doc_freq[word], n);
                    (word.to_string(), weight)
                })
                .collect()
        })
        .collect()
}

/// The sum of the vectors (what every document shares weighs most).
pub fn centroid(vectors: &[Vector]) -> Vector {
    let mut sum = Vector::new();
    for v in vectors {
        for (w, x) in v {
            *sum.entry(w.clone()).or_insert(0.0) += x;
        }
    }
    sum
}

/// Euclidean length.
pub fn norm(v: &Vector) -> f64 {
    v.values().map(|x| x * x).sum::<f64>().sqrt()
}

/// Cosine of the angle between two vectors; 0 when either is empty.
pub fn cosine(a: &Vector, b: &Vector) -> f64 {
    let dot: f64 = a.iter().filter_map(|(w, x)| b.get(w).map(|y| x * y)).sum();
    let denominator = norm(a) * norm(b);
    if denominator > 0.0 {
        dot / denominator
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn cosine_of_identical_and_disjoint_documents() {
        for weighting in [Weighting::Count, Weighting::Sublinear] {
            let v = tfidf(&[words("a b c"), words("a b c"), words("x y z")], weighting);
            assert!((cosine(&v[0], &v[1]) - 1.0).abs() < 1e-9);
            assert_eq!(cosine(&v[0], &v[2]), 0.0);
            assert_eq!(cosine(&Vector::new(), &v[0]), 0.0);
        }
    }

    #[test]
    fn the_weightings_follow_their_formulas() {
        let docs = [words("a a b"), words("b")];
        let count = tfidf(&docs, Weighting::Count);
        let idf_a = (1.0f64 + 2.0 / 2.0).ln();
        assert_eq!(count[0]["a"], idf_a + idf_a);
        assert_eq!(count[1]["b"], (1.0f64 + 2.0 / 3.0).ln());
        let sublinear = tfidf(&docs, Weighting::Sublinear);
        assert_eq!(
            sublinear[0]["a"],
            (1.0 + 2.0f64.ln()) * ((3.0f64 / 2.0).ln() + 1.0)
        );
        assert_eq!(centroid(&count)["b"], count[0]["b"] + count[1]["b"]);
    }
}
