//! The reviewed gazetteer: one English name per person, place,
//! organisation or credited agency, with the Arabic spellings outlets use
//! for it (`data/entities.toml`, built into the binary), matched on
//! normalized Arabic, so لودريان and لو دريان are both "Jean-Yves Le
//! Drian" whatever the translation made of them; and, for people, the
//! terms of office that date an article.
//!
//! It is the authority for canonical spellings, roles and terms. What it
//! is not: open-ended name finding (a name missing here is not found by
//! this module; `super::grounding` checks names of any kind), or dates in
//! the text (`crate::brief::dates`).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::text::arabic::{normalize, PhraseIndex, Token};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Place,
    Organisation,
    Other,
    Agency,
}

impl EntityKind {
    pub fn heading(self) -> &'static str {
        match self {
            Self::Person => "People",
            Self::Place => "Places",
            Self::Organisation => "Organisations",
            Self::Other => "Other names",
            Self::Agency => "Agencies and outlets credited",
        }
    }
}

/// An entry as a list holds it, checked.
fn entity(entry: &EntityEntry, list: List) -> Result<Entity> {
    let term = match &entry.term {
        None => None,
        Some([from, to]) => {
            let from = Month::parse(from).with_context(|| entry.name.clone())?;
            let to = if to.is_empty() {
                None
            } else {
                Some(Month::parse(to).with_context(|| entry.name.clone())?)
            };
            Some((from, to))
        }
    };
    Ok(Entity {
        name: entry.name.clone(),
        kind: entry.kind,
        role: entry.role.clone(),
        term,
        list,
    })
}

