//! `tarjama eval` against sacreBLEU itself: the scores sacreBLEU 2.x gave
//! for the committed texts of `tests/fixtures/eval/` (made by
//! `tools/make_eval_fixtures.py`, kept in `expected.json`) must come out
//! the same — to the printed two decimals and within 1e-9 unrounded — per
//! article and for the corpus, with the `13a` and `intl` tokenizers; and
//! the command itself must print them, and name what it could not pair.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tarjama::eval::bleu::{BleuScore, BleuStats};
use tarjama::eval::chrf::{ChrfStats, ChrfVariant};
use tarjama::eval::report::sacrebleu_lines;
use tarjama::eval::tokenize::{is_python_space, Tokenizer};
use tarjama::eval::{evaluate, Evaluation, Scores};

use common::command::{stderr, tarjama};
use common::fixtures::root;
use common::stories::{record_with_english, write_records};

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/eval")
}

fn expected() -> Value {
    let text = fs::read_to_string(fixtures().join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The hypotheses as the records a run would have written: one paragraph
/// per line of `hypotheses/<id>.txt`, an empty line being an empty
/// translation (as the fixture script reads them).
fn write_hypothesis_records(out: &Path) {
    let mut paths: Vec<PathBuf> = fs::read_dir(fixtures().join("hypotheses"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let records: Vec<_> = paths
        .iter()
        .map(|path| {
            let text = fs::read_to_string(path).unwrap();
            let lines: Vec<&str> = text
                .strip_suffix('\n')
                .unwrap_or(&text)
                .split('\n')
                .collect();
            let id = path.file_stem().unwrap().to_str().unwrap();
            record_with_english(id, &lines)
        })
        .collect();
    write_records(out, &records);
}

#[track_caller]
fn assert_close(ours: f64, theirs: &Value, what: &str) {
    let theirs = theirs.as_f64().unwrap();
    assert!(
        (ours - theirs).abs() <= 1e-9,
        "{what}: ours {ours:?}, sacreBLEU {theirs:?}"
    );
}

/// Our scores against one entry of `expected.json` (an article or the
/// corpus): every number, and the lines sacreBLEU prints.
#[track_caller]
fn assert_same_scores(evaluation: &Evaluation, ours: &Scores, theirs: &Value, what: &str) {
    let bleu = &theirs["BLEU"];
    assert_close(ours.bleu.score, &bleu["score"], &format!("{what} BLEU"));
    assert_close(ours.bleu.bp, &bleu["bp"], &format!("{what} BP"));
    for n in 0..4 {
        assert_close(
            ours.bleu.precisions[n],
            &bleu["precisions"][n],
            &format!("{what} precision {}", n + 1),
        );
    }
    let counts: Vec<u64> = ours.bleu.counts.iter().map(|&c| c as u64).collect();
    let totals: Vec<u64> = ours.bleu.totals.iter().map(|&c| c as u64).collect();
    assert_eq!(serde_json::json!(counts), bleu["counts"], "{what} counts");
    assert_eq!(serde_json::json!(totals), bleu["totals"], "{what} totals");
    assert_eq!(
        (ours.bleu.sys_len as u64, ours.bleu.ref_len as u64),
        (
            bleu["sys_len"].as_u64().unwrap(),
            bleu["ref_len"].as_u64().unwrap()
        ),
        "{what} lengths"
    );
    assert_close(
        ours.chrf,
        &theirs["chrF2"]["score"],
        &format!("{what} chrF2"),
    );
    assert_close(
        ours.chrf_plus_plus,
        &theirs["chrF2++"]["score"],
        &format!("{what} chrF2++"),
    );
    // The lines as sacreBLEU prints them: names, signatures, the scores
    // rounded to two decimals and BLEU's details.
    let lines = sacrebleu_lines(evaluation, ours);
    for (line, key) in lines.iter().zip(["BLEU", "chrF2", "chrF2++"]) {
        assert_eq!(line, theirs[key]["line"].as_str().unwrap(), "{what} {key}");
    }
}

#[test]
fn scores_are_sacrebleus_per_article_and_for_the_corpus_with_13a_and_intl() {
    let expected = expected();
    assert_eq!(
        expected["sacrebleu_version"],
        tarjama::eval::SACREBLEU_VERSION
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    write_hypothesis_records(&out);
    let refs = fixtures().join("references");
    for tokenizer in [Tokenizer::Mteval13a, Tokenizer::International] {
        let evaluation = evaluate(&out, &refs, tokenizer).unwrap();
        let theirs = &expected[tokenizer.name()];
        let ids: Vec<&str> = evaluation.articles.iter().map(|a| a.id.as_str()).collect();
        let their_ids: Vec<&str> = theirs["articles"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(ids, their_ids);
        for article in &evaluation.articles {
            let what = format!("{} {}", tokenizer.name(), article.id);
            assert_same_scores(
                &evaluation,
                &article.scores,
                &theirs["articles"][&article.id],
                &what,
            );
        }
        let (_, corpus) = evaluation.corpus().unwrap();
        assert_same_scores(&evaluation, &corpus, &theirs["corpus"], tokenizer.name());
        // The article whose paragraph counts differ is left out of both.
        assert_eq!(evaluation.skipped.len(), 1, "{:?}", evaluation.skipped);
        assert!(evaluation.skipped[0].contains("005_mismatch"));
    }
}

/// Random strings of the characters the tokenizers treat specially
/// (entities, `<skipped>`, `-\n`, Python-only whitespace, non-ASCII
/// punctuation and symbols, digits of other scripts): the same tokens as
/// sacreBLEU's, and the same scores against a reference.
#[test]
fn random_segments_tokenize_and_score_as_in_sacrebleu() {
    let text = fs::read_to_string(fixtures().join("random_segments.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(cases.len(), 400);
    for case in &cases {
        let (text, reference) = (
            case["text"].as_str().unwrap(),
            case["reference"].as_str().unwrap(),
        );
        // sacreBLEU strips trailing whitespace before it tokenizes.
        let stripped = text.trim_end_matches(is_python_space);
        for tokenizer in [Tokenizer::Mteval13a, Tokenizer::International] {
            assert_eq!(
                tokenizer.tokenize(stripped),
                case[tokenizer.name()].as_str().unwrap(),
                "{} {text:?}",
                tokenizer.name()
            );
        }
        let what = format!("{text:?} against {reference:?}");
        let bleu = BleuStats::segment(text, reference, Tokenizer::Mteval13a);
        assert_close(BleuScore::from_stats(&bleu).score, &case["BLEU"], &what);
        for variant in [ChrfVariant::Chrf, ChrfVariant::ChrfPlusPlus] {
            let score = ChrfStats::segment(text, reference, variant).score();
            assert_close(score, &case[variant.name().as_str()], &what);
        }
    }
}

/// A work folder: `out/` with the hypotheses' records, a record with no
/// reference and a file that is no record; `refs/` with the references
/// and one reference with no record.
fn eval_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    write_hypothesis_records(&out);
    write_records(&out, &[record_with_english("010_no_reference", &["Text."])]);
    fs::write(out.join("broken.json"), "{").unwrap();
    let refs = dir.path().join("refs");
    fs::create_dir(&refs).unwrap();
    common::workspace::copy_files(&fixtures().join("references"), &refs);
    fs::write(refs.join("011_no_record.txt"), "Text.\n").unwrap();
    dir
}

fn two_decimals(value: &Value) -> String {
    format!("{:.2}", value.as_f64().unwrap())
}

#[test]
fn the_command_prints_sacrebleus_scores_and_names_what_it_left_out() {
    let ws = eval_workspace();
    let output = tarjama(&["eval", "out", "--refs", "refs"], ws.path());
    // One article could not be scored: the others are, and the exit code says so.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "tarjama: warning: eval: out/broken.json is not a tarjama record: EOF while parsing an object at line 1 column 1\n\
         tarjama: warning: eval: refs/005_mismatch.txt has 3 paragraph(s) but the record 005_mismatch has 2; article skipped\n\
         tarjama: warning: eval: 1 record(s) with no reference in refs: 010_no_reference\n\
         tarjama: warning: eval: 1 reference(s) with no record in out: refs/011_no_record.txt\n\
         tarjama: scored 8 article(s), skipped 1\n"
    );

    let expected = &expected()["13a"];
    // The labels' column is as wide as the longest: the corpus's here.
    let width = "corpus (8 articles)".len();
    let row = |label: &str, paragraphs: usize, scores: &Value| {
        format!(
            "{label:<width$}  {paragraphs:>10}  {:>6}  {:>6}  {:>7}",
            two_decimals(&scores["BLEU"]["score"]),
            two_decimals(&scores["chrF2"]["score"]),
            two_decimals(&scores["chrF2++"]["score"])
        )
    };
    let paragraphs = [5, 6, 2, 5, 4, 2, 1, 1];
    let mut table = vec![format!(
        "{:<width$}  {:>10}  {:>6}  {:>6}  {:>7}",
        "article", "paragraphs", "BLEU", "chrF2", "chrF2++"
    )];
    for ((id, scores), count) in expected["articles"]
        .as_object()
        .unwrap()
        .iter()
        .zip(paragraphs)
    {
        table.push(row(id, count, scores));
    }
    table.push(row(
        "corpus (8 articles)",
        paragraphs.iter().sum(),
        &expected["corpus"],
    ));
    table.push(String::new());
    for key in ["BLEU", "chrF2", "chrF2++"] {
        table.push(
            expected["corpus"][key]["line"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        table.join("\n") + "\n"
    );
}

#[test]
fn json_output_is_unrounded_and_names_everything_left_out() {
    let ws = eval_workspace();
    let json_intl = [
        "eval",
        "out",
        "--refs",
        "refs",
        "--tokenize",
        "intl",
        "--json",
    ];
    let output = tarjama(&json_intl, ws.path());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let ours: Value = serde_json::from_slice(&output.stdout).unwrap();
    let theirs = &expected()["intl"];
    assert_eq!(ours["tokenize"], "intl");
    assert_eq!(
        ours["signatures"]["BLEU"],
        theirs["corpus"]["BLEU"]["signature"]
    );
    assert_eq!(
        ours["signatures"]["chrF2++"],
        theirs["corpus"]["chrF2++"]["signature"]
    );
    assert_eq!(ours["corpus"]["articles"], 8);
    for key in ["BLEU", "chrF2", "chrF2++"] {
        let score = match key {
            "BLEU" => &ours["corpus"]["BLEU"]["score"],
            _ => &ours["corpus"][key],
        };
        assert_close(
            score.as_f64().unwrap(),
            &theirs["corpus"][key]["score"],
            key,
        );
    }
    let ids: Vec<&str> = ours["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        theirs["articles"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        ours["records_without_reference"],
        serde_json::json!(["010_no_reference"])
    );
    assert_eq!(
        ours["references_without_record"],
        serde_json::json!(["refs/011_no_record.txt"])
    );
    assert_eq!(ours["skipped"].as_array().unwrap().len(), 1);
    assert_eq!(ours["unusable_records"].as_array().unwrap().len(), 1);

    // The same folders give the same bytes.
    let again = tarjama(&json_intl, ws.path());
    assert_eq!(again.stdout, output.stdout);
}

#[test]
fn nothing_to_pair_and_a_missing_folder_are_one_line_each() {
    let ws = eval_workspace();
    fs::create_dir(ws.path().join("empty")).unwrap();
    let nothing = tarjama(&["eval", "out", "--refs", "empty"], ws.path());
    assert_eq!(nothing.status.code(), Some(1));
    assert!(nothing.stdout.is_empty());
    assert!(
        stderr(&nothing).ends_with(
            "tarjama: error: no record in out has a reference in empty (named <id>.txt)\n"
        ),
        "{}",
        stderr(&nothing)
    );
    let missing = tarjama(&["eval", "out", "--refs", "gone"], ws.path());
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(
        stderr(&missing),
        "tarjama: error: cannot list gone: No such file or directory (os error 2)\n"
    );
}
