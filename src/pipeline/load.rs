//! Loading the models a command asked for: the translators (by route) and
//! the summarizer, from `--model-dir` or the profile's catalog entries.
//!
//! It takes its own plain [`PipelineSettings`] (the command line builds
//! them; nothing here knows about flags) and says whether a failure is in
//! the settings or in the model files ([`LoadError`]), which the caller maps
//! to exit codes. A GGUF model used as translator and as summarizer is
//! loaded once, whether it is asked for before the run or by a route later.
//! A new kind of translator is one more arm in `CatalogLoader::translator`;
//! callers do not change.
//!
//! What it is not: model code (`crate::models`, `crate::llm`) or where
//! files come from (`crate::model_store`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::llm::LanguageModel;
use crate::model_store::{
    resolve_marian_dir, HubAccess, ModelFingerprint, ModelKind, Models, Profile, SummarizerChoice,
};
use crate::models::marian::Precision;
use crate::pipeline::routes::{Routes, EVERY_OTHER_LANGUAGE};
use crate::pipeline::Pipeline;
use crate::summarize::{Summarizer, SummaryLimits};
use crate::translate::llm::LlmTranslator;
use crate::translate::{MarianTranslator, Overrides, T5Translator, Translator};

/// What a command asked to load, resolved from its flags.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineSettings {
    /// The catalog's profile: its translator (unless `model_dir` is set),
    /// decoding settings and summarizer.
    pub profile: String,
    /// An opus-mt checkpoint folder used in place of the profile's translator.
    pub model_dir: Option<PathBuf>,
    /// `models.toml` to use; `None`: `./models.toml`, else the built-in one.
    pub catalog: Option<PathBuf>,
    /// Whether missing model files may be downloaded.
    pub hub: HubAccess,
    /// Beam width; `None`: the profile's, else the checkpoint's.
    pub beams: Option<usize>,
    pub precision: Precision,
    /// `None`: the profile's (extractive with `model_dir`).
    pub summarizer: Option<SummarizerChoice>,
    /// Longest summary in words; `None`: the profile's, else the default.
    pub summary_words: Option<usize>,
    /// `--source-lang`: every article is in this language (checked code).
    pub source_language: Option<String>,
}

/// Why the models could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The settings do not make sense (unknown profile or model, unreadable
    /// catalog or hash lock).
    Settings(anyhow::Error),
    /// A model's files are missing, damaged, or do not load.
    Model(anyhow::Error),
}

type Loaded<T> = std::result::Result<T, LoadError>;

/// Loads the translator and summarizer the settings ask for: `model_dir`
/// (an opus-mt checkpoint, for every language), else the profile's routes
/// from the catalog (its main translator now, the others when needed).
pub fn load_pipeline(settings: &PipelineSettings) -> Loaded<Pipeline> {
    let source_language = settings.source_language.clone();
    if let Some(dir) = &settings.model_dir {
        let choice = summarizer_choice(settings, None);
        if let SummaryPlan::Ready(summarizer) =
            plan_summary(&choice, summary_limits(settings, None))
        {
            // A checkpoint folder and no summary model: the catalog is not read.
            let translator = load_marian_dir(dir, settings)?;
            return Ok(Pipeline {
                routes: Routes::single(translator),
                summarizer,
                source_language,
            });
        }
    }
    let models =
        Models::open(settings.catalog.as_deref(), settings.hub).map_err(LoadError::Settings)?;
    let profile = models
        .profile(&settings.profile)
        .map_err(LoadError::Settings)?
        .clone();
    let mut loader = CatalogLoader {
        models,
        language_models: Vec::new(),
        profile: profile.clone(),
        settings: settings.clone(),
    };
    // The translator first, as before routes: it is the model every run
    // needs, and the cheaper one to find missing.
    let primary = match &settings.model_dir {
        Some(dir) => load_marian_dir(dir, settings)?,
        None => loader.translator(&profile.translator)?,
    };
    let choice = summarizer_choice(settings, Some(&profile));
    let summarizer = match plan_summary(&choice, summary_limits(settings, Some(&profile))) {
        SummaryPlan::Ready(summarizer) => summarizer,
        SummaryPlan::FromModel { name, limits } => loader.summarizer(name, limits)?,
    };
    let routes = if settings.model_dir.is_some() {
        Routes::single(primary)
    } else {
        let table = if profile.routes.is_empty() {
            [(EVERY_OTHER_LANGUAGE.to_string(), profile.translator.clone())].into()
        } else {
            profile.routes.clone()
        };
        Routes::new(
            table,
            (profile.translator.clone(), primary),
            Box::new(move |name: &str| match loader.translator(name) {
                Ok(translator) => Ok(translator),
                Err(LoadError::Settings(e) | LoadError::Model(e)) => Err(e),
            }),
        )
    };
    Ok(Pipeline {
        routes,
        summarizer,
        source_language,
    })
}

