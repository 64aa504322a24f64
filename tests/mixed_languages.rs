//! The brief over articles in several languages: a French, a Persian and
//! an English article about the same event as Arabic ones join their
//! story through their English and the English names; an unrelated French
//! article stays apart; and the brief says, per article, that its names
//! come from the English alone because the lists are Arabic-only.
//!
//! The Arabic articles are the story corpus's; the others are records
//! built here (`common::stories::record_in_language`) whose English is
//! another outlet's reference translation of the same story, and whose
//! source is written for this test.

mod common;

use std::fs;

use common::stories::{record_in_language, reference_english, story_records, write_records};
use common::workspace::workspace;
use tarjama::brief::{build, render_html, render_md, BriefSettings};
use tarjama::output::record::Record;

/// French source paragraphs (the English beside them is 102's).
const FRENCH: [&str; 3] = [
    "Le Caire - Reuters : l'Égypte et le Fonds monétaire international ont conclu mercredi un accord au niveau des services pour porter le prêt à 8 milliards de dollars.",
    "ADQ, le fonds souverain d'Abou Dhabi, avait signé l'accord avec le gouvernement égyptien.",
    "Les Émirats arabes unis et d'autres États du Golfe soutiennent l'économie égyptienne depuis dix ans.",
];

/// Persian source paragraphs (the English beside them is 103's).
const PERSIAN: [&str; 3] = [
    "مصر و صندوق بین‌المللی پول روز چهارشنبه بر سر افزایش وام به توافق رسیدند.",
    "این توافق پس از قرارداد بزرگ سرمایه‌گذاری امارات امضا شد.",
    "کارشناسان می‌گویند این گام به اقتصاد مصر کمک می‌کند.",
];

/// An unrelated French article: a cycling race in Brittany.
const UNRELATED_FRENCH: [(&str, &str); 2] = [
    (
        "Le coureur breton Yann Le Goff a remporté dimanche la quatrième étape du Tour de Bretagne à vélo, sous une pluie battante entre Quimper et Brest.",
        "The Breton rider Yann Le Goff won the fourth stage of the Tour de Bretagne cycling race on Sunday, in pouring rain between Quimper and Brest.",
    ),
    (
        "Son équipe espère garder le maillot jaune jusqu'à l'arrivée à Rennes samedi prochain.",
        "His team hopes to keep the yellow jersey until the finish in Rennes next Saturday.",
    ),
];

fn paired<'a>(sources: &[&'a str], english: &'a [String]) -> Vec<(&'a str, &'a str)> {
    assert_eq!(sources.len(), english.len().min(sources.len()));
    sources
        .iter()
        .zip(english)
        .map(|(s, e)| (*s, e.as_str()))
        .collect()
}

/// The corpus's Arabic records and the four built here.
fn mixed_records() -> Vec<Record> {
    let mut records = story_records();
    let french_english = reference_english("102_imf-khaleej.txt");
    let persian_english = reference_english("103_imf-nahar.txt");
    let english = reference_english("104_imf-review.txt");
    let english_pairs: Vec<(&str, &str)> =
        english.iter().map(|e| (e.as_str(), e.as_str())).collect();
    records.push(record_in_language(
        "801_imf-french",
        "fr",
        &paired(&FRENCH, &french_english[..FRENCH.len()]),
    ));
    records.push(record_in_language(
        "802_imf-persian",
        "fa",
        &paired(&PERSIAN, &persian_english[..PERSIAN.len()]),
    ));
    records.push(record_in_language("803_imf-english", "en", &english_pairs));
    records.push(record_in_language(
        "804_cycling-french",
        "fr",
        &UNRELATED_FRENCH,
    ));
    records
}

