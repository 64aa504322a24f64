//! What a translator gives back for one input, whichever kind it is: the
//! plain result type the translators share, kept apart so that neither
//! translator depends on the other.

use crate::output::labels::Flag;

#[derive(Debug, Clone)]
pub struct Translation {
    pub text: String,
    pub source_tokens: usize,
    pub target_tokens: usize,
    /// Problems found in the output (language-model translators only).
    pub flags: Vec<Flag>,
}
