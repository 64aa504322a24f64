//! The checks a summary must pass, each a named flag: empty, too long or
//! too short, looping, numbers or names the translation does not contain,
//! Arabic script, commentary about the task, or an echo of the prompt.
//!
//! A small model invents numbers and names, slips into Arabic, repeats
//! the prompt or chats about the task; these catch that, and the flags
//! that remain are recorded, never hidden. The extractive summary goes
//! through the checks its copied sentences can fail (`check_extracted`).
//! What it is not: the retry (`crate::llm::ask`), or the translation
//! checks (`crate::translate::llm`).

use std::collections::{BTreeMap, BTreeSet};

use crate::llm::commentary::{echoes_prompt, is_commentary};
use crate::output::labels::Flag;
use crate::summarize::SummaryLimits;
use crate::text::script::is_arabic_letter;

/// The words of a text, as the checks and the extractive summary count
/// them: runs of letters, digits, apostrophes and hyphens.
pub(super) fn words(text: &str) -> impl Iterator<Item = &str> {
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
    if has_unsupported_name(summary, translation) {
        flags.insert(Flag::UnsupportedName);
    }
    if summary.chars().any(is_arabic_letter) {
        flags.insert(Flag::ArabicScript);
    }
    if is_commentary(summary, COMMENTARY_OPENINGS) {
        flags.insert(Flag::Commentary);
    }
    if echoes_prompt(summary, prompt_instructions) {
        flags.insert(Flag::PromptEcho);
    }
    flags.into_iter().collect()
}

/// Checks an extractive summary: it can be empty, too long or too short,
/// or carry Arabic the translation kept. The rest cannot fail on sentences
/// copied from the translation, and one must not: a phrase the translation
/// itself says three times ("the French and Russian") is not a loop of
/// the summarizer, and flagging it would send readers looking for one.
pub fn check_extracted(summary: &str, limits: &SummaryLimits) -> Vec<Flag> {
    check(summary, summary, "", limits)
        .into_iter()
        .filter(|flag| *flag != Flag::Repetitive)
        .collect()
}

/// True when the summary has a capitalised word the translation lacks,
/// other than an everyday word opening a sentence.
fn has_unsupported_name(summary: &str, translation: &str) -> bool {
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
        return true;
    }
    false
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
    fn an_extract_is_checked_for_length_and_script_only() {
        let limits = SummaryLimits::default();
        // Sentences a translation can hold, phrases repeated and all.
        let extract = "The French and Russian military held talks on Thursday. \
            The French and Russian ministers discussed plans of the French and Russian forces.";
        assert_eq!(check_extracted(extract, &limits), vec![]);
        // A model's summary saying the same is flagged.
        assert_eq!(check(extract, extract, "", &limits), vec![Flag::Repetitive]);
        assert_eq!(check_extracted("", &limits), vec![Flag::Empty]);
        assert_eq!(
            check_extracted(&"Le Drian met Shoigu in Moscow. ".repeat(20), &limits),
            vec![Flag::TooLong]
        );
        assert_eq!(
            check_extracted("The minister arrived in موسكو on Monday morning.", &limits),
            vec![Flag::ArabicScript]
        );
    }

    #[test]
    fn numbers_ignore_thousands_separators() {
        assert_eq!(
            numbers("1,200 troops and 3.5 km in 2015."),
            BTreeSet::from(["1200".into(), "3.5".into(), "2015".into()])
        );
    }
}
