//! Names in a translation checked against the Arabic they came from: a
//! person, place or organisation the English names must have a
//! counterpart in the article's Arabic — a gazetteer entry found there, or
//! an Arabic word it plausibly transliterates. One that has none was put
//! there by the translator ("President Obama" for بوتين), the most harmful
//! error a news translation can make, and is reported.
//!
//! A name is a run of capitalised words ("Sir Jeremy Hunt", "Jean-Yves Le
//! Drian"). Ordinary English words (`data/english-words.txt`: "President",
//! "State", "Hunt") and titles are not names by themselves; the name's
//! last word that is neither, its head ("Jeremy" in "Sir Jeremy Hunt",
//! "Drian"), is what must be found. Abbreviations ("U.S.", "ISIS") are
//! left alone: no spelling rule ties them to the Arabic. The whole
//! article's Arabic is searched, not only the paragraph, because a
//! translator that writes "Vladimir Putin" where the Arabic says "the
//! Russian president" resolved a reference the article makes elsewhere;
//! it did not invent a person.
//!
//! What it is not: finding every name of an article for the brief, or
//! choosing between spellings.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use crate::names::gazetteer::Gazetteer;
use crate::names::transliteration;
use crate::text::arabic::{light_stem, strip_clitics, tokenize};

const ENGLISH_WORDS: &str = include_str!("../../data/english-words.txt");

/// Capitalised words that are not names although the word list holds them
/// only capitalised: titles and honorifics that stand before a name, and
/// the days and months.
const NOT_NAMES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "dame",
    "lord",
    "lady",
    "sheikh",
    "shaikh",
    "prof",
    "gen",
    "col",
    "lt",
    "maj",
    "capt",
    "sgt",
    "rev",
    "st",
    "president",
    "minister",
    "king",
    "queen",
    "prince",
    "princess",
    "emir",
    "sultan",
    "imam",
    "ayatollah",
    "pope",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Lower-case English words (see `tools/make_english_words.sh`).
fn english_words() -> &'static BTreeSet<&'static str> {
    static WORDS: OnceLock<BTreeSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        ENGLISH_WORDS
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    })
}

/// Whether a capitalised word is an ordinary word or a title, not a name
/// on its own ("The", "Defense", "Hunt", "Sir").
fn is_ordinary(word: &str) -> bool {
    let lower = word.to_lowercase();
    NOT_NAMES.contains(&lower.as_str()) || english_words().contains(lower.as_str())
}

/// "U.S.", "ISIS", "AFP": all capitals (two or more), dots allowed.
fn is_abbreviation(word: &str) -> bool {
    let letters: Vec<char> = word.chars().filter(|c| *c != '.').collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
}

/// What the article's Arabic offers names: its words, with and without a
/// joined article or conjunction, and the English names of the gazetteer
/// entries found in it, as lower-case words.
pub struct ArabicNames {
    words: BTreeSet<String>,
    gazetteer_words: BTreeSet<String>,
}

impl ArabicNames {
    pub fn of(arabic: &str) -> Self {
        let tokens = tokenize(arabic);
        let mut words = BTreeSet::new();
        for token in &tokens {
            words.insert(token.norm.clone());
            let bare = strip_clitics(&token.norm);
            words.insert(bare.to_string());
            // "Islamist" for إسلاميين: the stem too.
            words.insert(light_stem(bare).to_string());
            // A joined preposition before a name: بموسكو, لهولاند.
            for prefix in ['ب', 'ل', 'ف', 'ك'] {
                if let Some(rest) = token.norm.strip_prefix(prefix) {
                    if rest.chars().count() >= 3 {
                        words.insert(rest.to_string());
                    }
                }
            }
        }
        let gazetteer = Gazetteer::builtin();
        let gazetteer_words = gazetteer
            .find(arabic, &tokens)
            .iter()
            .flat_map(|m| english_words_of(&gazetteer.entities[m.entity].name))
            .collect();
        Self {
            words,
            gazetteer_words,
        }
    }

    /// Whether the English word has a counterpart here.
    fn grounds(&self, word: &str) -> bool {
        let lower = word.to_lowercase();
        if self.gazetteer_words.contains(&lower) {
            return true;
        }
        // "Syrian" for سوري, "Russians" for الروس: the word, or its stem;
        // an apostrophe is not spelt in Arabic ("Shi'ite").
        let word = word.replace(['\'', '’'], "");
        let mut forms = vec![word.clone()];
        for suffix in ["ians", "ian", "ans", "an", "ists", "ist", "is", "i", "s"] {
            if let Some(stem) = word.strip_suffix(suffix) {
                if stem.chars().count() >= 3 {
                    forms.push(stem.to_string());
                }
            }
        }
        forms.iter().any(|form| {
            self.words
                .iter()
                .any(|arabic| transliteration::plausible(form, arabic))
        })
    }
}

