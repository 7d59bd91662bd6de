//! Shared helpers for the streaming XML parsers (quick-xml).