/// A year and month, comparable ("2017-05").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn parse(text: &str) -> Result<Self> {
        let (year, month) = text
            .split_once('-')
            .with_context(|| format!("{text:?} is not YYYY-MM"))?;
        let year: i32 = year
            .parse()
            .with_context(|| format!("bad year in {text:?}"))?;
        let month: u32 = month
            .parse()
            .with_context(|| format!("bad month in {text:?}"))?;
        if !(1..=12).contains(&month) {
            bail!("bad month in {text:?}");
        }
        Ok(Self { year, month })
    }

    /// Months since year 0, for distances.
    pub fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    pub fn from_index(index: i64) -> Self {
        Self {
            year: index.div_euclid(12) as i32,
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    pub fn label(self) -> String {
        format!("{} {}", MONTH_NAMES[self.month as usize - 1], self.year)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityEntry {
    name: String,
    kind: EntityKind,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    term: Option<[String; 2]>,
    arabic: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GazetteerFile {
    entity: Vec<EntityEntry>,
}

/// One gazetteer entry, ready to use (or a name found in the text, with
/// `list` saying so).
#[derive(Debug, Clone)]
pub struct Entity {
    pub name: String,
    pub kind: EntityKind,
    pub role: Option<String>,
    /// In office from, to (`None`: still in office).
    pub term: Option<(Month, Option<Month>)>,
    /// Which list supplied it: the reviewed gazetteer, or the generated
    /// list of places.
    pub list: List,
}

/// The lists names come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// `data/entities.toml`, reviewed by hand: the authority.
    Reviewed,
    /// `data/places.toml`, made by `tools/make_places.py` from CLDR and
    /// GeoNames.
    Places,
    /// No list: found in the articles' text (`super::finding`) and
    /// unreviewed.
    Text,
}

impl List {
    /// The file that holds the list (`None`: names found in the text).
    pub fn file(self) -> Option<&'static str> {
        match self {
            Self::Reviewed => Some("data/entities.toml"),
            Self::Places => Some("data/places.toml"),
            Self::Text => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Gazetteer {
    pub entities: Vec<Entity>,
    index: PhraseIndex,
    /// Each entity's Arabic spellings, as listed.
    spellings: Vec<Vec<String>>,
    /// The lower-case words (four letters or more) of the places' English
    /// names, and the places whose name holds each.
    place_words: BTreeMap<String, Vec<usize>>,
}

const BUILTIN: &str = include_str!("../../data/entities.toml");
const PLACES: &str = include_str!("../../data/places.toml");

impl Gazetteer {
    /// The reviewed list alone.
    pub fn parse(text: &str) -> Result<Self> {
        Self::parse_lists(text, "")
    }

    /// The reviewed list, then the places list. The reviewed list is the
    /// authority: a place it names is not taken again, and a spelling it
    /// gives one of its names is not given to a place.
    pub fn parse_lists(reviewed: &str, places: &str) -> Result<Self> {
        let reviewed: GazetteerFile =
            toml::from_str(reviewed).context("data/entities.toml is not valid")?;
        let places: GazetteerFile = if places.is_empty() {
            GazetteerFile { entity: vec![] }
        } else {
            toml::from_str(places).context("data/places.toml is not valid")?
        };
        let mut entities = Vec::new();
        let mut spellings: Vec<(usize, String)> = Vec::new();
        let mut names = BTreeSet::new();
        let mut claimed = BTreeSet::new();
        for entry in &reviewed.entity {
            if !names.insert(entry.name.clone()) {
                bail!("gazetteer names {:?} twice", entry.name);
            }
            if entry.arabic.is_empty() {
                bail!("gazetteer entry {:?} has no Arabic spelling", entry.name);
            }
            entities.push(entity(entry, List::Reviewed)?);
            for spelling in &entry.arabic {
                claimed.insert(normalize(spelling));
                spellings.push((entities.len() - 1, spelling.clone()));
            }
        }
        for entry in &places.entity {
            if !names.insert(entry.name.clone()) {
                continue;
            }
            let free: Vec<&String> = entry
                .arabic
                .iter()
                .filter(|s| !claimed.contains(&normalize(s)))
                .collect();
            if free.is_empty() {
                continue;
            }
            entities.push(entity(entry, List::Places)?);
            for spelling in free {
                spellings.push((entities.len() - 1, spelling.clone()));
            }
        }
        let mut by_entity = vec![Vec::new(); entities.len()];
        for (i, spelling) in &spellings {
            by_entity[*i].push(spelling.clone());
        }
        let mut place_words: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, entity) in entities.iter().enumerate() {
            if entity.kind != EntityKind::Place {
                continue;
            }
            for word in entity.name.split(|c: char| !c.is_alphabetic()) {
                if word.chars().count() >= 4 {
                    place_words.entry(word.to_lowercase()).or_default().push(i);
                }
            }
        }
        Ok(Self {
            entities,
            index: PhraseIndex::new(spellings.iter().map(|(i, s)| (*i, s.as_str()))),
            spellings: by_entity,
            place_words,
        })
    }

    /// The gazetteer built into tarjama: the reviewed list and the places.
    pub fn builtin() -> &'static Self {
        static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
        GAZETTEER.get_or_init(|| {
            Gazetteer::parse_lists(BUILTIN, PLACES)
                .expect("data/entities.toml and data/places.toml are checked by a unit test")
        })
    }

    /// An entity's Arabic spellings, as listed.
    pub fn spellings(&self, entity: usize) -> &[String] {
        &self.spellings[entity]
    }

    /// The places an English word names or is the nationality adjective
    /// of: "Egypt" and "Egyptian" → Egypt, "Saudi" → Saudi Arabia,
    /// "Moroccan" → Morocco. The word, or the word less a demonym ending,
    /// must be a word of the place's name or that word less its last one
    /// or two letters (Morocc-an, Ethiop-ian, Emirat-i); "Salman" is not
    /// of Salmiya.
    pub fn places_of(&self, word: &str) -> Vec<usize> {
        let mut places = self.demonym_of(word);
        let lower = word.to_lowercase();
        if let Some(entities) = self.place_words.get(&lower) {
            places.extend(entities.iter().copied());
        }
        places.sort_unstable();
        places.dedup();
        places
    }

    /// The places an English word is the nationality adjective of (see
    /// [`Self::places_of`]): only with a demonym ending taken off, so
    /// "Martin" is not of Saint Martin.
    pub fn demonym_of(&self, word: &str) -> Vec<usize> {
        let lower = word.to_lowercase();
        let mut stems = Vec::new();
        for suffix in ["ians", "ian", "ans", "an", "ese", "ish", "is", "ic", "i"] {
            if let Some(stem) = lower.strip_suffix(suffix) {
                stems.push(stem);
            }
        }
        let mut places = BTreeSet::new();
        for stem in stems.into_iter().filter(|s| s.chars().count() >= 4) {
            for (place_word, entities) in self.place_words.range(stem.to_string()..) {
                if !place_word.starts_with(stem) {
                    break;
                }
                if place_word.len() - stem.len() <= 2 {
                    places.extend(entities.iter().copied());
                }
            }
        }
        places.into_iter().collect()
    }

    /// Entity mentions in already tokenized text.
    pub fn find(&self, text: &str, tokens: &[Token]) -> Vec<Mention> {
        self.index
            .find(tokens)
            .into_iter()
            .map(|m| {
                let span = m.span(tokens);
                Mention {
                    entity: m.entry,
                    surface: m.spelling(text, tokens),
                    span,
                }
            })
            .collect()
    }
}

/// An entity named in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Index into `Gazetteer::entities`.
    pub entity: usize,
    /// The Arabic as written (words joined by single spaces, without a
    /// joined و ف ب ل ك).
    pub surface: String,
    pub span: Range<usize>,
}

pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::arabic::{normalize, tokenize};
    use std::collections::BTreeMap;

    fn names_in(text: &str) -> Vec<String> {
        let gazetteer = Gazetteer::builtin();
        let tokens = tokenize(text);
        gazetteer
            .find(text, &tokens)
            .iter()
            .map(|m| gazetteer.entities[m.entity].name.clone())
            .collect()
    }

    #[test]
    fn builtin_gazetteer_parses_and_has_no_spelling_under_two_names() {
        let gazetteer = Gazetteer::builtin();
        assert!(gazetteer.entities.len() > 40);
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for (i, entry) in toml::from_str::<GazetteerFile>(BUILTIN)
            .unwrap()
            .entity
            .iter()
            .enumerate()
        {
            for spelling in &entry.arabic {
                let norm = normalize(spelling);
                if let Some(other) = seen.insert(norm.clone(), i) {
                    assert_eq!(other, i, "{norm} is under two names");
                }
            }
        }
    }

    #[test]
    fn spelling_variants_get_one_english_name() {
        assert_eq!(
            names_in("التقى لودريان ثم جان ايف لو دريان وجان-ايف لودريان"),
            ["Jean-Yves Le Drian"; 3]
        );
        assert_eq!(
            names_in("داعش وتنظيم الدولة الاسلامية ولتنظيم داعش"),
            ["ISIS (the Islamic State group)"; 3]
        );
        assert_eq!(names_in("بحسب أ ف ب و«ا ف ب» و(فرانس برس)"), ["AFP"; 3]);
    }

    /// Places no one wrote a line for come from the generated list; the
    /// reviewed list keeps its own names and says which it supplied.
    #[test]
    fn the_places_list_knows_capitals_and_cities_beyond_the_seeds() {
        assert_eq!(
            names_in("من القاهرة إلى الخرطوم ثم الرياض وتبريز وحلب"),
            ["Cairo", "Khartoum", "Riyadh", "Tabriz", "Aleppo"]
        );
        let gazetteer = Gazetteer::builtin();
        let list_of = |name: &str| {
            gazetteer
                .entities
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.list)
        };
        assert_eq!(list_of("Jean-Yves Le Drian"), Some(List::Reviewed));
        assert_eq!(list_of("Syria"), Some(List::Reviewed));
        assert_eq!(list_of("Khartoum"), Some(List::Places));
        assert!(gazetteer.entities.len() > 700);
        // A spelling is never under two names across both lists.
        let both = Gazetteer::parse_lists(BUILTIN, PLACES).unwrap();
        let tokens = tokenize("موسكو");
        assert_eq!(both.find("موسكو", &tokens).len(), 1);
    }

    #[test]
    fn adjectives_are_not_places() {
        // "Syrian" and "French" are not Syria and France.
        assert!(names_in("الجيش الفرنسي والمعارضة السورية").is_empty());
        assert_eq!(names_in("في سورية وسوريا"), ["Syria", "Syria"]);
    }

    #[test]
    fn months_parse_and_order() {
        let a = Month::parse("2017-05").unwrap();
        let b = Month::parse("2017-07").unwrap();
        assert!(a < b);
        assert_eq!(b.index() - a.index(), 2);
        assert_eq!(Month::from_index(a.index()), a);
        assert_eq!(a.label(), "May 2017");
        assert!(Month::parse("2017-13").is_err());
    }
}
