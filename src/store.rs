//! Where inputs are read and outputs written: a local folder or file, or
//! an object store (`s3://bucket/prefix`, `gs://…`, `az://…`, `file://…`,
//! `http(s)://…`) through the `object_store` crate, behind one small
//! synchronous API.
//!
//! A [`Location`] is parsed once from what the user typed: a plain path is
//! a local folder or file, exactly as before; a URL is an object store, or
//! an object in one. Store credentials come from the standard environment
//! (`AWS_*`, `GOOGLE_*`, `AZURE_*`, as the builders' `from_env` reads
//! them), which the command line reads once at start into
//! [`StoreOptions`]; they are never shown (`Debug` prints the keys only,
//! and messages name the URL, never an option).
//!
//! Whole or nothing: on a store one PUT is atomic, so a reader sees the old
//! object or the new one. On a local path a write goes through
//! `crate::files::write_atomic` (temp file, fsync, rename); a `file://` URL
//! goes through object_store's `LocalFileSystem`, which also renames a
//! temp file into place but does not fsync — plain paths are the choice
//! when a power cut must not lose the last records.
//!
//! Inside is a current-thread tokio runtime: each call blocks on its future
//! (the rest of the program is synchronous, and rayon threads may call at
//! once). What it is not: the output folder's layout (`crate::output::
//! OutputFolder`), which names the objects; models, which stay on local
//! disk (`crate::model_store`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use anyhow::{bail, Context, Result};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::files::write_atomic;

/// The URL schemes taken as object stores, as help and errors name them.
const SCHEMES: &str = "s3://, gs://, az://, azure://, file://, http://, https://";

/// Settings for object stores from the standard environment (the
/// variables whose names start with `AWS_`, `GOOGLE_` or `AZURE_`), passed
/// to object_store's builders as their `from_env` would. Values are
/// secrets: `Debug` shows the names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct StoreOptions(Vec<(String, String)>);

impl StoreOptions {
    /// No options (tests; runs with local paths only).
    pub const NONE: StoreOptions = StoreOptions(Vec::new());

    /// The store variables among `vars` (the process's environment, at
    /// start).
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut options: Vec<(String, String)> = vars
            .into_iter()
            .filter(|(key, _)| {
                ["AWS_", "GOOGLE_", "AZURE_"]
                    .iter()
                    .any(|prefix| key.starts_with(prefix))
            })
            .collect();
        options.sort();
        Self(options)
    }
}

impl fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(key, _)| key))
            .finish()
    }
}

/// A local path, or a place in an object store (a prefix that works as a
/// folder, or one object).
#[derive(Clone)]
pub enum Location {
    Local(PathBuf),
    Store(Remote),
}

/// A place in an object store: the store (opened when first used) and the
/// key below it.
#[derive(Clone)]
pub struct Remote {
    /// As shown: the URL typed, without a trailing slash, plus any names
    /// joined to it.
    url: String,
    /// Names joined below the URL's own path.
    below: Vec<String>,
    store: Arc<Store>,
}

/// One store as a URL named it; its client is built on first use.
struct Store {
    url: url::Url,
    options: StoreOptions,
    opened: OnceLock<Result<Opened, String>>,
}

/// A store's client and the key its URL names.
type Opened = (Arc<dyn ObjectStore>, ObjectPath);

impl Location {
    /// What the user typed: a URL with a scheme (`s3://bucket/in`) is a
    /// store, anything else a local path. Fails on a scheme tarjama does
    /// not know and on a URL that holds a password (credentials belong in
    /// the environment, where no record or log shows them).
    pub fn parse(text: &str) -> Result<Self> {
        let Some((scheme, _)) = text.split_once("://") else {
            return Ok(Self::Local(PathBuf::from(text)));
        };
        if !scheme_is_url(scheme) {
            return Ok(Self::Local(PathBuf::from(text)));
        }
        let scheme = scheme.to_ascii_lowercase();
        if !matches!(
            scheme.as_str(),
            "s3" | "s3a" | "gs" | "az" | "azure" | "abfs" | "abfss" | "file" | "http" | "https"
        ) {
            bail!("{text}: unknown location scheme {scheme}:// (tarjama reads and writes local paths and {SCHEMES})");
        }
        let url = url::Url::parse(text.trim_end_matches('/'))
            .with_context(|| format!("{text}: not a valid URL"))?;
        if url.password().is_some() {
            bail!("{}: put the credentials in the environment (AWS_*, GOOGLE_*, AZURE_*), not in the URL", shown(&url));
        }
        Ok(Self::Store(Remote {
            url: shown(&url),
            below: Vec::new(),
            store: Arc::new(Store {
                url,
                options: StoreOptions::NONE,
                opened: OnceLock::new(),
            }),
        }))
    }

