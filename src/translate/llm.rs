//! Translation by a local language model (translator kind `llm`): each
//! paragraph (or clause-sized piece of a long one) is one prompt asking for
//! the English only, and the answer is checked like a summary: no Arabic
//! left, no commentary, a plausible length. A flagged answer is retried
//! once with a stricter prompt (`crate::llm::ask`); flags that remain are
//! recorded.
//!
//! Base models (no chat template, such as the demo Gemma 3 270M) get a
//! few-shot prompt instead of a chat turn. The prompt names the source
//! language; the worked examples exist for Arabic only, so a base model
//! reads other languages with the instruction and no examples. What it is
//! not: the model runtime (`crate::llm`).

use std::sync::Arc;

use anyhow::Result;

use crate::input::language::language_name;
use crate::llm::ask::{ask_checked, Attempt, CheckedAnswer, Prompt};
use crate::llm::commentary::{echoes_prompt, is_commentary};
use crate::llm::LanguageModel;
use crate::model_store::ModelFingerprint;
use crate::output::labels::Flag;
use crate::output::record::DecodingSettings;
use crate::text::script::{is_arabic_letter, Script};
use crate::translate::translation::Translation;

/// English characters per Arabic character outside this range mean the
/// answer is cut short or padded with something else.
const LENGTH_RATIO: (f64, f64) = (0.4, 3.5);

const SYSTEM: &str = "You are a professional translator of Arabic news into English.";
const ASK: &str =
    "Translate this Arabic news text into English. Reply with the English translation only.";
const ASK_STRICT: &str = "Translate this Arabic news text into English. Output only the English translation: no Arabic, no notes, no introduction.";

/// Worked examples for base models: short, literal, from the kind of text
/// tarjama reads (written for this prompt, not taken from the seeds).
const FEW_SHOT: &str = "Arabic: وصل وزير الخارجية إلى القاهرة صباح الثلاثاء.\nEnglish: The foreign minister arrived in Cairo on Tuesday morning.\n\n\
Arabic: قالت الحكومة إن المحادثات ستستمر الأسبوع المقبل.\nEnglish: The government said the talks would continue next week.\n\n\
Arabic: أعلن الجيش مقتل ثلاثة جنود في هجوم قرب الحدود.\nEnglish: The army announced that three soldiers were killed in an attack near the border.\n\n";

/// The prompt's words for one source language. Arabic's are the constants
/// above, byte for byte (records made with them stay current); another
/// language gets the same sentences with its name and no examples.
struct Wording {
    system: String,
    ask: String,
    ask_strict: String,
    /// "Arabic", as the base model's pattern labels the source line.
    label: String,
    few_shot: &'static str,
    script: Script,
}

impl Wording {
    fn of(source_language: &str) -> Self {
        if source_language == "ar" {
            return Self {
                system: SYSTEM.to_string(),
                ask: ASK.to_string(),
                ask_strict: ASK_STRICT.to_string(),
                label: "Arabic".to_string(),
                few_shot: FEW_SHOT,
                script: Script::Arabic,
            };
        }
        let name = language_name(source_language);
        Self {
            system: SYSTEM.replace("Arabic", &name),
            ask: ASK.replace("Arabic", &name),
            ask_strict: ASK_STRICT.replace("Arabic", &name),
            label: name,
            few_shot: "",
            script: Script::of_language(source_language),
        }
    }

    fn ask(&self, attempt: Attempt) -> &str {
        if attempt == Attempt::Strict {
            &self.ask_strict
        } else {
            &self.ask
        }
    }
}

/// Openings of replies that talk about the task instead of translating.
const COMMENTARY_OPENINGS: &[&str] = &[
    "here is",
    "here's",
    "sure",
    "certainly",
    "translation:",
    "the translation",
    "english:",
];

pub struct LlmTranslator {
    model: Arc<LanguageModel>,
    fingerprint: ModelFingerprint,
    max_source_tokens: usize,
}