/// The flag's choice, else the profile's (not with `--model-dir`, whose
/// checkpoint the profile does not describe), else extractive.
fn summarizer_choice(settings: &PipelineSettings, profile: Option<&Profile>) -> SummarizerChoice {
    settings
        .summarizer
        .clone()
        .or_else(|| match settings.model_dir {
            Some(_) => None,
            None => profile.and_then(|p| p.summarizer.clone()),
        })
        .unwrap_or(SummarizerChoice::Extractive)
}

/// The flag's length, else the profile's (whenever the catalog was read).
fn summary_limits(settings: &PipelineSettings, profile: Option<&Profile>) -> SummaryLimits {
    let mut limits = SummaryLimits::default();
    if let Some(words) = settings
        .summary_words
        .or(profile.and_then(|p| p.summary_words))
    {
        limits.max_words = words;
    }
    limits
}

/// A summarizer that is ready, or the catalogued model it still needs.
enum SummaryPlan<'a> {
    Ready(Summarizer),
    FromModel {
        name: &'a str,
        limits: SummaryLimits,
    },
}

fn plan_summary(choice: &SummarizerChoice, limits: SummaryLimits) -> SummaryPlan<'_> {
    match choice {
        SummarizerChoice::Off => SummaryPlan::Ready(Summarizer::Off),
        SummarizerChoice::Extractive => SummaryPlan::Ready(Summarizer::Extractive(limits)),
        SummarizerChoice::Model(name) => SummaryPlan::FromModel { name, limits },
    }
}

/// `--model-dir`: the checkpoint as it is, with only the flags' decoding
/// settings (the profile does not describe it).
fn load_marian_dir(dir: &Path, settings: &PipelineSettings) -> Loaded<Translator> {
    let overrides = Overrides {
        beams: settings.beams,
        precision: settings.precision,
        ..Overrides::default()
    };
    let resolved = resolve_marian_dir(dir).map_err(LoadError::Model)?;
    let translator = MarianTranslator::load(&resolved, &overrides).map_err(LoadError::Model)?;
    Ok(Translator::Marian(Box::new(translator)))
}

/// The profile's decoding settings under the flags'.
fn profile_overrides(profile: &Profile, settings: &PipelineSettings) -> Overrides {
    Overrides {
        beams: settings.beams.or(profile.beams),
        max_length: profile.max_length,
        length_penalty: profile.length_penalty,
        precision: settings.precision,
    }
}

/// Loads catalogued models by name, each GGUF file at most once. It is
/// kept by the routes after the run starts, to load their models.
struct CatalogLoader {
    models: Models,
    language_models: Vec<(String, Arc<LanguageModel>, ModelFingerprint)>,
    profile: Profile,
    settings: PipelineSettings,
}

impl CatalogLoader {
    /// A translator by name, with the profile's decoding settings under the
    /// flags'.
    fn translator(&mut self, name: &str) -> Loaded<Translator> {
        let (profile, settings) = (&self.profile, &self.settings);
        match self.models.kind_of(name) {
            Some(ModelKind::Gguf) => {
                let (model, fingerprint) = self.language_model(name)?;
                Ok(Translator::Llm(LlmTranslator::new(model, fingerprint)))
            }
            Some(ModelKind::T5) => {
                let resolved = self.resolve(name)?;
                let translator =
                    T5Translator::load(&resolved, &profile_overrides(profile, settings))
                        .map_err(LoadError::Model)?;
                Ok(Translator::T5(Box::new(translator)))
            }
            Some(ModelKind::Marian) | None => {
                let overrides = profile_overrides(profile, settings);
                let resolved = self.resolve(name)?;
                let translator =
                    MarianTranslator::load(&resolved, &overrides).map_err(LoadError::Model)?;
                Ok(Translator::Marian(Box::new(translator)))
            }
        }
    }

