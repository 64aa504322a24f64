//! Names in English text: runs of capitalised words ("Sir Jeremy Hunt",
//! "the International Monetary Fund"), which of their words are names,
//! and the words just around them that say what kind of name it is.
//!
//! Ordinary English words (`data/english-words.txt`: "President",
//! "State", "Hunt") and titles are not names by themselves; a name's last
//! word that is neither, its head ("Jeremy" in "Sir Jeremy Hunt",
//! "Drian"), is what must be found in the Arabic. Abbreviations ("U.S.",
//! "ISIS") are no name's head: no spelling rule ties them to the Arabic.
//!
//! What it is not: a check against the Arabic (`super::grounding`) or the
//! brief's list of names (`super::finding`); this module reads English
//! only.

use std::collections::BTreeSet;
use std::sync::OnceLock;

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
    "brigadier",
    "colonel",
    "lieutenant",
    "sergeant",
    "marshal",
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
pub fn is_ordinary(word: &str) -> bool {
    let lower = word.to_lowercase();
    NOT_NAMES.contains(&lower.as_str()) || english_words().contains(lower.as_str())
}

/// "U.S.", "ISIS", "AFP", "MPs": all capitals (two or more), dots
/// allowed, and a plural s.
pub fn is_abbreviation(word: &str) -> bool {
    let word = word.strip_suffix('s').unwrap_or(word);
    let letters: Vec<char> = word.chars().filter(|c| *c != '.').collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
}

/// Small words inside names ("Bashar al-Assad", "Charles de Gaulle").
pub fn is_particle(word: &str) -> bool {
    matches!(
        word.to_lowercase().as_str(),
        "al" | "el" | "bin" | "ibn" | "abu" | "de" | "du" | "le" | "la" | "von" | "van" | "der"
    )
}

/// A word that can carry a name: neither ordinary nor an abbreviation.
pub fn is_name_word(word: &str) -> bool {
    !is_ordinary(word) && !is_abbreviation(word)
}

/// A run of capitalised words (with the particles and "of" inside it),
/// cut at punctuation, and the lower-case words on either side of it in
/// the same clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The words as written, hyphenated parts apart ("Jean", "Yves").
    pub words: Vec<String>,
    /// Whether each word was joined to the next by a hyphen.
    pub hyphen_after: Vec<bool>,
    /// The lower-case word just before the run ("in", "minister").
    pub before: Option<String>,
    /// The lower-case word just after the run ("said").
    pub after: Option<String>,
}

/// A name in English text: the run's name part and its head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The name's words joined by spaces ("Jean Yves Le Drian").
    pub text: String,
    /// Its words that can carry a name (not particles), the last one its
    /// head ("Jeremy" in "Sir Jeremy Hunt").
    pub name_words: Vec<String>,
    /// The words of the run before the name ("Finance", "Minister").
    pub before_in_run: Vec<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The run segment it was read from, and where in it the name starts.
    pub segment: Run,
    pub start: usize,
}

/// Runs of capitalised words in `english`, in text order.
pub fn runs(english: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut run: Vec<String> = Vec::new();
    let mut hyphens: Vec<bool> = Vec::new();
    let mut before: Option<String> = None;
    // The last lower-case word in the clause, for the next run's `before`.
    let mut last_lower: Option<String> = None;
    let flush = |run: &mut Vec<String>,
                 hyphens: &mut Vec<bool>,
                 before: &mut Option<String>,
                 out: &mut Vec<Run>| {
        // "of" and particles are kept only inside a run ("Bank of Egypt").
        while run.last().is_some_and(|w| is_joiner(w)) {
            run.pop();
            hyphens.pop();
        }
        if let Some(last) = hyphens.last_mut() {
            *last = false;
        }
        if !run.is_empty() {
            out.push(Run {
                words: std::mem::take(run),
                hyphen_after: std::mem::take(hyphens),
                before: before.take(),
                after: None,
            });
        }
        run.clear();
        hyphens.clear();
    };
    for piece in english.split_whitespace() {
        // A dash between words ends a clause ("Cairo - Reuters:").
        if piece
            .chars()
            .all(|c| matches!(c, '-' | '–' | '—' | ':' | '|'))
        {
            flush(&mut run, &mut hyphens, &mut before, &mut out);
            last_lower = None;
            continue;
        }
        let starts_run = piece.starts_with(['"', '“', '(', '«']);
        let ends_clause = piece.ends_with([',', ';', ':', '.', '!', '?', '"', '”', ')', '»']);
        let possessive = piece
            .trim_end_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
            .ends_with(['s', 'S'])
            && (piece.contains("'s") || piece.contains("’s"));
        if starts_run {
            flush(&mut run, &mut hyphens, &mut before, &mut out);
            last_lower = None;
        }
        // "Jean-Yves", "al-Assad", "April/May": each part on its own; a
        // possessive is not part of the name and ends it ("Egypt's
        // Finance Ministry" is Egypt, then Finance Ministry).
        let parts: Vec<&str> = piece.split(['-', '/', '–']).collect();
        for (index, part) in parts.iter().enumerate() {
            let hyphen = index + 1 < parts.len() && piece.contains('-');
            let part = part.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’');
            let part = part
                .strip_suffix("'s")
                .or_else(|| part.strip_suffix("’s"))
                .unwrap_or(part)
                .trim_matches(|c: char| !c.is_alphanumeric());
            // An outlet's web address is its name ("Al Arabiya.net").
            let part = [".net", ".com", ".org"]
                .iter()
                .find_map(|domain| part.strip_suffix(domain))
                .unwrap_or(part);
            if part.is_empty() {
                continue;
            }
            if part.chars().next().is_some_and(char::is_uppercase) {
                if run.is_empty() {
                    before = last_lower.take();
                }
                run.push(part.to_string());
                hyphens.push(hyphen);
            } else if !run.is_empty() && is_joiner(part) {
                run.push(part.to_string());
                hyphens.push(hyphen);
            } else {
                let lower = part.to_lowercase();
                if !run.is_empty() {
                    flush(&mut run, &mut hyphens, &mut before, &mut out);
                    if let Some(last) = out.last_mut() {
                        last.after = Some(lower.clone());
                    }
                }
                last_lower = Some(lower);
            }
        }
        if ends_clause || possessive {
            flush(&mut run, &mut hyphens, &mut before, &mut out);
        }
        if ends_clause {
            last_lower = None;
        }
    }
    flush(&mut run, &mut hyphens, &mut before, &mut out);
    out
}

