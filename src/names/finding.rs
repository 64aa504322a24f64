//! Names no list holds, found in a translated sentence and tied to the
//! Arabic words they came from, so the brief can list every person,
//! place and organisation an article names — not only the gazetteer's.
//!
//! Two kinds of name, two ties:
//! - a transliterated name ("Kristalina Georgieva", "Jableh"): each of its
//!   name words (`super::english`) is tied to the sentence's Arabic word it
//!   plausibly transliterates (`super::transliteration`, the grounding's
//!   measure); the name's last unlisted word must be tied, or the name is
//!   not the source's and is left out (the grounding reports it);
//! - an institution, translated rather than transliterated ("the
//!   International Monetary Fund", "Mohammed V Stadium"): a capitalised
//!   run holding a kind noun (Fund, Bank, Union, Stadium, Dam …) is tied
//!   to the Arabic noun that says the same (صندوق, بنك, اتحاد, ملعب, سد) and
//!   as many words from there as the English has content words — the
//!   Arabic name phrase ("صندوق النقد الدولي").
//!
//! Names the gazetteer finds in the sentence are left to it; nationality
//! adjectives ("Egyptian", "Sudanese") are not names. The kind (person,
//! place, organisation, other) comes from the words around the name: a
//! title or role before it or a verb of saying after it makes a person, a
//! place preposition a place, a kind noun an institution's kind; two or
//! more name words with no other cue, a person. What it is not: merging
//! the names of many articles (`super::register`) or a check that a name
//! belongs in the translation (`super::grounding`).

use std::collections::BTreeSet;

use super::english::{
    is_abbreviation, is_name_word, is_particle, name_in, runs, segments, Name, Run,
};
use super::gazetteer::{EntityKind, Gazetteer};
use super::grounding::{arabic_forms, compound, english_forms, english_words_of};
use super::transliteration;
use crate::text::arabic::{is_stopword, normalize, strip_clitics, tokenize, Token};

/// A name found in one sentence, tied to its Arabic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundName {
    /// As the translation writes it ("Kristalina Georgieva").
    pub english: String,
    /// The Arabic it is tied to, as written, without a joined و ف ب ل ك.
    pub arabic: String,
    /// What variants merge on: the normalized Arabic of a transliterated
    /// name's key word (its last unlisted name word), or of an
    /// institution's whole phrase (without a leading ال).
    pub key: String,
    pub kind: EntityKind,
}

