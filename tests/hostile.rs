//! Hostile inputs: every kind of junk a folder of scraped articles holds
//! gets a record or a one-line error naming the file and the reason, never
//! a panic, and the good articles are done all the same. The corpus is
//! generated here (a 20 MB file does not belong in git).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tarjama::record::Record;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const SENTENCE: &str = "قال وزير الدفاع إن التنسيق مع روسيا مستمر.";

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for unit in text.encode_utf16() {
        bytes.extend(if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    bytes
}

/// name → expected outcome: Ok(language) for a record, Err(reason
/// fragment) for a failure line.
fn corpus(dir: &Path) -> Vec<(String, Result<&'static str, &'static str>)> {
    let mut cases = Vec::new();
    let mut add = |name: &str, bytes: Vec<u8>, expected: Result<&'static str, &'static str>| {
        fs::write(dir.join(name), bytes).unwrap();
        cases.push((name.to_string(), expected));
    };
    add("empty.txt", vec![], Err("empty"));
    add("blank.txt", b" \n\t\r\n ".to_vec(), Err("whitespace"));
    add(
        "elf.txt",
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0".to_vec(),
        Err("binary"),
    );
    add(
        "nul-bytes.txt",
        format!("{SENTENCE}\0\0\0{SENTENCE}").into_bytes(),
        Err("binary"),
    );
    // Invalid UTF-8 falls back to Windows-1256, where every byte is a character.
    add(
        "invalid-utf8.txt",
        vec![0xC3, 0x28, 0xE1, 0xC7, 0xE3, 0x20, 0xC8, 0xC7],
        Ok("ar"),
    );
    add(
        "cp1256.txt",
        encoding_rs::WINDOWS_1256.encode(SENTENCE).0.into_owned(),
        Ok("ar"),
    );
    add("utf16le.txt", utf16(SENTENCE, false), Ok("ar"));
    add("utf16be.txt", utf16(SENTENCE, true), Ok("ar"));
    add("utf16-odd.txt", vec![0xFF, 0xFE, 0x41], Err("decode"));
    add(
        "bom-utf8.txt",
        [b"\xEF\xBB\xBF".as_slice(), SENTENCE.as_bytes()].concat(),
        Ok("ar"),
    );
    add(
        "too-big.txt",
        SENTENCE
            .repeat(20 * 1024 * 1024 / SENTENCE.len() + 1)
            .into_bytes(),
        Err("larger than"),
    );
    // 100,000 characters without punctuation or spaces: split, never truncated.
    add(
        "one-long-line.txt",
        "ب".repeat(100_000).into_bytes(),
        Ok("ar"),
    );
    add(
        "bidi-zero-width.txt",
        format!("\u{202E}{SENTENCE}\u{202C} \u{200B}\u{200D}{SENTENCE}\u{2066}\n").into_bytes(),
        Ok("ar"),
    );
    add(
        "page.txt",
        format!("<html><head><title>x</title></head><body><p>{SENTENCE}</p><script>var a=1;</script></body></html>").into_bytes(),
        Ok("not-arabic"),
    );
    add(
        "english.txt",
        b"The minister said talks with Russia would continue.\n".to_vec(),
        Ok("not-arabic"),
    );
    add("with spaces.txt", SENTENCE.as_bytes().to_vec(), Ok("ar"));
    add("مقال عربي.txt", SENTENCE.as_bytes().to_vec(), Ok("ar"));
    add("-leading-dash.txt", SENTENCE.as_bytes().to_vec(), Ok("ar"));
    cases
}

#[test]
fn every_hostile_input_gets_a_record_or_one_clear_line() {
    let ws = tempfile::tempdir().unwrap();
    let input = ws.path().join("in");
    fs::create_dir(&input).unwrap();
    let cases = corpus(&input);
    fs::copy(
        root().join("seeds/004_2dad6acffa85f88d.txt"),
        input.join("good.txt"),
    )
    .unwrap();
    // A symlink loop, and a named pipe (which would block a plain read
    // forever). A file made unreadable by chmod cannot be tested: CI runs
    // as root, who reads it anyway.
    std::os::unix::fs::symlink("loop-b.txt", input.join("loop-a.txt")).unwrap();
    std::os::unix::fs::symlink("loop-a.txt", input.join("loop-b.txt")).unwrap();
    let fifo = Command::new("mkfifo")
        .arg(input.join("pipe.txt"))
        .status()
        .unwrap();
    assert!(fifo.success());

    let model = root().join("tests/fixtures/marian/tiny-base");
    let output = Command::new(env!("CARGO_BIN_EXE_tarjama"))
        .args([
            "run",
            "in",
            "--out",
            "out",
            "--model-dir",
            model.to_str().unwrap(),
        ])
        .current_dir(ws.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let failures: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("tarjama: failed:"))
        .collect();

    let out = ws.path().join("out");
    for (name, expected) in &cases {
        let stem = name.trim_end_matches(".txt");
        match expected {
            Ok(language) => {
                let record = Record::read(&out.join(format!("{stem}.json")))
                    .unwrap_or_else(|e| panic!("{name}: no record ({e:#}); {stderr}"));
                assert!(record.is_intact());
                assert_eq!(&record.source.language, language, "{name}");
            }
            Err(reason) => {
                let line = failures
                    .iter()
                    .find(|l| l.contains(&format!("in/{name}:")))
                    .unwrap_or_else(|| panic!("{name}: no failure line in {stderr}"));
                assert!(line.contains(reason), "{name}: {line}");
                assert!(!out.join(format!("{stem}.json")).exists());
            }
        }
    }
    for special in ["loop-a.txt", "loop-b.txt", "pipe.txt"] {
        assert!(
            failures.iter().any(|l| l.contains(special)),
            "{special}: {stderr}"
        );
    }
    // The good article is done, and every failure is exactly one line.
    assert!(Record::read(&out.join("good.json")).unwrap().is_intact());
    assert_eq!(
        failures.len(),
        cases.iter().filter(|c| c.1.is_err()).count() + 3,
        "{stderr}"
    );

    // Text that is not Arabic is recorded as such and not translated.
    let english = Record::read(&out.join("english.json")).unwrap();
    assert!(english
        .paragraphs
        .iter()
        .flat_map(|p| &p.sentences)
        .all(|s| s.copied && s.source_tokens == 0));
    // The long line was split into model-sized pieces that tile it.
    let long = Record::read(&out.join("one-long-line.json")).unwrap();
    let pieces = &long.paragraphs[0].sentences;
    assert!(pieces.len() > 10);
    assert_eq!(
        pieces.iter().map(|s| s.source.as_str()).collect::<String>(),
        "ب".repeat(100_000)
    );
}
