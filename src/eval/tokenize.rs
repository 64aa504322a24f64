//! sacreBLEU's `13a` and `intl` tokenizers, reproduced to the character
//! (sacrebleu 2.x: `tokenizers/tokenizer_13a.py`, `tokenizer_re.py`,
//! `tokenizer_intl.py`), and Python's idea of whitespace, which both
//! metrics split on.
//!
//! What it is not: a tokenizer for models, or a place to improve on
//! sacreBLEU. Its quirks are kept on purpose — `13a` splits `-` only
//! after a digit, `intl` leaves a full stop glued to a number at the end
//! of a line — because a score is only comparable with sacreBLEU's if the
//! tokens are the same.

use std::sync::LazyLock;

use regex::Regex;

/// The tokenizers `tarjama eval --tokenize` offers, named as sacreBLEU
/// names them in its signature (`tok:13a`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tokenizer {
    /// mteval-v13a.pl, sacreBLEU's default.
    Mteval13a,
    /// mteval-v14.pl's international tokenization (Unicode classes).
    International,
}

impl Tokenizer {
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "13a" => Ok(Tokenizer::Mteval13a),
            "intl" => Ok(Tokenizer::International),
            _ => Err(format!("{name:?} is not a tokenizer: 13a or intl")),
        }
    }

    /// The name in sacreBLEU's signature.
    pub fn name(self) -> &'static str {
        match self {
            Tokenizer::Mteval13a => "13a",
            Tokenizer::International => "intl",
        }
    }

    /// The segment's tokens joined by single spaces, as sacreBLEU's
    /// tokenizer returns them.
    pub fn tokenize(self, line: &str) -> String {
        match self {
            Tokenizer::Mteval13a => tokenize_13a(line),
            Tokenizer::International => tokenize_intl(line),
        }
    }
}