/// English kind nouns of institutions and named places, with their kind
/// and the Arabic nouns (normalized, without ال) that say the same.
const KIND_NOUNS: &[(&str, EntityKind, &[&str])] = &[
    ("fund", EntityKind::Organisation, &["صندوق"]),
    ("bank", EntityKind::Organisation, &["بنك", "مصرف"]),
    ("union", EntityKind::Organisation, &["اتحاد"]),
    ("organization", EntityKind::Organisation, &["منظمه", "هيئه"]),
    ("organisation", EntityKind::Organisation, &["منظمه", "هيئه"]),
    ("council", EntityKind::Organisation, &["مجلس"]),
    ("ministry", EntityKind::Organisation, &["وزاره"]),
    ("agency", EntityKind::Organisation, &["وكاله"]),
    ("party", EntityKind::Organisation, &["حزب"]),
    ("company", EntityKind::Organisation, &["شركه"]),
    ("authority", EntityKind::Organisation, &["هيئه", "سلطه"]),
    (
        "commission",
        EntityKind::Organisation,
        &["مفوضيه", "لجنه", "هيئه"],
    ),
    ("committee", EntityKind::Organisation, &["لجنه"]),
    ("court", EntityKind::Organisation, &["محكمه"]),
    ("crescent", EntityKind::Organisation, &["هلال"]),
    ("cross", EntityKind::Organisation, &["صليب"]),
    (
        "league",
        EntityKind::Organisation,
        &["جامعه", "رابطه", "دوري"],
    ),
    ("federation", EntityKind::Organisation, &["اتحاد"]),
    (
        "confederation",
        EntityKind::Organisation,
        &["اتحاد", "كونفدراليه"],
    ),
    ("association", EntityKind::Organisation, &["جمعيه", "رابطه"]),
    ("movement", EntityKind::Organisation, &["حركه", "تيار"]),
    ("front", EntityKind::Organisation, &["جبهه"]),
    ("forces", EntityKind::Organisation, &["قوات"]),
    ("army", EntityKind::Organisation, &["جيش"]),
    ("club", EntityKind::Organisation, &["نادي"]),
    ("university", EntityKind::Organisation, &["جامعه"]),
    ("programme", EntityKind::Organisation, &["برنامج"]),
    ("program", EntityKind::Organisation, &["برنامج"]),
    ("corporation", EntityKind::Organisation, &["موسسه", "شركه"]),
    ("foundation", EntityKind::Organisation, &["موسسه"]),
    ("group", EntityKind::Organisation, &["مجموعه"]),
    ("office", EntityKind::Organisation, &["مكتب"]),
    ("institute", EntityKind::Organisation, &["معهد"]),
    ("parliament", EntityKind::Organisation, &["برلمان"]),
    ("assembly", EntityKind::Organisation, &["جمعيه", "مجلس"]),
    ("nations", EntityKind::Organisation, &["امم"]),
    ("helmets", EntityKind::Organisation, &["خوذ"]),
    ("centre", EntityKind::Place, &["مركز"]),
    ("center", EntityKind::Place, &["مركز"]),
    ("stadium", EntityKind::Place, &["ملعب", "استاد"]),
    ("airport", EntityKind::Place, &["مطار"]),
    ("port", EntityKind::Place, &["ميناء", "مرفا"]),
    ("square", EntityKind::Place, &["ساحه", "ميدان"]),
    ("street", EntityKind::Place, &["شارع"]),
    ("province", EntityKind::Place, &["محافظه", "ولايه", "اقليم"]),
    ("governorate", EntityKind::Place, &["محافظه"]),
    ("crossing", EntityKind::Place, &["معبر"]),
    ("dam", EntityKind::Place, &["سد"]),
    ("complex", EntityKind::Place, &["مجمع", "مركب"]),
    ("coast", EntityKind::Place, &["ساحل"]),
    ("canal", EntityKind::Place, &["قناة"]),
    ("sea", EntityKind::Place, &["بحر"]),
    ("ocean", EntityKind::Place, &["محيط"]),
    ("lake", EntityKind::Place, &["بحيرة"]),
    ("island", EntityKind::Place, &["جزيرة"]),
    ("mountains", EntityKind::Place, &["جبال"]),
    ("mount", EntityKind::Place, &["جبل"]),
    ("valley", EntityKind::Place, &["وادي"]),
    ("desert", EntityKind::Place, &["صحراء"]),
    ("strait", EntityKind::Place, &["مضيق"]),
    ("river", EntityKind::Place, &["نهر"]),
];

/// Words before a name that make it a person's.
const PERSON_CUES: &[&str] = &[
    "minister",
    "president",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "coach",
    "manager",
    "director",
    "chief",
    "head",
    "governor",
    "secretary",
    "chairman",
    "chairwoman",
    "envoy",
    "ambassador",
    "player",
    "striker",
    "goalkeeper",
    "defender",
    "midfielder",
    "winger",
    "captain",
    "analyst",
    "economist",
    "expert",
    "professor",
    "prince",
    "princess",
    "sheikh",
    "king",
    "queen",
    "emir",
    "general",
    "official",
    "negotiator",
    "novelist",
    "writer",
    "author",
    "poet",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "deputy",
    "premier",
    "rescuer",
    "doctor",
    "engineer",
    "founder",
    "mayor",
    "lawyer",
    "judge",
    "researcher",
    "representative",
    "counterpart",
    "commander",
    "volunteer",
    "correspondent",
    "scorer",
    "forward",
    "colleague",
    "son",
    "daughter",
    "wife",
    "husband",
    "mother",
    "father",
    "brother",
    "sister",
    "brigadier",
    "colonel",
    "lieutenant",
];

/// Words after a name that make it a person's (a verb of saying).
const SAYING: &[&str] = &[
    "said",
    "says",
    "told",
    "added",
    "stressed",
    "noted",
    "explained",
    "announced",
    "stated",
    "warned",
    "confirmed",
    "affirmed",
    "pointed",
    "urged",
    "called",
    "described",
    "believes",
    "scored",
    "expects",
];

/// Words after a name that make it an organisation's ("Al Ahly fans").
const ORGANISATION_AFTER: &[&str] = &[
    "club",
    "team",
    "side",
    "players",
    "fans",
    "supporters",
    "board",
    "management",
    "squad",
];

