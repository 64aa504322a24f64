//! Which model translates each language, and the translators themselves,
//! each loaded the first time an article needs it.
//!
//! A profile's routes come from `models.toml` (`[profiles.NAME.routes]`:
//! language → model, `"*"` for every other). The profile's `translator` is
//! loaded before the run, so a missing or damaged main model stops the run
//! at once, as before routes existed; any other route's model is loaded
//! when the first article in its language arrives, and a failure there
//! fails only the articles that need it (the failure is kept, not retried
//! per article). English is never routed: it is copied as it is.
//!
//! What it is not: identifying the language (`crate::input::language`) or
//! reading the catalog (`super::load`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, Result};

use crate::input::language::language_name;
use crate::translate::Translator;

/// The route key for every language a table does not list.
pub const EVERY_OTHER_LANGUAGE: &str = "*";

/// Loads a translator by its `models.toml` name.
pub type TranslatorLoader = Box<dyn FnMut(&str) -> Result<Translator> + Send>;

/// The routes of a run and the translators loaded so far.
pub struct Routes {
    /// Language (or `"*"`) → model name.
    table: BTreeMap<String, String>,
    /// The profile's main model (loaded first).
    primary: String,
    /// Model name → its translator, or why it could not be loaded.
    loaded: Mutex<BTreeMap<String, Result<Arc<Translator>, String>>>,
    loader: Mutex<TranslatorLoader>,
}

impl Routes {
    /// Routes by `table`, with `primary` already loaded; `loader` loads the
    /// other models on first use.
    pub fn new(
        table: BTreeMap<String, String>,
        primary: (String, Translator),
        loader: TranslatorLoader,
    ) -> Self {
        let (name, translator) = primary;
        let mut loaded = BTreeMap::new();
        loaded.insert(name.clone(), Ok(Arc::new(translator)));
        Self {
            table,
            primary: name,
            loaded: Mutex::new(loaded),
            loader: Mutex::new(loader),
        }
    }

    /// Every language but English to one translator (`--model-dir`), by
    /// the name its fingerprint gives it, as records name models.
    pub fn single(translator: Translator) -> Self {
        let name = translator.fingerprint().name.clone();
        let table = BTreeMap::from([(EVERY_OTHER_LANGUAGE.to_string(), name.to_string())]);
        let loader: TranslatorLoader =
            Box::new(|name: &str| Err(anyhow!("no model {name} outside the one given")));
        Self::new(table, (name, translator), loader)
    }

    /// The model name `language` goes to, if any.
    pub fn model_for(&self, language: &str) -> Option<&str> {
        self.table
            .get(language)
            .or_else(|| self.table.get(EVERY_OTHER_LANGUAGE))
            .map(String::as_str)
    }

    /// The translator of `language`'s route, loading it on first use. The
    /// error is one line: the language, the model, and why.
    pub fn translator_for(&self, language: &str) -> Result<(String, Arc<Translator>)> {
        let Some(model) = self.model_for(language) else {
            let routed: Vec<&str> = self.table.keys().map(String::as_str).collect();
            return Err(anyhow!(
                "no route for {} ({language}) in this profile (routes: {}); add one under the profile's routes in models.toml, or pass --source-lang if the language is wrong",
                language_name(language),
                routed.join(", ")
            ));
        };
        let translator = self.translator(model).map_err(|e| {
            anyhow!(
                "{} ({language}) goes to {model}, which did not load: {e}",
                language_name(language)
            )
        })?;
        Ok((model.to_string(), translator))
    }

    /// The profile's main translator (always loaded).
    pub fn primary(&self) -> Arc<Translator> {
        self.translator(&self.primary)
            .expect("the primary translator is loaded before the routes exist")
    }

    fn translator(&self, model: &str) -> Result<Arc<Translator>> {
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = loaded.get(model) {
            return found.clone().map_err(|e| anyhow!(e));
        }
        let mut loader = self.loader.lock().unwrap_or_else(|e| e.into_inner());
        let result = loader(model).map(Arc::new).map_err(|e| {
            format!("{e:#}")
                .lines()
                .next()
                .unwrap_or_default()
                .to_string()
        });
        loaded.insert(model.to_string(), result.clone());
        result.map_err(|e| anyhow!(e))
    }
}
