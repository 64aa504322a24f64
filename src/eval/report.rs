//! What `tarjama eval` prints: a table for people, with the corpus scores
//! also in sacreBLEU's own text format (signature included), or JSON for
//! programs. Both depend on nothing but the [`Evaluation`], in id order,
//! so the same folders give the same bytes.
//!
//! What it is not: the one-line notices about unpaired or skipped files
//! (`crate::cli::commands` prints those on stderr).

use serde::Serialize;

use super::bleu::{self, BleuScore};
use super::chrf::ChrfVariant;
use super::{Evaluation, Scores, SACREBLEU_VERSION};

/// sacreBLEU's signatures for BLEU, chrF and chrF++ with this tokenizer,
/// in that order, with their names.
fn signatures(evaluation: &Evaluation) -> [(String, String); 3] {
    let with_version = |signature: String| format!("{signature}|version:{SACREBLEU_VERSION}");
    [
        (
            "BLEU".to_string(),
            with_version(bleu::signature(evaluation.tokenizer)),
        ),
        (
            ChrfVariant::Chrf.name(),
            with_version(ChrfVariant::Chrf.signature()),
        ),
        (
            ChrfVariant::ChrfPlusPlus.name(),
            with_version(ChrfVariant::ChrfPlusPlus.signature()),
        ),
    ]
}

/// The three lines `sacrebleu -f text` prints for these scores, e.g.
/// `BLEU|nrefs:1|…|version:2.6.0 = 23.45 55.0/30.1/18.2/11.0 (BP = …)`.
pub fn sacrebleu_lines(evaluation: &Evaluation, scores: &Scores) -> [String; 3] {
    let [bleu, chrf, chrf_plus_plus] = signatures(evaluation);
    [
        format!(
            "{}|{} = {:.2} {}",
            bleu.0,
            bleu.1,
            scores.bleu.score,
            scores.bleu.verbose()
        ),
        format!("{}|{} = {:.2}", chrf.0, chrf.1, scores.chrf),
        format!(
            "{}|{} = {:.2}",
            chrf_plus_plus.0, chrf_plus_plus.1, scores.chrf_plus_plus
        ),
    ]
}

/// Per article and for the corpus: paragraphs, BLEU, chrF2, chrF2++ (two
/// decimals, as sacreBLEU prints them); then the corpus in sacreBLEU's
/// format. Empty when no article was scored.
pub fn table(evaluation: &Evaluation) -> String {
    let Some((paragraphs, corpus)) = evaluation.corpus() else {
        return String::new();
    };
    let corpus_label = format!("corpus ({} articles)", evaluation.articles.len());
    let width = evaluation
        .articles
        .iter()
        .map(|a| a.id.chars().count())
        .chain(["article".len(), corpus_label.chars().count()])
        .max()
        .unwrap_or_default();
    let row = |label: &str, paragraphs: usize, scores: &Scores| {
        // `{:<width$}` pads by characters, which is what a terminal shows
        // for the Latin and Arabic ids records have.
        format!(
            "{label:<width$}  {paragraphs:>10}  {:>6.2}  {:>6.2}  {:>7.2}\n",
            scores.bleu.score, scores.chrf, scores.chrf_plus_plus
        )
    };
    let mut text = format!(
        "{:<width$}  {:>10}  {:>6}  {:>6}  {:>7}\n",
        "article", "paragraphs", "BLEU", "chrF2", "chrF2++"
    );
    for article in &evaluation.articles {
        text.push_str(&row(&article.id, article.paragraphs, &article.scores));
    }
    text.push_str(&row(&corpus_label, paragraphs, &corpus));
    text.push('\n');
    for line in sacrebleu_lines(evaluation, &corpus) {
        text.push_str(&line);
        text.push('\n');
    }
    text
}

#[derive(Serialize)]
struct JsonReport<'a> {
    sacrebleu_version: &'a str,
    tokenize: &'a str,
    signatures: JsonSignatures,
    corpus: Option<JsonCorpus<'a>>,
    articles: Vec<JsonArticle<'a>>,
    skipped: &'a [String],
    records_without_reference: &'a [String],
    references_without_record: Vec<String>,
    unusable_records: &'a [String],
}

#[derive(Serialize)]
struct JsonSignatures {
    #[serde(rename = "BLEU")]
    bleu: String,
    #[serde(rename = "chrF2")]
    chrf: String,
    #[serde(rename = "chrF2++")]
    chrf_plus_plus: String,
}

#[derive(Serialize)]
struct JsonScores<'a> {
    #[serde(rename = "BLEU")]
    bleu: &'a BleuScore,
    #[serde(rename = "chrF2")]
    chrf: f64,
    #[serde(rename = "chrF2++")]
    chrf_plus_plus: f64,
}

impl<'a> JsonScores<'a> {
    fn of(scores: &'a Scores) -> Self {
        Self {
            bleu: &scores.bleu,
            chrf: scores.chrf,
            chrf_plus_plus: scores.chrf_plus_plus,
        }
    }
}

#[derive(Serialize)]
struct JsonCorpus<'a> {
    articles: usize,
    paragraphs: usize,
    #[serde(flatten)]
    scores: JsonScores<'a>,
    /// The corpus in sacreBLEU's text format.
    sacrebleu: [String; 3],
}

#[derive(Serialize)]
struct JsonArticle<'a> {
    id: &'a str,
    reference: String,
    paragraphs: usize,
    #[serde(flatten)]
    scores: JsonScores<'a>,
}

/// The whole evaluation as pretty JSON, scores unrounded (the shortest
/// decimals that read back as the same double), ending in a newline.
pub fn json(evaluation: &Evaluation) -> Vec<u8> {
    let [bleu, chrf, chrf_plus_plus] = signatures(evaluation);
    let corpus = evaluation.corpus();
    let report = JsonReport {
        sacrebleu_version: SACREBLEU_VERSION,
        tokenize: evaluation.tokenizer.name(),
        signatures: JsonSignatures {
            bleu: bleu.1,
            chrf: chrf.1,
            chrf_plus_plus: chrf_plus_plus.1,
        },
        corpus: corpus.as_ref().map(|(paragraphs, scores)| JsonCorpus {
            articles: evaluation.articles.len(),
            paragraphs: *paragraphs,
            scores: JsonScores::of(scores),
            sacrebleu: sacrebleu_lines(evaluation, scores),
        }),
        articles: evaluation
            .articles
            .iter()
            .map(|a| JsonArticle {
                id: &a.id,
                reference: a.reference.display().to_string(),
                paragraphs: a.paragraphs,
                scores: JsonScores::of(&a.scores),
            })
            .collect(),
        skipped: &evaluation.skipped,
        records_without_reference: &evaluation.records_without_reference,
        references_without_record: evaluation
            .references_without_record
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        unusable_records: &evaluation.unusable_records,
    };
    let mut bytes = serde_json::to_vec_pretty(&report).expect("plain strings and numbers");
    bytes.push(b'\n');
    bytes
}
