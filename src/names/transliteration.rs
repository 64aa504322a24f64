//! Whether an English name could be a transliteration of an Arabic word:
//! "Putin" of بوتين, "Hollande" of هولاند, "Kerry" of كيري, but "Hunt" not
//! of هاموند (Hammond) and "Obama" not of بما ("with what").
//!
//! A weighted edit distance between the English spelling, cut into sound
//! units ("sh", "th", "kh", "ch", doubled letters once), and the normalized
//! Arabic letters. Arabic writes no short vowels, so an English vowel may
//! stand for nothing for free — except first in the word, where Arabic
//! writes it with alef or ʿayn. Consonants must meet a letter of their
//! class (t: ت ط, s: س ص ز ث ش, g: غ ج ق ك …); a silent h or a written long
//! vowel costs little; any other missing or extra consonant costs one.
//! The cost per English consonant decides.
//!
//! What it is not: a transliterator (it never writes a spelling), or a
//! judgement on which words are names (`super::grounding`).

/// Largest cost per English consonant of a plausible transliteration.
/// "Hollande"/اولاند costs 0.18 per consonant, "Syria"/سوريا 0.15; "Hunt"/
/// هاموند 0.77, "Obama"/بما and "Aleppo"/حلب 0.5. Set between those kinds of pair, not
/// from one story's names.
const MAX_COST_PER_CONSONANT: f32 = 0.34;

/// One sound of the English spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// A vowel letter, as the vowel qualities it may be written with
    /// (`A`, `I`, `U` bits).
    Vowel(u8),
    /// A consonant and the Arabic letters that write it.
    Consonant(&'static str, &'static str),
}

/// English consonant spellings, longest first, and their Arabic letters.
const CONSONANTS: &[(&str, &str)] = &[
    ("sh", "ش"),
    ("ch", "شتكخج"),
    ("th", "ثتذسز"),
    ("dh", "ذدظز"),
    ("kh", "خكه"),
    ("gh", "غقج"),
    ("ph", "ف"),
    ("ck", "كق"),
    ("b", "بپ"),
    ("p", "بپ"),
    ("t", "تط"),
    ("d", "دض"),
    ("j", "جژي"),
    ("g", "غجقكگ"),
    ("k", "كقخ"),
    ("c", "كسقش"),
    ("q", "قك"),
    ("s", "سصزثش"),
    ("z", "زظذسض"),
    ("f", "ف"),
    ("v", "فڤو"),
    ("w", "و"),
    ("l", "ل"),
    ("m", "م"),
    ("n", "ن"),
    ("r", "ر"),
    ("h", "هح"),
];

/// Vowel qualities: a; e, i, y; o, u. Arabic writes them ا, ي, و.
const A: u8 = 1;
const I: u8 = 2;
const U: u8 = 4;

fn quality(c: char) -> u8 {
    match c {
        'a' => A,
        'e' | 'i' | 'y' => I,
        _ => U,
    }
}

/// The qualities an Arabic letter writes a vowel with: the long vowels,
/// and the glottal stop, ʿayn and final ة (normalized ه) that a vowel
/// stands beside, which fit any. `None` for a consonant.
fn arabic_vowel(c: char) -> Option<u8> {
    match c {
        'ا' => Some(A),
        'ي' => Some(I),
        'و' => Some(U),
        'ء' | 'ع' | 'ه' => Some(A | I | U),
        _ => None,
    }
}

