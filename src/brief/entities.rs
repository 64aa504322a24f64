//! Who, where and when: people, places, organisations, credited agencies
//! and dates found in an article's Arabic text, each under one English
//! name.
//!
//! Names come from a reviewed gazetteer (`data/entities.toml`, built into
//! the binary) matched on normalized Arabic, so لودريان and لو دريان are
//! both "Jean-Yves Le Drian" whatever the translation made of them. Dates
//! are read from Arabic month names (Levantine كانون الأول and Egyptian
//! ديسمبر styles), day numbers and years. What it is not: open-ended
//! named-entity recognition; a name missing from the gazetteer is not
//! found, which is why the gazetteer is a file to extend.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use super::arabic::{tokenize, PhraseIndex, Token};

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

/// One gazetteer entry, ready to use.
#[derive(Debug, Clone)]
pub struct Entity {
    pub name: String,
    pub kind: EntityKind,
    pub role: Option<String>,
    /// In office from, to (`None`: still in office).
    pub term: Option<(Month, Option<Month>)>,
}

#[derive(Debug, Clone)]
pub struct Gazetteer {
    pub entities: Vec<Entity>,
    index: PhraseIndex,
}

const BUILTIN: &str = include_str!("../../data/entities.toml");

impl Gazetteer {
    pub fn parse(text: &str) -> Result<Self> {
        let file: GazetteerFile = toml::from_str(text).context("gazetteer is not valid")?;
        let mut entities = Vec::new();
        let mut spellings = Vec::new();
        let mut names = std::collections::BTreeSet::new();
        for (i, entry) in file.entity.iter().enumerate() {
            if !names.insert(entry.name.clone()) {
                bail!("gazetteer names {:?} twice", entry.name);
            }
            if entry.arabic.is_empty() {
                bail!("gazetteer entry {:?} has no Arabic spelling", entry.name);
            }
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
            entities.push(Entity {
                name: entry.name.clone(),
                kind: entry.kind,
                role: entry.role.clone(),
                term,
            });
            spellings.extend(entry.arabic.iter().map(|s| (i, s.as_str())));
        }
        Ok(Self {
            entities,
            index: PhraseIndex::new(spellings),
        })
    }

    /// The gazetteer built into tarjama.
    pub fn builtin() -> &'static Self {
        static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
        GAZETTEER.get_or_init(|| {
            Gazetteer::parse(BUILTIN).expect("data/entities.toml is checked by a unit test")
        })
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

const MONTH_NAMES: [&str; 12] = [
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

/// Arabic month names (normalized), Levantine/Iraqi then Egyptian/Maghrebi
/// style. اب (August) is left out: it is also the word for father.
fn month_names() -> &'static BTreeMap<Vec<String>, u32> {
    static MONTHS: OnceLock<BTreeMap<Vec<String>, u32>> = OnceLock::new();
    MONTHS.get_or_init(|| {
        let names: [(&str, u32); 27] = [
            ("كانون الثاني", 1),
            ("شباط", 2),
            ("آذار", 3),
            ("نيسان", 4),
            ("أيار", 5),
            ("حزيران", 6),
            ("تموز", 7),
            ("أيلول", 9),
            ("تشرين الأول", 10),
            ("تشرين الثاني", 11),
            ("كانون الأول", 12),
            ("يناير", 1),
            ("كانفي", 1),
            ("فبراير", 2),
            ("مارس", 3),
            ("أبريل", 4),
            ("إبريل", 4),
            ("مايو", 5),
            ("يونيو", 6),
            ("يونيه", 6),
            ("يوليو", 7),
            ("يوليه", 7),
            ("أغسطس", 8),
            ("سبتمبر", 9),
            ("أكتوبر", 10),
            ("نوفمبر", 11),
            ("ديسمبر", 12),
        ];
        names
            .iter()
            .map(|(name, month)| {
                let words = tokenize(name).into_iter().map(|t| t.norm).collect();
                (words, *month)
            })
            .collect()
    })
}

/// A date named in a text: as precise as the text is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateMention {
    pub year: Option<i32>,
    pub month: Option<u32>,
    pub days: Option<(u32, u32)>,
    pub span: Range<usize>,
}