/// The lower-case words of an English name ("ISIS (the Islamic State
/// group)" → isis, the, islamic, state, group).
fn english_words_of(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// A name found in a translation: its words as written, joined by spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Name {
    text: String,
    head: String,
}

/// Runs of capitalised words, split at punctuation; the name's head is
/// its last word that is not ordinary and not an abbreviation.
fn names(english: &str) -> Vec<Name> {
    let mut out = Vec::new();
    let mut run: Vec<&str> = Vec::new();
    let mut flush = |run: &mut Vec<&str>| {
        let is_name_word = |w: &&str| !is_ordinary(w) && !is_abbreviation(w);
        if let Some(end) = run.iter().rposition(is_name_word) {
            // The name runs from the block of name words its head ends
            // (with the particles inside it: "Jean Yves Le Drian") to the
            // end of the run ("Jeremy Hunt"); titles and ordinary words
            // before that block are not part of it ("Russian Defence
            // Minister Sergei Shoigu" → "Sergei Shoigu").
            let start = run[..end]
                .iter()
                .rposition(|w| !is_name_word(w) && !is_particle(w))
                .map_or(0, |i| i + 1);
            out.push(Name {
                text: run[start..].join(" "),
                head: run[end].to_string(),
            });
        }
        run.clear();
    };
    for piece in english.split_whitespace() {
        let starts_run = piece.starts_with(['"', '“', '(', '«']);
        let ends_run = piece.ends_with([',', ';', ':', '.', '!', '?', '"', '”', ')', '»']);
        if starts_run {
            flush(&mut run);
        }
        // "Jean-Yves", "al-Assad", "April/May": each part on its own; a
        // possessive is not part of the name.
        for part in piece.split(['-', '/', '–']) {
            let part = part.trim_matches(|c: char| !c.is_alphanumeric());
            let part = part
                .strip_suffix("'s")
                .or_else(|| part.strip_suffix("’s"))
                .unwrap_or(part);
            if part.is_empty() {
                continue;
            }
            if part.chars().next().is_some_and(char::is_uppercase) {
                run.push(part);
            } else if !is_particle(part) {
                flush(&mut run);
            }
        }
        if ends_run {
            flush(&mut run);
        }
    }
    flush(&mut run);
    out
}

/// Small words inside names ("Bashar al-Assad", "Charles de Gaulle").
fn is_particle(word: &str) -> bool {
    matches!(
        word.to_lowercase().as_str(),
        "al" | "el" | "bin" | "ibn" | "abu" | "de" | "du" | "le" | "la" | "von" | "van" | "der"
    )
}

/// The names in `english` whose head has no counterpart in the article's
/// Arabic, in text order, each once.
pub fn names_not_in_source(english: &str, source: &ArabicNames) -> Vec<String> {
    let mut seen = BTreeSet::new();
    names(english)
        .into_iter()
        .filter(|name| !source.grounds(&name.head))
        .map(|name| name.text)
        .filter(|text| seen.insert(text.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_runs_of_capitalised_words_with_a_head() {
        let found = names(
            "The British Foreign Secretary, Sir Jeremy Hunt, met Jean-Yves Le Drian and the U.S. envoy in Moscow.",
        );
        let texts: Vec<(&str, &str)> = found
            .iter()
            .map(|n| (n.text.as_str(), n.head.as_str()))
            .collect();
        assert_eq!(
            texts,
            [
                // A people's name is checked too (البريطاني).
                ("British Foreign Secretary", "British"),
                ("Jeremy Hunt", "Jeremy"),
                ("Jean Yves Le Drian", "Drian"),
                ("Moscow", "Moscow"),
            ]
        );
    }

    #[test]
    fn a_name_the_arabic_lacks_is_reported_and_one_it_has_is_not() {
        // Written for this test: the Arabic names Putin and Kerry only.
        let source = ArabicNames::of("التقى بوتين وزير الخارجية الاميركي جون كيري في موسكو.");
        assert_eq!(
            names_not_in_source(
                "President Obama met U.S. Secretary of State John Kerry in Moscow.",
                &source
            ),
            ["Obama"]
        );
        assert!(names_not_in_source(
            "Russian President Vladimir Putin met Kerry on Monday.",
            &source
        )
        .is_empty());
    }

    #[test]
    fn gazetteer_names_count_whatever_their_spelling() {
        // داعش is the gazetteer's ISIS (the Islamic State group).
        let source = ArabicNames::of("قال المتحدث إن داعش خسر مواقع.");
        assert!(names_not_in_source("The Islamic State lost ground.", &source).is_empty());
    }
}
