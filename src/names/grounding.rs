//! Names in a translation checked against the Arabic they came from: a
//! person, place or organisation the English names must have a
//! counterpart in the article's Arabic — a gazetteer entry found there, or
//! an Arabic word it plausibly transliterates. One that has none was put
//! there by the translator ("President Obama" for بوتين), the most harmful
//! error a news translation can make, and is reported.
//!
//! Names are read from the English by `super::english`; every word of a
//! name that is not ordinary English must be found, so a wrong first name
//! before a right surname ("Jean-Philippe Luderrian" for جان ايف لودريان)
//! is caught as surely as an invented surname. Abbreviations ("U.S.", "ISIS") are left
//! alone: no spelling rule ties them to the Arabic. The whole
//! article's Arabic is searched, not only the paragraph, because a
//! translator that writes "Vladimir Putin" where the Arabic says "the
//! Russian president" resolved a reference the article makes elsewhere;
//! it did not invent a person.
//!
//! What it is not: listing an article's names for the brief
//! (`super::finding`, which ties names to their Arabic with the same
//! transliteration), or choosing between spellings.

use std::collections::BTreeSet;

use crate::names::english::names;
use crate::names::gazetteer::Gazetteer;
use crate::names::transliteration;
use crate::text::arabic::{light_stem, normalize, strip_clitics, tokenize};

/// What the article's Arabic offers names: its words, with and without a
/// joined article or conjunction, and the English names of the gazetteer
/// entries found in it, as lower-case words.
pub struct ArabicNames {
    words: BTreeSet<String>,
    gazetteer_words: BTreeSet<String>,
    /// Every word's stem as `place_stem` makes it, so "Egyptian" and
    /// "Egypt" find مصر in المصرية.
    stems: BTreeSet<String>,
}

impl ArabicNames {
    pub fn of(arabic: &str) -> Self {
        let tokens = tokenize(arabic);
        let mut words: BTreeSet<String> =
            tokens.iter().flat_map(|t| arabic_forms(&t.norm)).collect();
        // A name written as two words is one English word ("Abdelmonem"
        // for عبد المنعم, "Hezbollah" for حزب الله).
        for pair in tokens.windows(2) {
            if let Some(compound) = compound(&pair[0].norm, &pair[1].norm) {
                words.insert(compound);
            }
        }
        let stems = tokens.iter().map(|t| place_stem(&t.norm)).collect();
        let gazetteer = Gazetteer::builtin();
        let gazetteer_words = gazetteer
            .find(arabic, &tokens)
            .iter()
            .flat_map(|m| english_words_of(&gazetteer.entities[m.entity].name))
            .collect();
        Self {
            words,
            gazetteer_words,
            stems,
        }
    }

    /// Whether the English word has a counterpart here.
    fn grounds(&self, word: &str) -> bool {
        let lower = word.to_lowercase().replace(['\'', '’'], "");
        if self.gazetteer_words.contains(&lower) {
            return true;
        }
        // A community named by its adjective ("Shiite", "Druze"): its
        // Arabic stem in any word.
        if let Some((_, stems)) = COMMUNITIES.iter().find(|(english, _)| *english == lower) {
            return self
                .words
                .iter()
                .any(|w| stems.iter().any(|stem| w.starts_with(&normalize(stem))));
        }
        // A listed place, or its people ("Egypt's Al Ahly" and "Egyptian"
        // for الأهلي المصري): its stem in any word of the Arabic.
        let gazetteer = Gazetteer::builtin();
        let place_named = gazetteer.places_of(word).into_iter().any(|place| {
            gazetteer
                .spellings(place)
                .iter()
                .filter(|s| !s.contains(' '))
                .any(|s| self.stems.contains(&place_stem(&normalize(s))))
        });
        if place_named {
            return true;
        }
        let forms = english_forms(word);
        forms.iter().any(|form| {
            self.words
                .iter()
                .any(|arabic| transliteration::plausible(form, arabic))
        })
    }
}

/// Religious and ethnic communities named by an English adjective or
/// plural, and the Arabic stems (without ال) that name them.
const COMMUNITIES: &[(&str, &[&str])] = &[
    ("shiite", &["شيع"]),
    ("shiites", &["شيع"]),
    ("shia", &["شيع"]),
    ("sunni", &["سني", "سنه"]),
    ("sunnis", &["سني", "سنه"]),
    ("druze", &["درز", "دروز"]),
    ("maronite", &["مارون", "موارن"]),
    ("maronites", &["مارون", "موارن"]),
    ("christian", &["مسيح"]),
    ("christians", &["مسيح"]),
    ("alawite", &["علوي", "علويين"]),
    ("alawites", &["علوي", "علويين"]),
    ("coptic", &["قبط"]),
    ("copts", &["قبط", "اقباط"]),
    ("kurdish", &["كرد", "اكراد"]),
    ("kurds", &["كرد", "اكراد"]),
    ("jewish", &["يهود"]),
    ("jews", &["يهود"]),
    ("muslim", &["مسلم"]),
    ("muslims", &["مسلم"]),
    ("arab", &["عرب"]),
    ("arabs", &["عرب"]),
    ("arabic", &["عرب"]),
];

