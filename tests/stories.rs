//! The brief on stories nobody wrote a list for: the corpus of
//! `tests/fixtures/stories/` (20 Arabic articles in 7 stories from 20
//! outlets, with English a professional translator would give; see
//! `common::stories`) beside the seeds as the demo model translated them
//! (`tests/fixtures/demo_records/`, Qwen2.5-Coder-1.5B: weak English that
//! invents people). No model runs here.
//!
//! The corpus was written for these tests after the grouping and the
//! name finding were designed, and holds what a real nightly folder
//! holds: two stories about Egypt's economy and its water that share
//! Egypt, the Gulf and the agencies; earthquake relief in Syria beside
//! the seeds' French–Russian military story in Syria; a football final
//! and a book fair in Cairo; oil output cuts sharing the Gulf and Reuters
//! with the IMF story; a follow-up published a year later; and Lebanon's
//! presidential vote (Syria, France, Saudi Arabia, the IMF), written after
//! everything else here was tuned and run once untouched before its
//! figures were taken into the tests (see the commit that added it).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use common::command::{assert_success, stderr, tarjama};
use common::stories::{stories, story_records, write_records};
use common::workspace::workspace;
use tarjama::brief::group::{group_all_pairs, Corpus, RARE_FEATURE_CAP};
use tarjama::brief::{build, grouping_features, Brief, BriefSettings, Story};
use tarjama::input::article::SourceArticle;
use tarjama::names::gazetteer::{EntityKind, List};
use tarjama::output::record::Record;
use tarjama::pipeline::process::check_names;
use tarjama::text::arabic::normalize;

/// The demo model's records of the seeds, with the names its English has
/// and the Arabic lacks checked as a run of this version checks them (the
/// records were made before that check existed).
fn demo_records() -> Vec<Record> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = fs::read_dir(root.join("tests/fixtures/demo_records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let mut record = Record::read(p).unwrap();
            let seed = root.join("seeds").join(format!("{}.txt", record.id));
            let article = SourceArticle::load(&seed).unwrap();
            check_names(&article, &mut record.paragraphs);
            record.seal().unwrap()
        })
        .collect()
}

/// The corpus's records and the seeds'.
fn corpus_records() -> Vec<Record> {
    let mut records = story_records();
    records.extend(demo_records());
    records
}

/// A workspace whose `out/` holds the corpus's records and the seeds'.
fn corpus_folder() -> (tempfile::TempDir, std::path::PathBuf) {
    let ws = workspace();
    let out = ws.path().join("out");
    write_records(&out, &corpus_records());
    (ws, out)
}

fn corpus_brief() -> Brief {
    build(corpus_records(), Vec::new(), BriefSettings::default())
}

/// The expected story of every article: the corpus' stories, and the
/// seeds as one.
fn expected_story_of() -> BTreeMap<String, String> {
    let mut of = BTreeMap::new();
    for (key, story) in stories() {
        for article in &story.article {
            of.insert(article.id.clone(), key.clone());
        }
    }
    for record in demo_records() {
        of.insert(record.id.clone(), "seeds".to_string());
    }
    of
}

/// The brief's story that holds `id`.
fn story_of<'a>(brief: &'a Brief, id: &str) -> &'a Story {
    brief
        .stories
        .iter()
        .find(|s| s.articles.iter().any(|&a| brief.articles[a].id() == id))
        .unwrap_or_else(|| panic!("{id} is in no story"))
}

/// Pairwise precision and recall of a grouping against the expected one:
/// over all pairs of articles, how many put together are together in the
/// expected grouping, and how many together there are put together.
fn pairwise(groups: &[Vec<String>], expected: &BTreeMap<String, String>) -> (f64, f64) {
    let group_of: BTreeMap<&String, usize> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, ids)| ids.iter().map(move |id| (id, g)))
        .collect();
    let ids: Vec<&String> = expected.keys().collect();
    let (mut both, mut grouped, mut together) = (0, 0, 0);
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i + 1..] {
            let predicted = group_of[a] == group_of[b];
            let truth = expected[*a] == expected[*b];
            both += usize::from(predicted && truth);
            grouped += usize::from(predicted);
            together += usize::from(truth);
        }
    }
    (
        both as f64 / grouped.max(1) as f64,
        both as f64 / together.max(1) as f64,
    )
}