/// Problems with a model's translation of `source` (written in
/// `script`), asked for with `prompt` (the text the answer must not echo).
pub fn check_translation(source: &str, script: Script, english: &str, prompt: &str) -> Vec<Flag> {
    let mut flags = Vec::new();
    if english.trim().is_empty() {
        flags.push(Flag::Empty);
        return flags;
    }
    if english.chars().any(is_arabic_letter) {
        flags.push(Flag::ArabicScript);
    }
    // Latin letters are English's own; Arabic script is flagged above.
    if !matches!(script, Script::Arabic | Script::Latin)
        && english.chars().any(|c| script.has_letter(c))
    {
        flags.push(Flag::SourceScript);
    }
    if is_commentary(english, COMMENTARY_OPENINGS) {
        flags.push(Flag::Commentary);
    }
    if echoes_prompt(english, prompt) {
        flags.push(Flag::PromptEcho);
    }
    let ratio = english.chars().count() as f64 / source.chars().count().max(1) as f64;
    if ratio < LENGTH_RATIO.0 || ratio > LENGTH_RATIO.1 {
        flags.push(Flag::LengthRatio);
    }
    flags
}

impl LlmTranslator {
    pub fn new(model: Arc<LanguageModel>, fingerprint: ModelFingerprint) -> Self {
        Self {
            model,
            fingerprint,
            max_source_tokens: 400,
        }
    }

    pub fn fingerprint(&self) -> &ModelFingerprint {
        &self.fingerprint
    }

    pub fn max_source_tokens(&self) -> usize {
        self.max_source_tokens
    }

    pub fn count_tokens(&self, text: &str) -> usize {
        self.model.tokenizer().encode(text, false).len()
    }

    pub fn settings(&self) -> DecodingSettings {
        DecodingSettings {
            strategy: if self.model.is_chat() {
                "llm-chat-greedy"
            } else {
                "llm-few-shot-greedy"
            }
            .to_string(),
            beams: 1,
            max_length: self.max_new_tokens(self.max_source_tokens),
            length_penalty: 1.0,
            renormalize_logits: false,
            max_source_tokens: self.max_source_tokens,
            // The weights are used as the GGUF file stores them (its
            // quantization is part of the model fingerprint's file hash).
            precision: "gguf".to_string(),
        }
    }

    /// English takes about as many tokens as the Arabic it translates; half
    /// again is room enough, and bounds a model that never stops.
    fn max_new_tokens(&self, source_tokens: usize) -> usize {
        source_tokens * 3 / 2 + 16
    }

    fn prompt(&self, wording: &Wording, text: &str, attempt: Attempt) -> Result<Prompt> {
        let strict = attempt == Attempt::Strict;
        if self.model.is_chat() {
            Ok(Prompt {
                text: self.model.chat_prompt(
                    &wording.system,
                    &format!("{}\n\n{text}", wording.ask(attempt)),
                )?,
                stop: &[],
            })
        } else {
            // A base model continues the pattern; the line break ends its
            // answer. The strict retry leads with the instruction too, and
            // so does every prompt without worked examples.
            let lead = if strict || wording.few_shot.is_empty() {
                format!("{}\n\n", wording.ask(attempt))
            } else {
                String::new()
            };
            Ok(Prompt {
                text: format!(
                    "{lead}{}{}: {text}\nEnglish:",
                    wording.few_shot, wording.label
                ),
                stop: &["\n"],
            })
        }
    }

    /// The prompt text an answer must not repeat: the request, and for a
    /// base model the worked examples too.
    fn echo_source(&self, wording: &Wording, attempt: Attempt) -> String {
        let ask = wording.ask(attempt);
        if self.model.is_chat() {
            ask.to_string()
        } else {
            format!("{ask}\n{}", wording.few_shot)
        }
    }

