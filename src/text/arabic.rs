//! Arabic text made comparable: the spelling normalization, tokenizer and
//! stopword list that grouping, the gazetteer and the wording lexicon all
//! match on.
//!
//! News Arabic spells one word several ways (إ/أ/آ/ا, ة/ه, ى/ي, with or
//! without diacritics and tatweel), so every comparison is done on the
//! normalized form. Each token keeps the byte span of its original text so
//! a match can be shown where it is. What it is not: morphology. Clitic
//! prefixes are handled only where a match needs them ([`strip_clitics`],
//! [`matches_with_prefix`]).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::OnceLock;

use crate::text::script::is_arabic_script;

/// A word of the original text: its normalized form and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub norm: String,
    /// Byte range in the text the token was cut from.
    pub span: Range<usize>,
}

fn is_diacritic(c: char) -> bool {
    // Harakat, tanwin, shadda, sukun, the small high letters, and the
    // dagger alef: they change no word's identity in news text.
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}')
}

const TATWEEL: char = '\u{0640}';

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_diacritic(c) || c == TATWEEL
}

/// One character's normalized form (`None`: drop it).
fn normalize_char(c: char) -> Option<char> {
    if is_diacritic(c) || c == TATWEEL {
        return None;
    }
    Some(match c {
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ة' => 'ه',
        'ى' => 'ي',
        'ؤ' => 'و',
        'ئ' => 'ي',
        // Arabic-Indic and Persian digits become ASCII, as dates and
        // numbers are written both ways.
        '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
        '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
        _ => c.to_lowercase().next().unwrap_or(c),
    })
}

/// The normalized spelling of a word or phrase (spaces kept).
pub fn normalize(text: &str) -> String {
    text.chars().filter_map(normalize_char).collect()
}

/// The words of `text`, normalized, with their byte spans. Anything that
/// is not a letter or digit separates words (so `تشرين الثاني/نوفمبر` is
/// three words and `جان-ايف` two).
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut start: Option<usize> = None;
    let push = |from: usize, to: usize, tokens: &mut Vec<Token>| {
        let norm = normalize(&text[from..to]);
        if !norm.is_empty() {
            tokens.push(Token {
                norm,
                span: from..to,
            });
        }
    };
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                push(s, i, &mut tokens);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        push(s, text.len(), &mut tokens);
    }
    tokens
}

/// Conjunctions and prepositions written joined to the next word, longest
/// first. "ال" is not among them: on a name it makes a different word
/// (سوريا Syria, السورية Syrian).
const CLITIC_PREFIXES: [&str; 11] = ["وب", "ول", "فب", "فل", "وك", "فك", "و", "ف", "ب", "ل", "ك"];

/// Whether `token` is `word` with a joined conjunction or preposition in
/// front (وباريس, لداعش, وللعراق, بـ لودريان once tatweel is gone); also
/// when the word itself starts with ال and ل replaces its alef (للعراق).
pub fn matches_with_prefix(token: &str, word: &str) -> bool {
    if token == word {
        return true;
    }
    if let Some(rest) = token.strip_suffix(word) {
        if CLITIC_PREFIXES.contains(&rest) {
            return true;
        }
    }
    if let Some(stem) = word.strip_prefix("ال") {
        for lead in ["لل", "ولل", "فلل"] {
            if token.strip_prefix(lead) == Some(stem) {
                return true;
            }
        }
    }
    false
}

/// A token with a leading و (and then ال) taken off, for bag-of-words
/// comparison. A lone و only comes off when four letters remain, since
/// many words start with it (وزير); ف and ب are left alone for the same
/// reason (فرنسا, باريس).
pub fn strip_clitics(token: &str) -> &str {
    for (prefix, keep) in [
        ("وال", 3),
        ("بال", 3),
        ("فال", 3),
        ("كال", 3),
        ("لل", 3),
        ("ال", 3),
        ("و", 4),
    ] {
        if let Some(rest) = token.strip_prefix(prefix) {
            if rest.chars().count() >= keep {
                return rest;
            }
        }
    }
    token
}

/// A light stem for bag-of-words comparison: one common suffix (plural,
/// feminine, nisba, attached pronoun) taken off when three letters remain,
/// so الروسي, الروسية and الروس compare equal. Not a morphological
/// analysis; only ever used for similarity.
pub fn light_stem(word: &str) -> &str {
    for suffix in [
        "هما", "يين", "يون", "يه", "ات", "ون", "ين", "ان", "ها", "هم", "ه", "ي",
    ] {
        if let Some(rest) = word.strip_suffix(suffix) {
            if rest.chars().count() >= 3 {
                return rest;
            }
        }
    }
    word
}

