//! git's own similarity score for rename and copy detection (`diffcore-delta.c` and
//! `estimate_similarity` in `diffcore-rename.c`), so that "50 % similar" means what `git diff -M`
//! means. libgit2 pairs files with a different measure (hash signatures) that accepts pairs git
//! rejects near the threshold; its inexact pairs are re-scored here.

use std::collections::HashMap;

/// git's `MAX_SCORE`: a score is a fraction of this.
pub(crate) const MAX_SCORE: u64 = 60_000;
/// git's default `-M`/`-C` minimum score (50 %).
pub(crate) const DEFAULT_MIN_SCORE: u64 = MAX_SCORE / 2;
/// git's `HASHBASE`, a prime.
const HASHBASE: u32 = 107_927;

/// The share (of [`MAX_SCORE`]) of `dst` copied from `src`, as git estimates it; 0 when the
/// sizes differ too much for `min_score` to be reachable (git skips those pairs the same way).
pub(crate) fn score(src: &[u8], dst: &[u8], min_score: u64) -> u64 {
    let (src_size, dst_size) = (src.len() as u64, dst.len() as u64);
    let max_size = src_size.max(dst_size);
    let delta_size = max_size - src_size.min(dst_size);
    if max_size * (MAX_SCORE - min_score) < delta_size * MAX_SCORE || dst_size == 0 {
        return 0;
    }
    let src_spans = spans(src);
    let dst_spans = spans(dst);
    let copied: u64 = src_spans
        .iter()
        .map(|(hash, &count)| dst_spans.get(hash).map_or(0, |&d| d.min(count)))
        .sum();
    copied * MAX_SCORE / max_size
}

/// Bytes per chunk hash: chunks end at LF or after 64 bytes; in text, the CR of a CRLF is
/// skipped (not counted).
fn spans(buf: &[u8]) -> HashMap<u32, u64> {
    let text = !is_binary(buf);
    let mut out: HashMap<u32, u64> = HashMap::new();
    let (mut accum1, mut accum2, mut n) = (0u32, 0u32, 0u64);
    let mut add = |accum1: u32, accum2: u32, n: u64| {
        let hash = accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASHBASE;
        *out.entry(hash).or_insert(0) += n;
    };
    for (i, &c) in buf.iter().enumerate() {
        if text && c == b'\r' && buf.get(i + 1) == Some(&b'\n') {
            continue;
        }
        let old1 = accum1;
        accum1 = (accum1 << 7) ^ (accum2 >> 25);
        accum2 = (accum2 << 7) ^ (old1 >> 25);
        accum1 = accum1.wrapping_add(u32::from(c));
        n += 1;
        if n < 64 && c != b'\n' {
            continue;
        }
        add(accum1, accum2, n);
        (accum1, accum2, n) = (0, 0, 0);
    }
    if n > 0 {
        add(accum1, accum2, n);
    }
    out
}

/// git's and libgit2's binary test without attributes: a NUL in the first 8000 bytes.
pub(crate) fn is_binary(buf: &[u8]) -> bool {
    buf.iter().take(8000).any(|&b| b == 0)
}

/// Lines of a text file, the last one counting without its newline.
pub(crate) fn line_count(buf: &[u8]) -> u32 {
    let newlines = buf.iter().filter(|&&b| b == b'\n').count();
    let last = usize::from(buf.last().is_some_and(|&b| b != b'\n'));
    u32::try_from(newlines + last).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(prefix: &str, n: usize, changed: usize) -> String {
        (1..=n)
            .map(|i| {
                if i <= changed {
                    format!("{prefix} CHANGED {i}\n")
                } else {
                    format!("{prefix} line {i}\n")
                }
            })
            .collect()
    }

    #[test]
    fn identical_is_full_score_and_disjoint_is_zero() {
        let a = lines("x", 10, 0);
        assert_eq!(
            score(a.as_bytes(), a.as_bytes(), DEFAULT_MIN_SCORE),
            MAX_SCORE
        );
        let b: String = (1..=10).map(|i| format!("y line {i}\n")).collect();
        assert_eq!(score(a.as_bytes(), b.as_bytes(), DEFAULT_MIN_SCORE), 0);
    }

    #[test]
    fn half_the_lines_changed_scores_below_half_by_bytes() {
        // "CHANGED" lines are longer, so the copied bytes are < 50 % of the bigger file: git
        // does not call this a rename, although libgit2's own measure does.
        let a = lines("n10k5", 10, 0);
        let b = lines("n10k5", 10, 5);
        let s = score(a.as_bytes(), b.as_bytes(), DEFAULT_MIN_SCORE);
        // 5 unchanged lines: "n10k5 line 6\n".."n10k5 line 10\n" (13 + 13 + 13 + 13 + 14 bytes)
        // of a 146-byte head file.
        assert_eq!(s, 66 * MAX_SCORE / 146);
        assert!(s < DEFAULT_MIN_SCORE);
    }

    #[test]
    fn crlf_counts_like_lf_and_size_gap_short_circuits() {
        assert_eq!(
            score(b"a\r\nb\r\n", b"a\nb\n", DEFAULT_MIN_SCORE),
            4 * MAX_SCORE / 6
        );
        assert_eq!(
            score(b"a\n", b"a\nbbbbbbbbbbbbbbbbbbbbbbb\n", DEFAULT_MIN_SCORE),
            0
        );
        assert_eq!(score(b"", b"", DEFAULT_MIN_SCORE), 0);
    }

    #[test]
    fn line_counts() {
        assert_eq!(line_count(b""), 0);
        assert_eq!(line_count(b"a"), 1);
        assert_eq!(line_count(b"a\nb\n"), 2);
        assert_eq!(line_count(b"a\nb"), 2);
    }
}