/// Python's `str.isspace()`: Unicode's White_Space plus the four
/// information separators U+001C–U+001F, which Python also splits on.
pub fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.split()` with no argument: the non-empty runs between
/// whitespace.
pub fn python_split(text: &str) -> impl Iterator<Item = &str> {
    text.split(is_python_space).filter(|word| !word.is_empty())
}

/// `' '.join(text.split())`.
fn collapse_spaces(text: &str) -> String {
    python_split(text).collect::<Vec<_>>().join(" ")
}

/// A regex of this file's; they are constants, so failing to compile one
/// is a bug the first test finds.
fn compiled(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid constant regex")
}

/// `tokenizer_re.py`'s four rules, applied one after the other to the
/// whole line. Written with hexadecimal ranges: the Python source's
/// class `[\{-\~\[-\` -\&\(-\+\:-\@\/]` is `{|}~`, ``[\]^_` ``, space to
/// `&`, `(` to `+`, `:` to `@`, and `/` — every ASCII punctuation mark
/// but `'`, `,`, `-` and `.` (space is in it too, which is harmless).
static RULES_13A: LazyLock<[(Regex, &str); 4]> = LazyLock::new(|| {
    [
        (
            compiled(r"([\x7B-\x7E\x5B-\x60\x20-\x26\x28-\x2B\x3A-\x40\x2F])"),
            " ${1} ",
        ),
        // A full stop or comma is split off unless a digit precedes it…
        (compiled(r"([^0-9])([.,])"), "${1} ${2} "),
        // …or unless a digit follows it.
        (compiled(r"([.,])([^0-9])"), " ${1} ${2}"),
        // A hyphen is split off only after a digit.
        (compiled(r"([0-9])(-)"), "${1} ${2} "),
    ]
});

/// `Tokenizer13a.__call__`. The entities are only unescaped when the line
/// has a `&` at all, one after the other in this order, so `&amp;lt;`
/// becomes `&lt;` and then `<`, and `&amp;quot;` stays `&quot;`. The spaces around the line are what let the rules split a full
/// stop at its very end.
fn tokenize_13a(line: &str) -> String {
    let mut line = line
        .replace("<skipped>", "")
        .replace("-\n", "")
        .replace('\n', " ");
    if line.contains('&') {
        line = line
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">");
    }
    let mut line = format!(" {line} ");
    for (rule, replacement) in RULES_13A.iter() {
        line = rule.replace_all(&line, *replacement).into_owned();
    }
    collapse_spaces(&line)
}

/// `TokenizerV14International`'s three rules. `\p{P}`, `\p{S}` and `\P{N}`
/// are Unicode's general categories, as in Python's `regex` module. No
/// spaces are added around the line (as in mteval-v14.pl), so a full stop
/// after a number at the end of a line stays glued to it.
static RULES_INTL: LazyLock<[(Regex, &str); 3]> = LazyLock::new(|| {
    [
        // Punctuation after anything but a number…
        (compiled(r"(\P{N})(\p{P})"), "${1} ${2} "),
        // …and punctuation before anything but a number is split off.
        (compiled(r"(\p{P})(\P{N})"), " ${1} ${2}"),
        // Symbols always are.
        (compiled(r"(\p{S})"), " ${1} "),
    ]
});

fn tokenize_intl(line: &str) -> String {
    let mut line = line.to_string();
    for (rule, replacement) in RULES_INTL.iter() {
        line = rule.replace_all(&line, *replacement).into_owned();
    }
    collapse_spaces(&line)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each input with what sacrebleu 2.6.0's tokenizer returns for it.
    #[track_caller]
    fn assert_tokens(tokenizer: Tokenizer, cases: &[(&str, &str)]) {
        for (input, expected) in cases {
            assert_eq!(tokenizer.tokenize(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn thirteen_a_splits_ascii_punctuation_but_keeps_numbers_whole() {
        assert_tokens(
            Tokenizer::Mteval13a,
            &[
                (
                    "The U.S. economy grew 3.5% in 2023, to $27,000 billion.",
                    "The U . S . economy grew 3.5 % in 2023 , to $ 27,000 billion .",
                ),
                // A hyphen is split off after a digit only.
                ("well-known 1990-2000", "well-known 1990 - 2000"),
                ("He said: \"no\".", "He said : \" no \" ."),
                ("it's", "it's"),
                ("a.b,c", "a . b , c"),
                ("https://x.org/a?b=1", "https : / / x . org / a ? b = 1"),
                // Non-ASCII punctuation stays attached.
                ("«Peace» — now…", "«Peace» — now…"),
                ("“Yes,” he said.", "“Yes , ” he said ."),
            ],
        );
    }

    #[test]
    fn thirteen_a_unescapes_four_entities_one_after_the_other() {
        assert_tokens(
            Tokenizer::Mteval13a,
            &[
                ("A &amp; B &quot;C&quot;", "A & B \" C \""),
                ("1 &lt; 2 &gt; 0", "1 < 2 > 0"),
                ("&amp;lt; &amp;quot;", "< & quot ;"),
                ("&apos;x&nbsp;", "& apos ; x & nbsp ;"),
            ],
        );
    }

    #[test]
    fn thirteen_a_joins_hyphenated_line_breaks_and_drops_skipped() {
        assert_tokens(
            Tokenizer::Mteval13a,
            &[
                ("co-\noperation\nnow", "cooperation now"),
                ("a <skipped> b", "a b"),
                ("  many   spaces\t\u{a0}here ", "many spaces here"),
            ],
        );
    }

    #[test]
    fn intl_splits_unicode_punctuation_and_symbols_but_not_entities() {
        assert_tokens(
            Tokenizer::International,
            &[
                ("«Peace» — now…", "« Peace » — now …"),
                ("“Yes,” he said.", "“ Yes , ” he said ."),
                // A full stop after a number at the end stays glued to it.
                ("€5 and 3.5% in 2023.", "€ 5 and 3.5 % in 2023."),
                ("قال: «نعم».", "قال : « نعم » ."),
                ("1,000,000", "1,000,000"),
                ("A &amp; B", "A & amp ; B"),
            ],
        );
    }

    #[test]
    fn python_whitespace_includes_the_information_separators() {
        let words: Vec<&str> = python_split("a\u{1c}b\u{85}c\u{3000}d \u{200b}e").collect();
        // U+200B (zero width space) is not whitespace to Python either.
        assert_eq!(words, ["a", "b", "c", "d", "\u{200b}e"]);
    }

    #[test]
    fn tokenizer_names_are_sacrebleus() {
        assert_eq!(Tokenizer::parse("13a"), Ok(Tokenizer::Mteval13a));
        assert_eq!(Tokenizer::parse("intl").map(Tokenizer::name), Ok("intl"));
        assert!(Tokenizer::parse("zh").is_err());
    }
}