impl DateMention {
    /// "26 November", "20–21 December 2015", "March 2014", "2015".
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        match self.days {
            Some((a, b)) if a != b => parts.push(format!("{a}–{b}")),
            Some((a, _)) => parts.push(a.to_string()),
            None => {}
        }
        if let Some(m) = self.month {
            parts.push(MONTH_NAMES[m as usize - 1].to_string());
        }
        if let Some(y) = self.year {
            parts.push(y.to_string());
        }
        parts.join(" ")
    }

    /// Orders dates in time; a date without a year sorts by month and day.
    pub fn sort_key(&self) -> (i32, u32, u32) {
        (
            self.year.unwrap_or(0),
            self.month.unwrap_or(0),
            self.days.map_or(0, |d| d.0),
        )
    }
}

fn number(token: &str) -> Option<u32> {
    // A joined و ("و21") still reads as the number.
    let digits = token.strip_prefix('و').unwrap_or(token);
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn is_year(n: u32) -> bool {
    (1900..=2100).contains(&n)
}

/// Month at `at` (one or two words, maybe with a joined و), with the
/// number of words it takes.
fn month_at(tokens: &[Token], at: usize) -> Option<(u32, usize)> {
    let months = month_names();
    for len in [2, 1] {
        if at + len > tokens.len() {
            continue;
        }
        let mut words: Vec<String> = tokens[at..at + len]
            .iter()
            .map(|t| t.norm.clone())
            .collect();
        if let Some(m) = months.get(&words) {
            return Some((*m, len));
        }
        if let Some(rest) = words[0].strip_prefix('و') {
            words[0] = rest.to_string();
            if let Some(m) = months.get(&words) {
                return Some((*m, len));
            }
        }
    }
    None
}

/// Dates in a tokenized text: `[day [و day]] [من] month[/month] [year]`,
/// and bare years (1900–2100).
pub fn find_dates(tokens: &[Token]) -> Vec<DateMention> {
    let mut dates = Vec::new();
    let mut at = 0;
    while at < tokens.len() {
        if let Some((month, len)) = month_at(tokens, at) {
            let mut start = at;
            let mut end = at + len;
            // "تشرين الثاني/نوفمبر", "اذار (مارس)": the second name repeats the month.
            if let Some((again, len2)) = month_at(tokens, end) {
                if again == month {
                    end += len2;
                }
            }
            let year = tokens
                .get(end)
                .and_then(|t| number(&t.norm))
                .filter(|&n| is_year(n));
            if year.is_some() {
                end += 1;
            }
            // Days before the month, skipping a "من" (في الـ 26 من نوفمبر).
            let mut back = at;
            if back > 0 && tokens[back - 1].norm == "من" {
                back -= 1;
            }
            let day = |i: usize| number(&tokens[i].norm).filter(|n| (1..=31).contains(n));
            let mut days = None;
            if back > 0 {
                if let Some(last) = day(back - 1) {
                    start = back - 1;
                    days = Some((last, last));
                    if back > 1 {
                        if let Some(first) = day(back - 2).filter(|&f| f < last) {
                            start = back - 2;
                            days = Some((first, last));
                        }
                    }
                }
            }
            dates.push(DateMention {
                year: year.map(|y| y as i32),
                month: Some(month),
                days,
                span: tokens[start].span.start..tokens[end - 1].span.end,
            });
            at = end;
            continue;
        }
        if let Some(n) = number(&tokens[at].norm).filter(|&n| is_year(n)) {
            dates.push(DateMention {
                year: Some(n as i32),
                month: None,
                days: None,
                span: tokens[at].span.clone(),
            });
        }
        at += 1;
    }
    dates
}

#[cfg(test)]
mod tests {
    use super::*;

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
                let norm = super::super::arabic::normalize(spelling);
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

    #[test]
    fn adjectives_are_not_places() {
        // "Syrian" and "French" are not Syria and France.
        assert!(names_in("الجيش الفرنسي والمعارضة السورية").is_empty());
        assert_eq!(names_in("في سورية وسوريا"), ["Syria", "Syria"]);
    }

    #[test]
    fn dates_in_both_month_styles() {
        let text = "في 26 تشرين الثاني/نوفمبر و في 20 و21 كانون الاول/ديسمبر وفي اذار (مارس) 2014 و في الـ 26 من نوفمبر ومنذ العام 2015";
        let labels: Vec<String> = find_dates(&tokenize(text))
            .iter()
            .map(DateMention::label)
            .collect();
        assert_eq!(
            labels,
            [
                "26 November",
                "20–21 December",
                "March 2014",
                "26 November",
                "2015"
            ]
        );
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
