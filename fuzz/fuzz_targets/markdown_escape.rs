#![no_main]
//! The Markdown escapers (render::md): whatever a report, JUnit file, file name or payload
//! holds, the escaped value stays on its line, opens no HTML comment or tag, and ends no code
//! span or table cell.
use libfuzzer_sys::fuzz_target;
use prcov::render::md;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    for out in [
        md::text(s),
        md::cell(s),
        md::summary(s),
        md::code(s),
        md::cell_code(s),
    ] {
        assert!(!out.contains('\n') && !out.contains('\r'), "{out:?}");
    }
    // Inline text: every `<`, `|` and backtick is escaped, so none opens a tag, ends a cell or
    // opens a code span.
    let text = md::text(s);
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
        } else {
            assert!(
                !matches!(c, '<' | '>' | '|' | '`' | '*' | '_' | '['),
                "{text:?}"
            );
        }
    }
    assert!(!md::summary(s).contains('<'));
    // A code span: the fence is longer than any backtick run inside.
    let code = md::code(s);
    let fence = code.chars().take_while(|c| *c == '`').count();
    let inner = &code[fence..code.len() - fence];
    assert!(
        inner.split(|c| c != '`').all(|run| run.len() < fence),
        "{code:?}"
    );
    assert!(md::url_path(s)
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b)));
});
