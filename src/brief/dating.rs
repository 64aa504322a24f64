//! When was an article written, and is one article of a story from another
//! time?
//!
//! News text rarely carries a full date, so the evidence is the people it
//! names in office: an article naming François Lecointre as French chief of
//! staff (from July 2017) and Emmanuel Macron as president was not written
//! in 2015. Each article gets the months its office-holders were all in
//! post (the gazetteer's `term`s); without office-holders, the latest year
//! it mentions. The story's time is the month most articles agree on; an
//! article at least a year away from it is pointed out. What it is not:
//! proof. A former office-holder named in passing widens or misleads the
//! estimate, which is why the brief says what the estimate rests on.

use anyhow::{bail, Context, Result};

use super::dates::DateMention;
use crate::names::gazetteer::{Gazetteer, Month};

/// The months an article can have been written in, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateEstimate {
    pub from: Month,
    /// `None`: open-ended.
    pub to: Option<Month>,
    /// The evidence, in words ("François Lecointre in office from July 2017").
    pub basis: Vec<String>,
}

impl DateEstimate {
    pub fn label(&self) -> String {
        match self.to {
            Some(to) if to == self.from => self.from.label(),
            Some(to) => format!("{} – {}", self.from.label(), to.label()),
            None => format!("{} or later", self.from.label()),
        }
    }

    /// Months from this estimate to `point` (0 when inside it).
    pub fn distance(&self, point: Month) -> i64 {
        if point < self.from {
            self.from.index() - point.index()
        } else {
            match self.to {
                Some(to) if point > to => point.index() - to.index(),
                _ => 0,
            }
        }
    }
}

/// A calendar day: the first day `--since` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Day {
    /// `YYYY-MM-DD`, a day that exists (29 February in leap years only).
    pub fn parse(text: &str) -> Result<Self> {
        let parts: Vec<&str> = text.split('-').collect();
        let [year, month, day] = parts[..] else {
            bail!("{text:?} is not YYYY-MM-DD");
        };
        let number = |part: &str, what: &str| -> Result<u32> {
            part.parse()
                .with_context(|| format!("bad {what} in {text:?} (YYYY-MM-DD)"))
        };
        let (year, month, day) = (
            number(year, "year")?,
            number(month, "month")?,
            number(day, "day")?,
        );
        let year = i32::try_from(year).with_context(|| format!("bad year in {text:?}"))?;
        if !(1..=12).contains(&month) {
            bail!("bad month in {text:?} (YYYY-MM-DD)");
        }
        if !(1..=days_in_month(year, month)).contains(&day) {
            bail!("{text:?} is not a day of that month");
        }
        Ok(Self { year, month, day })
    }

    pub fn month(self) -> Month {
        Month {
            year: self.year,
            month: self.month,
        }
    }

    /// `YYYY-MM-DD`.
    pub fn label(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl DateEstimate {
    /// Whether the article can have been written on or after `day`: its
    /// latest possible month is `day`'s month or later (an open-ended
    /// estimate always can). Estimates are months, so an article of the
    /// month `day` falls in is kept whatever the day.
    pub fn can_be_on_or_after(&self, day: Day) -> bool {
        self.to.is_none_or(|to| to >= day.month())
    }
}

/// Estimates an article's date from the entities it names (indexes into
/// the gazetteer) and the dates it mentions.
pub fn estimate(
    gazetteer: &Gazetteer,
    entities: &[usize],
    dates: &[DateMention],
) -> Option<DateEstimate> {
    let mut from: Option<Month> = None;
    let mut to: Option<Month> = None;
    let mut basis = Vec::new();
    for &e in entities {
        let entity = &gazetteer.entities[e];
        let Some((start, end)) = entity.term else {
            continue;
        };
        from = Some(from.map_or(start, |f| f.max(start)));
        if let Some(end) = end {
            to = Some(to.map_or(end, |t| t.min(end)));
        }
        basis.push(match end {
            Some(end) => format!(
                "{} in office {} – {}",
                entity.name,
                start.label(),
                end.label()
            ),
            None => format!("{} in office from {}", entity.name, start.label()),
        });
    }
    if let Some(from) = from {
        // Terms that do not overlap: someone is named after leaving office.
        // Keep the lower bound only; it is the firmer evidence.
        let to = to.filter(|&t| t >= from);
        return Some(DateEstimate { from, to, basis });
    }
    let year = dates.iter().filter_map(|d| d.year).max()?;
    Some(DateEstimate {
        from: Month { year, month: 1 },
        to: Some(Month { year, month: 12 }),
        basis: vec![format!("latest year mentioned: {year}")],
    })
}

/// The time most of a story's articles agree on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consensus {
    /// The earliest month the most estimates include.
    pub point: Month,
    /// What those estimates have in common (`to` `None`: open-ended).
    pub from: Month,
    pub to: Option<Month>,
    /// How many estimates include `point`.
    pub count: usize,
}

