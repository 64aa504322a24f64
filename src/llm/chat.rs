//! Chat prompts from the model file: the GGUF's own
//! `tokenizer.chat_template`, rendered with a Jinja engine (minijinja) the
//! way llama.cpp and Ollama do, so a model is prompted in the format it was
//! trained on whatever its architecture (SmolLM2 is a Llama with ChatML
//! turns, not Llama 3's headers).
//!
//! The environment matches transformers' `apply_chat_template`: blocks
//! trimmed and left-stripped, `tojson`, `raise_exception`, Python string
//! methods (`.strip()`, `.startswith()`, …), lenient undefined values.
//! `strftime_now` is deliberately left undefined: templates that read the
//! date fall back to their own fixed one, so prompts (and outputs) do not
//! change from day to day. What it is not: the per-family formats used
//! when a file carries no template (`super::Family::chat_prompt`).

use anyhow::{Context, Result};
use minijinja::{context, Environment, Error, ErrorKind, Value};

/// One turn of a conversation.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    pub role: &'a str,
    pub content: &'a str,
}

/// A model file's chat template with the token texts it may read.
#[derive(Debug)]
pub struct ChatTemplate {
    env: Environment<'static>,
    bos_token: String,
    eos_token: String,
}

const TEMPLATE_NAME: &str = "chat_template";

impl ChatTemplate {
    /// Compiles `source`; a template that does not parse is an error
    /// naming the problem (the model is then not loaded).
    pub fn new(source: &str, bos_token: &str, eos_token: &str) -> Result<Self> {
        let mut env = Environment::new();
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()
                .context("chat template syntax settings")?,
        );
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function("raise_exception", |message: String| -> Result<(), Error> {
            Err(Error::new(ErrorKind::InvalidOperation, message))
        });
        env.add_template_owned(TEMPLATE_NAME, source.to_string())
            .context("the GGUF's tokenizer.chat_template does not parse")?;
        Ok(Self {
            env,
            bos_token: bos_token.to_string(),
            eos_token: eos_token.to_string(),
        })
    }

    /// The BOS token's text, as the template may write it.
    pub fn bos_token(&self) -> &str {
        &self.bos_token
    }

    /// The prompt for `messages`, ending where the assistant's answer
    /// starts (`add_generation_prompt`).
    pub fn render(&self, messages: &[Message]) -> Result<String> {
        let template = self.env.get_template(TEMPLATE_NAME)?;
        let turns: Vec<Value> = messages
            .iter()
            .map(|m| Value::from_pairs([("role", m.role), ("content", m.content)]))
            .collect();
        template
            .render(context! {
                messages => turns,
                add_generation_prompt => true,
                bos_token => &self.bos_token,
                eos_token => &self.eos_token,
            })
            .context("cannot render the GGUF's chat template")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Turn {
        role: String,
        content: String,
    }

    fn messages(turns: &[Turn]) -> Vec<Message<'_>> {
        turns
            .iter()
            .map(|t| Message {
                role: &t.role,
                content: &t.content,
            })
            .collect()
    }

    /// The templates of the real model files, rendered as transformers
    /// renders them (`tools/render_gguf_chat_templates.py`).
    #[test]
    fn the_model_files_templates_render_as_transformers_renders_them() {
        let fixture: serde_json::Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/gguf_chat_templates.json"
        ))
        .unwrap();
        let mut rendered_cases = 0;
        for (name, model) in fixture["models"].as_object().unwrap() {
            let Some(source) = model["chat_template"].as_str() else {
                continue;
            };
            let template = ChatTemplate::new(
                source,
                model["bos_token"].as_str().unwrap(),
                model["eos_token"].as_str().unwrap(),
            )
            .unwrap();
            for case in model["cases"].as_array().unwrap() {
                let turns: Vec<Turn> = serde_json::from_value(case["messages"].clone()).unwrap();
                assert_eq!(
                    template.render(&messages(&turns)).unwrap(),
                    case["rendered"].as_str().unwrap(),
                    "{name}"
                );
                rendered_cases += 1;
            }
        }
        assert_eq!(rendered_cases, 8);
    }

    /// The official templates of four families (`tools/render_chat_templates.py`):
    /// namespaces, reversed slices and Python string methods (Qwen3), BOS
    /// written by the template (Gemma 3, Llama 3.2), a date read through
    /// `strftime_now` (Llama 3.2, which we leave undefined on purpose).
    #[test]
    fn the_official_family_templates_render_as_transformers_renders_them() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/chat_templates.json")).unwrap();
        let turns: Vec<Turn> = serde_json::from_value(fixture["messages"].clone()).unwrap();
        for name in ["qwen2", "qwen3", "gemma3", "llama"] {
            let family = &fixture["families"][name];
            let bos = family["render_kwargs"]["bos_token"].as_str().unwrap_or("");
            let source = family["chat_template"].as_str().unwrap();
            let mut expected = family["rendered"].as_str().unwrap().to_string();
            if let Some(date) = family["date_string_used"].as_str() {
                expected =
                    expected.replace(&format!("Today Date: {date}"), "Today Date: 26 Jul 2024");
            }
            let source = if name == "qwen3" {
                // transformers was given enable_thinking=False.
                format!("{{%- set enable_thinking = false %}}{source}")
            } else {
                source.to_string()
            };
            let template = ChatTemplate::new(&source, bos, "").unwrap();
            assert_eq!(
                template.render(&messages(&turns)).unwrap(),
                expected,
                "{name}"
            );
        }
    }

    #[test]
    fn a_template_that_does_not_parse_is_an_error() {
        let err = ChatTemplate::new("{% if %}", "", "").unwrap_err();
        assert!(format!("{err:#}").contains("chat_template"), "{err:#}");
    }
}