#[test]
fn the_corpus_stories_and_the_seeds_are_grouped_as_expected() {
    let brief = corpus_brief();
    let expected = expected_story_of();
    assert_eq!(brief.articles.len(), 25);
    let groups: Vec<Vec<String>> = brief
        .stories
        .iter()
        .map(|s| {
            s.articles
                .iter()
                .map(|&a| brief.articles[a].id().to_string())
                .collect()
        })
        .collect();
    let (precision, recall) = pairwise(&groups, &expected);
    assert_eq!((precision, recall), (1.0, 1.0), "{groups:#?}");
    assert_eq!(groups.len(), 8, "{groups:#?}");
    // Not on a knife's edge: the same at thresholds well below and above
    // the default (see `brief::group`).
    for similarity in [0.145, 0.27] {
        let other = build(
            brief.articles.iter().map(|a| a.record.clone()).collect(),
            Vec::new(),
            BriefSettings {
                similarity,
                ..BriefSettings::default()
            },
        );
        let same: Vec<Vec<usize>> = other.stories.iter().map(|s| s.articles.clone()).collect();
        let default: Vec<Vec<usize>> = brief.stories.iter().map(|s| s.articles.clone()).collect();
        assert_eq!(same, default, "at {similarity}");
    }

    // The follow-ups: the seeds' 2018 article and the IMF review a year on
    // join their stories and are said to be dated apart.
    for (follow_up, months) in [("004_2dad6acffa85f88d", 12), ("104_imf-review", 12)] {
        let story = story_of(&brief, follow_up);
        let bullet = story
            .bullets
            .iter()
            .find(|b| brief.articles[b.article].id() == follow_up)
            .unwrap();
        assert!(
            bullet.apart_months.is_some_and(|m| m >= months),
            "{follow_up}: {:?}",
            bullet.apart_months
        );
        for other in &story.bullets {
            if brief.articles[other.article].id() != follow_up {
                assert_eq!(other.apart_months, None);
            }
        }
    }
}

/// The rows of a story's table that stand for a name of
/// `expected/<story>.toml`: the row with the same English, else those
/// with an Arabic spelling in common.
fn rows_for<'a>(
    table: &'a [tarjama::brief::EntityRow],
    english: &str,
    arabic: &BTreeSet<String>,
) -> Vec<&'a str> {
    let plain = |s: &str| s.to_lowercase().trim_start_matches("the ").to_string();
    let same: Vec<&str> = table
        .iter()
        .filter(|row| plain(&row.name) == plain(english))
        .map(|row| row.name.as_str())
        .collect();
    if !same.is_empty() {
        return same;
    }
    table
        .iter()
        .filter(|row| row.spellings.iter().any(|s| arabic.contains(&normalize(s))))
        .map(|row| row.name.as_str())
        .collect()
}

/// Item 1 of the issue, on stories no list was written for: every person,
/// place and organisation the articles name is in the story's table once,
/// with one English name and its Arabic spellings. Measured on the whole
/// corpus (183 names): all 61 people, 78 of 82 places and 35 of 40
/// organisations found, none twice. What is missed is listed here, so a
/// change that finds more or less is seen.
#[test]
fn every_story_names_its_people_places_and_organisations_once() {
    let brief = corpus_brief();
    let mut missed: Vec<String> = Vec::new();
    let mut people = 0;
    for (key, story) in stories() {
        let table = &story_of(&brief, &story.article[0].id).entities;
        for name in &story.name {
            let arabic: BTreeSet<String> = name.arabic.iter().map(|a| normalize(a)).collect();
            let rows = rows_for(table, &name.english, &arabic);
            assert!(
                rows.len() <= 1,
                "{key}: {} is in the table {} times: {rows:?}",
                name.english,
                rows.len()
            );
            if rows.is_empty() {
                missed.push(format!("{key}: {} ({})", name.english, name.kind));
            }
            people += usize::from(name.kind == "person");
        }
    }
    assert_eq!(people, 61);
    assert_eq!(
        missed,
        [
            "book-fair: Egyptian Publishers Association (organisation)",
            "book-fair: Fifth Settlement (place)",
            "lebanon-president: South Lebanon (place)",
            "lebanon-president: Beirut's southern suburbs (place)",
            "lebanon-president: Lebanese parliament (organisation)",
            "lebanon-president: United Nations (organisation)",
            "nile-dam: Blue Nile (place)",
            "opec-cuts: OPEC+ (organisation)",
            "opec-cuts: Saudi Aramco (organisation)",
        ]
    );
}