impl Run {
    /// Words `range` of the run as written, hyphens kept ("Ras El-Hekma").
    pub fn written(&self, range: std::ops::Range<usize>) -> String {
        let mut text = String::new();
        for i in range.clone() {
            text.push_str(&self.words[i]);
            if i + 1 < range.end {
                text.push(if self.hyphen_after[i] { '-' } else { ' ' });
            }
        }
        text
    }
}

/// Words that join a run's capitalised words: particles, "of" and "and"
/// ("Bank of Egypt", "King Salman Humanitarian Aid and Relief Centre").
fn is_joiner(word: &str) -> bool {
    is_particle(word) || word == "of" || word == "and"
}

/// A run cut at "of" and "and", for the names in it: "Egypt and Sudan"
/// names two places, "Bank of Egypt" one (and an institution, which
/// `super::finding` reads from the whole run). Each part's `before` and
/// `after` are the joiners around it.
pub fn segments(run: &Run) -> Vec<Run> {
    run.split_at(|words, i| matches!(words[i].as_str(), "of" | "and"))
}

impl Run {
    /// The run cut at every joiner `cut(words, i)` accepts (the joiner
    /// itself dropped); each part's `before` and `after` are the joiners
    /// around it, or the run's own at its ends.
    pub fn split_at(&self, cut: impl Fn(&[String], usize) -> bool) -> Vec<Run> {
        let mut out = Vec::new();
        let mut start = 0;
        for i in 0..=self.words.len() {
            if i < self.words.len() && !cut(&self.words, i) {
                continue;
            }
            if i > start {
                out.push(Run {
                    words: self.words[start..i].to_vec(),
                    hyphen_after: self.hyphen_after[start..i].to_vec(),
                    before: match start {
                        0 => self.before.clone(),
                        _ => Some(self.words[start - 1].clone()),
                    },
                    after: self.words.get(i).cloned().or_else(|| self.after.clone()),
                });
            }
            start = i + 1;
        }
        out
    }
}

/// The name in a run segment (see [`segments`]), if it has one: from the
/// block of name words its head ends (with the particles inside it: "Jean
/// Yves Le Drian") to the end of the segment ("Jeremy Hunt"); titles and
/// ordinary words before that block are not part of it ("Russian Defence
/// Minister Sergei Shoigu" → "Sergei Shoigu").
pub fn name_in(segment: &Run) -> Option<Name> {
    let words: Vec<&str> = segment.words.iter().map(String::as_str).collect();
    let end = words.iter().rposition(|w| is_name_word(w))?;
    let start = words[..end]
        .iter()
        .rposition(|w| !is_name_word(w) && !is_particle(w))
        .map_or(0, |i| i + 1);
    Some(Name {
        text: words[start..].join(" "),
        name_words: words[start..]
            .iter()
            .filter(|w| is_name_word(w))
            .map(|w| w.to_string())
            .collect(),
        before_in_run: words[..start].iter().map(|w| w.to_string()).collect(),
        before: segment.before.clone(),
        after: segment.after.clone(),
        segment: segment.clone(),
        start,
    })
}

/// The names in `english`, in text order.
pub fn names(english: &str) -> Vec<Name> {
    runs(english)
        .iter()
        .flat_map(segments)
        .filter_map(|segment| name_in(&segment))
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
            .map(|n| (n.text.as_str(), n.name_words.last().unwrap().as_str()))
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
    fn runs_keep_of_inside_and_stop_at_a_possessive() {
        let runs = runs("Egypt's Finance Ministry and the Central Bank of Egypt said in Cairo.");
        let words: Vec<String> = runs.iter().map(|r| r.words.join(" ")).collect();
        assert_eq!(
            words,
            [
                "Egypt",
                "Finance Ministry",
                "Central Bank of Egypt",
                "Cairo"
            ]
        );
        let names: Vec<String> = names("Egypt and Sudan met in Addis Ababa - Reuters")
            .into_iter()
            .map(|n| n.text)
            .collect();
        assert_eq!(names, ["Egypt", "Sudan", "Addis Ababa", "Reuters"]);
        assert_eq!(runs[2].before.as_deref(), Some("the"));
        assert_eq!(runs[2].after.as_deref(), Some("said"));
        assert_eq!(runs[3].before.as_deref(), Some("in"));
    }

    #[test]
    fn the_words_around_a_name_are_kept() {
        let found = names("Egyptian Finance Minister Mohamed Maait told reporters.");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].text, "Mohamed Maait");
        assert_eq!(found[0].name_words, ["Mohamed", "Maait"]);
        assert_eq!(found[0].before_in_run, ["Egyptian", "Finance", "Minister"]);
        assert_eq!(found[0].after.as_deref(), Some("told"));
    }
}
