//! Loading the models a command asked for: the translator and the
//! summarizer, from `--model-dir` or the profile's catalog entries.
//!
//! What it is not: model code (`crate::models`, `crate::llm`) or where
//! files come from (`crate::model_store`).

use std::sync::Arc;

use crate::cli::{load_catalog, Failure, ModelArgs};
use crate::llm::LanguageModel;
use crate::model_store::{HashLock, ModelKind, ModelStore, ResolvedModel};
use crate::pipeline::Pipeline;
use crate::summarize::{Summarizer, SummaryLimits};
use crate::translate::llm::LlmTranslator;
use crate::translate::{MarianTranslator, Overrides, Translator};

/// Loads the translator and summarizer a command asked for: `--model-dir`
/// (an opus-mt checkpoint), else the profile's models from the catalog. A
/// GGUF model used for both is loaded once.
pub fn load_pipeline(args: &ModelArgs) -> std::result::Result<Pipeline, Failure> {
    let mut overrides = Overrides {
        beams: args.beams,
        precision: args.precision,
        ..Overrides::default()
    };
    let mut loaded_models: Vec<(String, Arc<LanguageModel>, ResolvedModel)> = Vec::new();
    let catalog = if args.model_dir.is_some()
        && args
            .summarizer
            .as_deref()
            .is_none_or(|s| s == "extractive" || s == "none")
    {
        None
    } else {
        Some(load_catalog(args.catalog.as_deref()).map_err(Failure::config)?)
    };
    let profile = match &catalog {
        Some(loaded) => Some(
            loaded
                .catalog
                .profile(&args.profile)
                .map_err(Failure::config)?
                .clone(),
        ),
        None => None,
    };
    let mut resolve = |name: &str| -> std::result::Result<ResolvedModel, Failure> {
        let loaded = catalog
            .as_ref()
            .expect("catalog loaded when a model is named");
        let entry = loaded.catalog.model(name).map_err(Failure::config)?;
        let mut lock = HashLock::open(loaded.lock_path.clone()).map_err(Failure::config)?;
        ModelStore::new(loaded.dir.clone())
            .resolve(name, entry, &mut lock)
            .map_err(Failure::model)
    };
    let mut language_model =
        |name: &str,
         resolve: &mut dyn FnMut(&str) -> std::result::Result<ResolvedModel, Failure>| {
            if let Some((_, model, resolved)) = loaded_models.iter().find(|(n, _, _)| n == name) {
                return Ok((model.clone(), resolved.fingerprint.clone()));
            }
            let resolved = resolve(name)?;
            let path = resolved.gguf_path().map_err(Failure::model)?.to_path_buf();
            let tokenizer_json = resolved
                .has("tokenizer.json")
                .then(|| resolved.dir_files["tokenizer.json"].clone());
            let model = Arc::new(
                LanguageModel::load(&path, tokenizer_json.as_deref()).map_err(Failure::model)?,
            );
            let fingerprint = resolved.fingerprint.clone();
            loaded_models.push((name.to_string(), model.clone(), resolved));
            Ok((model, fingerprint))
        };

    let translator = if let Some(dir) = &args.model_dir {
        let resolved = crate::model_store::resolve_marian_dir(dir).map_err(Failure::model)?;
        Translator::Marian(Box::new(
            MarianTranslator::load(&resolved, &overrides).map_err(Failure::model)?,
        ))
    } else {
        let profile = profile.as_ref().expect("a profile without --model-dir");
        overrides.beams = overrides.beams.or(profile.beams);
        overrides.max_length = profile.max_length;
        overrides.length_penalty = profile.length_penalty;
        let kind = catalog
            .as_ref()
            .and_then(|c| c.catalog.models.get(&profile.translator))
            .map(|m| m.kind);
        match kind {
            Some(ModelKind::Gguf) => {
                let (model, fingerprint) = language_model(&profile.translator, &mut resolve)?;
                Translator::Llm(LlmTranslator::new(model, fingerprint))
            }
            _ => {
                let resolved = resolve(&profile.translator)?;
                Translator::Marian(Box::new(
                    MarianTranslator::load(&resolved, &overrides).map_err(Failure::model)?,
                ))
            }
        }
    };

    let mut limits = SummaryLimits::default();
    if let Some(words) = args
        .summary_words
        .or(profile.as_ref().and_then(|p| p.summary_words))
    {
        limits.max_words = words;
    }
    let choice = args
        .summarizer
        .clone()
        .or_else(|| {
            if args.model_dir.is_some() {
                None
            } else {
                profile.as_ref().and_then(|p| p.summarizer.clone())
            }
        })
        .unwrap_or_else(|| "extractive".to_string());
    let summarizer = match choice.as_str() {
        "none" => Summarizer::Off,
        "extractive" => Summarizer::Extractive(limits),
        name => {
            let kind = catalog
                .as_ref()
                .and_then(|c| c.catalog.models.get(name))
                .map(|m| m.kind);
            if kind != Some(ModelKind::Gguf) {
                return Err(Failure::config(anyhow::anyhow!(
                    "summarizer {name:?} is neither extractive, none, nor a GGUF model in models.toml"
                )));
            }
            let (model, fingerprint) = language_model(name, &mut resolve)?;
            Summarizer::Model {
                model,
                fingerprint,
                limits,
            }
        }
    };
    Ok(Pipeline {
        translator,
        summarizer,
    })
}