/// One English name per person across outlets that spell them apart, and
/// the table says which names no list supplied.
#[test]
fn spelling_variants_across_outlets_are_one_name_found_in_the_text() {
    let brief = corpus_brief();
    let imf = story_of(&brief, "101_imf-ahram");
    let row = imf
        .entities
        .iter()
        .find(|r| r.name == "Kristalina Georgieva")
        .expect("Georgieva is named in the IMF story");
    assert_eq!(row.kind, EntityKind::Person);
    assert_eq!(row.list, List::Text);
    assert_eq!(row.notes().as_deref(), Some("found in the text"));
    // جورجيفا (101), جورجييفا (102), غورغييفا (103), غيورغييفا (104).
    assert_eq!(row.sources.len(), 4);
    assert!(row.spellings.len() >= 4, "{:?}", row.spellings);

    let dam = story_of(&brief, "201_dam-youm7");
    let names: Vec<&str> = dam.entities.iter().map(|r| r.name.as_str()).collect();
    for name in [
        "Hani Sewilam",
        "Habtamu Itefa",
        "Seleshi Bekele",
        "African Union",
    ] {
        assert_eq!(names.iter().filter(|n| **n == name).count(), 1, "{names:?}");
    }
    // The places list's names say so; the reviewed gazetteer's do not.
    let cairo = dam.entities.iter().find(|r| r.name == "Cairo").unwrap();
    assert!(cairo.notes().is_some_and(|n| n.ends_with("places list")));
    let egypt = dam.entities.iter().find(|r| r.name == "Egypt").unwrap();
    assert_eq!(egypt.notes(), None);
}

/// A professional translation's names all have their counterpart in the
/// Arabic: nothing is flagged (adjectives of places, compound names such
/// as عبد المنعم, doubled letters such as كوللر and ى for a are read).
#[test]
fn no_name_of_a_faithful_translation_is_flagged() {
    for record in story_records() {
        for sentence in record.paragraphs.iter().flat_map(|p| &p.sentences) {
            assert!(
                sentence.names_not_in_source.is_empty(),
                "{}: {:?} in {:?}",
                record.id,
                sentence.names_not_in_source,
                sentence.translation
            );
        }
    }
}

/// The weak translation's invented people are flagged on its sentences
/// and are no story's people: the brief lists only names its Arabic backs.
#[test]
fn invented_names_of_a_weak_translation_are_not_the_storys_people() {
    let brief = corpus_brief();
    let seeds = story_of(&brief, "003_96083f8a8e168996");
    let names: Vec<&str> = seeds.entities.iter().map(|r| r.name.as_str()).collect();
    for invented in ["Obama", "Bolsonaro", "Jeremy Hunt", "Jean Claude Juncker"] {
        assert!(
            !names.iter().any(|n| n.contains(invented)),
            "{invented} in {names:?}"
        );
    }
    let flagged: Vec<&String> = brief
        .articles
        .iter()
        .filter(|a| a.id().starts_with("003"))
        .flat_map(|a| &a.record.paragraphs)
        .flat_map(|p| &p.sentences)
        .flat_map(|s| &s.names_not_in_source)
        .collect();
    for invented in ["Obama", "Bolsonaro", "Jeremy Hunt"] {
        assert!(flagged.iter().any(|n| n.contains(invented)), "{flagged:?}");
    }
}

