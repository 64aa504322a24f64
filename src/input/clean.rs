//! Finding scrape debris in an article's text and saying what is left.
//!
//! Scraped news pages carry more than the article: lines of stray `&`, ad
//! markers such as `[ads3]` glued to a sentence, the comment form and buttons
//! of the site's theme at the bottom, and the site's section names run
//! together on the first line. [`clean`] reports every such piece as a
//! [`Removal`] with its byte span, and every remaining non-blank line as a
//! `kept` byte range — one paragraph per line — so that nothing is silently
//! dropped and every span still points into the text from `read.rs`.
//!
//! It is not a rewriter: it never builds a new string, and it does not
//! normalize or split sentences (`segment.rs` does that). It only recognises
//! debris it has evidence for — the lexicons are deliberately small — so an
//! unusual but genuine line, such as the agency credit «أ ف ب», is kept.

use std::ops::Range;

/// Why a piece of text was cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalReason {
    /// No letter or digit at all, such as a line holding only `&`, or a `&`
    /// glued to either end of a line.
    PunctuationOnly,
    /// A bracketed ad placeholder such as `[ads3]`.
    AdMarker,
    /// Site chrome below the article: comment form, buttons.
    Footer,
    /// The site's section names on the first line.
    SectionHeader,
}

impl RemovalReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            RemovalReason::PunctuationOnly => "punctuation-only",
            RemovalReason::AdMarker => "ad-marker",
            RemovalReason::Footer => "footer",
            RemovalReason::SectionHeader => "section-header",
        }
    }
}

/// One cut piece: its byte span in the text, its 1-based line, the text itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub span: Range<usize>,
    pub line: usize,
    pub text: String,
    pub reason: RemovalReason,
}

/// The result of [`clean`]: what was cut and what is left, both in text order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    pub removals: Vec<Removal>,
    /// One range per kept non-blank line, trimmed of surrounding whitespace
    /// and of debris glued to its ends.
    pub kept: Vec<Range<usize>>,
}

/// How a footer phrase must match a line (after folding, see [`skeleton`]).
#[derive(Clone, Copy)]
enum PhraseMatch {
    /// The line is the phrase and nothing else.
    WholeLine,
    /// The line starts with the phrase; used where sites vary the words after it.
    LineStart,
}