    /// [`Location::parse`] for clap's `value_parser`.
    pub fn parse_arg(text: &str) -> std::result::Result<Self, String> {
        Self::parse(text).map_err(|e| format!("{e:#}"))
    }

    /// This location with the store settings of the environment (a local
    /// path needs none).
    pub fn with_options(self, options: &StoreOptions) -> Self {
        match self {
            Self::Local(_) => self,
            Self::Store(remote) => Self::Store(Remote {
                url: remote.url,
                below: remote.below,
                store: Arc::new(Store {
                    url: remote.store.url.clone(),
                    options: options.clone(),
                    opened: OnceLock::new(),
                }),
            }),
        }
    }

    pub fn local(path: impl Into<PathBuf>) -> Self {
        Self::Local(path.into())
    }

    /// The local path, when it is one.
    pub fn as_local(&self) -> Option<&Path> {
        match self {
            Self::Local(path) => Some(path),
            Self::Store(_) => None,
        }
    }

    /// The place called `name` inside this one (a file in a folder, an
    /// object under a prefix).
    pub fn join(&self, name: &str) -> Self {
        match self {
            Self::Local(dir) => Self::Local(dir.join(name)),
            Self::Store(remote) => Self::Store(remote.join(name)),
        }
    }

    /// How records and messages name it, as a path: a local path as given,
    /// a store's URL (`s3://bucket/in/a.txt`; its file stem is the name's).
    pub fn label(&self) -> PathBuf {
        match self {
            Self::Local(path) => path.clone(),
            Self::Store(remote) => PathBuf::from(&remote.url),
        }
    }

    /// Creates the local folder (and its parents) when missing; a store
    /// has no folders to create.
    pub fn create_folder(&self) -> Result<()> {
        match self {
            Self::Local(dir) => std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create output directory {}", dir.display())),
            Self::Store(_) => Ok(()),
        }
    }

    /// The whole file or object; `None` when there is none.
    pub fn read(&self) -> Result<Option<Vec<u8>>> {
        match self {
            Self::Local(path) => match std::fs::read(path) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
            },
            Self::Store(remote) => remote.read(),
        }
    }

    /// Replaces the file or object whole: readers see the old bytes or the
    /// new ones, never a part (see the module's doc for how).
    pub fn write(&self, bytes: &[u8]) -> Result<()> {
        match self {
            Self::Local(path) => write_atomic(path, bytes),
            Self::Store(remote) => remote.write(bytes),
        }
    }

    /// Removes the file or object; one that is not there is fine.
    pub fn delete(&self) -> Result<()> {
        match self {
            Self::Local(path) => match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(e).with_context(|| format!("cannot remove {}", path.display()))
                }
                _ => Ok(()),
            },
            Self::Store(remote) => remote.delete(),
        }
    }

    /// Whether the file (a regular one) or object is there.
    pub fn exists(&self) -> Result<bool> {
        match self {
            Self::Local(path) => Ok(path.is_file()),
            Self::Store(remote) => remote.exists(),
        }
    }

    /// The names of the files (anything but folders) or objects directly
    /// in this folder or under this prefix, sorted.
    pub fn list(&self) -> Result<Vec<String>> {
        let mut names = match self {
            Self::Local(dir) => {
                let entries = std::fs::read_dir(dir)
                    .with_context(|| format!("cannot list {}", dir.display()))?;
                entries
                    .flatten()
                    .filter(|e| !e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            }
            Self::Store(remote) => remote.list()?.0,
        };
        names.sort();
        Ok(names)
    }

    /// Every object under this prefix, at any depth, whose name ends in
    /// `suffix`, sorted by URL; local folders are walked by the caller
    /// (`crate::run::discover`), which knows about symlinks.
    pub fn walk_store(&self, suffix: &str) -> Result<Vec<Location>> {
        let Self::Store(remote) = self else {
            bail!("{self}: not an object store");
        };
        let mut found = Vec::new();
        remote.walk(suffix, &mut found)?;
        found.sort_by(|a, b| a.url.cmp(&b.url));
        Ok(found.into_iter().map(Self::Store).collect())
    }

    /// Whether this is a prefix with objects under it (so a folder, not
    /// one object). Always false for a local path.
    pub fn is_store_prefix(&self) -> Result<bool> {
        match self {
            Self::Local(_) => Ok(false),
            Self::Store(remote) => {
                let (objects, prefixes) = remote.list()?;
                Ok(!objects.is_empty() || prefixes > 0)
            }
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Local(path) => write!(f, "{}", path.display()),
            Self::Store(remote) => f.write_str(&remote.url),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Local(path) => write!(f, "Local({path:?})"),
            Self::Store(remote) => write!(f, "Store({:?})", remote.url),
        }
    }
}