    /// Translates `texts`, all in `source_language` (an ISO code).
    pub fn translate(&self, source_language: &str, texts: &[String]) -> Result<Vec<Translation>> {
        let wording = Wording::of(source_language);
        texts
            .iter()
            .map(|text| self.translate_one(&wording, text))
            .collect()
    }

    fn translate_one(&self, wording: &Wording, text: &str) -> Result<Translation> {
        let source_tokens = self.count_tokens(text);
        let budget = self.max_new_tokens(source_tokens);
        let CheckedAnswer { completion, flags } = ask_checked(
            &self.model,
            budget,
            |attempt| self.prompt(wording, text, attempt),
            |attempt, english| {
                check_translation(
                    text,
                    wording.script,
                    english,
                    &self.echo_source(wording, attempt),
                )
            },
        )?;
        Ok(Translation {
            text: completion.text,
            source_tokens,
            target_tokens: completion.generated_tokens,
            flags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{check_translation, Wording, ASK, ASK_STRICT};
    use crate::output::labels::Flag;
    use crate::text::script::Script;

    /// Written for this test: a Hebrew sentence, an answer that kept a
    /// Hebrew word, and the prompt's wording for Hebrew and for Arabic.
    #[test]
    fn other_languages_get_their_name_in_the_prompt_and_their_script_checked() {
        let hebrew = Wording::of("he");
        assert_eq!(
            hebrew.ask,
            "Translate this Hebrew news text into English. Reply with the English translation only."
        );
        assert!(hebrew.few_shot.is_empty() && hebrew.label == "Hebrew");
        let arabic = Wording::of("ar");
        assert_eq!(
            (arabic.ask.as_str(), arabic.label.as_str()),
            (ASK, "Arabic")
        );
        let source = "הכביש בין שתי הערים נחסם לכמה שעות בגלל השלג.";
        assert_eq!(
            check_translation(
                source,
                hebrew.script,
                "The road between the two cities was closed for hours because of snow.",
                &hebrew.ask
            ),
            vec![]
        );
        assert_eq!(
            check_translation(
                source,
                hebrew.script,
                "The road between the two עיר was closed for hours because of snow.",
                &hebrew.ask
            ),
            vec![Flag::SourceScript]
        );
    }

    #[test]
    fn checks_catch_arabic_commentary_and_odd_lengths() {
        let source = "قالت الحكومة إن المحادثات ستستمر الأسبوع المقبل.";
        assert!(check_translation(
            source,
            Script::Arabic,
            "The government said the talks would continue next week.",
            ASK
        )
        .is_empty());
        assert_eq!(
            check_translation(
                source,
                Script::Arabic,
                "The government said المحادثات would continue.",
                ASK
            ),
            vec![Flag::ArabicScript]
        );
        assert_eq!(
            check_translation(
                source,
                Script::Arabic,
                "Here is the translation: the government said the talks go on.",
                ASK
            ),
            vec![Flag::Commentary]
        );
        // A later piece of the paragraph opened with the phrase.
        assert_eq!(
            check_translation(
                "قالت الحكومة إن المحادثات ستستمر الأسبوع المقبل. وأضافت أن الوفد سيصل غدا.",
                Script::Arabic,
                "The government said the talks would continue next week. Here is the English translation of the Arabic news text: the delegation arrives tomorrow.",
                ASK
            ),
            vec![Flag::Commentary]
        );
        assert_eq!(
            check_translation(source, Script::Arabic, "Talks.", ASK),
            vec![Flag::LengthRatio]
        );
        assert_eq!(
            check_translation(source, Script::Arabic, "  ", ASK),
            vec![Flag::Empty]
        );
        // The demo model's retry for the byline "أ ف ب" (seed 001).
        assert_eq!(
            check_translation(
                "أ ف ب",
                Script::Arabic,
                "No Arabic, no notes, no introduction.",
                ASK_STRICT
            ),
            vec![Flag::PromptEcho, Flag::LengthRatio]
        );
    }
}