/// Site chrome that scrapes capture as lines of their own. Spelling variants
/// (hamza on alef, ta marbuta, tanwin, tatweel, Persian ی and ک, case,
/// punctuation) are folded away before comparison, so each entry is written
/// once, the usual way.
///
/// Each language's phrases are keyed by their own script, not by the
/// article's language: a phrase must be the whole line (or its start), so
/// an Arabic phrase can only match a line in Arabic letters and a French one
/// a line in French words. That is what keying by language would do, and it
/// needs no language: cleaning runs before identification, and identifying
/// the raw text first would let the very debris being cut sway the guess.
/// Only the WordPress strings and theme labels of each language that are
/// known word for word are listed; the reason shown in records is "footer".
const FOOTER_PHRASES: &[(&str, PhraseMatch)] = &[
    // Heading of the WordPress comment form ("Leave a comment"); seed 001.
    ("اترك تعليقاً", PhraseMatch::WholeLine),
    // The same heading as other Arabic WordPress themes word it ("Add a comment").
    ("أضف تعليقاً", PhraseMatch::WholeLine),
    // WordPress comment-form notice ("Your email address will not be
    // published. Required fields are marked *"); themes reword the second
    // sentence, so only the first is required; seed 001.
    ("لن يتم نشر عنوان بريدك الإلكتروني", PhraseMatch::LineStart),
    // Label of the "back to top" button of common Arabic news themes; seed 001.
    ("زر الذهاب إلى الأعلى", PhraseMatch::WholeLine),
    // Label of the close button of a popup or search overlay; seed 001.
    ("إغلاق", PhraseMatch::WholeLine),
    // English: WordPress's comment-form heading ("Leave a Reply") and the
    // themes' wording of it, its e-mail notice, and the usual buttons.
    ("Leave a Reply", PhraseMatch::WholeLine),
    ("Leave a comment", PhraseMatch::WholeLine),
    (
        "Your email address will not be published",
        PhraseMatch::LineStart,
    ),
    ("Back to top", PhraseMatch::WholeLine),
    ("Read more", PhraseMatch::WholeLine),
    ("Share this", PhraseMatch::WholeLine),
    // French: WordPress's "Laisser un commentaire" and its notice, buttons.
    ("Laisser un commentaire", PhraseMatch::WholeLine),
    (
        "Votre adresse e-mail ne sera pas publiée",
        PhraseMatch::LineStart,
    ),
    ("Retour en haut", PhraseMatch::WholeLine),
    ("Lire la suite", PhraseMatch::WholeLine),
    ("Partager", PhraseMatch::WholeLine),
    // Turkish: "Yorum yap" ("Comment") and WordPress's "Bir yanıt yazın"
    // ("Leave a Reply"), "Devamını oku" ("Read more"), "Paylaş" ("Share").
    ("Yorum yap", PhraseMatch::WholeLine),
    ("Bir yanıt yazın", PhraseMatch::WholeLine),
    ("Devamını oku", PhraseMatch::WholeLine),
    ("Paylaş", PhraseMatch::WholeLine),
    // Russian: "Оставить комментарий" and WordPress's "Добавить
    // комментарий" ("Leave a Reply"), "Читать далее" ("Read more"),
    // "Поделиться" ("Share").
    ("Оставить комментарий", PhraseMatch::WholeLine),
    ("Добавить комментарий", PhraseMatch::WholeLine),
    ("Читать далее", PhraseMatch::WholeLine),
    ("Поделиться", PhraseMatch::WholeLine),
    // Hebrew: "הוסף תגובה" ("Add a comment"), "קרא עוד" ("Read more"),
    // "שתף" ("Share").
    ("הוסף תגובה", PhraseMatch::WholeLine),
    ("קרא עוד", PhraseMatch::WholeLine),
    ("שתף", PhraseMatch::WholeLine),
    // Persian: "نظر دهید" and "ارسال نظر" ("Comment", "Send a comment"),
    // "ادامه مطلب" ("Read more"), "اشتراک‌گذاری" ("Share"; the ZWNJ folds
    // to a space, so both spellings match).
    ("نظر دهید", PhraseMatch::WholeLine),
    ("ارسال نظر", PhraseMatch::WholeLine),
    ("ادامه مطلب", PhraseMatch::WholeLine),
    ("اشتراک‌گذاری", PhraseMatch::WholeLine),
];

/// Section names of Arabic news sites. A first line made only of these (with
/// or without spaces or separators between them) is the site's navigation,
/// as in seed 001's «دولياترئيسي» («دوليات» + «رئيسي»). Only whole names are
/// listed; very short ones (e.g. «فن») are left out because short pieces make
/// it too easy to "spell" an ordinary word out of names.
const SECTION_NAMES: &[&str] = &[
    "رئيسي",
    "رئيسية",
    "الرئيسية",
    "دولي",
    "دولية",
    "دوليات",
    "محلي",
    "محلية",
    "محليات",
    "عربي",
    "عربية",
    "عربيات",
    "عالمي",
    "العالم",
    "أخبار",
    "الأخبار",
    "سياسة",
    "السياسة",
    "اقتصاد",
    "الاقتصاد",
    "رياضة",
    "الرياضة",
    "ثقافة",
    "الثقافة",
    "منوعات",
    "تقارير",
    "مقالات",
    "آراء",
    "الرأي",
    "مجتمع",
    "حوادث",
    "صحة",
    "تكنولوجيا",
    "عاجل",
];

/// Chrome lines are short (the longest known, the comment-form notice, is
/// about 130 bytes); longer lines are prose and are not folded and compared.
const MAX_FOOTER_BYTES: usize = 400;

/// First lines longer than this are prose, not navigation; the cap also keeps
/// the name-splitting search cheap on a pathological first line.
const MAX_SECTION_HEADER_CHARS: usize = 200;

