//! One English name per person, place or organisation across articles:
//! the names `super::finding` found in each sentence, merged when they
//! are the same one written another way.
//!
//! Two mentions are one name when (a) their Arabic keys are alike (the
//! normalized Arabic of the name's key word: جورجيفا in any article,
//! فاندنبروك and فاندينبروك; an institution's phrase must be equal; for
//! institutions, the phrase's first two
//! words with the same English kind noun: "Foreign Ministry" and
//! "Egyptian Foreign Ministry"), (b) their English is the same, or (c)
//! their last English words are the same or nearly ("Georgieva",
//! "Georgiyeva": normalized edit similarity ≥ 0.8) — (a) and (c) only
//! when the given names do not disagree, so "Abdulaziz bin Salman" and
//! "Mohammed bin Salman" stay two people, while "Georgieva" alone joins
//! "Kristalina Georgieva". Merging is transitive: a name spelt one way in
//! Arabic in one outlet and another way in the next is joined through the
//! English both translations agree on.
//!
//! The English name shown is the fullest form (most words), then the most
//! frequent, then the first in byte order; the kind is the one most
//! mentions give (a title or a verb of saying beats a bare name), ties to
//! person, place, organisation, other. Everything is a function of the
//! mentions in order, so the same articles give the same names. What it
//! is not: the gazetteer — these names are unreviewed, and say so.

use std::collections::{BTreeMap, BTreeSet};

use super::english::{is_abbreviation, is_name_word, is_particle};
use super::finding::{is_demonym, FoundName};
use super::gazetteer::{EntityKind, Gazetteer};

/// How alike two last words must be to be one name's (see the module doc).
const SAME_WORD: f64 = 0.8;
/// How alike two given names must be not to disagree (Mohamed, Mohammed).
const SAME_GIVEN_NAME: f64 = 0.75;

/// One name of the register: its English, kind and Arabic spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredName {
    pub english: String,
    pub kind: EntityKind,
    pub spellings: BTreeSet<String>,
}

/// Merges `mentions` (in article order) into names; returns them and, per
/// mention, the index of its name. Names are ordered by first mention.
pub fn register(mentions: &[FoundName]) -> (Vec<RegisteredName>, Vec<usize>) {
    let n = mentions.len();
    let mut sets = Sets::new(mentions);
    // Each rule joins a mention to the first earlier one it matches, which
    // keeps the work near linear: mentions are indexed by key and English.
    let mut by_english: BTreeMap<String, usize> = BTreeMap::new();
    // Keys and last words by (first letter, length), so each mention is
    // compared only with those that can be alike (see `Buckets`).
    let mut keys = Buckets::default();
    let mut lasts = Buckets::default();
    let mut by_phrase_head: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (i, mention) in mentions.iter().enumerate() {
        // Institutions: the same first two Arabic words and the same kind
        // noun ("Renaissance Dam", "Grand Ethiopian Renaissance Dam": سد
        // النهضة …; but the African Union and the Confederation of African
        // Football, الاتحاد الأفريقي …, differ in the English noun).
        if mention.key.contains(' ') {
            let head: String = mention.key.split(' ').take(2).collect::<Vec<_>>().join(" ");
            let noun = last_word(&mention.english);
            match by_phrase_head.get(&(head.clone(), noun.clone())) {
                Some(&j) => sets.union(i, j),
                None => {
                    by_phrase_head.insert((head, noun), i);
                }
            }
        }
        if let Some(&j) = by_english.get(&mention.english.to_lowercase()) {
            sets.union(i, j);
        }
        let transliterated = !mention.key.contains(' ') && mention.kind != EntityKind::Organisation;
        // (a) Alike Arabic keys (فاندنبروك, فاندينبروك), or the same one.
        for j in keys.alike(&mention.key, SAME_WORD) {
            if transliterated || mentions[j].key == mention.key {
                sets.union(i, j);
            }
        }
        keys.insert(&mention.key, &mention.english, i);
        // (c) Alike last English words.
        if transliterated {
            let last = last_word(&mention.english);
            for j in lasts.alike(&last, SAME_WORD) {
                sets.union(i, j);
            }
            lasts.insert(&last, &mention.english, i);
        }
        by_english
            .entry(mention.english.to_lowercase())
            .or_insert(i);
    }
    // (d) An organisation's letters and its name ("CAF", "Confederation of
    // African Football"); (e) institutions of one kind whose names hold
    // the same name words ("Mohammed V Stadium", "Mohammed V Sports
    // Complex": ملعب محمد الخامس, المركب الرياضي محمد الخامس).
    let mut by_initials: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_core: BTreeMap<(EntityKind, Vec<String>), usize> = BTreeMap::new();
    for (i, mention) in mentions.iter().enumerate() {
        if mention.key.contains(' ') {
            let initials = initials(&mention.english);
            if initials.chars().count() >= 3 {
                by_initials.entry(initials).or_insert(i);
            }
            let core = core_words(&mention.english);
            if !core.is_empty() {
                match by_core.get(&(mention.kind, core.clone())) {
                    Some(&j) => sets.union(i, j),
                    None => {
                        by_core.insert((mention.kind, core), i);
                    }
                }
            }
        }
    }
    for (i, mention) in mentions.iter().enumerate() {
        if is_abbreviation(&mention.english) {
            if let Some(&j) = by_initials.get(&mention.english.to_uppercase()) {
                sets.union(i, j);
            }
        }
    }
    let roots: Vec<usize> = (0..n).map(|i| sets.find(i)).collect();
    let mut order: Vec<usize> = Vec::new();
    for &root in &roots {
        if !order.contains(&root) {
            order.push(root);
        }
    }
    let names = order
        .iter()
        .map(|&root| {
            let members: Vec<&FoundName> = (0..n)
                .filter(|&i| roots[i] == root)
                .map(|i| &mentions[i])
                .collect();
            named(&members)
        })
        .collect();
    let index = roots
        .iter()
        .map(|root| {
            order
                .iter()
                .position(|r| r == root)
                .expect("every root is listed")
        })
        .collect();
    (names, index)
}

