//! The brief's pages in a real browser: headless Chromium driven over the
//! WebDriver protocol (chromedriver). Pages are generated from the seeds
//! with the tiny fixture checkpoint, then each page is loaded from
//! `file://` and checked through the DOM: Arabic blocks are right-to-left,
//! every source paragraph has its English partner, no request leaves the
//! file, every link resolves to an existing page and id, and nothing
//! overflows at phone width. A screenshot of each page (desktop and phone)
//! is saved under `target/browser-screenshots/` for a person to look at.
//!
//! Chromium and chromedriver must be installed (Debian: `chromium`,
//! `chromium-driver`; `.ci/run` installs them). Without them this test
//! fails; it never skips silently.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use common::command::{assert_success, run_command};
use common::fixtures::{root, tiny_base};
use common::outputs::files_with_extension;
use common::workspace::workspace;
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";

fn find_program(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// chromedriver on a free local port, stopped when dropped.
struct Driver {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start() -> Self {
        let chromedriver = find_program("chromedriver").unwrap_or_else(|| {
            panic!(
                "chromedriver is not installed: the browser tests need Debian's chromium and \
                 chromium-driver packages (apt-get install chromium chromium-driver; .ci/run does it)"
            )
        });
        assert!(
            Path::new(CHROMIUM).is_file(),
            "{CHROMIUM} is not installed: the browser tests need Debian's chromium package \
             (apt-get install chromium chromium-driver; .ci/run does it)"
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start chromedriver");
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(120))
            .build();
        let driver = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            agent,
        };
        let started = Instant::now();
        loop {
            let ready = driver
                .agent
                .get(&format!("{}/status", driver.base))
                .call()
                .ok()
                .and_then(|r| r.into_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == json!(true));
            if ready {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "chromedriver did not become ready"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        driver
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let request = self.agent.request(method, &url);
        let response = match body {
            Some(body) => request.send_json(body),
            None => request.call(),
        };
        match response {
            Ok(r) => r.into_json::<Value>().unwrap()["value"].take(),
            Err(ureq::Error::Status(code, r)) => {
                panic!(
                    "{method} {path}: HTTP {code}: {}",
                    r.into_string().unwrap_or_default()
                )
            }
            Err(e) => panic!("{method} {path}: {e}"),
        }
    }
}

/// A Chromium session; closed when dropped.
struct Session<'a> {
    driver: &'a Driver,
    id: String,
    _profile: tempfile::TempDir,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = self
            .driver
            .agent
            .delete(&format!("{}/session/{}", self.driver.base, self.id))
            .call();
    }
}