/// Finds the debris in `text` and the byte ranges of the lines worth keeping.
///
/// Every non-whitespace byte of `text` ends up in exactly one kept range or
/// one removal span. Blank lines are in neither. Lines are split at `\n`; a
/// `\r` before it (text that did not come through `read.rs`) counts as
/// whitespace.
pub fn clean(text: &str) -> Cleaned {
    let mut cleaned = Cleaned::default();
    let mut seen_content = false;
    for (index, line) in line_spans(text).enumerate() {
        let content = trim_span(text, line.clone());
        if content.is_empty() {
            continue;
        }
        let is_first_content_line = !seen_content;
        seen_content = true;
        clean_line(
            text,
            LineContext {
                line,
                content,
                number: index + 1,
                is_first_content_line,
            },
            &mut cleaned,
        );
    }
    cleaned
}

struct LineContext {
    /// The whole line, without its line ending.
    line: Range<usize>,
    /// The line trimmed of surrounding whitespace; never empty.
    content: Range<usize>,
    /// 1-based line number.
    number: usize,
    is_first_content_line: bool,
}

fn clean_line(text: &str, context: LineContext, cleaned: &mut Cleaned) {
    let remove_whole_line = |cleaned: &mut Cleaned, reason| {
        cleaned
            .removals
            .push(removal(text, context.line.clone(), context.number, reason));
    };
    let content = &text[context.content.clone()];

    if !content.chars().any(char::is_alphanumeric) {
        remove_whole_line(cleaned, RemovalReason::PunctuationOnly);
        return;
    }
    if is_ad_marker_line(content) {
        remove_whole_line(cleaned, RemovalReason::AdMarker);
        return;
    }

    let (core, mut glued) = peel_glued_debris(text, context.content.clone());
    if core.is_empty() {
        // Unreachable after the two checks above (peeling only takes `&` and
        // ad markers), but if it ever happens the line is all debris.
        remove_whole_line(cleaned, RemovalReason::PunctuationOnly);
        return;
    }
    let core_text = &text[core.clone()];
    // Chrome lines are judged on their core, so a `&` glued to «إغلاق» does
    // not save it; the whole line then goes, glued debris included.
    if is_footer(core_text) {
        remove_whole_line(cleaned, RemovalReason::Footer);
        return;
    }
    if context.is_first_content_line && is_section_header(core_text) {
        remove_whole_line(cleaned, RemovalReason::SectionHeader);
        return;
    }

    glued.sort_by_key(|(span, _)| span.start);
    for (span, reason) in glued {
        cleaned
            .removals
            .push(removal(text, span, context.number, reason));
    }
    cleaned.kept.push(core);
}

fn removal(text: &str, span: Range<usize>, line: usize, reason: RemovalReason) -> Removal {
    Removal {
        text: text[span.clone()].to_owned(),
        span,
        line,
        reason,
    }
}

/// Byte ranges of the lines of `text`, without `\n` and without a `\r` before it.
fn line_spans(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut line_start = 0;
    text.split('\n').map(move |line| {
        let start = line_start;
        line_start += line.len() + 1;
        let visible = line.strip_suffix('\r').unwrap_or(line);
        start..start + visible.len()
    })
}

/// `span` without leading and trailing whitespace (empty if it is all whitespace).
fn trim_span(text: &str, span: Range<usize>) -> Range<usize> {
    let slice = &text[span.clone()];
    let start = span.start + (slice.len() - slice.trim_start().len());
    let end = span.start + slice.trim_end().len();
    if end <= start {
        start..start
    } else {
        start..end
    }
}