/// Words after a name that make it a place ("the Ras El-Hekma area").
const PLACE_AFTER: &[&str] = &[
    "area",
    "region",
    "city",
    "project",
    "peninsula",
    "coast",
    "governorate",
    "province",
    "district",
    "border",
    "crossing",
    "port",
    "camp",
    "neighbourhood",
    "neighborhood",
    "town",
    "village",
    "countryside",
];

/// Words before a name that make it a place.
const PLACE_CUES: &[&str] = &[
    "in", "at", "from", "to", "near", "into", "toward", "towards", "across", "outside", "inside",
    "via", "through", "around", "reached", "visited",
];

/// Nationality adjectives that do not begin with their country's name.
const IRREGULAR_DEMONYMS: &[&str] = &[
    "arab",
    "arabs",
    "arabic",
    "saudi",
    "saudis",
    "swiss",
    "dutch",
    "british",
    "french",
    "greek",
    "danish",
    "swedish",
    "finnish",
    "polish",
    "welsh",
    "scottish",
    "irish",
    "spanish",
    "kurdish",
    "kurds",
    "norwegian",
    "american",
    "americans",
    "afghan",
    "filipino",
    "thai",
    "persian",
    "berber",
    "english",
];

/// Arabic words that stand inside a name between its parts (محمد بن
/// زايد، أحمد أبو زيد، آل نهيان).
const ARABIC_NAME_PARTICLES: &[&str] = &["بن", "ابن", "ابو", "عبد", "ال", "بنت", "ام"];

/// The names in one sentence's translation that no list holds, tied to
/// the sentence's Arabic. `source` is the sentence's Arabic text.
pub fn find_names(source: &str, translation: &str) -> Vec<FoundName> {
    let tokens = tokenize(source);
    if tokens.is_empty() {
        return Vec::new();
    }
    let gazetteer = Gazetteer::builtin();
    let mentions = gazetteer.find(source, &tokens);
    let listed: BTreeSet<String> = mentions
        .iter()
        .flat_map(|m| english_words_of(&gazetteer.entities[m.entity].name))
        .collect();
    let listed_tokens: BTreeSet<usize> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            mentions
                .iter()
                .any(|m| m.span.start <= t.span.start && t.span.end <= m.span.end)
        })
        .map(|(i, _)| i)
        .collect();
    let sentence = Sentence {
        source,
        tokens: &tokens,
        listed,
        listed_tokens,
    };
    let mut found: Vec<FoundName> = Vec::new();
    for run in runs(translation).iter().flat_map(split_after_names) {
        let names: Vec<FoundName> =
            match institution(&run, &sentence).or_else(|| abbreviation(&run, &sentence)) {
                Some(name) => vec![name],
                None => segments(&run)
                    .iter()
                    .filter_map(name_in)
                    .filter_map(|name| transliterated(&name, &sentence))
                    .collect(),
            };
        for name in names {
            if !found.contains(&name) && !is_gazetteer_name(&name.english) {
                found.push(name);
            }
        }
    }
    found
}

/// The names in one sentence's English when its source is in a language
/// no list of tarjama reads (the gazetteer, the transliteration rules and
/// the kind nouns are all Arabic's): the gazetteer's entities whose English
/// name the translation writes, by index, and every other name the English
/// reads as one ([`super::english::names`]), tied to nothing. Each found
/// name's `arabic` is empty (no source word is tied to it), and its `key` the head
/// word's lower case (no space: merged as a transliterated name is, by its
/// English, so "Georgieva" here joins "Kristalina Georgieva" found in an
/// Arabic article). Demonyms and abbreviations are left out, as in
/// [`find_names`].
pub fn names_in_english(translation: &str) -> (Vec<usize>, Vec<FoundName>) {
    let mut listed = Vec::new();
    let mut found: Vec<FoundName> = Vec::new();
    for run in runs(translation).iter().flat_map(split_after_names) {
        for segment in segments(&run) {
            // The whole segment first ("International Monetary Fund" has no
            // name word of its own), then the name in it ("Sergei Shoigu"
            // in "Russian Defence Minister Sergei Shoigu").
            let name = name_in(&segment);
            let entity = gazetteer_entity(&segment.words.join(" "))
                .or_else(|| name.as_ref().and_then(|n| gazetteer_entity(&n.text)));
            if let Some(entity) = entity {
                if !listed.contains(&entity) {
                    listed.push(entity);
                }
                continue;
            }
            let Some(name) = name else {
                continue;
            };
            let Some(head) = name.name_words.last() else {
                continue;
            };
            if is_demonym(&name.text) || is_abbreviation(head) {
                continue;
            }
            let words: Vec<String> = name.text.split(' ').map(str::to_string).collect();
            let candidate = FoundName {
                arabic: String::new(),
                english: name.text.clone(),
                key: head.to_lowercase(),
                kind: kind_of(&name, &words, name.name_words.len()),
            };
            if !found.contains(&candidate) {
                found.push(candidate);
            }
        }
    }
    (listed, found)
}