/// Reviewed list of Arabic function words (normalized spelling) left out of
/// similarity: particles, prepositions, pronouns, and the verbs of saying
/// that every news article uses.
const STOPWORDS: &str = "
في من الى إلى على عن مع ان أن إن ما لا لم لن قد كان كانت يكون تكون هو هي هم هما
هذا هذه ذلك تلك التي الذي الذين اللذين اللتين او أو ثم بل لكن غير بين بعد قبل حتى
منذ عند خلال ضد حول اي أي كل بعض ايضا أيضا وقال قال وقالت قالت واضاف اضاف واضافت
واوضح اوضح واشار اشار مشيرا مضيفا موضحا وذكر ذكر وتابع تابع الا إلا اذا إذا كما
فيما لها له لهم بها به بهم عليه عليها فيه فيها منه منها عنه عنها انه أنه انها أنها
اليوم امس أمس الاثنين الثلاثاء الاربعاء الخميس الجمعة السبت الاحد وفي ومن والى وعلى
";

fn stopwords() -> &'static BTreeSet<String> {
    static WORDS: OnceLock<BTreeSet<String>> = OnceLock::new();
    WORDS.get_or_init(|| STOPWORDS.split_whitespace().map(normalize).collect())
}

pub fn is_stopword(norm: &str) -> bool {
    stopwords().contains(norm)
}

/// Content words of an Arabic text for bag-of-words similarity: normalized,
/// clitics off, stopwords, digits and one- or two-letter words dropped,
/// light-stemmed.
pub fn content_words(text: &str) -> Vec<String> {
    tokenize(text)
        .into_iter()
        .filter(|t| !is_stopword(&t.norm))
        .map(|t| strip_clitics(&t.norm).to_string())
        .filter(|w| w.chars().count() > 2 && w.chars().all(is_arabic_script))
        .filter(|w| !is_stopword(w))
        .map(|w| light_stem(&w).to_string())
        .collect()
}

/// Multi-word phrases (normalized) to find in token sequences: the shared
/// matcher of the gazetteer and the wording lexicon.
#[derive(Debug, Clone, Default)]
pub struct PhraseIndex {
    /// First word → (words, entry), longest first, so the longest phrase at
    /// a position wins.
    by_first_word: BTreeMap<String, Vec<(Vec<String>, usize)>>,
}

/// A phrase found: which entry, the tokens it covers, and how many
/// letters of joined prefix its first token carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhraseMatch {
    pub entry: usize,
    pub tokens: Range<usize>,
    pub prefix_letters: usize,
}

impl PhraseMatch {
    /// Byte range of the match in the text the tokens were cut from
    /// (joined prefix included, as that is where the word is).
    pub fn span(&self, tokens: &[Token]) -> Range<usize> {
        tokens[self.tokens.start].span.start..tokens[self.tokens.end - 1].span.end
    }

    /// The phrase as written, without a joined prefix and with the words
    /// joined by single spaces (so «تنظيم “داعش”» reads تنظيم داعش).
    pub fn spelling(&self, text: &str, tokens: &[Token]) -> String {
        let mut words: Vec<&str> = tokens[self.tokens.clone()]
            .iter()
            .map(|t| &text[t.span.clone()])
            .collect();
        let mut letters = 0;
        let first = words[0];
        for (i, c) in first.char_indices() {
            if letters == self.prefix_letters {
                words[0] = &first[i..];
                break;
            }
            if !is_diacritic(c) && c != TATWEEL {
                letters += 1;
            }
        }
        words.join(" ")
    }
}

/// The words `token` can be once a joined conjunction or preposition is
/// taken off (itself first), each with the number of letters taken off;
/// see [`matches_with_prefix`].
fn unprefixed_forms(token: &str) -> Vec<(String, usize)> {
    let mut forms = vec![(token.to_string(), 0)];
    for prefix in CLITIC_PREFIXES {
        if let Some(rest) = token.strip_prefix(prefix) {
            if !rest.is_empty() {
                forms.push((rest.to_string(), prefix.chars().count()));
            }
        }
    }
    for lead in ["لل", "ولل", "فلل"] {
        if let Some(rest) = token.strip_prefix(lead) {
            if !rest.is_empty() {
                // ل replaced the alef of ال: shown as written.
                forms.push((format!("ال{rest}"), 0));
            }
        }
    }
    forms
}