/// Cuts `&` runs and ad markers off both ends of a line's content, as many
/// times as they repeat (`& [ads1] text &`). Returns the remaining core,
/// trimmed, and the pieces cut.
fn peel_glued_debris(
    text: &str,
    content: Range<usize>,
) -> (Range<usize>, Vec<(Range<usize>, RemovalReason)>) {
    let mut core = content;
    let mut pieces = Vec::new();
    loop {
        let slice = &text[core.clone()];
        let ampersands_at_start = slice.len() - slice.trim_start_matches('&').len();
        let ampersands_at_end = slice.len() - slice.trim_end_matches('&').len();
        let piece = if ampersands_at_start > 0 {
            (
                core.start..core.start + ampersands_at_start,
                RemovalReason::PunctuationOnly,
            )
        } else if let Some(length) = ad_marker_length(slice.as_bytes()) {
            (core.start..core.start + length, RemovalReason::AdMarker)
        } else if ampersands_at_end > 0 {
            (
                core.end - ampersands_at_end..core.end,
                RemovalReason::PunctuationOnly,
            )
        } else if let Some(start) = ad_marker_at_end(slice) {
            (core.start + start..core.end, RemovalReason::AdMarker)
        } else {
            return (core, pieces);
        };
        core = if piece.0.start == core.start {
            trim_span(text, piece.0.end..core.end)
        } else {
            trim_span(text, core.start..piece.0.start)
        };
        pieces.push(piece);
        if core.is_empty() {
            return (core, pieces);
        }
    }
}

/// Length of the ad marker at the start of `bytes`, if there is one.
///
/// The pattern is kept tight — `[`, `ad`, an optional `s`, at most three
/// digits, `]`, ASCII letters in either case — because brackets also hold
/// real content (`[sic]`, a citation), and a false match would delete it.
fn ad_marker_length(bytes: &[u8]) -> Option<usize> {
    let opening = bytes.get(..3)?;
    if opening[0] != b'[' || !opening[1..].eq_ignore_ascii_case(b"ad") {
        return None;
    }
    let mut length = 3;
    if bytes
        .get(length)
        .is_some_and(|b| b.eq_ignore_ascii_case(&b's'))
    {
        length += 1;
    }
    let digits = bytes
        .iter()
        .skip(length)
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits > 3 {
        return None;
    }
    length += digits;
    (bytes.get(length) == Some(&b']')).then_some(length + 1)
}

/// Start (within `slice`) of an ad marker that ends `slice`, if there is one.
fn ad_marker_at_end(slice: &str) -> Option<usize> {
    let start = slice.rfind('[')?;
    (ad_marker_length(&slice.as_bytes()[start..]) == Some(slice.len() - start)).then_some(start)
}

/// A line made of ad markers and nothing else but punctuation and spaces.
fn is_ad_marker_line(content: &str) -> bool {
    let bytes = content.as_bytes();
    let mut position = 0;
    let mut markers = 0;
    while position < bytes.len() {
        if let Some(length) = ad_marker_length(&bytes[position..]) {
            markers += 1;
            position += length;
            continue;
        }
        // Step a whole char so the check below sees real characters.
        let Some(c) = content[position..].chars().next() else {
            break;
        };
        if c.is_alphanumeric() {
            return false;
        }
        position += c.len_utf8();
    }
    markers > 0
}

/// Maps a char to the form used for lexicon comparison: hamza-carrying alefs
/// to bare alef, hamza on waw/ya to the bare letter, ta marbuta to ha, alef
/// maqsura and Persian ye to ya, Persian kaf to kaf, other letters to lower
/// case; harakat, tanwin and tatweel vanish
/// (`None`). Scraped text spells the same word all these ways («اترك تعليقاً»
/// and «اترك تعليقا», «الإلكتروني» and «الالكتروني»).
fn fold_char(c: char) -> Option<char> {
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => Some('ا'),
        'ؤ' => Some('و'),
        'ئ' => Some('ي'),
        'ة' => Some('ه'),
        'ى' | 'ی' => Some('ي'),
        'ک' => Some('ك'),
        '\u{0640}' | '\u{064B}'..='\u{065F}' | '\u{0670}' => None,
        _ => Some(c.to_lowercase().next().unwrap_or(c)),
    }
}

/// The words of `line` after folding, joined by single spaces: punctuation
/// and spacing differences disappear, letters and digits remain.
fn skeleton(line: &str) -> String {
    let mut folded = String::with_capacity(line.len());
    let mut pending_space = false;
    for c in line.chars() {
        if c.is_alphanumeric() {
            let Some(folded_char) = fold_char(c) else {
                continue;
            };
            if pending_space && !folded.is_empty() {
                folded.push(' ');
            }
            pending_space = false;
            folded.push(folded_char);
        } else if fold_char(c).is_some() {
            // Whitespace and punctuation both separate words; marks folded
            // away (tatweel) do not, or «بـ» would come apart.
            pending_space = true;
        }
    }
    folded
}