/// The gazetteer entity whose English name is `english` (any case, with or
/// without a leading "the", hyphens as spaces).
fn gazetteer_entity(english: &str) -> Option<usize> {
    static BY_NAME: std::sync::OnceLock<std::collections::BTreeMap<String, usize>> =
        std::sync::OnceLock::new();
    let by_name = BY_NAME.get_or_init(|| {
        let mut by_name = std::collections::BTreeMap::new();
        for (index, entity) in Gazetteer::builtin().entities.iter().enumerate() {
            // Runs keep a hyphenated name's parts apart ("Jean Yves").
            let name = entity.name.to_lowercase().replace('-', " ");
            let bare = name.strip_prefix("the ").map(str::to_string);
            for key in std::iter::once(name).chain(bare) {
                by_name.entry(key).or_insert(index);
            }
        }
        by_name
    });
    let lower = english.to_lowercase().replace('-', " ");
    let bare = lower.strip_prefix("the ").unwrap_or(&lower);
    by_name.get(bare).copied()
}

/// A run cut at each "and" that follows a name word: "Hezbollah and Amal
/// Movement" names two, while "King Salman Humanitarian Aid and Relief
/// Centre" is one institution ("Aid" is an ordinary word).
fn split_after_names(run: &Run) -> Vec<Run> {
    run.split_at(|words, i| words[i] == "and" && i > 0 && is_name_word(&words[i - 1]))
}

/// Whether an English name is one of the gazetteer's own ("Ethiopia" for
/// الإثيوبي, "the Ethiopian"): where the gazetteer did not find it in the
/// Arabic, the Arabic did not name it.
fn is_gazetteer_name(english: &str) -> bool {
    // Built once: this is asked for every capitalised run of every
    // sentence, and for every word `is_demonym` weighs.
    static NAMES: std::sync::OnceLock<BTreeSet<String>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        Gazetteer::builtin()
            .entities
            .iter()
            .flat_map(|e| {
                let name = e.name.to_lowercase();
                let bare = name.strip_prefix("the ").map(str::to_string);
                std::iter::once(name).chain(bare)
            })
            .collect()
    });
    names.contains(&english.to_lowercase())
}

/// What a sentence's Arabic offers: its tokens, and what the gazetteer
/// found there (its English words and the tokens it covers).
struct Sentence<'a> {
    source: &'a str,
    tokens: &'a [Token],
    listed: BTreeSet<String>,
    listed_tokens: BTreeSet<usize>,
}

/// What comes off a name's first Arabic word when it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JoinedPrefix {
    None,
    /// A joined conjunction or preposition of this many letters (وجورجيفا).
    Letters(usize),
    /// ل before ال, which drops the alef (للأمم → الأمم).
    LamOfTheArticle,
}

