//! A language model talking about its task instead of doing it: "Here is
//! the English translation of the Arabic news text:", "Sure!", "I hope
//! this helps". One owner for the phrases, which the summary and the
//! translation checks both use, each with its own openings.
//!
//! Why anywhere and not only at the start: a model translating a paragraph
//! piece by piece opens a later piece with the phrase, and the joined
//! paragraph carries it in the middle, where a start-only check never
//! looked. What it is not: the other checks (`crate::summarize::checks`,
//! `crate::translate::llm`).

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
    "here is a summary",
    "here's a summary",
    "here is the summary",
    "here's the summary",
    "as an ai",
    "i hope this helps",
    "let me know if you",
    "note: the translation",
    "note: this translation",
];

/// Whether `answer` opens with one of `openings` (lower case) or holds one
/// of the phrases that are commentary anywhere.
pub fn is_commentary(answer: &str, openings: &[&str]) -> bool {
    let lower = answer.trim_start().to_lowercase();
    openings.iter().any(|o| lower.starts_with(o)) || ANYWHERE.iter().any(|p| lower.contains(p))
}

#[cfg(test)]
mod tests {
    use super::is_commentary;

    #[test]
    fn finds_the_task_talk_at_the_start_or_inside() {
        let openings = ["sure"];
        assert!(is_commentary("Sure, the minister arrived.", &openings));
        assert!(is_commentary(
            "The ministers met in Paris. Here is the English translation of the Arabic news text: they agreed.",
            &openings
        ));
        assert!(is_commentary("The talks went on. I hope this helps!", &[]));
        // News that says "translation" or "Arabic" about itself is not commentary.
        assert!(!is_commentary(
            "The Arabic text of the agreement was published with an English translation on Monday.",
            &openings
        ));
        assert!(!is_commentary(
            "Surely the talks will go on, he said.",
            &["sure,"]
        ));
    }
}