impl PartialEq for Location {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Local(a), Self::Local(b)) => a == b,
            (Self::Store(a), Self::Store(b)) => a.url == b.url,
            _ => false,
        }
    }
}

/// A local location equals its path (settings are compared to paths).
impl PartialEq<PathBuf> for Location {
    fn eq(&self, other: &PathBuf) -> bool {
        self.as_local() == Some(other.as_path())
    }
}

/// Whether `scheme` (the text before `://`) looks like a URL scheme: a
/// letter, then letters, digits, `+`, `-` or `.` (RFC 3986). Anything else
/// — `./a://b`, a Windows drive — is a path.
fn scheme_is_url(scheme: &str) -> bool {
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// A URL as messages show it: no query, no fragment, no trailing slash.
fn shown(url: &url::Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    url.set_fragment(None);
    let _ = url.set_password(None);
    url.to_string().trim_end_matches('/').to_string()
}

/// The one runtime every store call blocks on. Current-thread: calls come
/// from the program's own threads, and several may wait at once (tokio
/// lets one drive the I/O while the others are woken by it).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime (no threads of its own) can always be built")
        })
        .block_on(future)
}

impl Remote {
    fn join(&self, name: &str) -> Self {
        let mut below = self.below.clone();
        below.push(name.to_string());
        Self {
            url: format!("{}/{name}", self.url),
            below,
            store: self.store.clone(),
        }
    }

    /// The store's client and this place's key in it.
    fn open(&self) -> Result<(&Arc<dyn ObjectStore>, ObjectPath)> {
        let opened = self.store.opened.get_or_init(|| {
            object_store::parse_url_opts(&self.store.url, self.store.options.0.iter().cloned())
                .map(|(store, path)| (Arc::from(store), path))
                .map_err(|e| format!("cannot open {}: {e}", shown(&self.store.url)))
        });
        let (store, root) = opened.as_ref().map_err(|e| anyhow::anyhow!("{e}"))?;
        // Names are joined as they are: `ObjectPath::join` would
        // percent-encode every non-ASCII byte, so an article called
        // "مكتبة الإسكندرية" would be stored as "%D9%85…" — another name
        // than a local run gives it, and one that a listing hands back
        // encoded, which joined again no longer names the object. A name
        // the store's paths cannot hold as it is (a control character)
        // falls back to the encoded form.
        let mut raw = root.as_ref().to_string();
        for name in &self.below {
            if !raw.is_empty() {
                raw.push('/');
            }
            raw.push_str(name);
        }
        let key = ObjectPath::parse(&raw).unwrap_or_else(|_| {
            self.below
                .iter()
                .fold(root.clone(), |key, name| key.clone().join(name.as_str()))
        });
        Ok((store, key))
    }

    fn read(&self) -> Result<Option<Vec<u8>>> {
        let (store, key) = self.open()?;
        block_on(async {
            match store.get(&key).await {
                Ok(got) => Ok(Some(got.bytes().await?.to_vec())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        })
        .with_context(|| format!("cannot read {}", self.url))
    }

    fn write(&self, bytes: &[u8]) -> Result<()> {
        let (store, key) = self.open()?;
        block_on(store.put(&key, PutPayload::from(bytes.to_vec())))
            .map(|_| ())
            .with_context(|| format!("cannot write {}", self.url))
    }

    fn delete(&self) -> Result<()> {
        let (store, key) = self.open()?;
        match block_on(store.delete(&key)) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e).with_context(|| format!("cannot remove {}", self.url)),
        }
    }

