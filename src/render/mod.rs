//! Pure renderers: view model in, `String` out (text, markdown, json).

pub mod tests;