/// End to end: `tarjama brief` over the folder of records puts each story
/// apart, and names a person the lists lack once, marked.
#[test]
fn tarjama_brief_on_the_corpus_and_the_seeds() {
    let (ws, out) = corpus_folder();
    let output = tarjama(&["brief", "out"], ws.path());
    assert_success(&output);
    assert!(
        stderr(&output).contains("brief: 8 stories from 25 article(s)"),
        "{}",
        stderr(&output)
    );
    let md = fs::read_to_string(out.join("brief.md")).unwrap();
    assert_eq!(md.matches("\n## Story ").count(), 8);
    let georgieva: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("Kristalina Georgieva"))
        .collect();
    assert_eq!(georgieva.len(), 1, "{georgieva:?}");
    assert!(
        georgieva[0].contains("found in the text"),
        "{}",
        georgieva[0]
    );
    assert!(georgieva[0].contains("غيورغييفا"), "{}", georgieva[0]);
    // Deterministic: the same records give the same brief.
    let again = tarjama(&["brief", "out"], ws.path());
    assert_success(&again);
    assert_eq!(fs::read_to_string(out.join("brief.md")).unwrap(), md);
}

#[test]
fn the_bounded_grouping_is_the_all_pairs_grouping_on_the_corpus() {
    let features = grouping_features(corpus_records());
    // 25 articles: at the default cap every feature is rare, and at a cap
    // of 3 ("Egypt", the Gulf, the agencies and most common words out of
    // the index) the stories are still the same over the corpus's range.
    for cap in [RARE_FEATURE_CAP, 3] {
        let corpus = Corpus::with_rare_cap(&features, cap);
        for similarity in [0.10, 0.14, 0.18, 0.22, 0.28, 0.35] {
            assert_eq!(
                corpus.group(similarity),
                group_all_pairs(&features, similarity),
                "cap {cap}, threshold {similarity}"
            );
        }
    }
}

#[test]
fn since_leaves_out_the_articles_dated_earlier_and_keeps_the_undated() {
    let since = tarjama::brief::dating::Day::parse("2022-01-01").unwrap();
    let brief = build(
        corpus_records(),
        Vec::new(),
        BriefSettings {
            since: Some(since),
            ..BriefSettings::default()
        },
    );
    let window = brief.window.as_ref().unwrap();
    // The seeds (2015–2018; the latest could be as late as July 2021 by the
    // office-holders it names) are
    // left out; the corpus's stories are from 2023–2025 or undated.
    let mut left_out = window.left_out.clone();
    left_out.sort();
    let seeds: Vec<String> = demo_records().into_iter().map(|r| r.id).collect();
    assert_eq!(left_out, seeds);
    assert_eq!(brief.articles.len(), 20);
    for article in &brief.articles {
        assert!(article
            .date_estimate
            .as_ref()
            .is_none_or(|e| e.can_be_on_or_after(since)));
    }
    let undated = brief
        .articles
        .iter()
        .filter(|a| a.date_estimate.is_none())
        .count();
    assert_eq!(window.undated, undated);
    // The stories left are the corpus's seven, grouped as without --since.
    assert_eq!(brief.stories.len(), 7);
}

#[test]
fn tarjama_brief_since_says_what_it_left_out_and_keeps_their_views() {
    let (ws, out) = corpus_folder();
    assert_success(&tarjama(&["brief", "out"], ws.path()));
    let seed_view = out.join(format!("{}.html", demo_records()[0].id));
    assert!(seed_view.is_file());
    let output = tarjama(&["brief", "out", "--since", "2022-01-01"], ws.path());
    assert_success(&output);
    assert!(
        stderr(&output).contains("brief: 7 stories from 20 article(s)"),
        "{}",
        stderr(&output)
    );
    let md = fs::read_to_string(out.join("brief.md")).unwrap();
    assert!(
        md.contains("Since 2022-01-01: 5 article(s) dated earlier left out;"),
        "{md}"
    );
    let html = fs::read_to_string(out.join("brief.html")).unwrap();
    assert!(html.contains("Since 2022-01-01: 5 article(s)"));
    // A record outside the window is still a record: its view stays.
    assert!(seed_view.is_file());
    // Deterministic.
    assert_success(&tarjama(
        &["brief", "out", "--since", "2022-01-01"],
        ws.path(),
    ));
    assert_eq!(fs::read_to_string(out.join("brief.md")).unwrap(), md);
    // A day that does not exist is a bad command line.
    let bad = tarjama(&["brief", "out", "--since", "2021-02-29"], ws.path());
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}