impl PhraseIndex {
    /// `entries`: (entry number, spelling) pairs; spellings are normalized
    /// and tokenized here, duplicates dropped.
    pub fn new<'a>(entries: impl IntoIterator<Item = (usize, &'a str)>) -> Self {
        let mut by_first_word: BTreeMap<String, Vec<(Vec<String>, usize)>> = BTreeMap::new();
        for (entry, spelling) in entries {
            let words: Vec<String> = tokenize(spelling).into_iter().map(|t| t.norm).collect();
            if let Some(first) = words.first() {
                by_first_word
                    .entry(first.clone())
                    .or_default()
                    .push((words, entry));
            }
        }
        for phrases in by_first_word.values_mut() {
            phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
            phrases.dedup();
        }
        Self { by_first_word }
    }

    /// Leftmost-longest, non-overlapping matches. Only a phrase's first
    /// word may carry a joined conjunction or preposition.
    pub fn find(&self, tokens: &[Token]) -> Vec<PhraseMatch> {
        let mut found = Vec::new();
        let mut at = 0;
        while at < tokens.len() {
            let mut best: Option<(usize, usize, usize)> = None;
            for (form, prefix_letters) in unprefixed_forms(&tokens[at].norm) {
                let Some(phrases) = self.by_first_word.get(&form) else {
                    continue;
                };
                let hit = phrases.iter().find(|(words, _)| {
                    at + words.len() <= tokens.len()
                        && words[1..]
                            .iter()
                            .zip(&tokens[at + 1..])
                            .all(|(w, t)| *w == t.norm)
                });
                if let Some((words, entry)) = hit {
                    if best.is_none_or(|(len, _, _)| words.len() > len) {
                        best = Some((words.len(), *entry, prefix_letters));
                    }
                }
            }
            match best {
                Some((len, entry, prefix_letters)) => {
                    found.push(PhraseMatch {
                        entry,
                        tokens: at..at + len,
                        prefix_letters,
                    });
                    at += len;
                }
                None => at += 1,
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_variants_normalize_to_one_form() {
        assert_eq!(normalize("الإسلاميّة"), normalize("الاسلامية"));
        assert_eq!(normalize("الإسلاميّة"), "الاسلاميه");
        assert_eq!(normalize("جــيش"), "جيش");
        assert_eq!(normalize("٢٠١٥"), "2015");
        assert_eq!(normalize("مصطفى"), "مصطفي");
    }

    #[test]
    fn tokens_keep_their_original_spans() {
        let text = "زار لودريان موسكو، في 26 تشرين الثاني/نوفمبر";
        let tokens = tokenize(text);
        let words: Vec<&str> = tokens.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(
            words,
            [
                "زار",
                "لودريان",
                "موسكو",
                "في",
                "26",
                "تشرين",
                "الثاني",
                "نوفمبر"
            ]
        );
        assert_eq!(&text[tokens[2].span.clone()], "موسكو");
    }

    #[test]
    fn joined_prepositions_match_but_the_article_does_not() {
        assert!(matches_with_prefix("وباريس", "باريس"));
        assert!(matches_with_prefix("لداعش", "داعش"));
        assert!(matches_with_prefix("للعراق", "العراق"));
        assert!(matches_with_prefix("سوريا", "سوريا"));
        // السورية is "Syrian", not Syria.
        assert!(!matches_with_prefix("السوريه", "سوريه"));
        assert!(!matches_with_prefix("مباريس", "باريس"));
    }

    #[test]
    fn content_words_drop_function_words_and_clitics() {
        let words = content_words("وقال الوزير في موسكو إن التنسيق مع فرنسا");
        assert_eq!(words, ["وزير", "موسكو", "تنسيق", "فرنسا"]);
        assert_eq!(content_words("وروسيا ووزير"), ["روسيا", "وزير"]);
        assert_eq!(light_stem("روسيه"), "روس");
        assert_eq!(light_stem("روسي"), "روس");
    }

    #[test]
    fn phrase_index_prefers_the_longest_phrase_and_allows_a_joined_prefix() {
        let index = PhraseIndex::new([
            (0, "الدولة الإسلامية"),
            (1, "تنظيم الدولة الإسلامية"),
            (2, "داعش"),
        ]);
        let text = "ضد تنظيم الدولة الاسلامية ولداعش والدولة الإسلامية";
        let tokens = tokenize(text);
        let found = index.find(&tokens);
        let entries: Vec<usize> = found.iter().map(|m| m.entry).collect();
        assert_eq!(entries, [1, 2, 0]);
        assert_eq!(found[0].tokens, 1..4);
        assert_eq!(found[1].spelling(text, &tokens), "داعش");
        assert_eq!(found[2].spelling(text, &tokens), "الدولة الإسلامية");
        let quoted = "تنظيم “داعش”";
        let tokens = tokenize(quoted);
        let found = PhraseIndex::new([(0, "تنظيم داعش")]).find(&tokens);
        assert_eq!(found[0].spelling(quoted, &tokens), "تنظيم داعش");
    }
}
