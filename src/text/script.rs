//! Which writing system a character belongs to: today, the one Arabic-script
//! test the reader (is this article Arabic?), the model-output checks (is
//! any Arabic left in the English?) and the brief (is this an Arabic word?)
//! share, so they cannot disagree about a character.
//!
//! [`Script`] says which letters belong to a language's script, so that a
//! piece of a Hebrew or Russian paragraph is sent to the model when it has
//! letters of that script, as an Arabic piece is when it has Arabic letters.
//!
//! What it is not: language identification (Persian and Urdu are written in
//! the same script; that is `crate::input::language`), or any normalization
//! of the letters.

/// Whether `c` is in one of the Arabic script's Unicode blocks (Arabic,
/// Arabic Supplement, Arabic Extended-A, the two presentation-form blocks),
/// letter or not.
pub fn is_arabic_script(c: char) -> bool {
    matches!(
        c,
        '\u{0600}'..='\u{06FF}'
            | '\u{0750}'..='\u{077F}'
            | '\u{08A0}'..='\u{08FF}'
            | '\u{FB50}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFF}'
    )
}

/// Whether `c` is a letter of the Arabic script (any of its Unicode blocks).
pub fn is_arabic_letter(c: char) -> bool {
    c.is_alphabetic() && is_arabic_script(c)
}

/// The writing system of a language, as far as tarjama needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Arabic,
    Hebrew,
    Cyrillic,
    Latin,
    /// Any other script: every letter outside ASCII counts as its own.
    Other,
}

impl Script {
    /// The script a language (ISO 639-1 or 639-3 code) is written in here.
    pub fn of_language(code: &str) -> Self {
        match code {
            "ar" | "fa" | "ur" | "ps" | "ckb" | "sd" | "ug" => Self::Arabic,
            "he" | "yi" => Self::Hebrew,
            "ru" | "uk" | "be" | "bg" | "mk" | "sr" | "kk" | "mn" | "ky" | "tg" => Self::Cyrillic,
            "zh" | "ja" | "ko" | "el" | "hy" | "ka" | "hi" | "bn" | "pa" | "th" | "ta" | "te"
            | "gu" | "mr" => Self::Other,
            _ => Self::Latin,
        }
    }

    /// Whether `c` is a letter of this script.
    pub fn has_letter(self, c: char) -> bool {
        c.is_alphabetic()
            && match self {
                Self::Arabic => is_arabic_script(c),
                Self::Hebrew => {
                    ('\u{0590}'..='\u{05FF}').contains(&c) || ('\u{FB1D}'..='\u{FB4F}').contains(&c)
                }
                Self::Cyrillic => ('\u{0400}'..='\u{052F}').contains(&c),
                Self::Latin => c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c),
                Self::Other => !c.is_ascii(),
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_script_knows_its_letters_and_not_digits() {
        assert!(Script::of_language("fa").has_letter('پ'));
        assert!(Script::of_language("he").has_letter('ש') && !Script::Hebrew.has_letter('a'));
        assert!(Script::of_language("ru").has_letter('Ж') && !Script::Cyrillic.has_letter('٣'));
        assert!(Script::of_language("tr").has_letter('ş') && !Script::Latin.has_letter('ب'));
        assert!(!Script::Arabic.has_letter('٣') && !Script::Latin.has_letter('3'));
    }

    #[test]
    fn letters_digits_and_punctuation_of_the_script() {
        assert!(is_arabic_letter('ب') && is_arabic_letter('ﻻ') && is_arabic_letter('پ'));
        // Arabic-Indic digits and the Arabic comma are in the script, not letters.
        assert!(is_arabic_script('٣') && !is_arabic_letter('٣'));
        assert!(is_arabic_script('،') && !is_arabic_letter('،'));
        assert!(!is_arabic_script('a') && !is_arabic_script('א') && !is_arabic_script('3'));
    }
}
