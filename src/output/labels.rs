//! The labels a record carries as words: the flags a language model's
//! output earned, and the method a summary was made by.
//!
//! One owner for each word, so code compares enum values instead of
//! strings and a misspelt label does not compile. Serialized (and shown)
//! as the same kebab-case words records have always held: records stay
//! byte-identical, and so do their SHA-256 seals. What it is not: the
//! checks that decide the flags (`crate::summarize`, `crate::translate::llm`),
//! or the summarizer the user chooses (`none` is a choice, not a method).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A problem found in a language model's output, or the note that the
/// stricter retry was used.
///
/// The variants' order is the order a summary's checks list their flags
/// in (a summary's flags are sorted), so it is part of the record format:
/// new flags go at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    /// The first answer failed a check and was asked again, more strictly;
    /// listed first, and alone when the retry passed every check.
    Retried,
    Empty,
    TooLong,
    /// Fewer words than a sentence of substance needs.
    TooShort,
    /// The same three words over and over: a model stuck in a loop.
    Repetitive,
    /// A number that the translation does not contain.
    UnsupportedNumber,
    /// A capitalised name that the translation does not contain.
    UnsupportedName,
    ArabicScript,
    /// Letters of the source's own script (Hebrew, Cyrillic, …) left in
    /// the English; Arabic script has its own flag above.
    SourceScript,
    PromptEcho,
    Commentary,
    /// A translation much shorter or longer than its source.
    LengthRatio,
    /// The token limit cut the answer off before the model ended it.
    Truncated,
    /// A translation names someone or somewhere the article's Arabic does
    /// not (`crate::names::grounding`); the names are in the sentence's
    /// record.
    NameNotInSource,
}

impl Flag {
    /// The word records hold.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Retried => "retried",
            Flag::Empty => "empty",
            Flag::TooLong => "too-long",
            Flag::TooShort => "too-short",
            Flag::Repetitive => "repetitive",
            Flag::UnsupportedNumber => "unsupported-number",
            Flag::UnsupportedName => "unsupported-name",
            Flag::ArabicScript => "arabic-script",
            Flag::SourceScript => "source-script",
            Flag::PromptEcho => "prompt-echo",
            Flag::Commentary => "commentary",
            Flag::LengthRatio => "length-ratio",
            Flag::Truncated => "truncated",
            Flag::NameNotInSource => "name-not-in-source",
        }
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether flags name a failed check: anything but `retried` (a lone
/// `retried` means the stricter retry passed).
pub fn has_failed_check(flags: &[Flag]) -> bool {
    flags.iter().any(|&f| f != Flag::Retried)
}

/// Flags as readers see them in the Markdown and HTML: `a, b`.
pub fn flag_list(flags: &[Flag]) -> String {
    flags
        .iter()
        .map(|f| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a recorded summary was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Sentences picked from the translation; no model.
    Extractive,
    /// Written by a local language model, then checked.
    Model,
}

impl Method {
    /// The word records hold.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Extractive => "extractive",
            Method::Model => "model",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_FLAGS: [Flag; 13] = [
        Flag::Retried,
        Flag::Empty,
        Flag::TooLong,
        Flag::TooShort,
        Flag::Repetitive,
        Flag::UnsupportedNumber,
        Flag::UnsupportedName,
        Flag::ArabicScript,
        Flag::SourceScript,
        Flag::PromptEcho,
        Flag::Commentary,
        Flag::LengthRatio,
        Flag::Truncated,
    ];

    /// Serde's words and `as_str`'s are the same, both ways, so what a
    /// record holds and what the Markdown shows never drift apart.
    #[test]
    fn serialized_words_are_the_shown_words() {
        for flag in ALL_FLAGS {
            let json = serde_json::to_string(&flag).unwrap();
            assert_eq!(json, format!("\"{flag}\""));
            assert_eq!(serde_json::from_str::<Flag>(&json).unwrap(), flag);
        }
        for method in [Method::Extractive, Method::Model] {
            let json = serde_json::to_string(&method).unwrap();
            assert_eq!(json, format!("\"{method}\""));
            assert_eq!(serde_json::from_str::<Method>(&json).unwrap(), method);
        }
        assert_eq!(
            flag_list(&[Flag::Retried, Flag::UnsupportedName]),
            "retried, unsupported-name"
        );
        assert!(!has_failed_check(&[Flag::Retried]));
        assert!(has_failed_check(&[Flag::Retried, Flag::Empty]));
    }

    /// Summaries list their flags sorted: the order is the record format's.
    #[test]
    fn flags_sort_in_the_recorded_order() {
        let mut sorted = ALL_FLAGS;
        sorted.sort();
        assert_eq!(sorted, ALL_FLAGS);
    }
}
