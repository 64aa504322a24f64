//! Dates named in an article's Arabic text: Arabic month names
//! (Levantine كانون الأول and Egyptian ديسمبر styles), day numbers and
//! years, as precise as the text is. What it is not: the article's date
//! estimate (`super::dating`), or names (`crate::names`).

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use crate::names::gazetteer::MONTH_NAMES;
use crate::text::arabic::{tokenize, Token};

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
}
