//! Asking a language model for checked text: ask, check the answer, and
//! when a check fails ask once more with a stricter prompt, keeping the
//! answer that failed fewer checks.
//!
//! The one retry policy the LLM translator and the model summarizer share:
//! they say what to ask (the prompt for each attempt) and how to check an
//! answer; this says how many times to ask and which answer to keep. What
//! it is not: the checks themselves, or the prompts.

use anyhow::Result;

use crate::llm::{Completion, LanguageModel};
use crate::output::labels::Flag;

/// Which attempt a prompt is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    First,
    /// The retry after a failed check: the prompt insists on the format.
    Strict,
}

/// What to send the model for one attempt.
pub struct Prompt {
    pub text: String,
    /// Text that ends the answer when it appears (it is cut there).
    pub stop: &'static [&'static str],
}

/// The answer kept and the checks it failed, `Flag::Retried` first when
/// the stricter retry was asked.
pub struct CheckedAnswer {
    pub completion: Completion,
    pub flags: Vec<Flag>,
}

/// Asks `model` with `prompt(Attempt::First)`; if `check` flags the answer,
/// or the token limit cut it off (`Flag::Truncated`), asks again with `prompt(Attempt::Strict)` and keeps the retry only when
/// it has fewer flags (a tie keeps the first answer). Each answer gets at
/// most `max_tokens` tokens.
pub fn ask_checked(
    model: &LanguageModel,
    max_tokens: usize,
    prompt: impl Fn(Attempt) -> Result<Prompt>,
    check: impl Fn(Attempt, &str) -> Vec<Flag>,
) -> Result<CheckedAnswer> {
    let ask = |attempt: Attempt| -> Result<CheckedAnswer> {
        let Prompt { text, stop } = prompt(attempt)?;
        let completion = model.complete(&text, max_tokens, stop)?;
        let flags = answer_flags(&completion, check(attempt, &completion.text));
        Ok(CheckedAnswer { completion, flags })
    };
    let first = ask(Attempt::First)?;
    if first.flags.is_empty() {
        return Ok(first);
    }
    let retry = ask(Attempt::Strict)?;
    let mut kept = if retry.flags.len() < first.flags.len() {
        retry
    } else {
        first
    };
    kept.flags.insert(0, Flag::Retried);
    Ok(kept)
}

/// The checks' flags, `Flag::Repetitive` when generation stopped a loop,
/// and `Flag::Truncated` last when the answer ran into the token limit: a cut-off translation has lost the end of its source,
/// and a cut-off summary stops mid-sentence, whatever the checks found.
fn answer_flags(completion: &Completion, mut flags: Vec<Flag>) -> Vec<Flag> {
    // Generation stopped a loop early, so the cut answer may not repeat
    // enough for the checks to see it; it is repetitive all the same.
    if completion.looped && !flags.contains(&Flag::Repetitive) {
        flags.push(Flag::Repetitive);
        flags.sort();
    }
    if !completion.finished {
        flags.push(Flag::Truncated);
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn completion(finished: bool) -> Completion {
        Completion {
            text: "An answer".to_string(),
            prompt_tokens: 10,
            generated_tokens: 2,
            finished,
            looped: false,
        }
    }

    #[test]
    fn an_answer_stopped_in_a_loop_is_flagged_repetitive_once() {
        let looped = Completion {
            looped: true,
            ..completion(true)
        };
        assert_eq!(answer_flags(&looped, vec![]), vec![Flag::Repetitive]);
        assert_eq!(
            answer_flags(&looped, vec![Flag::TooLong, Flag::ArabicScript]),
            vec![Flag::TooLong, Flag::Repetitive, Flag::ArabicScript]
        );
        assert_eq!(
            answer_flags(&looped, vec![Flag::Repetitive]),
            vec![Flag::Repetitive]
        );
    }

    #[test]
    fn an_answer_the_token_limit_cut_off_is_flagged_truncated() {
        assert_eq!(answer_flags(&completion(true), vec![]), vec![]);
        assert_eq!(
            answer_flags(&completion(false), vec![]),
            vec![Flag::Truncated]
        );
        assert_eq!(
            answer_flags(&completion(false), vec![Flag::TooLong, Flag::Repetitive]),
            vec![Flag::TooLong, Flag::Repetitive, Flag::Truncated]
        );
    }
}