/// Two Arabic words that make one name written as one English word: عبد
/// or أبو and the next word (عبد المنعم, "Abdelmonem"), or a word and الله
/// (حزب الله "Hezbollah", نصر الله "Nasrallah").
pub(super) fn compound(first: &str, second: &str) -> Option<String> {
    let first = strip_clitics(first);
    (["عبد", "ابو"].contains(&first) || second == "الله").then(|| format!("{first}{second}"))
}

/// The forms of a normalized Arabic word a name may be written as: the
/// word, without a joined article or conjunction, its stem ("Islamist"
/// for إسلاميين), and without a joined preposition (بموسكو, لهولاند).
pub(super) fn arabic_forms(norm: &str) -> Vec<String> {
    let bare = strip_clitics(norm);
    let mut forms = vec![
        norm.to_string(),
        bare.to_string(),
        light_stem(bare).to_string(),
    ];
    for prefix in ['ب', 'ل', 'ف', 'ك'] {
        if let Some(rest) = norm.strip_prefix(prefix) {
            if rest.chars().count() >= 3 {
                forms.push(rest.to_string());
            }
        }
    }
    forms
}

/// The forms of an English name word to look for in the Arabic: the
/// word, or its stem ("Syrian" for سوري, "Russians" for الروس); an
/// apostrophe is not spelt in Arabic ("Shi'ite").
pub(super) fn english_forms(word: &str) -> Vec<String> {
    let word = word.replace(['\'', '’'], "");
    let mut forms = vec![word.clone()];
    // "Abdel", "Abdul" of "Abdel-Razek" (عبد الرازق): the article is the
    // next word's in Arabic.
    if ["abdel", "abdul", "abdal", "abdol"].contains(&word.to_lowercase().as_str()) {
        forms.push("Abd".to_string());
    }
    for suffix in [
        "ians", "ian", "ans", "an", "ists", "ist", "ic", "is", "i", "s",
    ] {
        if let Some(stem) = word.strip_suffix(suffix) {
            if stem.chars().count() >= 3 {
                forms.push(stem.to_string());
            }
        }
    }
    forms
}

/// A normalized word's stem for telling a place from its adjective: no
/// joined article or conjunction, no final alef, one suffix off (مصر,
/// المصرية → مصر; روسيا, الروسي → روس; بلجيكا, البلجيكي → بلجيك).
fn place_stem(norm: &str) -> String {
    let bare = strip_clitics(norm);
    let bare = bare
        .strip_suffix('ا')
        .filter(|b| b.chars().count() >= 3)
        .unwrap_or(bare);
    light_stem(bare).to_string()
}

/// The lower-case words of an English name ("ISIS (the Islamic State
/// group)" → isis, the, islamic, state, group).
pub(super) fn english_words_of(name: &str) -> impl Iterator<Item = String> + '_ {
    name.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The names in `english` with a word that has no counterpart in the
/// article's Arabic, in text order, each once.
pub fn names_not_in_source(english: &str, source: &ArabicNames) -> Vec<String> {
    let mut seen = BTreeSet::new();
    names(english)
        .into_iter()
        .filter(|name| !name.name_words.iter().all(|w| source.grounds(w)))
        .map(|name| name.text)
        .filter(|text| seen.insert(text.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Written for this test: a good translation of an Egyptian sports
    /// report, whose Arabic names Egypt only in adjectives.
    #[test]
    fn places_named_by_their_adjective_and_compound_names_are_found() {
        let source = ArabicNames::of(
            "سجل محمد عبد المنعم هدف الأهلي المصري في مرمى الوداد المغربي أمام المدرب كوللر.",
        );
        assert!(names_not_in_source(
            "Mohamed Abdelmonem scored for Egypt's Al Ahly against Moroccan side Wydad, in front of Egyptian fans and coach Koller.",
            &source
        )
        .is_empty());
        // An adjective of a place the Arabic does not name is still reported.
        assert_eq!(
            names_not_in_source("Sudanese fans cheered.", &source),
            ["Sudanese"]
        );
    }

    /// Written for this test: the surname is right, the first name is not.
    #[test]
    fn a_wrong_first_name_before_a_right_surname_is_reported() {
        let source = ArabicNames::of("وقال وزير الخارجية الفرنسي جان ايف لودريان إن الحل سياسي.");
        assert_eq!(
            names_not_in_source(
                "French Foreign Minister Jean-Philippe Le Drian said.",
                &source
            ),
            ["Jean Philippe Le Drian"]
        );
        assert!(names_not_in_source("Jean-Yves Le Drian said.", &source).is_empty());
    }

    #[test]
    fn gazetteer_names_count_whatever_their_spelling() {
        // داعش is the gazetteer's ISIS (the Islamic State group).
        let source = ArabicNames::of("قال المتحدث إن داعش خسر مواقع.");
        assert!(names_not_in_source("The Islamic State lost ground.", &source).is_empty());
    }
}