/// Words filed by first letter and length, for finding the alike ones
/// without comparing every pair: words whose edit similarity reaches 0.8
/// differ in length by at most a fifth and, for names, share the first
/// letter (Georgieva, Georgiyeva).
/// A word is filed once per given name: the mentions after the first are
/// joined to it already, so comparing with it stands for them all.
#[derive(Default)]
struct Buckets {
    by_start: BTreeMap<(char, usize), Vec<(String, usize)>>,
    filed: BTreeSet<(String, Option<String>)>,
}

impl Buckets {
    fn insert(&mut self, word: &str, english: &str, index: usize) {
        let Some(first) = word.chars().next() else {
            return;
        };
        if !self.filed.insert((word.to_string(), given_name(english))) {
            return;
        }
        let length = word.chars().count();
        self.by_start
            .entry((first, length))
            .or_default()
            .push((word.to_string(), index));
    }

    /// The indexes filed under words alike `word` (similarity ≥ `least`).
    fn alike(&self, word: &str, least: f64) -> Vec<usize> {
        let Some(first) = word.chars().next() else {
            return Vec::new();
        };
        let length = word.chars().count();
        let spread = length / 4 + 1;
        let mut found = Vec::new();
        for other in length.saturating_sub(spread)..=length + spread {
            for (candidate, index) in self.by_start.get(&(first, other)).into_iter().flatten() {
                if strsim::normalized_levenshtein(word, candidate) >= least {
                    found.push(*index);
                }
            }
        }
        found
    }
}

/// The mentions merged so far: disjoint sets, each with the given names
/// its mentions carry.
struct Sets {
    parent: Vec<usize>,
    /// Per root, the given names of its mentions.
    given: Vec<BTreeSet<String>>,
}

impl Sets {
    fn new(mentions: &[FoundName]) -> Self {
        Self {
            parent: (0..mentions.len()).collect(),
            given: mentions
                .iter()
                .map(|m| given_name(&m.english).into_iter().collect())
                .collect(),
        }
    }

    fn find(&mut self, i: usize) -> usize {
        let mut root = i;
        while self.parent[root] != root {
            root = self.parent[root];
        }
        let mut i = i;
        while self.parent[i] != root {
            let next = self.parent[i];
            self.parent[i] = root;
            i = next;
        }
        root
    }

    /// Joins two sets, the earlier mention's root staying the root —
    /// unless their given names disagree: a surname alone ("Aoun") may join
    /// "Joseph Aoun" or "Michel Aoun", but never bridge the two.
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let agree = self.given[ra].iter().all(|x| {
            self.given[rb]
                .iter()
                .all(|y| strsim::normalized_levenshtein(x, y) >= SAME_GIVEN_NAME)
        });
        if !agree {
            return;
        }
        let (keep, join) = (ra.min(rb), ra.max(rb));
        self.parent[join] = keep;
        let moved = std::mem::take(&mut self.given[join]);
        self.given[keep].extend(moved);
    }
}

/// The capitals of a name's words ("Confederation of African Football"
/// → "CAF").
fn initials(english: &str) -> String {
    english
        .split([' ', '-'])
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_uppercase())
        .collect()
}

