//! The people, places and organisations an article names: the reviewed
//! gazetteer (`gazetteer`, with the generated places list), names read
//! from English text (`english`), whether a translation's names have a
//! counterpart in the Arabic they came from (`grounding`, by the
//! gazetteer or by `transliteration`), the names no list holds found in a
//! translation and tied to their Arabic (`finding`), and those merged
//! across articles into one English name each (`register`).
//!
//! It sits below the translation step and the brief, which both use it.
//! What it is not: dates (`crate::brief::dates`), or how names are shown.

pub mod english;
pub mod finding;
pub mod gazetteer;
pub mod grounding;
pub mod register;
pub mod transliteration;