    /// A summarizer backed by a GGUF model from the catalog.
    fn summarizer(&mut self, name: &str, limits: SummaryLimits) -> Loaded<Summarizer> {
        if self.models.kind_of(name) != Some(ModelKind::Gguf) {
            return Err(LoadError::Settings(anyhow::anyhow!(
                "summarizer {name:?} is neither extractive, none, nor a GGUF model in models.toml"
            )));
        }
        let (model, fingerprint) = self.language_model(name)?;
        Ok(Summarizer::Model {
            model,
            fingerprint,
            limits,
        })
    }

    /// A GGUF model, loaded on first use and shared after that.
    fn language_model(&mut self, name: &str) -> Loaded<(Arc<LanguageModel>, ModelFingerprint)> {
        if let Some((_, model, fingerprint)) =
            self.language_models.iter().find(|(n, _, _)| n == name)
        {
            return Ok((model.clone(), fingerprint.clone()));
        }
        let resolved = self.resolve(name)?;
        let path = resolved.gguf_path().map_err(LoadError::Model)?;
        let tokenizer_json = resolved
            .has("tokenizer.json")
            .then(|| resolved.dir_files["tokenizer.json"].clone());
        let model = Arc::new(
            LanguageModel::load(path, tokenizer_json.as_deref()).map_err(LoadError::Model)?,
        );
        let fingerprint = resolved.fingerprint;
        self.language_models
            .push((name.to_string(), model.clone(), fingerprint.clone()));
        Ok((model, fingerprint))
    }

    fn resolve(&self, name: &str) -> Loaded<crate::model_store::ResolvedModel> {
        self.models
            .model(name)
            .map_err(LoadError::Settings)?
            .resolve()
            .map_err(LoadError::Model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> PipelineSettings {
        PipelineSettings {
            profile: "default".into(),
            model_dir: None,
            catalog: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("models.toml")),
            hub: HubAccess::CacheOnly,
            beams: None,
            precision: Precision::default(),
            summarizer: None,
            summary_words: None,
            source_language: None,
        }
    }

    fn error(settings: &PipelineSettings) -> LoadError {
        match load_pipeline(settings) {
            Ok(_) => panic!("loaded"),
            Err(e) => e,
        }
    }

    #[test]
    fn a_checkpoint_folder_without_a_summary_model_never_reads_the_catalog() {
        let settings = PipelineSettings {
            model_dir: Some("/no/such/checkpoint".into()),
            catalog: Some("/no/such/models.toml".into()),
            ..settings()
        };
        let LoadError::Model(e) = error(&settings) else {
            panic!("not a model error")
        };
        assert!(e.to_string().contains("/no/such/checkpoint"), "{e}");
    }

    #[test]
    fn a_summary_model_with_a_checkpoint_folder_reads_the_catalog_first() {
        let settings = PipelineSettings {
            model_dir: Some("/no/such/checkpoint".into()),
            catalog: Some("/no/such/models.toml".into()),
            summarizer: Some(SummarizerChoice::Model("gemma".into())),
            ..settings()
        };
        assert!(matches!(error(&settings), LoadError::Settings(_)));
    }

    #[test]
    fn an_unknown_profile_is_a_settings_error() {
        let settings = PipelineSettings {
            profile: "no-such-profile".into(),
            ..settings()
        };
        let LoadError::Settings(e) = error(&settings) else {
            panic!("not a settings error")
        };
        assert!(e.to_string().contains("no-such-profile"), "{e}");
    }

    #[test]
    fn limits_and_choice_follow_flag_then_profile() {
        let profile: Profile = toml::from_str(
            "description = \"d\"\ntranslator = \"t\"\nsummarizer = \"none\"\nsummary_words = 40",
        )
        .unwrap();
        let flags = settings();
        assert_eq!(
            summarizer_choice(&flags, Some(&profile)),
            SummarizerChoice::Off
        );
        assert_eq!(summary_limits(&flags, Some(&profile)).max_words, 40);
        let with_dir = PipelineSettings {
            model_dir: Some("m".into()),
            ..settings()
        };
        // The profile does not describe a --model-dir checkpoint's summary.
        assert_eq!(
            summarizer_choice(&with_dir, Some(&profile)),
            SummarizerChoice::Extractive
        );
        let flagged = PipelineSettings {
            summary_words: Some(7),
            summarizer: Some(SummarizerChoice::Extractive),
            ..settings()
        };
        assert_eq!(summary_limits(&flagged, Some(&profile)).max_words, 7);
        assert_eq!(
            summarizer_choice(&flagged, Some(&profile)),
            SummarizerChoice::Extractive
        );
    }
}
