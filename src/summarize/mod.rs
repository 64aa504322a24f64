//! The summarize step: a short English summary of a translated article,
//! either extracted from the translation (no extra model) or written by a
//! local language model and then checked.
//!
//! The checks are the point: a small model invents numbers and names,
//! slips into Arabic, repeats the prompt or chats about the task. Each
//! problem is a named flag; a flagged summary is retried once with a
//! stricter prompt, and flags that remain are recorded, never hidden.
//! What it is not: translation, or the model runtime (`crate::llm`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use anyhow::Result;

use crate::input::read::is_arabic_letter;
use crate::llm::LanguageModel;
use crate::model_store::ModelFingerprint;
use crate::output::labels::{Flag, Method};
use crate::output::record::{SummaryRecord, SummarySettings};

/// Limits every summary is held to.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryLimits {
    pub max_words: usize,
    pub max_sentences: usize,
}

impl Default for SummaryLimits {
    fn default() -> Self {
        Self {
            max_words: 80,
            max_sentences: 3,
        }
    }
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-'))
        .filter(|w| !w.is_empty())
}

/// Numbers as written, with thousands separators dropped ("1,200" and
/// "1200" are the same number).
fn numbers(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let inner_separator = (c == ',' || c == '.')
            && !current.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_ascii_digit() {
            current.push(c);
        } else if inner_separator {
            if c == '.' {
                current.push('.');
            }
        } else if !current.is_empty() {
            out.insert(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.insert(current);
    }
    out
}

/// Openings of replies that talk about the task instead of doing it.
const COMMENTARY_OPENINGS: &[&str] = &[
    "here is",
    "here's",
    "sure",
    "certainly",
    "summary:",
    "the summary",
    "this article",
    "the article",
    "in summary",
    "in this article",
    "i ",
    "as an ai",
];

/// Everyday words that open English sentences; capitalised there, they are
/// not names.
const COMMON_OPENERS: &[&str] = &[
    "a",
    "an",
    "the",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "he",
    "she",
    "they",
    "we",
    "his",
    "her",
    "their",
    "in",
    "on",
    "at",
    "after",
    "before",
    "during",
    "while",
    "when",
    "as",
    "according",
    "both",
    "but",
    "and",
    "also",
    "here",
    "there",
    "meanwhile",
    "however",
    "since",
    "with",
    "for",
    "from",
    "two",
    "three",
];

/// Whether the word at byte `at` opens a sentence.
fn is_sentence_start(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end();
    before.is_empty() || before.ends_with(['.', '!', '?', ':', '"', '“'])
}

/// Checks a summary against the translation it summarizes and the prompt
/// that asked for it.
pub fn check(
    summary: &str,
    translation: &str,
    prompt_instructions: &str,
    limits: &SummaryLimits,
) -> Vec<Flag> {
    let mut flags = BTreeSet::new();
    let summary = summary.trim();
    if summary.is_empty() {
        return vec![Flag::Empty];
    }
    let word_count = words(summary).count();
    if word_count > limits.max_words {
        flags.insert(Flag::TooLong);
    }
    if word_count < MIN_WORDS {
        flags.insert(Flag::TooShort);
    }
    if is_repetitive(summary) {
        flags.insert(Flag::Repetitive);
    }
    let known_numbers = numbers(translation);
    if numbers(summary).iter().any(|n| !known_numbers.contains(n)) {
        flags.insert(Flag::UnsupportedNumber);
    }
    let known_words: BTreeSet<&str> = words(translation).collect();
    let known_lower: BTreeSet<String> = known_words.iter().map(|w| w.to_lowercase()).collect();
    let mut offset = 0;
    for word in words(summary) {
        let at = summary[offset..].find(word).map_or(offset, |i| offset + i);
        offset = at + word.len();
        let capitalised = word.chars().next().is_some_and(char::is_uppercase);
        if !capitalised || known_words.contains(word) {
            continue;
        }
        // A capitalised sentence opener is fine when the translation has
        // the word in lower case ("The", "Officials").
        let lower = word.to_lowercase();
        if is_sentence_start(summary, at)
            && (known_lower.contains(&lower) || COMMON_OPENERS.contains(&lower.as_str()))
        {
            continue;
        }
        flags.insert(Flag::UnsupportedName);
    }
    if summary.chars().any(is_arabic_letter) {
        flags.insert(Flag::ArabicScript);
    }
    let lower = summary.to_lowercase();
    if COMMENTARY_OPENINGS.iter().any(|o| lower.starts_with(o)) {
        flags.insert(Flag::Commentary);
    }
    if echoes(&lower, &prompt_instructions.to_lowercase()) {
        flags.insert(Flag::PromptEcho);
    }
    flags.into_iter().collect()
}

/// A summary of fewer words says nothing ("The main.").
const MIN_WORDS: usize = 8;

/// True when some three consecutive words occur three times or more.
fn is_repetitive(summary: &str) -> bool {
    let lower: Vec<String> = words(summary).map(str::to_lowercase).collect();
    let mut counts: BTreeMap<&[String], usize> = BTreeMap::new();
    for window in lower.windows(3) {
        let count = counts.entry(window).or_default();
        *count += 1;
        if *count >= 3 {
            return true;
        }
    }
    false
}

/// True when the summary repeats six or more consecutive words of the
/// instructions (the article text itself may of course be repeated).
fn echoes(summary: &str, instructions: &str) -> bool {
    let instruction_words: Vec<&str> = words(instructions).collect();
    let summary_words: Vec<&str> = words(summary).collect();
    const RUN: usize = 6;
    if instruction_words.len() < RUN || summary_words.len() < RUN {
        return false;
    }
    let runs: BTreeSet<&[&str]> = instruction_words.windows(RUN).collect();
    summary_words.windows(RUN).any(|w| runs.contains(w))
}

/// Picks sentences for an extractive summary: each scored by centrality
/// (TF-IDF cosine to the whole translation) and by position (news puts
/// the facts first); the best ones that fit the limits, in text order.
pub fn extractive(sentences: &[&str], limits: &SummaryLimits) -> String {
    let docs: Vec<Vec<String>> = sentences
        .iter()
        .map(|s| words(s).map(str::to_lowercase).collect())
        .collect();
    let n = docs.len() as f64;
    let mut doc_freq: BTreeMap<&str, usize> = BTreeMap::new();
    for doc in &docs {
        let unique: BTreeSet<&str> = doc.iter().map(String::as_str).collect();
        for w in unique {
            *doc_freq.entry(w).or_default() += 1;
        }
    }
    let vector = |doc: &[String]| -> BTreeMap<String, f64> {
        let mut v = BTreeMap::new();
        for w in doc {
            let idf =
                (1.0 + n / (1.0 + doc_freq.get(w.as_str()).copied().unwrap_or(0) as f64)).ln();
            *v.entry(w.clone()).or_insert(0.0) += idf;
        }
        v
    };
    let vectors: Vec<BTreeMap<String, f64>> = docs.iter().map(|d| vector(d)).collect();
    let mut centroid: BTreeMap<String, f64> = BTreeMap::new();
    for v in &vectors {
        for (w, x) in v {
            *centroid.entry(w.clone()).or_insert(0.0) += x;
        }
    }
    let norm = |v: &BTreeMap<String, f64>| v.values().map(|x| x * x).sum::<f64>().sqrt();
    let centroid_norm = norm(&centroid);
    let mut scored: Vec<(f64, usize)> = vectors
        .iter()
        .enumerate()
        .filter(|(i, _)| !docs[*i].is_empty())
        .map(|(i, v)| {
            let dot: f64 = v
                .iter()
                .map(|(w, x)| x * centroid.get(w).copied().unwrap_or(0.0))
                .sum();
            let denominator = norm(v) * centroid_norm;
            let centrality = if denominator > 0.0 {
                dot / denominator
            } else {
                0.0
            };
            let position = 1.0 / (1.0 + i as f64);
            (0.6 * centrality + 0.4 * position, i)
        })
        .collect();
    // Highest score first; ties to the earlier sentence, so the result
    // never depends on anything but the text.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen = Vec::new();
    let mut total_words = 0;
    for &(_, i) in &scored {
        if chosen.len() == limits.max_sentences {
            break;
        }
        let count = docs[i].len();
        if total_words + count <= limits.max_words {
            chosen.push(i);
            total_words += count;
        }
    }
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
    chosen.sort_unstable();
    chosen
        .iter()
        .map(|&i| sentences[i].trim())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How summaries are made for a run.
pub enum Summarizer {
    /// No summaries.
    Off,
    Extractive(SummaryLimits),
    Model {
        model: Arc<LanguageModel>,
        fingerprint: ModelFingerprint,
        limits: SummaryLimits,
    },
}

const SYSTEM: &str = "You write short, factual summaries of news articles in English.";

/// A worked example for base models (few-shot), written for this prompt.
const FEW_SHOT: &str = "Article: The foreign minister arrived in Cairo on Tuesday for talks on the border crossing, the ministry said. He will meet his Egyptian counterpart on Wednesday. Officials expect an agreement on aid deliveries.
Summary: The foreign minister arrived in Cairo on Tuesday for talks on the border crossing, according to the ministry, and officials expect an agreement on aid deliveries.

";

/// Longest translation (in characters) put into a prompt; the opening of
/// a news article carries its substance. A small base model loses the
/// thread in long few-shot prompts, so it gets less.
const MAX_ARTICLE_CHARS: usize = 6000;
const MAX_ARTICLE_CHARS_FEW_SHOT: usize = 1500;

impl Summarizer {
    /// What a record's summary must match to count as current.
    pub fn settings(&self) -> Option<SummarySettings> {
        let (method, model, limits) = match self {
            Self::Off => return None,
            Self::Extractive(limits) => (Method::Extractive, None, limits),
            Self::Model {
                fingerprint,
                limits,
                ..
            } => (Method::Model, Some(fingerprint.clone()), limits),
        };
        Some(SummarySettings {
            method,
            model,
            max_words: limits.max_words,
            max_sentences: limits.max_sentences,
        })
    }

    fn instructions(limits: &SummaryLimits, strict: bool) -> String {
        let mut ask = format!(
            "Summarize the article below in 2 to {} sentences and at most {} words. Keep attributions such as \"according to the Russian defence ministry\". Use only names and numbers that appear in the article. Reply with the summary only.",
            limits.max_sentences.max(2),
            limits.max_words
        );
        if strict {
            ask.push_str(" Do not add any introduction, title or comment. Write in English only.");
        }
        ask
    }

    /// Summarizes an article from its English translation (paragraphs) and
    /// its translated sentences (for the extractive method).
    pub fn summarize(
        &self,
        paragraphs: &[&str],
        sentences: &[&str],
    ) -> Result<Option<SummaryRecord>> {
        let Some(settings) = self.settings() else {
            return Ok(None);
        };
        let (text, flags) = match self {
            Self::Off => return Ok(None),
            Self::Extractive(limits) => {
                let text = extractive(sentences, limits);
                let flags = check(&text, &paragraphs.join("\n"), "", limits);
                (text, flags)
            }
            Self::Model { model, limits, .. } => {
                let max_chars = if model.is_chat() {
                    MAX_ARTICLE_CHARS
                } else {
                    MAX_ARTICLE_CHARS_FEW_SHOT
                };
                let mut article = String::new();
                for paragraph in paragraphs {
                    if article.len() + paragraph.len() > max_chars && !article.is_empty() {
                        break;
                    }
                    article.push_str(paragraph);
                    article.push('\n');
                }
                let article = article.trim_end();
                let attempt = |strict: bool| -> Result<(String, Vec<Flag>)> {
                    let instructions = Self::instructions(limits, strict);
                    let (prompt, stop): (String, &[&str]) = if model.is_chat() {
                        (
                            model.chat_prompt(
                                SYSTEM,
                                &format!("{instructions}\n\nArticle:\n{article}"),
                            ),
                            &[],
                        )
                    } else {
                        let lead = if strict {
                            format!("{instructions}\n\n")
                        } else {
                            String::new()
                        };
                        let flat = article.replace('\n', " ");
                        (
                            format!("{lead}{FEW_SHOT}Article: {flat}\nSummary:"),
                            &["\n"],
                        )
                    };
                    let completion = model.complete(&prompt, 2 * limits.max_words + 16, stop)?;
                    // A base model may copy the worked example instead of
                    // summarizing; that is an echo of the prompt too.
                    let prompt_text = if model.is_chat() {
                        instructions.clone()
                    } else {
                        format!("{instructions}\n{FEW_SHOT}")
                    };
                    let flags = check(&completion.text, article, &prompt_text, limits);
                    Ok((completion.text, flags))
                };
                let (mut text, mut flags) = attempt(false)?;
                let mut labels: Vec<Flag> = Vec::new();
                if !flags.is_empty() {
                    let (retry_text, retry_flags) = attempt(true)?;
                    if retry_flags.len() < flags.len() {
                        text = retry_text;
                        flags = retry_flags;
                    }
                    labels.push(Flag::Retried);
                }
                labels.extend(flags);
                (text, labels)
            }
        };
        Ok(Some(SummaryRecord {
            text,
            settings,
            flags,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRANSLATION: &str = "French Defence Minister Jean-Yves Le Drian met his Russian counterpart Sergei Shoigu in Moscow on Monday. \
        They agreed to exchange military intelligence on the Islamic State group, according to the Russian defence ministry. \
        France carried out 12 percent of the strikes, said a US military spokesman.";

    fn flags(summary: &str) -> Vec<Flag> {
        check(
            summary,
            TRANSLATION,
            "Summarize this news article in 2 or 3 sentences and at most 80 words.",
            &SummaryLimits::default(),
        )
    }

    #[test]
    fn a_faithful_summary_has_no_flags() {
        assert_eq!(
            flags("Le Drian and Shoigu agreed in Moscow to exchange military intelligence on the Islamic State group, according to the Russian defence ministry."),
            vec![]
        );
    }

    #[test]
    fn invented_numbers_and_names_are_caught() {
        assert_eq!(
            flags("France carried out 15 percent of the strikes."),
            vec![Flag::UnsupportedNumber]
        );
        assert_eq!(
            flags("Le Drian met Lavrov in Moscow on Monday."),
            vec![Flag::UnsupportedName]
        );
        assert_eq!(
            flags("France carried out 12 percent of the strikes."),
            vec![]
        );
    }

    #[test]
    fn arabic_commentary_echo_and_length_are_caught() {
        assert_eq!(
            flags("Le Drian met Shoigu in موسكو on Monday."),
            vec![Flag::ArabicScript]
        );
        assert_eq!(
            flags("Here is a summary: Le Drian met Shoigu."),
            vec![Flag::Commentary]
        );
        // An echoed instruction also brings its numbers and words along.
        assert!(
            flags("Summarize this news article in 2 or 3 sentences: Le Drian met Shoigu.")
                .contains(&Flag::PromptEcho)
        );
        // Long and, being one sentence said twenty times, a loop as well.
        let long = "Le Drian met Shoigu in Moscow. ".repeat(20);
        assert_eq!(flags(&long), vec![Flag::TooLong, Flag::Repetitive]);
        assert_eq!(flags("   "), vec![Flag::Empty]);
        assert_eq!(flags("The main."), vec![Flag::TooShort]);
        assert_eq!(
            flags("Le Drian met Shoigu in Moscow, Shoigu in Moscow met Le Drian, Shoigu in Moscow again."),
            vec![Flag::Repetitive]
        );
    }

    #[test]
    fn numbers_ignore_thousands_separators() {
        assert_eq!(
            numbers("1,200 troops and 3.5 km in 2015."),
            BTreeSet::from(["1200".into(), "3.5".into(), "2015".into()])
        );
    }

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
}
