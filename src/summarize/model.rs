//! The model summary: the prompt a local language model gets (a chat turn,
//! or a few-shot text for a base model), and its answer checked like every
//! summary, with one stricter retry (`crate::llm::ask`).
//!
//! What it is not: the checks (`super::checks`), or the model runtime
//! (`crate::llm`).

use anyhow::Result;

use crate::llm::ask::{ask_checked, Attempt, CheckedAnswer, Prompt};
use crate::llm::LanguageModel;
use crate::summarize::checks::check;
use crate::summarize::SummaryLimits;

const SYSTEM: &str = "You write short, factual summaries of news articles in English.";

/// A worked example for base models (few-shot), written for this prompt.
const FEW_SHOT: &str = "Article: The foreign minister arrived in Cairo on Tuesday for talks on the border crossing, the ministry said. He will meet his Egyptian counterpart on Wednesday. Officials expect an agreement on aid deliveries.
Summary: The foreign minister arrived in Cairo on Tuesday for talks on the border crossing, according to the ministry, and officials expect an agreement on aid deliveries.

";

/// Longest translation (in characters) put into a prompt; the opening of
/// a news article carries its substance. A small base model loses the
/// thread in long few-shot prompts, so it gets less.
const MAX_ARTICLE_CHARS: usize = 6000;
const MAX_ARTICLE_CHARS_FEW_SHOT: usize = 1500;

/// Asks `model` for a summary of the translated `paragraphs`; the answer
/// kept and its flags ("retried" first when the stricter retry was asked).
pub fn summarize(
    model: &LanguageModel,
    paragraphs: &[&str],
    limits: &SummaryLimits,
) -> Result<CheckedAnswer> {
    let article = opening(model, paragraphs);
    ask_checked(
        model,
        2 * limits.max_words + 16,
        |attempt| prompt(model, &article, limits, attempt),
        |attempt, answer| {
            check(
                answer,
                &article,
                &echo_source(model, limits, attempt),
                limits,
            )
        },
    )
}

/// The article's opening paragraphs, as many as fit the model's limit (the
/// first always), one per line.
fn opening(model: &LanguageModel, paragraphs: &[&str]) -> String {
    let max_chars = if model.is_chat() {
        MAX_ARTICLE_CHARS
    } else {
        MAX_ARTICLE_CHARS_FEW_SHOT
    };
    let mut article = String::new();
    for paragraph in paragraphs {
        if article.len() + paragraph.len() > max_chars && !article.is_empty() {
            break;
        }
        article.push_str(paragraph);
        article.push('\n');
    }
    article.trim_end().to_string()
}

/// The request. Its example attribution is generic and shorter than the
/// echo check's six-word run: an example taken from one story ("according
/// to the Russian defence ministry") was copied into summaries of
/// articles that never said it, and then flagged as an echo.
fn instructions(limits: &SummaryLimits, attempt: Attempt) -> String {
    let mut ask = format!(
        "Summarize the article below in 2 to {} sentences and at most {} words. Keep attributions such as \"the ministry said\". Use only names and numbers that appear in the article. Reply with the summary only.",
        limits.max_sentences.max(2),
        limits.max_words
    );
    if attempt == Attempt::Strict {
        ask.push_str(" Do not add any introduction, title or comment. Write in English only.");
    }
    ask
}

fn prompt(
    model: &LanguageModel,
    article: &str,
    limits: &SummaryLimits,
    attempt: Attempt,
) -> Result<Prompt> {
    let instructions = instructions(limits, attempt);
    if model.is_chat() {
        return Ok(Prompt {
            text: model.chat_prompt(SYSTEM, &format!("{instructions}\n\nArticle:\n{article}"))?,
            stop: &[],
        });
    }
    // A base model continues the pattern; the line break ends its answer.
    // The strict retry leads with the instructions too.
    let lead = if attempt == Attempt::Strict {
        format!("{instructions}\n\n")
    } else {
        String::new()
    };
    let flat = article.replace('\n', " ");
    Ok(Prompt {
        text: format!("{lead}{FEW_SHOT}Article: {flat}\nSummary:"),
        stop: &["\n"],
    })
}

/// The prompt text a summary must not echo. A base model may copy the
/// worked example instead of summarizing; that is an echo of the prompt
/// too.
fn echo_source(model: &LanguageModel, limits: &SummaryLimits, attempt: Attempt) -> String {
    let instructions = instructions(limits, attempt);
    if model.is_chat() {
        instructions
    } else {
        format!("{instructions}\n{FEW_SHOT}")
    }
}