impl Sentence<'_> {
    /// Tokens `range` as written, words joined by single spaces, the first
    /// without its joined prefix.
    fn written(&self, range: std::ops::Range<usize>, prefix: JoinedPrefix) -> String {
        let mut words: Vec<String> = self.tokens[range]
            .iter()
            .map(|t| self.source[t.span.clone()].to_string())
            .collect();
        let strip = match prefix {
            JoinedPrefix::None => 0,
            JoinedPrefix::Letters(n) => n,
            JoinedPrefix::LamOfTheArticle => 2,
        };
        if strip > 0 {
            let mut letters = 0;
            let first = &words[0];
            let cut = first
                .char_indices()
                .find(|(_, c)| {
                    // Diacritics and tatweel are not letters of the prefix.
                    let letter = normalize(&c.to_string()).chars().count() == 1;
                    if letters == strip && letter {
                        return true;
                    }
                    letters += usize::from(letter);
                    false
                })
                .map_or(first.len(), |(i, _)| i);
            words[0] = first[cut..].to_string();
            if prefix == JoinedPrefix::LamOfTheArticle {
                words[0] = format!("ال{}", words[0]);
            }
        }
        words.join(" ")
    }

    /// The tokens the English word best transliterates (not ones the
    /// gazetteer covers): one token, or two written as one English word
    /// (عبد المنعم, "Abdelmonem"); first and last index and the joined
    /// prefix.
    fn tie(&self, word: &str) -> Option<(usize, usize, JoinedPrefix)> {
        let mut candidates: Vec<(usize, usize, String)> = Vec::new();
        for (i, token) in self.tokens.iter().enumerate() {
            if self.listed_tokens.contains(&i) {
                continue;
            }
            for form in arabic_forms(&token.norm) {
                candidates.push((i, i, form));
            }
            if let Some(next) = self.tokens.get(i + 1) {
                if let Some(compound) = compound(&token.norm, &next.norm) {
                    candidates.push((i, i + 1, compound));
                }
            }
        }
        let english_forms = english_forms(word);
        let mut best: Option<(f32, usize, usize, JoinedPrefix)> = None;
        for (first, last, form) in &candidates {
            for english in &english_forms {
                let Some(cost) = transliteration::cost(english, form) else {
                    continue;
                };
                if transliteration::plausible(english, form) && best.is_none_or(|(c, ..)| cost < c)
                {
                    let norm = &self.tokens[*first].norm;
                    let prefix = if first == last {
                        joined_prefix(norm, form)
                    } else {
                        joined_prefix(norm, strip_clitics(norm))
                    };
                    best = Some((cost, *first, *last, prefix));
                }
            }
        }
        best.map(|(_, first, last, prefix)| (first, last, prefix))
    }

    fn is_name_particle(&self, i: usize) -> bool {
        ARABIC_NAME_PARTICLES.contains(&self.tokens[i].norm.as_str())
    }
}

/// The joined conjunction or preposition in front of `form` in the
/// normalized token; an ال stays with the name (الأهلي is written with
/// it).
fn joined_prefix(norm: &str, form: &str) -> JoinedPrefix {
    let Some(start) = norm.find(form) else {
        return JoinedPrefix::None;
    };
    let prefix = &norm[..start];
    let letters = prefix.chars().count();
    if prefix == "لل" {
        JoinedPrefix::LamOfTheArticle
    } else if prefix.ends_with("ال") {
        match letters - 2 {
            0 => JoinedPrefix::None,
            n => JoinedPrefix::Letters(n),
        }
    } else if letters == 0 {
        JoinedPrefix::None
    } else {
        JoinedPrefix::Letters(letters)
    }
}

