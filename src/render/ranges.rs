//! Line ranges as people read them: `[10, 11, 12, 20]` → `10-12, 20`.

/// Compacts ascending line numbers into inclusive ranges.
pub fn compact(lines: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &l in lines {
        match out.last_mut() {
            Some((_, end)) if l == end.saturating_add(1) => *end = l,
            Some((_, end)) if l == *end => {}
            _ => out.push((l, l)),
        }
    }
    out
}

/// `10-12, 20`.
pub fn format(lines: &[u32]) -> String {
    join(lines, ", ")
}

/// The ranges of `lines` joined by `sep`: `10-12,20` with `","`.
pub fn join(lines: &[u32], sep: &str) -> String {
    compact(lines)
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacts_runs() {
        assert_eq!(format(&[10, 11, 12, 20]), "10-12, 20");
        assert_eq!(format(&[1]), "1");
        assert_eq!(format(&[]), "");
        assert_eq!(format(&[3, 3, 4, 7, 8]), "3-4, 7-8");
    }

    #[test]
    fn expanding_ranges_round_trips() {
        let lines = [1, 2, 5, 6, 7, 9, 100];
        let back: Vec<u32> = compact(&lines)
            .into_iter()
            .flat_map(|(a, b)| a..=b)
            .collect();
        assert_eq!(back, lines);
    }
}
