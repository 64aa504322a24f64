//! A language model talking about its task instead of doing it: "Here is
//! the English translation of the Arabic news text:", "Sure!", "I hope
//! this helps", or refusing it ("I apologize, but I cannot assist with
//! that request", the demo model's answer to a bare agency byline). One owner for the phrases, which the summary and the
//! translation checks both use, each with its own openings.
//!
//! An answer that repeats the prompt's own words ("no Arabic, no notes,
//! no introduction", the demo model's retry of a byline) is the same
//! failure, and is owned here too (`echoes_prompt`).
//!
//! Why anywhere and not only at the start: a model translating a paragraph
//! piece by piece opens a later piece with the phrase, and the joined
//! paragraph carries it in the middle, where a start-only check never
//! looked. What it is not: the other checks (`crate::summarize::checks`,
//! `crate::translate::llm`).

use std::collections::BTreeSet;

/// Phrases that are commentary wherever they stand. Each names the task
/// or the reader, so a news text does not say it about itself.
const ANYWHERE: &[&str] = &[
    "here is the english translation",
    "here is the translation",
    "here's the translation",
    "here's the english translation",
    "here is a translation",
    "english translation of the arabic",
    "translation of the arabic text",
    "translation of the arabic news",
    "the arabic news text",
    // The same talk about a text in another language ("The Turkish news
    // text translates to English as:", the demo model on a Turkish
    // article): named by what it says of the task, whatever the language.
    "news text translates to",
    "text translates to english",
    "translates to english as",
    "translated into english as",
    "translated to english as",
    "here is a summary",
    "here's a summary",
    "here is the summary",
    "here's the summary",
    "as an ai",
    "i hope this helps",
    "let me know if you",
    "note: the translation",
    "note: this translation",
    "assist with that request",
    "assist with this request",
    "help with that request",
    "help with this request",
    "i cannot translate",
    "i can't translate",
    "i am unable to translate",
    "i'm unable to translate",
];

/// Whether `answer` opens with one of `openings` (lower case) or holds one
/// of the phrases that are commentary anywhere.
pub fn is_commentary(answer: &str, openings: &[&str]) -> bool {
    let lower = answer.trim_start().to_lowercase();
    openings.iter().any(|o| lower.starts_with(o)) || ANYWHERE.iter().any(|p| lower.contains(p))
}

/// Whether `answer` repeats six or more consecutive words of
/// `instructions` (case and punctuation aside). Six, because the article
/// text itself may be repeated and shorter runs ("the article below")
/// occur in news too.
pub fn echoes_prompt(answer: &str, instructions: &str) -> bool {
    const RUN: usize = 6;
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let instruction_words = words(instructions);
    let answer_words = words(answer);
    if instruction_words.len() < RUN || answer_words.len() < RUN {
        return false;
    }
    let runs: BTreeSet<&[String]> = instruction_words.windows(RUN).collect();
    answer_words.windows(RUN).any(|w| runs.contains(w))
}

#[cfg(test)]
mod tests {
    use super::{echoes_prompt, is_commentary};

    #[test]
    fn an_answer_repeating_six_words_of_the_prompt_echoes_it() {
        let ask = "Output only the English translation: no Arabic, no notes, no introduction.";
        assert!(echoes_prompt("No Arabic, no notes, no introduction.", ask));
        assert!(!echoes_prompt(
            "No notes were taken at the meeting, he said.",
            ask
        ));
        assert!(!echoes_prompt("no Arabic", ask));
    }

    #[test]
    fn finds_the_task_talk_at_the_start_or_inside() {
        let openings = ["sure"];
        assert!(is_commentary("Sure, the minister arrived.", &openings));
        assert!(is_commentary(
            "The ministers met in Paris. Here is the English translation of the Arabic news text: they agreed.",
            &openings
        ));
        assert!(is_commentary("The talks went on. I hope this helps!", &[]));
        // Qwen2.5-Coder-1.5B's answer to the byline "أ ف ب" (seed 001).
        assert!(is_commentary(
            "I apologize, but I cannot assist with that request.",
            &[]
        ));
        // Qwen2.5-Coder-1.5B on a Turkish article (tests/fixtures/languages).
        assert!(is_commentary(
            "The Turkish news text translates to English as:\n\n\"The Turkish National Guard reported an earthquake.\"",
            &[]
        ));
        // News that says "translation" or "Arabic" about itself is not commentary.
        assert!(!is_commentary(
            "The Arabic text of the agreement was published with an English translation on Monday.",
            &openings
        ));
        assert!(!is_commentary(
            "The treaty's French text was translated into English and Turkish last year.",
            &openings
        ));
        assert!(!is_commentary(
            "Surely the talks will go on, he said.",
            &["sure,"]
        ));
    }
}