/// A transliterated name tied to the sentence's Arabic, if its key word
/// (last name word the gazetteer does not account for) ties.
fn transliterated(name: &Name, sentence: &Sentence) -> Option<FoundName> {
    let words = &name.segment.words;
    let mut start = name.start;
    // Nationalities and listed places before a name are not part of it
    // ("Tunisian Ali Maaloul", "Casablanca Wydad Athletic Club").
    while start + 1 < words.len()
        && (is_demonym(&words[start]) || sentence.listed.contains(&words[start].to_lowercase()))
    {
        start += 1;
    }
    let is_key_candidate = |w: &String| {
        is_name_word(w) && !is_demonym(w) && !sentence.listed.contains(&w.to_lowercase())
    };
    let key_at = (start..words.len())
        .rev()
        .find(|&i| is_key_candidate(&words[i]))?;
    let (key_first, key_last, key_prefix) = sentence.tie(&words[key_at])?;
    // The Arabic of the whole name: the block of tokens around the key's
    // that the name's other words tie to, with the particles between.
    let tied: Vec<(usize, usize, JoinedPrefix)> = words[start..]
        .iter()
        .filter(|w| is_name_word(w))
        .filter_map(|w| sentence.tie(w))
        .collect();
    let is_tied = |i: usize| tied.iter().any(|(f, l, _)| (*f..=*l).contains(&i));
    let (mut first, mut last, mut prefix) = (key_first, key_last, key_prefix);
    while first > 0
        && (is_tied(first - 1)
            || sentence.is_name_particle(first - 1) && first >= 2 && is_tied(first - 2))
    {
        first -= 1;
        prefix = tied
            .iter()
            .find(|(f, _, _)| *f == first)
            .map_or(JoinedPrefix::None, |(_, _, p)| *p);
    }
    while last + 1 < sentence.tokens.len()
        && (is_tied(last + 1)
            || sentence.is_name_particle(last + 1)
                && last + 2 < sentence.tokens.len()
                && is_tied(last + 2))
    {
        last += 1;
    }
    // A first name that is also an ordinary English word ("Martin
    // Griffiths") belongs to the name when it ties the Arabic word just
    // before the block.
    while start > 0
        && first > 0
        && words[start - 1]
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
        && !PERSON_CUES.contains(&words[start - 1].to_lowercase().as_str())
        && !is_kind_noun(&words[start - 1])
        && !is_demonym(&words[start - 1])
        && !sentence.listed.contains(&words[start - 1].to_lowercase())
    {
        match sentence.tie(&words[start - 1]) {
            Some((f, l, p)) if l + 1 == first => {
                start -= 1;
                first = f;
                prefix = p;
            }
            _ => break,
        }
    }
    let english = name.segment.written(start..words.len());
    let name_words: Vec<&String> = words[start..].iter().filter(|w| is_name_word(w)).collect();
    Some(FoundName {
        kind: kind_of(name, &words[start..], name_words.len()),
        english,
        arabic: sentence.written(first..last + 1, prefix),
        key: (key_first..=key_last)
            .map(|i| strip_clitics(&sentence.tokens[i].norm))
            .collect(),
    })
}

/// Whether a word is a nationality adjective ("Egyptian" of Egypt,
/// "Sudanese", "Emirati", "Saudi", and the irregular ones: "Swiss"), not
/// a place's own name.
pub fn is_demonym(word: &str) -> bool {
    let lower = word.to_lowercase();
    IRREGULAR_DEMONYMS.contains(&lower.as_str())
        || !is_gazetteer_name(word) && !Gazetteer::builtin().demonym_of(word).is_empty()
}

fn is_kind_noun(word: &str) -> bool {
    let lower = word.to_lowercase();
    KIND_NOUNS.iter().any(|(noun, _, _)| *noun == lower)
}

/// A name's kind from the words around it (see the module doc); `words`
/// is the name, `name_words` how many of them can carry a name.
fn kind_of(name: &Name, words: &[String], name_words: usize) -> EntityKind {
    let before: Vec<String> = name
        .before_in_run
        .iter()
        .map(|w| w.to_lowercase())
        .chain(name.before.iter().cloned())
        .collect();
    if let Some((_, kind, _)) = words.iter().rev().find_map(|w| {
        KIND_NOUNS
            .iter()
            .find(|(noun, _, _)| *noun == w.to_lowercase())
    }) {
        return *kind;
    }
    if name
        .after
        .as_deref()
        .is_some_and(|w| ORGANISATION_AFTER.contains(&w))
    {
        EntityKind::Organisation
    } else if before.iter().any(|w| PERSON_CUES.contains(&w.as_str()))
        || name.after.as_deref().is_some_and(|w| SAYING.contains(&w))
    {
        EntityKind::Person
    } else if name
        .before
        .as_deref()
        .is_some_and(|w| PLACE_CUES.contains(&w))
        || name
            .after
            .as_deref()
            .is_some_and(|w| PLACE_AFTER.contains(&w))
    {
        EntityKind::Place
    } else if name_words >= 2 {
        EntityKind::Person
    } else {
        EntityKind::Other
    }
}

/// An organisation known by its letters ("OPEC", "FIFA", "ADQ"), alone
/// in its run: tied to the same letters in the Arabic text, or to the
/// Arabic word it is read as (أوبك, فيفا). Two letters ("UN", "EU") say
/// too little to tie.
fn abbreviation(run: &Run, sentence: &Sentence) -> Option<FoundName> {
    let [word] = run.words.as_slice() else {
        return None;
    };
    if !is_abbreviation(word)
        || word.chars().count() < 3
        || sentence.listed.contains(&word.to_lowercase())
    {
        return None;
    }
    let lower = word.to_lowercase();
    if let Some(i) = sentence.tokens.iter().position(|t| t.norm == lower) {
        return Some(FoundName {
            english: word.clone(),
            arabic: sentence.written(i..i + 1, JoinedPrefix::None),
            key: lower,
            kind: EntityKind::Organisation,
        });
    }
    let (first, last, prefix) = sentence.tie(&lower)?;
    Some(FoundName {
        english: word.clone(),
        arabic: sentence.written(first..last + 1, prefix),
        key: strip_clitics(&sentence.tokens[first].norm).to_string(),
        kind: EntityKind::Organisation,
    })
}

