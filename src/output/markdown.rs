//! Text as Markdown data: the one escape every Markdown file tarjama
//! writes (`<id>.md`, `brief.md`) puts source and model text through, so
//! an article holding `<script>`, `<img onerror=…>` or
//! `[link](javascript:…)` shows those characters and never becomes markup.
//!
//! What it is not: HTML escaping (`crate::brief::render_html::escape`), or
//! the layout of either file.

/// Escapes text for Markdown (inline and table cells): markup characters
/// get a backslash, line breaks become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markdown_markup_is_escaped() {
        assert_eq!(escape("a*b_[c](d)|e\nf"), "a\\*b\\_\\[c\\](d)\\|e f");
        assert_eq!(escape("<script>"), "\\<script\\>");
        assert_eq!(
            escape("[x](javascript:alert(1)) <img src=x onerror=alert(1)>"),
            "\\[x\\](javascript:alert(1)) \\<img src=x onerror=alert(1)\\>"
        );
    }
}
