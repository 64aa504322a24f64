//! The people, places and organisations an article names: the reviewed
//! gazetteer (`gazetteer`) and, for names no list holds, whether an
//! English name in a translation has a counterpart in the Arabic it came
//! from (`grounding`, by the gazetteer or by transliteration,
//! `transliteration`).
//!
//! It sits below the translation step and the brief, which both use it.
//! What it is not: dates (`crate::brief::dates`), or how names are shown.

pub mod gazetteer;
pub mod grounding;
pub mod transliteration;