/// The words of an institution's name that can carry a name and are no
/// place's ("Mohammed" of "Mohammed V Stadium"; none in "Cairo
/// University"), lower-case and sorted.
fn core_words(english: &str) -> Vec<String> {
    let gazetteer = Gazetteer::builtin();
    let mut words: Vec<String> = english
        .split([' ', '-'])
        .filter(|w| w.chars().count() >= 3 && is_name_word(w) && !is_demonym(w))
        .filter(|w| gazetteer.places_of(w).is_empty())
        .map(str::to_lowercase)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The last word of a name ("Bahey-Eldin" is one word).
fn last_word(english: &str) -> String {
    english.rsplit(' ').next().unwrap_or(english).to_lowercase()
}

/// A name's given name: its first word, when it has two or more and the
/// first is no particle ("Abu Zeid" has none).
fn given_name(english: &str) -> Option<String> {
    let words: Vec<&str> = english.split(' ').filter(|w| !w.is_empty()).collect();
    (words.len() >= 2 && !is_particle(words[0])).then(|| words[0].to_lowercase())
}

/// The name a set of mentions goes by (see the module doc).
fn named(members: &[&FoundName]) -> RegisteredName {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for m in members {
        *count.entry(m.english.as_str()).or_default() += 1;
    }
    let words = |s: &str| s.split([' ', '-']).count();
    let english = count
        .iter()
        .max_by(|(a, ca), (b, cb)| words(a).cmp(&words(b)).then(ca.cmp(cb)).then(b.cmp(a)))
        .map(|(e, _)| e.to_string())
        .expect("a name has a mention");
    let mut kinds: BTreeMap<EntityKind, usize> = BTreeMap::new();
    for m in members.iter().filter(|m| m.kind != EntityKind::Other) {
        *kinds.entry(m.kind).or_default() += 1;
    }
    let kind = kinds
        .iter()
        .max_by(|(a, ca), (b, cb)| ca.cmp(cb).then(b.cmp(a)))
        .map_or(EntityKind::Other, |(k, _)| *k);
    RegisteredName {
        english,
        kind,
        spellings: members.iter().map(|m| m.arabic.clone()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(english: &str, arabic: &str, key: &str, kind: EntityKind) -> FoundName {
        FoundName {
            english: english.into(),
            arabic: arabic.into(),
            key: key.into(),
            kind,
        }
    }

    #[test]
    fn spellings_of_one_person_merge_and_namesakes_do_not() {
        use EntityKind::*;
        let mentions = [
            mention(
                "Kristalina Georgieva",
                "كريستالينا جورجيفا",
                "جورجيفا",
                Person,
            ),
            mention(
                "Abdulaziz bin Salman",
                "عبد العزيز بن سلمان",
                "سلمان",
                Person,
            ),
            // Another outlet's Arabic, the same English.
            mention("Georgieva", "غيورغييفا", "غيورغييفا", Other),
            // A weaker translation of the first spelling.
            mention("Georgiyeva", "جورجيفا", "جورجيفا", Person),
            mention("Mohammed bin Salman", "محمد بن سلمان", "سلمان", Person),
            // A surname alone joins the first; it bridges no two people.
            mention("Salman", "سلمان", "سلمان", Person),
            mention(
                "International Monetary Fund",
                "صندوق النقد الدولي",
                "صندوق النقد الدولي",
                Organisation,
            ),
        ];
        let (names, index) = register(&mentions);
        assert_eq!(index, [0, 1, 0, 0, 2, 1, 3]);
        assert_eq!(names[0].english, "Kristalina Georgieva");
        assert_eq!(names[0].kind, Person);
        assert_eq!(
            names[0].spellings.iter().collect::<Vec<_>>(),
            ["جورجيفا", "غيورغييفا", "كريستالينا جورجيفا"]
        );
        assert_eq!(names[2].english, "Mohammed bin Salman");
        assert_eq!(names[3].kind, Organisation);
        assert_eq!(names[1].english, "Abdulaziz bin Salman");
    }

    /// A weak translation spells one coach two ways, and so do the
    /// outlets' Arabic: the alike Arabic keys join them.
    #[test]
    fn alike_arabic_keys_join_two_translations_of_one_name() {
        use EntityKind::*;
        let mentions = [
            mention("Sven Fandenberg", "سفين فاندنبروك", "فاندنبروك", Person),
            mention("Sven Fankinbruck", "سفين فاندينبروك", "فاندينبروك", Person),
            mention("Marcel Koller", "مارسيل كولر", "كولر", Person),
        ];
        let (names, index) = register(&mentions);
        assert_eq!(index, [0, 0, 1]);
        assert_eq!(names[0].spellings.len(), 2);
    }
}