/// Where an institution's Arabic phrase that starts at `start` ends: as
/// many words as the English has content words (`words`), while each word
/// goes on the phrase — a definite genitive or adjective (النقد الدولي,
/// للإعلام, والأعمال), a word the English's names tie to (سلمان in مركز الملك
/// سلمان), or a genitive the next definite word completes (أنباء in وكالة
/// أنباء الشرق); one more when a word joined by ل takes its noun (لكرة
/// القدم). A stopword ends it ("وزارة الدفاع الخميس"), and so does any other
/// word ("وزارة الخارجية السعودية بانتخاب").
fn phrase_end(sentence: &Sentence, start: usize, words: usize, names: &[&String]) -> usize {
    let tokens = sentence.tokens;
    let definite = |i: usize| {
        let norm = &tokens[i].norm;
        !is_stopword(norm) && ["ال", "لل", "وال"].iter().any(|p| norm.starts_with(p))
    };
    let named = |i: usize| {
        names.iter().any(|w| {
            sentence
                .tie(w)
                .is_some_and(|(f, l, _)| (f..=l).contains(&i))
        })
    };
    let limit = (start + words).min(tokens.len());
    let mut end = start + 1;
    while end < limit {
        let goes_on = !is_stopword(&tokens[end].norm)
            && (definite(end) || named(end) || end + 1 < tokens.len() && definite(end + 1));
        if !goes_on {
            break;
        }
        end += 1;
    }
    let last = &tokens[end - 1].norm;
    if end == limit
        && end < tokens.len()
        && end > start + 1
        && last.starts_with('ل')
        && !last.starts_with("لل")
        && definite(end)
    {
        end += 1;
    }
    end
}