    fn exists(&self) -> Result<bool> {
        let (store, key) = self.open()?;
        match block_on(store.head(&key)) {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e).with_context(|| format!("cannot look up {}", self.url)),
        }
    }

    /// The names of the objects directly under this prefix, and how many
    /// deeper prefixes there are.
    fn list(&self) -> Result<(Vec<String>, usize)> {
        let (store, key) = self.open()?;
        let listing = block_on(store.list_with_delimiter(Some(&key)))
            .with_context(|| format!("cannot list {}", self.url))?;
        let names = listing
            .objects
            .iter()
            .filter_map(|object| object.location.filename().map(str::to_string))
            .collect();
        Ok((names, listing.common_prefixes.len()))
    }

    fn walk(&self, suffix: &str, found: &mut Vec<Remote>) -> Result<()> {
        let (store, key) = self.open()?;
        let listing = block_on(store.list_with_delimiter(Some(&key)))
            .with_context(|| format!("cannot list {}", self.url))?;
        for object in &listing.objects {
            if let Some(name) = object.location.filename().filter(|n| n.ends_with(suffix)) {
                found.push(self.join(name));
            }
        }
        for prefix in &listing.common_prefixes {
            if let Some(name) = prefix.filename() {
                self.join(name).walk(suffix, found)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_path_is_a_local_location() {
        for text in ["outputs", "./a/b", "/tmp/x", "a:b", "./s3://x"] {
            assert_eq!(
                Location::parse(text).unwrap(),
                PathBuf::from(text),
                "{text}"
            );
        }
    }

    #[test]
    fn urls_are_stores_shown_without_a_trailing_slash() {
        let s3 = Location::parse("s3://bucket/in/").unwrap();
        assert!(s3.as_local().is_none());
        assert_eq!(s3.to_string(), "s3://bucket/in");
        assert_eq!(s3.join("a.txt").to_string(), "s3://bucket/in/a.txt");
        assert_eq!(
            s3.join("a.txt").label().file_stem().unwrap(),
            std::ffi::OsStr::new("a")
        );
        assert_eq!(
            Location::parse("file:///tmp/out").unwrap().to_string(),
            "file:///tmp/out"
        );
        for text in ["gs://b/p", "az://container/p", "azure://c/p", "S3://b"] {
            assert!(
                Location::parse(text).unwrap().as_local().is_none(),
                "{text}"
            );
        }
    }

    #[test]
    fn an_unknown_scheme_is_one_clear_line() {
        let err = format!("{:#}", Location::parse("ftp://host/dir").unwrap_err());
        assert!(
            err.starts_with("ftp://host/dir: unknown location scheme ftp://"),
            "{err}"
        );
        assert!(err.contains("s3://") && !err.contains('\n'), "{err}");
    }

    #[test]
    fn a_password_in_the_url_is_refused_and_not_repeated() {
        let err = format!(
            "{:#}",
            Location::parse("https://me:secret@host/x").unwrap_err()
        );
        assert!(!err.contains("secret"), "{err}");
        assert!(err.contains("environment"), "{err}");
    }

    #[test]
    fn store_options_keep_the_store_variables_and_never_show_their_values() {
        let options = StoreOptions::from_vars([
            ("AWS_SECRET_ACCESS_KEY".to_string(), "hush".to_string()),
            ("HOME".to_string(), "/root".to_string()),
            ("AZURE_STORAGE_ACCOUNT_KEY".to_string(), "hush2".to_string()),
        ]);
        let shown = format!("{options:?}");
        assert_eq!(
            shown,
            r#"["AWS_SECRET_ACCESS_KEY", "AZURE_STORAGE_ACCOUNT_KEY"]"#
        );
    }

    #[test]
    fn a_file_url_reads_writes_lists_and_deletes_through_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}", dir.path().display());
        let folder = Location::parse(&url).unwrap();
        let a = folder.join("a.json");
        assert_eq!(a.read().unwrap(), None);
        assert!(!a.exists().unwrap());
        a.write(b"one").unwrap();
        a.write(b"two").unwrap();
        assert_eq!(a.read().unwrap().as_deref(), Some(&b"two"[..]));
        assert_eq!(std::fs::read(dir.path().join("a.json")).unwrap(), b"two");
        folder.join("sub").join("b.txt").write(b"b").unwrap();
        assert_eq!(folder.list().unwrap(), ["a.json"]);
        let walked: Vec<String> = folder
            .walk_store(".txt")
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(walked, [format!("{url}/sub/b.txt")]);
        a.delete().unwrap();
        a.delete().unwrap();
        assert!(!a.exists().unwrap());
    }

    #[test]
    fn a_local_folder_lists_its_files_not_its_folders() {
        let dir = tempfile::tempdir().unwrap();
        let folder = Location::local(dir.path());
        std::fs::create_dir(dir.path().join("d.json")).unwrap();
        folder.join("b").write(b"x").unwrap();
        assert_eq!(folder.list().unwrap(), ["b"]);
        let err = Location::local(dir.path().join("gone")).list().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("cannot list {}", dir.path().join("gone").display())
        );
    }
}
