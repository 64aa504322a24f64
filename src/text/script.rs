//! Which writing system a character belongs to: today, the one Arabic-script
//! test the reader (is this article Arabic?), the model-output checks (is
//! any Arabic left in the English?) and the brief (is this an Arabic word?)
//! share, so they cannot disagree about a character.
//!
//! What it is not: language identification (Persian and Urdu are written in
//! the same script), or any normalization of the letters.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_digits_and_punctuation_of_the_script() {
        assert!(is_arabic_letter('ب') && is_arabic_letter('ﻻ') && is_arabic_letter('پ'));
        // Arabic-Indic digits and the Arabic comma are in the script, not letters.
        assert!(is_arabic_script('٣') && !is_arabic_letter('٣'));
        assert!(is_arabic_script('،') && !is_arabic_letter('،'));
        assert!(!is_arabic_script('a') && !is_arabic_script('א') && !is_arabic_script('3'));
    }
}