/// The English name as sound units; `None` when it holds a character that
/// is not a Latin letter (after folding accents).
fn units(english: &str) -> Option<Vec<Unit>> {
    let folded: Vec<char> = english.chars().map(fold_accent).collect::<Option<_>>()?;
    let mut text: String = folded.iter().collect::<String>().to_lowercase();
    // A silent final e ("Hollande" هولاند, "Philippe").
    let silent_e = text.len() > 3
        && text.ends_with('e')
        && !text[..text.len() - 1].ends_with(['a', 'e', 'i', 'o', 'u', 'y']);
    if silent_e {
        text.pop();
    }
    let mut out = Vec::new();
    let mut rest = text.as_str();
    let mut previous = "";
    while let Some(c) = rest.chars().next() {
        let (unit, spelling) = if "aeiouy".contains(c) {
            // A y before a vowel at the start is the consonant ("Yasser").
            let consonant_y =
                c == 'y' && out.is_empty() && rest[1..].starts_with(['a', 'e', 'i', 'o', 'u']);
            if consonant_y {
                (Unit::Consonant("y", "يج"), "y")
            } else {
                (Unit::Vowel(quality(c)), &rest[..1])
            }
        } else if c == 'x' {
            // ks: two consonants.
            out.push(Unit::Consonant("k", "كقخ"));
            (Unit::Consonant("s", "سصزثش"), "x")
        } else {
            let &(spelling, letters) = CONSONANTS.iter().find(|(s, _)| rest.starts_with(s))?;
            (Unit::Consonant(spelling, letters), spelling)
        };
        rest = &rest[spelling.len()..];
        // A doubled letter is one sound ("Kerry", "Hammond", "Aleppo").
        if spelling != previous {
            out.push(unit);
        }
        previous = spelling;
    }
    Some(out)
}

/// A Latin letter without its accent ("François", "Gül"); `None` for
/// anything else.
fn fold_accent(c: char) -> Option<char> {
    let folded = match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ş' | 'š' => 's',
        'ğ' => 'g',
        'ı' => 'i',
        'À' | 'Á' | 'Â' | 'Ä' => 'A',
        'Ç' => 'C',
        'È' | 'É' | 'Ê' | 'Ë' => 'E',
        'Ö' | 'Ô' => 'O',
        'Ü' | 'Û' => 'U',
        'Ş' | 'Š' => 'S',
        'İ' => 'I',
        c if c.is_ascii_alphabetic() => c,
        _ => return None,
    };
    Some(folded)
}

/// Cost of an English unit standing for no Arabic letter. A short vowel
/// goes unwritten in Arabic, but transliterated names write most vowels,
/// so it is not free; a first or last vowel is always written ("Obama"
/// اوباما, "Kerry" كيري).
fn skip_english(unit: Unit, first: bool, last: bool) -> f32 {
    match unit {
        Unit::Vowel(_) if first => 1.0,
        Unit::Vowel(_) if last => 0.6,
        Unit::Vowel(_) => 0.3,
        // A silent h ("Hollande" اولاند) or a final y/w glide.
        Unit::Consonant("h", _) => 0.4,
        Unit::Consonant(..) => 1.0,
    }
}

/// Cost of an Arabic letter that no English unit writes; a letter written
/// twice (`doubled`: كوللر for Koller, the لل of الله) is one sound.
fn skip_arabic(c: char, doubled: bool, last: bool) -> f32 {
    match c {
        _ if doubled && arabic_vowel(c).is_none() => 0.1,
        // A final ة (normalized ه) for English -a or nothing.
        'ه' if last => 0.2,
        'ا' | 'و' | 'ي' => 0.3,
        'ء' | 'ع' => 0.5,
        _ => 1.0,
    }
}

/// Cost of an English unit written by an Arabic letter; a vowel written
/// with the letter of another quality (e as ا) costs half, except first in
/// the word, where every vowel is written on alef (إ, أ: "Islamic"
/// الاسلامية, "Erdogan" أردوغان).
///
/// A final ي may be a normalized ى (alef maqsura), which writes a:
/// "Hawa" الهوى, "Mustafa" مصطفى.
fn meet(unit: Unit, c: char, first: bool, last_letter: bool) -> f32 {
    let written = match arabic_vowel(c) {
        Some(q) if c == 'ي' && last_letter => Some(q | A),
        other => other,
    };
    match (unit, written) {
        // A final ة (normalized ه) is read t before a following word:
        // "Attiyat Allah" عطية الله.
        (Unit::Consonant("t", _), _) if c == 'ه' && last_letter => 0.0,
        (Unit::Vowel(_), Some(_)) if first && c == 'ا' => 0.0,
        (Unit::Vowel(q), Some(written)) if q & written != 0 => 0.0,
        (Unit::Vowel(_), Some(_)) => 0.5,
        (Unit::Vowel(_), None) => 1.0,
        (unit, _) => match unit {
            Unit::Consonant(_, letters) if letters.contains(c) => 0.0,
            _ => 1.0,
        },
    }
}