/// An institution's name (see the module doc) tied to its Arabic phrase.
fn institution(run: &Run, sentence: &Sentence) -> Option<FoundName> {
    // "The International Monetary Fund": the article is no part of it.
    let skip = usize::from(run.words.first().is_some_and(|w| w == "The"));
    let words = &run.words[skip..];
    // The kind noun ends the name or comes before its "of" ("Bank of
    // Egypt", "Confederation of African Football").
    let (noun_at, kind, arabic_nouns) = words.iter().enumerate().rev().find_map(|(i, w)| {
        let at_end = i + 1 == words.len() || words[i + 1] == "of";
        let lower = w.to_lowercase();
        KIND_NOUNS
            .iter()
            .find(|(noun, _, _)| at_end && *noun == lower)
            .map(|(_, kind, arabic)| (i, *kind, *arabic))
    })?;
    let content: Vec<&String> = words
        .iter()
        .filter(|w| !matches!(w.as_str(), "of" | "and") && !is_particle(w))
        .collect();
    if content.len() < 2 || noun_at == 0 && words.len() == 1 {
        return None;
    }
    let english = run.written(skip..run.words.len());
    // Named by the gazetteer already ("the UN Security Council").
    if english_words_of(&english).all(|w| sentence.listed.contains(&w) || w == "of" || w == "and") {
        return None;
    }
    // Where the phrase starts: a token saying the kind noun; of several,
    // the one whose next words the English's names tie to most
    // ("African" → الأفريقي), then the first.
    let name_words: Vec<&String> = content
        .iter()
        .copied()
        .filter(|w| is_name_word(w))
        .collect();
    let mut best: Option<(usize, usize, String)> = None;
    for (i, token) in sentence.tokens.iter().enumerate() {
        if sentence.listed_tokens.contains(&i) {
            continue;
        }
        let Some(bare) = arabic_forms(&token.norm)
            .into_iter()
            .find(|form| arabic_nouns.iter().any(|noun| normalize(noun) == *form))
        else {
            continue;
        };
        let window = i..(i + content.len()).min(sentence.tokens.len());
        let score = name_words
            .iter()
            .filter(|w| sentence.tie(w).is_some_and(|(t, _, _)| window.contains(&t)))
            .count();
        if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, i, bare));
        }
    }
    let (_, start, bare) = best?;
    let end = phrase_end(sentence, start, content.len(), &name_words);
    let norm = &sentence.tokens[start].norm;
    let key_words: Vec<String> = std::iter::once(bare.clone())
        .chain(
            sentence.tokens[start + 1..end]
                .iter()
                .map(|t| t.norm.clone()),
        )
        .collect();
    Some(FoundName {
        english,
        arabic: sentence.written(start..end, joined_prefix(norm, &bare)),
        key: key_words.join(" "),
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_english_alone_use_the_gazetteer_by_its_english() {
        let (listed, found) = names_in_english(
            "Russian Defence Minister Sergei Shoigu met Kristalina Georgieva, who said the French team agreed.",
        );
        let gazetteer = Gazetteer::builtin();
        let listed: Vec<&str> = listed
            .iter()
            .map(|&e| gazetteer.entities[e].name.as_str())
            .collect();
        assert_eq!(listed, ["Sergei Shoigu"]);
        assert!(found.iter().all(|n| n.arabic.is_empty()));
        let found: Vec<(&str, &str, EntityKind)> = found
            .iter()
            .map(|n| (n.english.as_str(), n.key.as_str(), n.kind))
            .collect();
        // "French" is a demonym, not a name.
        assert_eq!(
            found,
            [("Kristalina Georgieva", "georgieva", EntityKind::Person)]
        );
    }

    fn found(source: &str, translation: &str) -> Vec<(String, String, EntityKind)> {
        find_names(source, translation)
            .into_iter()
            .map(|f| (f.english, f.arabic, f.kind))
            .collect()
    }

    /// Written for this test, as a news sentence about a story no list
    /// was written for.
    #[test]
    fn people_and_institutions_are_tied_to_their_arabic() {
        let names = found(
            "وقالت المديرة العامة لصندوق النقد الدولي كريستالينا جورجيفا إن الاتفاق مع مصر مهم.",
            "The managing director of the International Monetary Fund, Kristalina Georgieva, said the agreement with Egypt was important.",
        );
        assert_eq!(
            names,
            [
                (
                    "International Monetary Fund".to_string(),
                    "صندوق النقد الدولي".to_string(),
                    EntityKind::Organisation
                ),
                (
                    "Kristalina Georgieva".to_string(),
                    "كريستالينا جورجيفا".to_string(),
                    EntityKind::Person
                ),
            ]
        );
    }

    #[test]
    fn listed_names_demonyms_and_invented_names_are_left_out() {
        // Egypt and Cairo are the lists'; "Egyptian" is an adjective;
        // Obama is not in the Arabic.
        let names = found(
            "وصل الوزير المصري إلى القاهرة ومعه سامح شكري.",
            "The Egyptian minister arrived in Cairo with Sameh Shoukry and Obama.",
        );
        assert_eq!(
            names,
            [(
                "Sameh Shoukry".to_string(),
                "سامح شكري".to_string(),
                EntityKind::Person
            )]
        );
    }

    #[test]
    fn a_joined_conjunction_is_not_part_of_the_spelling_and_places_are_places() {
        let names = found(
            "ووصلت فرق الإنقاذ إلى جبلة وقال هشام الخطيب إن الوضع صعب.",
            "Rescue teams reached Jableh, and Hisham al-Khatib said the situation was difficult.",
        );
        assert_eq!(
            names,
            [
                ("Jableh".to_string(), "جبلة".to_string(), EntityKind::Place),
                (
                    "Hisham al-Khatib".to_string(),
                    "هشام الخطيب".to_string(),
                    EntityKind::Person
                ),
            ]
        );
    }

    #[test]
    fn nationality_adjectives_are_recognised() {
        for word in [
            "Egyptian", "Sudanese", "Emirati", "Saudi", "Syrian", "Moroccan",
        ] {
            assert!(is_demonym(word), "{word}");
        }
        for word in [
            "Georgieva",
            "Madbouly",
            "Jableh",
            "Egypt",
            "Martin",
            "Salman",
        ] {
            assert!(!is_demonym(word), "{word}");
        }
    }
}
