//! The input step: an article's bytes become clean, segmented text.
//!
//! `read` decodes bytes (UTF-8, UTF-16, Windows-1256) and tells the script;
//! `language` names the language of an article and of each paragraph;
//! `clean` removes page debris and says why; `segment` finds sentences and
//! splits over-long ones to a model's budget; `article` does all of that
//! for one file and prepares the pieces a translator sees. What it is not:
//! translation or output; it gives plain data.

pub mod article;
pub mod clean;
pub mod language;
pub mod read;
pub mod segment;

#[cfg(test)]
mod test_texts;