#[test]
fn articles_in_other_languages_join_their_arabic_story_and_say_where_names_come_from() {
    let brief = build(mixed_records(), Vec::new(), BriefSettings::default());
    let story_ids = |id: &str| -> Vec<String> {
        let index = brief
            .articles
            .iter()
            .position(|a| a.id() == id)
            .unwrap_or_else(|| panic!("{id} missing"));
        let story = brief
            .stories
            .iter()
            .find(|s| s.articles.contains(&index))
            .expect("every article is in a story");
        story
            .articles
            .iter()
            .map(|&i| brief.articles[i].id().to_string())
            .collect()
    };
    let imf = story_ids("101_imf-ahram");
    for id in [
        "102_imf-khaleej",
        "103_imf-nahar",
        "104_imf-review",
        "801_imf-french",
        "802_imf-persian",
        "803_imf-english",
    ] {
        assert!(imf.contains(&id.to_string()), "{id} not in {imf:?}");
    }
    assert_eq!(imf.len(), 7, "{imf:?}");
    assert_eq!(story_ids("804_cycling-french"), ["804_cycling-french"]);
    // The Arabic stories are grouped as before: the Nile dam story holds
    // its three articles and nothing else.
    assert_eq!(
        story_ids("201_dam-youm7"),
        ["201_dam-youm7", "202_dam-sudantribune", "203_dam-aawsat"]
    );

    // Names from the English alone: the gazetteer's Egypt and IMF are
    // found in the French article's English, and no wording is noted.
    let french = brief
        .articles
        .iter()
        .find(|a| a.id() == "801_imf-french")
        .unwrap();
    let names: Vec<&str> = french
        .entities
        .iter()
        .map(|e| brief.entities[e.entity].name.as_str())
        .collect();
    assert!(names.contains(&"Egypt"), "{names:?}");
    assert!(french.wording.is_empty() && french.dates.is_empty());
    // The story's Egypt row lists the French article among its sources but
    // only Arabic spellings: nothing ties the name to a French word.
    let imf_story = brief
        .stories
        .iter()
        .find(|s| s.articles.contains(&0))
        .unwrap();
    let egypt = imf_story
        .entities
        .iter()
        .find(|r| r.name == "Egypt")
        .unwrap();
    let french_index = brief
        .articles
        .iter()
        .position(|a| a.id() == "801_imf-french")
        .unwrap();
    assert!(egypt.sources.iter().any(|s| s.article == french_index));
    assert!(egypt
        .spellings
        .iter()
        .all(|s| !s.is_empty() && !s.chars().any(|c| c.is_ascii_alphabetic())));

    let md = render_md::brief(&brief);
    let note = |language: &str| {
        format!("Wording notes, dates and name lists are Arabic-only; this article is in {language}, so names there come from the English translation only and no wording is noted")
    };
    for language in ["French", "Persian", "English"] {
        assert!(md.contains(&note(language)), "{language}: {md}");
    }
    assert!(md.contains("— in French; "), "{md}");
    assert!(md.contains("— in Arabic; "), "{md}");
    // One note per article not in Arabic, none for the Arabic ones.
    assert_eq!(md.matches("are Arabic-only").count(), 4, "{md}");
    let html = render_html::brief(&brief);
    assert_eq!(html.matches("class=\"language-note\"").count(), 4);
    assert!(html.contains(&note("Persian")));

    let persian = brief
        .articles
        .iter()
        .find(|a| a.id() == "802_imf-persian")
        .unwrap();
    let page = render_html::article_view(persian);
    assert!(page.contains("Persian source beside its English translation"));
    assert!(page.contains(&note("Persian")));
    let arabic = &brief.articles[0];
    let page = render_html::article_view(arabic);
    assert!(page.contains("Arabic source beside its English translation"));
    assert!(!page.contains("Arabic-only"));
}

#[test]
fn tarjama_brief_writes_the_language_notes() {
    let ws = workspace();
    let out = ws.path().join("out");
    write_records(&out, &mixed_records());
    let output = common::command::tarjama(&["brief", "out"], ws.path());
    common::command::assert_success(&output);
    let md = fs::read_to_string(out.join("brief.md")).unwrap();
    assert!(md.contains("this article is in Persian"), "{md}");
    let page = fs::read_to_string(out.join("802_imf-persian.html")).unwrap();
    assert!(page.contains("this article is in Persian"));
}