impl Consensus {
    pub fn label(&self) -> String {
        DateEstimate {
            from: self.from,
            to: self.to,
            basis: Vec::new(),
        }
        .label()
    }
}

/// The month most estimates include (the earliest such month on a tie),
/// with what those estimates share.
pub fn consensus(estimates: &[&DateEstimate]) -> Option<Consensus> {
    // Only the estimates' own edges can be the best point.
    let mut candidates: Vec<Month> = estimates
        .iter()
        .flat_map(|e| std::iter::once(e.from).chain(e.to))
        .collect();
    candidates.sort();
    candidates.dedup();
    let mut best: Option<(Month, usize)> = None;
    for point in candidates {
        let count = estimates.iter().filter(|e| e.distance(point) == 0).count();
        if best.is_none_or(|(_, c)| count > c) {
            best = Some((point, count));
        }
    }
    let (point, count) = best?;
    let agreeing: Vec<&&DateEstimate> = estimates
        .iter()
        .filter(|e| e.distance(point) == 0)
        .collect();
    let from = agreeing.iter().map(|e| e.from).max().unwrap_or(point);
    let to = agreeing.iter().filter_map(|e| e.to).min();
    Some(Consensus {
        point,
        from,
        to,
        count,
    })
}

/// Months apart at which an article is pointed out as from another time.
pub const APART_MONTHS: i64 = 12;

#[cfg(test)]
mod tests {
    use super::*;

    fn month(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn gazetteer_index(name: &str) -> usize {
        Gazetteer::builtin()
            .entities
            .iter()
            .position(|e| e.name == name)
            .unwrap()
    }

    #[test]
    fn office_terms_bound_the_date() {
        let g = Gazetteer::builtin();
        let e = estimate(
            g,
            &[
                gazetteer_index("François Lecointre"),
                gazetteer_index("Emmanuel Macron"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(e.from, month("2017-07"));
        assert_eq!(e.to, Some(month("2021-07")));
        let old = estimate(
            g,
            &[
                gazetteer_index("François Hollande"),
                gazetteer_index("Ashton Carter"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(old.label(), "February 2015 – January 2017");
        assert!(e.distance(month("2015-02")) >= APART_MONTHS);
        assert_eq!(old.distance(month("2016-01")), 0);
    }

    #[test]
    fn the_majority_sets_the_story_time() {
        let a = DateEstimate {
            from: month("2014-02"),
            to: Some(month("2017-05")),
            basis: vec![],
        };
        let b = DateEstimate {
            from: month("2015-02"),
            to: Some(month("2017-01")),
            basis: vec![],
        };
        let late = DateEstimate {
            from: month("2017-07"),
            to: Some(month("2021-07")),
            basis: vec![],
        };
        let story = consensus(&[&a, &b, &late]).unwrap();
        assert_eq!((story.point, story.count), (month("2015-02"), 2));
        assert_eq!(story.label(), "February 2015 – January 2017");
        assert!(late.distance(story.point) >= APART_MONTHS);
    }

    #[test]
    fn since_keeps_estimates_that_reach_its_month() {
        let day = Day::parse("2016-04-20").unwrap();
        assert_eq!(day.label(), "2016-04-20");
        let estimate = |from: &str, to: Option<&str>| DateEstimate {
            from: month(from),
            to: to.map(month),
            basis: vec![],
        };
        assert!(estimate("2016-01", Some("2016-12")).can_be_on_or_after(day));
        assert!(estimate("2015-01", Some("2016-04")).can_be_on_or_after(day));
        assert!(!estimate("2015-01", Some("2016-03")).can_be_on_or_after(day));
        assert!(estimate("2010-01", None).can_be_on_or_after(day));
        for bad in [
            "2016-02-30",
            "2015-02-29",
            "2016-13-01",
            "2016-4",
            "yesterday",
            "2016-04-00",
        ] {
            assert!(Day::parse(bad).is_err(), "{bad}");
        }
        assert!(Day::parse("2016-02-29").is_ok());
    }

    #[test]
    fn without_office_holders_the_latest_year_mentioned_is_used() {
        let dates = [DateMention {
            year: Some(2016),
            month: Some(4),
            days: None,
            span: 0..1,
        }];
        let e = estimate(Gazetteer::builtin(), &[], &dates).unwrap();
        assert_eq!(e.label(), "January 2016 – December 2016");
        assert!(estimate(Gazetteer::builtin(), &[], &[]).is_none());
    }
}