impl<'a> Session<'a> {
    fn new(driver: &'a Driver) -> Self {
        let profile = tempfile::tempdir().unwrap();
        // Without the background-networking flags Chromium phones home
        // (updates, sync, field trials), which would also muddy the
        // no-request check.
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-quic".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--hide-scrollbars".to_string(),
            "--window-size=1280,900".to_string(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
                    "goog:loggingPrefs": { "performance": "ALL" }
                }
            }
        });
        let value = driver.call("POST", "/session", Some(capabilities));
        let id = value["sessionId"].as_str().unwrap().to_string();
        Self {
            driver,
            id,
            _profile: profile,
        }
    }

    fn path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.id)
    }

    fn open(&self, file: &Path) {
        let url = format!("file://{}", file.display());
        self.driver
            .call("POST", &self.path("/url"), Some(json!({ "url": url })));
    }

    fn script(&self, script: &str) -> Value {
        self.driver.call(
            "POST",
            &self.path("/execute/sync"),
            Some(json!({ "script": script, "args": [] })),
        )
    }

    fn resize(&self, width: u32, height: u32) {
        self.driver.call(
            "POST",
            &self.path("/window/rect"),
            Some(json!({ "width": width, "height": height })),
        );
    }

    fn screenshot(&self, to: &Path) {
        let encoded = self.driver.call("GET", &self.path("/screenshot"), None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        fs::write(to, png).unwrap();
    }

    /// URLs of every request the browser started since the last call.
    fn requests(&self) -> Vec<String> {
        let entries = self.driver.call(
            "POST",
            &self.path("/se/log"),
            Some(json!({ "type": "performance" })),
        );
        let mut urls = Vec::new();
        for entry in entries.as_array().unwrap() {
            let message: Value = serde_json::from_str(entry["message"].as_str().unwrap()).unwrap();
            if message["message"]["method"] == "Network.requestWillBeSent" {
                urls.push(
                    message["message"]["params"]["request"]["url"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
        }
        urls
    }
}

/// Runs tarjama over the seeds in `ws` with the fixture checkpoint into
/// `out`.
fn generate(ws: &Path) -> PathBuf {
    let output = run_command(ws, "out", &tiny_base()).output().unwrap();
    assert_success(&output);
    ws.join("out")
}

/// What a page looks like through the DOM.
const INSPECT: &str = r#"
const arabic = [...document.querySelectorAll('[lang="ar"]')];
const sources = [...document.querySelectorAll('.pair .source')];
const unpaired = sources.filter(s => {
  const pair = s.closest('.pair');
  const en = pair && pair.querySelector('.en');
  return !en || en.dataset.paragraph !== s.dataset.paragraph
    || en.textContent.trim() === '' || pair.id !== 'p' + s.dataset.paragraph;
}).map(s => s.dataset.paragraph);
return {
  lang: document.documentElement.lang,
  arabic: arabic.length,
  notRtl: arabic.filter(e => getComputedStyle(e).direction !== 'rtl').map(e => e.textContent.slice(0, 40)),
  arabicFont: arabic.length ? getComputedStyle(arabic[0]).fontFamily : '',
  sources: sources.length,
  unpaired: unpaired,
  resources: performance.getEntriesByType('resource').map(r => r.name),
  links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
};
"#;

fn is_local(url: &str) -> bool {
    url.starts_with("file:") || url.starts_with("data:") || url.starts_with("about:")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn generated_pages_pass_in_headless_chromium() {
    let ws = workspace();
    let out = generate(ws.path());
    let shots = root().join("target/browser-screenshots");
    fs::create_dir_all(&shots).unwrap();

    let pages = files_with_extension(&out, "html");
    assert_eq!(
        pages.len(),
        6,
        "brief.html and five article views: {pages:?}"
    );

    let driver = Driver::start();
    let session = Session::new(&driver);

    // The no-request check must be able to fail: a page that loads an
    // image from the network is caught.
    let control = ws.path().join("control.html");
    fs::write(
        &control,
        "<!DOCTYPE html><html lang=\"en\"><body><img src=\"http://127.0.0.1:9/x.png\"></body></html>",
    )
    .unwrap();
    session.requests(); // drop what came before
    session.open(&control);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        session
            .requests()
            .iter()
            .any(|u| u.starts_with("http://127.0.0.1:9/")),
        "the request check did not see the control page's request"
    );

    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    for page in &pages {
        let name = page.file_name().unwrap().to_string_lossy().into_owned();
        let stem = name.trim_end_matches(".html").to_string();
        session.resize(1280, 900);
        session.requests();
        session.open(page);
        let desktop = session.script(INSPECT);
        session.screenshot(&shots.join(format!("{stem}-desktop.png")));
        // A second look further down: the entity table, or the text pairs.
        session.script(
            "const e = document.querySelector('table.entities') || document.getElementById('p2'); \
             if (e) { e.scrollIntoView(); } return null;",
        );
        session.screenshot(&shots.join(format!("{stem}-desktop-more.png")));

        assert_eq!(desktop["lang"], "en", "{name}");
        assert!(
            desktop["arabic"].as_u64().unwrap() > 0,
            "{name}: no Arabic block"
        );
        assert_eq!(
            desktop["notRtl"],
            json!([]),
            "{name}: Arabic not right-to-left"
        );
        assert!(
            desktop["arabicFont"]
                .as_str()
                .unwrap()
                .contains("Noto Naskh Arabic"),
            "{name}: {}",
            desktop["arabicFont"]
        );
        assert_eq!(
            desktop["unpaired"],
            json!([]),
            "{name}: paragraphs without English"
        );
        assert_eq!(desktop["resources"], json!([]), "{name}: loaded resources");
        if name != "brief.html" {
            let record =
                tarjama::output::record::Record::read(&out.join(format!("{stem}.json"))).unwrap();
            assert_eq!(
                desktop["sources"].as_u64().unwrap() as usize,
                record.paragraphs.len(),
                "{name}: one Arabic block per paragraph"
            );
        }

        session.resize(390, 844);
        session.script("window.scrollTo(0, 0); return null;");
        let phone = session.script(INSPECT);
        session.screenshot(&shots.join(format!("{stem}-phone.png")));
        let inner = phone["innerWidth"].as_u64().unwrap();
        assert!(inner <= 600, "{name}: window did not shrink ({inner})");
        assert!(
            phone["scrollWidth"].as_u64().unwrap() <= inner,
            "{name}: wider than the phone screen ({} > {inner})",
            phone["scrollWidth"]
        );

        let requests = session.requests();
        let remote: Vec<&String> = requests.iter().filter(|u| !is_local(u)).collect();
        assert!(remote.is_empty(), "{name}: network requests {remote:?}");

        ids.insert(
            name.clone(),
            desktop["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect(),
        );
        for link in desktop["links"].as_array().unwrap() {
            links.push((name.clone(), link.as_str().unwrap().to_string()));
        }
    }

    // Every link points at a generated page and an id on it.
    let mut claims = 0;
    for (from, href) in &links {
        assert!(!href.contains("://"), "{from}: external link {href}");
        let (file, fragment) = href.split_once('#').unwrap_or((href, ""));
        let target = if file.is_empty() {
            from.clone()
        } else {
            percent_decode(file)
        };
        let target_ids = ids
            .get(&target)
            .unwrap_or_else(|| panic!("{from}: link {href} to a page that does not exist"));
        if !fragment.is_empty() {
            assert!(
                target_ids.contains(fragment),
                "{from}: link {href}: no id {fragment:?} on {target}"
            );
        }
        if from == "brief.html" && fragment.starts_with('p') {
            claims += 1;
        }
    }
    assert!(
        claims > 20,
        "the brief links only {claims} claims to paragraphs"
    );
}