fn is_footer(line: &str) -> bool {
    if line.len() > MAX_FOOTER_BYTES {
        return false;
    }
    let line = skeleton(line);
    FOOTER_PHRASES.iter().any(|&(phrase, how)| {
        let phrase = skeleton(phrase);
        match how {
            PhraseMatch::WholeLine => line == phrase,
            PhraseMatch::LineStart => {
                line == phrase
                    || line
                        .strip_prefix(phrase.as_str())
                        .is_some_and(|rest| rest.starts_with(' '))
            }
        }
    })
}

/// Whether `line` is nothing but section names, run together or separated
/// by spaces or punctuation (`|`, `»`, `/`, …). Digits rule it out.
fn is_section_header(line: &str) -> bool {
    if line.chars().count() > MAX_SECTION_HEADER_CHARS {
        return false;
    }
    let mut letters = Vec::new();
    for c in line.chars() {
        if c.is_numeric() {
            return false;
        }
        if c.is_alphabetic() {
            letters.extend(fold_char(c));
        }
    }
    let names: Vec<Vec<char>> = SECTION_NAMES
        .iter()
        .map(|name| name.chars().filter_map(fold_char).collect())
        .collect();
    // reachable[i]: letters[..i] splits into whole section names. Run-together
    // names have no boundary to look for, so every split is tried; the length
    // cap keeps this small.
    let mut reachable = vec![false; letters.len() + 1];
    reachable[0] = true;
    for start in 0..letters.len() {
        if !reachable[start] {
            continue;
        }
        for name in &names {
            if letters[start..].starts_with(name) {
                reachable[start + name.len()] = true;
            }
        }
    }
    !letters.is_empty() && reachable[letters.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::input::test_texts::{xorshift, SEEDS};

    use RemovalReason::{AdMarker, Footer, PunctuationOnly, SectionHeader};

    /// (line, text, reason) of each removal, for compact expectations.
    fn summary(cleaned: &Cleaned) -> Vec<(usize, &str, RemovalReason)> {
        cleaned
            .removals
            .iter()
            .map(|removal| (removal.line, removal.text.as_str(), removal.reason))
            .collect()
    }

    fn kept_texts<'a>(text: &'a str, cleaned: &Cleaned) -> Vec<&'a str> {
        cleaned
            .kept
            .iter()
            .map(|span| &text[span.clone()])
            .collect()
    }

    /// The promise of `clean`: every non-whitespace byte is in exactly one
    /// kept range or removal span; spans are in order, on char boundaries,
    /// match their recorded text and line, and kept ranges are trimmed.
    fn assert_accounts_for_every_byte(text: &str, cleaned: &Cleaned) {
        let mut cover = vec![0u8; text.len()];
        let spans = cleaned
            .kept
            .iter()
            .chain(cleaned.removals.iter().map(|removal| &removal.span));
        for span in spans {
            assert!(text.get(span.clone()).is_some(), "bad span {span:?}");
            assert!(!span.is_empty(), "empty span {span:?}");
            for count in &mut cover[span.clone()] {
                *count += 1;
            }
        }
        for (offset, c) in text.char_indices() {
            let covered = cover[offset];
            if c.is_whitespace() {
                assert!(
                    covered <= 1,
                    "whitespace at {offset} covered {covered} times"
                );
            } else {
                assert_eq!(covered, 1, "{c:?} at byte {offset} covered {covered} times");
            }
        }
        for span in &cleaned.kept {
            let kept = &text[span.clone()];
            assert_eq!(kept, kept.trim(), "kept range {span:?} is not trimmed");
        }
        for removal in &cleaned.removals {
            assert_eq!(text[removal.span.clone()], removal.text);
            let line = text[..removal.span.start].matches('\n').count() + 1;
            assert_eq!(line, removal.line, "line number of {removal:?}");
        }
        let starts: Vec<usize> = cleaned.removals.iter().map(|r| r.span.start).collect();
        assert!(starts.windows(2).all(|pair| pair[0] < pair[1]));
        let kept_starts: Vec<usize> = cleaned.kept.iter().map(|r| r.start).collect();
        assert!(kept_starts.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn reason_names() {
        let names: Vec<&str> = [PunctuationOnly, AdMarker, Footer, SectionHeader]
            .iter()
            .map(RemovalReason::as_str)
            .collect();
        assert_eq!(
            names,
            ["punctuation-only", "ad-marker", "footer", "section-header"]
        );
    }

    #[test]
    fn seed_000_loses_only_the_glued_ad_marker() {
        let text = SEEDS[0];
        let cleaned = clean(text);
        assert_eq!(summary(&cleaned), [(21, "[ads3]", AdMarker)]);
        assert_eq!(cleaned.removals[0].span, text.len() - 6..text.len());
        assert_eq!(cleaned.kept.len(), 21);
        let last = kept_texts(text, &cleaned)[20];
        assert!(last.ends_with("(فرانس برس)"), "{last}");
        assert_accounts_for_every_byte(text, &cleaned);
    }

    #[test]
    fn seed_001_loses_section_header_and_footers_but_keeps_the_credit() {
        let text = SEEDS[1];
        let cleaned = clean(text);
        assert_eq!(
            summary(&cleaned),
            [
                (1, "دولياترئيسي", SectionHeader),
                (30, "اترك تعليقاً", Footer),
                (
                    32,
                    "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
                    Footer
                ),
                (34, "زر الذهاب إلى الأعلى", Footer),
                (35, "إغلاق", Footer),
            ]
        );
        let kept = kept_texts(text, &cleaned);
        assert_eq!(kept.first(), Some(&"تنسيق عسكري فرنسي – روسي ضد «داعش»"));
        assert_eq!(kept.last(), Some(&"أ ف ب"));
        assert!(kept.contains(&"راية حمراء"));
        assert_accounts_for_every_byte(text, &cleaned);
    }

    #[test]
    fn seed_002_loses_every_ampersand_and_nothing_else() {
        let text = SEEDS[2];
        let cleaned = clean(text);
        let mut expected = vec![(1, "&", PunctuationOnly)];
        for line in (3..=57).step_by(2) {
            expected.push((line, "&", PunctuationOnly));
            if line == 5 {
                // Line 6 ends «… في سوريا.&».
                expected.push((6, "&", PunctuationOnly));
            }
            if line == 49 {
                // Line 50 is the subheading «لودريان وكارتر&».
                expected.push((50, "&", PunctuationOnly));
            }
        }
        assert_eq!(summary(&cleaned), expected);
        assert_eq!(text.matches('&').count(), expected.len());
        let kept = kept_texts(text, &cleaned);
        assert!(kept[0].starts_with("نصر المجالي:"));
        assert!(kept.contains(&"لودريان وكارتر"));
        assert!(kept.contains(&"سوريا والعراق"));
        assert!(kept.iter().any(|line| line.ends_with("في سوريا.")));
        assert!(kept.iter().all(|line| !line.contains('&')));
        assert_accounts_for_every_byte(text, &cleaned);
    }

    #[test]
    fn seeds_003_and_004_are_clean_already() {
        for text in [SEEDS[3], SEEDS[4]] {
            let cleaned = clean(text);
            assert!(cleaned.removals.is_empty(), "{:?}", summary(&cleaned));
            let lines = text.lines().filter(|line| !line.trim().is_empty()).count();
            assert_eq!(cleaned.kept.len(), lines);
            assert_accounts_for_every_byte(text, &cleaned);
        }
    }

    #[test]
    fn other_languages_site_chrome_is_cut_as_footer() {
        let text = "Le ministre est arrivé à Paris.\nLaisser un commentaire\n\
                    Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués\n\
                    LEAVE A REPLY\nRead more »\nYorum Yap\nОставить комментарий\n\
                    הוסף תגובה\nنظر دهيد\nاشتراک گذاری\nBack to top ↑\n";
        let cleaned = clean(text);
        let removed: Vec<(usize, RemovalReason)> = cleaned
            .removals
            .iter()
            .map(|removal| (removal.line, removal.reason))
            .collect();
        assert_eq!(
            removed,
            (2..=11).map(|line| (line, Footer)).collect::<Vec<_>>()
        );
        assert_eq!(
            kept_texts(text, &cleaned),
            ["Le ministre est arrivé à Paris."]
        );
        assert_accounts_for_every_byte(text, &cleaned);
    }

    #[test]
    fn other_languages_chrome_words_inside_prose_are_kept() {
        let text = "Read more about the talks in Vienna.\nIl a refusé de partager les chiffres.\n\
                    Он решил оставить комментарий без ответа.\nקרא עוד מסמכים לפני הישיבה\n\
                    ادامه مطلب را فردا می‌خوانیم\nLeave a comment, he said.\n";
        let cleaned = clean(text);
        assert!(cleaned.removals.is_empty(), "{:?}", summary(&cleaned));
        assert_eq!(cleaned.kept.len(), 6);
    }

    #[test]
    fn ordinary_lines_survive() {
        let text = "أ ف ب\nراية حمراء\n– “التكثيف والتنسيق” –\nاقتصاد السوق الحر ينمو بسرعة.\n2014\nAT&T said [sic] it would.\nإغلاق الطرق في المدينة\n";
        let cleaned = clean(text);
        assert!(cleaned.removals.is_empty(), "{:?}", summary(&cleaned));
        assert_eq!(cleaned.kept.len(), 7);
        assert_accounts_for_every_byte(text, &cleaned);
    }

    #[test]
    fn punctuation_only_lines_are_removed_whole() {
        let text = "نص\n  &  \n***\n— • —\nنص آخر";
        let cleaned = clean(text);
        assert_eq!(
            summary(&cleaned),
            [
                (2, "  &  ", PunctuationOnly),
                (3, "***", PunctuationOnly),
                (4, "— • —", PunctuationOnly),
            ]
        );
        assert_eq!(kept_texts(text, &cleaned), ["نص", "نص آخر"]);
        assert_accounts_for_every_byte(text, &cleaned);
    }

    #[test]
    fn glued_debris_is_cut_from_both_ends() {
        let text = "&& [ads1]نص الخبر هنا. [AD] & \n[ads12]سطر[ad]";
        let cleaned = clean(text);
        assert_eq!(
            summary(&cleaned),
            [
                (1, "&&", PunctuationOnly),
                (1, "[ads1]", AdMarker),
                (1, "[AD]", AdMarker),
                (1, "&", PunctuationOnly),
                (2, "[ads12]", AdMarker),
                (2, "[ad]", AdMarker),
            ]
        );
        assert_eq!(kept_texts(text, &cleaned), ["نص الخبر هنا.", "سطر"]);
        assert_accounts_for_every_byte(text, &cleaned);
    }

    #[test]
    fn ad_marker_pattern_is_tight() {
        assert_eq!(ad_marker_length(b"[ads3]"), Some(6));
        assert_eq!(ad_marker_length(b"[ads123]x"), Some(8));
        assert_eq!(ad_marker_length(b"[Ad]"), Some(4));
        assert_eq!(ad_marker_length(b"[ads1234]"), None);
        assert_eq!(ad_marker_length(b"[adds]"), None);
        assert_eq!(ad_marker_length(b"[ads"), None);
        assert_eq!(ad_marker_length(b"[sic]"), None);
        assert_eq!(ad_marker_length(b""), None);
        // Not at an edge: left alone, because cutting it would split the paragraph.
        let text = "قبل [ads2] بعد";
        assert!(clean(text).removals.is_empty());
    }

    #[test]
    fn lines_of_only_ad_markers_are_removed_whole() {
        let text = "نص\n [ads1] [ads2] | \n";
        let cleaned = clean(text);
        assert_eq!(summary(&cleaned), [(2, " [ads1] [ads2] | ", AdMarker)]);
        assert_accounts_for_every_byte(text, &cleaned);
    }

    #[test]
    fn footers_match_spelling_variants_and_trailing_punctuation() {
        for line in [
            "اترك تعليقا",
            "اترك تعليقاً:",
            "أترك تعليقاً",
            "اضف تعليقا",
            "زر الذهاب الى الاعلى",
            "اغلاق",
            "إغلاق ×",
            "&إغلاق",
            "لن يتم نشر عنوان بريدك الالكتروني.",
            "لن يتم نشر عنوان بريدك الإلكتروني. الحقول المطلوبة مؤشرة بـ *",
        ] {
            let text = format!("نص\n{line}");
            let cleaned = clean(&text);
            assert_eq!(summary(&cleaned), [(2, line, Footer)], "{line}");
            assert_accounts_for_every_byte(&text, &cleaned);
        }
    }

    #[test]
    fn footer_phrases_inside_content_are_kept() {
        let text = "قال إنه سيترك تعليقاً على القرار\nإغلاق الحدود\nلن يتم نشر عنوان بريدكم";
        assert!(clean(text).removals.is_empty());
    }

    #[test]
    fn section_headers_only_on_the_first_non_blank_line() {
        for header in [
            "دولياترئيسي",
            "دوليات رئيسي",
            "الرئيسية | أخبار » عربية",
            "اقتصاد/رياضة",
            "الرئيسيةاخباردوليه",
        ] {
            let text = format!("\n\n{header}\nعنوان الخبر\n");
            let cleaned = clean(&text);
            assert_eq!(summary(&cleaned), [(3, header, SectionHeader)], "{header}");
            assert_accounts_for_every_byte(&text, &cleaned);
        }
        // Not the first line: kept.
        assert!(clean("عنوان\nدولياترئيسي").removals.is_empty());
        // Section names mixed with other words, digits or a near miss: kept.
        for first in ["أخبار سوريا", "رياضة 2015", "دولياترئيس", "عربيات الخبر"]
        {
            assert!(clean(first).removals.is_empty(), "{first}");
        }
    }

    #[test]
    fn crlf_text_and_odd_input_are_handled() {
        let text = "&\r\nنص\r\n\r\n[ads1]\r\n";
        let cleaned = clean(text);
        assert_eq!(
            summary(&cleaned),
            [(1, "&", PunctuationOnly), (4, "[ads1]", AdMarker)]
        );
        assert_eq!(kept_texts(text, &cleaned), ["نص"]);
        assert_accounts_for_every_byte(text, &cleaned);

        for odd in [
            "",
            "\n\n\n",
            " ",
            "&",
            "[",
            "[ad",
            "]",
            "&&&&[ads1]&&&",
            "\u{a0}x\u{a0}",
        ] {
            assert_accounts_for_every_byte(odd, &clean(odd));
        }
    }

    #[test]
    fn generated_debris_is_always_accounted_for() {
        const PARTS: [&str; 16] = [
            "&",
            "[ads1]",
            "[ad]",
            "[",
            "]",
            " ",
            "\n",
            "\r\n",
            "نص",
            "دوليات",
            "رئيسي",
            "إغلاق",
            "اترك تعليقاً",
            ".",
            "\u{a0}",
            "a",
        ];
        let mut next_random = xorshift(0x9E37_79B9_7F4A_7C15u64);
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..next_random() % 24 {
                text.push_str(PARTS[(next_random() % PARTS.len() as u64) as usize]);
            }
            assert_accounts_for_every_byte(&text, &clean(&text));
        }
    }

    #[test]
    fn huge_inputs_stay_cheap_and_correct() {
        let many_lines = "&\nسطر [ads1]\n".repeat(50_000);
        let cleaned = clean(&many_lines);
        assert_eq!(cleaned.kept.len(), 50_000);
        assert_eq!(cleaned.removals.len(), 100_000);

        let one_long_line = format!("{}&", "دوليات".repeat(100_000));
        let cleaned = clean(&one_long_line);
        assert_eq!(cleaned.kept.len(), 1);
        assert_accounts_for_every_byte(&one_long_line, &cleaned);
    }
}