/// The cheapest alignment's cost per English consonant, `None` when the
/// English is not Latin letters or has no consonant.
pub fn cost(english: &str, arabic_normalized: &str) -> Option<f32> {
    let units = units(english)?;
    let consonants = units
        .iter()
        .filter(|u| matches!(u, Unit::Consonant(..)))
        .count();
    if consonants == 0 {
        return None;
    }
    let letters: Vec<char> = arabic_normalized.chars().collect();
    let (n, m) = (units.len(), letters.len());
    // row[j]: cost of aligning units[..i] with letters[..j].
    let mut row: Vec<f32> = (0..=m)
        .map(|j| {
            (0..j)
                .map(|k| {
                    skip_arabic(
                        letters[k],
                        k > 0 && letters[k - 1] == letters[k],
                        k + 1 == m,
                    )
                })
                .sum()
        })
        .collect();
    for i in 1..=n {
        let unit = units[i - 1];
        let mut next = vec![row[0] + skip_english(unit, i == 1, i == n); m + 1];
        for j in 1..=m {
            let c = letters[j - 1];
            next[j] = (row[j - 1] + meet(unit, c, i == 1, j == m))
                .min(row[j] + skip_english(unit, i == 1, i == n))
                .min(next[j - 1] + skip_arabic(c, j > 1 && letters[j - 2] == c, j == m));
        }
        row = next;
    }
    Some(row[m] / consonants as f32)
}

/// Whether `english` could be a transliteration of the normalized Arabic
/// word (see the module doc).
pub fn plausible(english: &str, arabic_normalized: &str) -> bool {
    cost(english, arabic_normalized).is_some_and(|c| c <= MAX_COST_PER_CONSONANT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::arabic::normalize;

    fn plausible_ar(english: &str, arabic: &str) -> bool {
        plausible(english, &normalize(arabic))
    }

    /// Pairs from news Arabic; most are not in the seeds.
    #[test]
    fn transliterations_are_recognised() {
        for (english, arabic) in [
            ("Putin", "بوتين"),
            ("Hollande", "هولاند"),
            ("Hollande", "أولاند"),
            ("Kerry", "كيري"),
            ("Drian", "دريان"),
            ("Shoigu", "شويغو"),
            ("Lavrov", "لافروف"),
            ("Hammond", "هاموند"),
            ("Obama", "أوباما"),
            ("Khartoum", "خرطوم"),
            ("Erdogan", "أردوغان"),
            ("Merkel", "ميركل"),
            ("Syria", "سوريا"),
            ("Moscow", "موسكو"),
            ("Paris", "باريس"),
            ("Homs", "حمص"),
            ("Georgieva", "جورجيفا"),
            ("Kristalina", "كريستالينا"),
            ("Tabriz", "تبريز"),
            ("Yasser", "ياسر"),
            ("François", "فرنسوا"),
            // Written twice in Arabic, once in English; Egyptian ج for ch.
            ("Koller", "كوللر"),
            ("Allah", "الله"),
            ("Abdalla", "عبدالله"),
            ("Kouchouk", "كجوك"),
            ("Hawa", "هوى"),
            ("Mustafa", "مصطفى"),
            ("Attiyat", "عطية"),
        ] {
            let c = cost(english, &normalize(arabic));
            assert!(plausible_ar(english, arabic), "{english} / {arabic}: {c:?}");
        }
    }

    #[test]
    fn other_names_and_ordinary_words_are_not() {
        for (english, arabic) in [
            ("Hunt", "هاموند"),
            ("Obama", "بما"),
            ("Jeremy", "فيليب"),
            ("Bolsonaro", "بوتين"),
            ("Hamdan", "هاموند"),
            // "crimes": a common word with Jeremy's consonants.
            ("Jeremy", "جرائم"),
            ("Kerry", "كبير"),
            ("Macron", "هولاند"),
            ("Juncker", "جان"),
            ("Aleppo", "حلب"),
        ] {
            let c = cost(english, &normalize(arabic));
            assert!(
                !plausible_ar(english, arabic),
                "{english} / {arabic}: {c:?}"
            );
        }
    }

    #[test]
    fn non_latin_or_vowel_only_spellings_are_not_judged() {
        assert_eq!(cost("Путин", "بوتين"), None);
        assert_eq!(cost("Aia", "ايا"), None);
        assert_eq!(cost("U.S.", "امريكا"), None);
    }
}
