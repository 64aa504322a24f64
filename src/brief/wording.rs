//! Wording to note: loaded terms in the Arabic source, from a reviewed
//! lexicon (`data/wording.toml`, built into the binary), so a reader who
//! cannot read Arabic still sees an outlet's framing — "occupying forces",
//! "so-called coalition" — that a translation may soften or a summary drop.
//!
//! Matching is on normalized Arabic (the same matcher as the gazetteer),
//! so it is deterministic and testable. What it is not: a judgement of an
//! article or a bias score. It lists words and where they are; quoted
//! speech is listed too, and the sentence is shown so the reader can tell.

use std::sync::OnceLock;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::text::arabic::{PhraseIndex, Token};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadedTerm {
    pub arabic: Vec<String>,
    pub gloss: String,
    pub why: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    term: Vec<LoadedTerm>,
}

#[derive(Debug, Clone)]
pub struct Lexicon {
    pub terms: Vec<LoadedTerm>,
    index: PhraseIndex,
}

const BUILTIN: &str = include_str!("../../data/wording.toml");

/// A loaded term found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermMatch {
    /// Index into `Lexicon::terms`.
    pub term: usize,
    /// The Arabic as written (words joined by single spaces, without a
    /// joined و ف ب ل ك).
    pub surface: String,
    pub span: std::ops::Range<usize>,
}

impl Lexicon {
    pub fn parse(text: &str) -> Result<Self> {
        let file: LexiconFile = toml::from_str(text).context("wording lexicon is not valid")?;
        for term in &file.term {
            if term.arabic.is_empty() || term.gloss.trim().is_empty() || term.why.trim().is_empty()
            {
                bail!(
                    "wording lexicon entry {:?} needs arabic, gloss and why",
                    term.gloss
                );
            }
        }
        let index = PhraseIndex::new(
            file.term
                .iter()
                .enumerate()
                .flat_map(|(i, t)| t.arabic.iter().map(move |a| (i, a.as_str()))),
        );
        Ok(Self {
            terms: file.term,
            index,
        })
    }

    /// The lexicon built into tarjama.
    pub fn builtin() -> &'static Self {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(|| {
            Lexicon::parse(BUILTIN).expect("data/wording.toml is checked by a unit test")
        })
    }

    pub fn find(&self, text: &str, tokens: &[Token]) -> Vec<TermMatch> {
        self.index
            .find(tokens)
            .into_iter()
            .map(|m| {
                let span = m.span(tokens);
                TermMatch {
                    term: m.entry,
                    surface: m.spelling(text, tokens),
                    span,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::arabic::tokenize;

    fn glosses(text: &str) -> Vec<String> {
        let lexicon = Lexicon::builtin();
        lexicon
            .find(text, &tokenize(text))
            .iter()
            .map(|m| lexicon.terms[m.term].gloss.clone())
            .collect()
    }

    #[test]
    fn builtin_lexicon_parses() {
        assert!(Lexicon::builtin().terms.len() >= 10);
    }

    #[test]
    fn loaded_terms_from_seed_004_are_found() {
        // Sentences as they stand in seeds/004_2dad6acffa85f88d.txt.
        assert_eq!(
            glosses("لضمان أمن قواتها الاحتلالية في تلك المنطقة"),
            ["occupying (forces)"]
        );
        assert_eq!(
            glosses("ضمن ما يسمى «التحالف الدولي» المزعوم ضد الإرهاب"),
            ["what is called, the so-called", "so-called, alleged"]
        );
    }

    #[test]
    fn plain_wording_has_no_match() {
        assert!(glosses("التقى وزير الدفاع الفرنسي نظيره الروسي في موسكو").is_empty());
    }
}
