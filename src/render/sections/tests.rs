use super::*;
use crate::analysis::patch::PatchFile;
use crate::model::{FileCoverage, LineState};

const SHA_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const SHA_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const MARKER: &str = "<!-- prcov:default -->";

/// A report of one file with `(line, hits)` records.
fn report(files: &[(&str, &[(u32, u64)])]) -> CoverageReport {
    let mut r = CoverageReport::default();
    for (path, lines) in files {
        let mut f = FileCoverage::default();
        for (l, h) in *lines {
            f.add_line(*l, LineRecord::new(*h));
        }
        r.files.insert((*path).to_owned(), f);
    }
    r
}

fn patch(files: &[(&str, &[u32], &[u32])]) -> PatchCoverage {
    let mut p = PatchCoverage::default();
    for (path, hit, missed) in files {
        let mut f = PatchFile {
            path: (*path).to_owned(),
            old_path: None,
            status: crate::git::FileStatus::Modified,
            totals: Totals::default(),
            hit_lines: hit.to_vec(),
            missed_lines: missed.to_vec(),
            partial_lines: Vec::new(),
        };
        for _ in *hit {
            f.totals.add(LineState::Hit);
        }
        for _ in *missed {
            f.totals.add(LineState::Miss);
        }
        p.totals += f.totals;
        p.files.push(f);
    }
    p
}

fn plan(name: &str, time: i64, data: String) -> SectionPlan {
    SectionPlan {
        name: name.to_owned(),
        head_time: Some(time),
        data,
        percent: crate::analysis::Percent::default(),
    }
}

fn body(a: &Assembled) -> &str {
    match a {
        Assembled::Body(b) => b,
        Assembled::Superseded { newer } => panic!("superseded by {newer}"),
    }
}

#[test]
fn data_round_trips_and_unites_like_a_merged_run() {
    let rules = CountingRules::default();
    // Unit covers a.rs 1-2 of 1-4; integration covers a.rs 3 and b.rs.
    let unit = encode(
        &patch(&[("a.rs", &[1, 2], &[3, 4])]),
        &report(&[("a.rs", &[(1, 1), (2, 1), (3, 0), (4, 0)])]),
        rules,
    );
    let integ = encode(
        &patch(&[("a.rs", &[3], &[1, 2, 4]), ("b.rs", &[7], &[])]),
        &report(&[
            ("a.rs", &[(1, 0), (2, 0), (3, 2), (4, 0)]),
            ("b.rs", &[(7, 1), (8, 0)]),
        ]),
        rules,
    );
    let (u, i) = (decode(&unit).unwrap(), decode(&integ).unwrap());
    assert!(matches!(u.project, ProjectData::Lines(_)));
    let both = [("unit", &u), ("integration", &i)];
    // Patch: a.rs 1,2,3 hit, 4 missed; b.rs 7 hit → 4 of 5.
    assert_eq!(
        merge_patch(&both),
        Merged::Exact(Totals {
            lines: 5,
            hits: 4,
            partials: 0,
            misses: 1
        })
    );
    // Project: a.rs 1-3 hit of 4, b.rs 7 of 7-8 → 4 of 6.
    assert_eq!(
        merge_project(&both),
        Merged::Exact(Totals {
            lines: 6,
            hits: 4,
            partials: 0,
            misses: 2
        })
    );
}

/// Branches unite as merging the reports does: two sections that each took one branch of a line
/// cover it; a line that ran without branch data in one section and partially in the other is
/// partial. Checked against the model's own merge, per counting rule.
#[test]
fn branches_unite_like_merged_reports() {
    let rec = |hits: u64, branches: Option<Branches>| LineRecord { hits, branches };
    let file = |records: Vec<(u32, LineRecord)>| {
        let mut f = FileCoverage::default();
        for (l, r) in records {
            f.add_line(l, r);
        }
        f
    };
    let mut a = CoverageReport::default();
    a.files.insert(
        "a.rs".into(),
        file(vec![
            (
                1,
                rec(3, Some(Branches::Identified(vec![(0, true), (1, false)]))),
            ),
            (2, rec(1, None)),
            (
                3,
                rec(
                    1,
                    Some(Branches::Counted {
                        covered: 1,
                        total: 4,
                    }),
                ),
            ),
            (4, rec(0, None)),
        ]),
    );
    let mut b = CoverageReport::default();
    b.files.insert(
        "a.rs".into(),
        file(vec![
            (
                1,
                rec(1, Some(Branches::Identified(vec![(0, false), (1, true)]))),
            ),
            (
                2,
                rec(2, Some(Branches::Identified(vec![(0, true), (1, false)]))),
            ),
            (
                3,
                rec(
                    1,
                    Some(Branches::Counted {
                        covered: 2,
                        total: 4,
                    }),
                ),
            ),
            (4, rec(0, None)),
        ]),
    );
    let mut merged = a.clone();
    merged.merge(&b);
    for partials_as_hits in [false, true] {
        let rules = CountingRules { partials_as_hits };
        let want = crate::analysis::ProjectCoverage::compute(&merged, rules).totals;
        let da = decode(&encode(&patch(&[]), &a, rules)).unwrap();
        let db = decode(&encode(&patch(&[]), &b, rules)).unwrap();
        assert_eq!(
            merge_project(&[("a", &da), ("b", &db)]),
            Merged::Exact(want)
        );
    }
    // Spelled out without the rule: line 1 hit, 2 and 3 partial, 4 missed.
    let rules = CountingRules::default();
    let da = decode(&encode(&patch(&[]), &a, rules)).unwrap();
    let db = decode(&encode(&patch(&[]), &b, rules)).unwrap();
    assert_eq!(
        merge_project(&[("a", &da), ("b", &db)]),
        Merged::Exact(Totals {
            lines: 4,
            hits: 1,
            partials: 2,
            misses: 1
        })
    );
}

#[test]
fn a_shared_file_without_line_data_is_not_added_up() {
    let files = |t: Totals| SectionData {
        patch: Some(BTreeMap::new()),
        project: ProjectData::Files([("a.rs".to_owned(), t)].into()),
        rules: CountingRules::default(),
    };
    let t = Totals {
        lines: 4,
        hits: 2,
        partials: 0,
        misses: 2,
    };
    let (a, b) = (files(t), files(t));
    match merge_project(&[("unit", &a), ("integration", &b)]) {
        Merged::Unavailable(why) => assert!(
            why.contains("1 file(s) are measured by several sections"),
            "{why}"
        ),
        m => panic!("{m:?}"),
    }
    // Disjoint files add up exactly even without line data.
    let c = SectionData {
        patch: None,
        project: ProjectData::Files([("b.rs".to_owned(), t)].into()),
        rules: CountingRules::default(),
    };
    assert_eq!(
        merge_project(&[("unit", &a), ("other", &c)]),
        Merged::Exact(Totals {
            lines: 8,
            hits: 4,
            partials: 0,
            misses: 4
        })
    );
    assert!(
        matches!(merge_patch(&[("unit", &a), ("other", &c)]), Merged::Unavailable(why) if why.contains("`other`"))
    );
}

#[test]
fn decode_refuses_garbage_with_a_reason() {
    assert!(decode("!!!").unwrap_err().contains("not base64"));
    assert!(decode("AAAA").unwrap_err().contains("inflate"));
    let huge = "A".repeat(DATA_MAX * 2 + 4);
    assert!(decode(&huge).unwrap_err().contains("longer"));
}

#[test]
fn a_big_project_falls_back_to_file_totals_within_the_bound() {
    // 3 000 files of scattered lines: per-line data would not fit, per-file totals do.
    let mut r = CoverageReport::default();
    for i in 0..3000u32 {
        let mut f = FileCoverage::default();
        for l in (1..200).step_by(3) {
            f.add_line(l, LineRecord::new(u64::from((l * 7 + i) % 3 == 0)));
        }
        r.files.insert(format!("src/module_{i}/file_{i}.rs"), f);
    }
    let data = encode(&patch(&[]), &r, CountingRules::default());
    assert!(data.len() <= DATA_MAX, "{}", data.len());
    let d = decode(&data).unwrap();
    assert!(!matches!(d.project, ProjectData::Lines(_)));
    let mut want = Totals::default();
    for f in r.files.values() {
        for (_, s) in f.lines.states() {
            want.add(s);
        }
    }
    assert_eq!(d.project_totals(), want);
}

#[test]
fn sections_are_kept_byte_for_byte_in_either_order() {
    let rules = CountingRules::default();
    let data_u = encode(
        &patch(&[("a.rs", &[1], &[2])]),
        &report(&[("a.rs", &[(1, 1), (2, 0)])]),
        rules,
    );
    let data_i = encode(
        &patch(&[("a.rs", &[2], &[1])]),
        &report(&[("a.rs", &[(1, 0), (2, 1)])]),
        rules,
    );
    let (pu, pi) = (plan("unit", 10, data_u), plan("integration", 10, data_i));
    let unit = Mine {
        section: &pu,
        head_sha: SHA_A,
        body: "Unit body\n",
    };
    let integ = Mine {
        section: &pi,
        head_sha: SHA_A,
        body: "Integration body",
    };
    let only_unit = assemble(MARKER, &[], unit);
    // Alone: no header, just the section.
    assert!(body(&only_unit).starts_with(&format!(
        "{MARKER}\n<!-- prcov-section:unit sha={SHA_A} time=10 data="
    )));
    assert!(!body(&only_unit).contains("Coverage across"));
    let one_order = assemble(MARKER, &[body(&only_unit)], integ);
    let only_integ = assemble(MARKER, &[], integ);
    let other_order = assemble(MARKER, &[body(&only_integ)], unit);
    assert_eq!(one_order, other_order);
    let text = body(&one_order);
    // The unit section is there exactly as it was written alone.
    let unit_raw = &parse(body(&only_unit))[0].raw;
    assert!(text.contains(unit_raw.as_str()));
    assert!(
        text.contains(
            "| **All sections** | | **100.00% (2 of 2 lines)** | **100.00% (2 of 2 lines)** |"
        ),
        "{text}"
    );
    // Writing the same section again changes nothing.
    assert_eq!(assemble(MARKER, &[text], unit), one_order);
    // Duplicates (two comments created at once) merge into one.
    assert_eq!(
        assemble(MARKER, &[body(&only_unit), body(&only_integ)], unit),
        one_order
    );
}

#[test]
fn an_older_heads_section_becomes_pending_and_an_older_run_writes_nothing() {
    let pu = plan("unit", 10, String::new());
    let old_unit = Mine {
        section: &pu,
        head_sha: SHA_A,
        body: "old unit",
    };
    let first = assemble(MARKER, &[], old_unit);
    let pi = plan("integration", 20, String::new());
    let new_integ = Mine {
        section: &pi,
        head_sha: SHA_B,
        body: "new integration",
    };
    let next = assemble(MARKER, &[body(&first)], new_integ);
    let text = body(&next);
    assert!(!text.contains("old unit"), "{text}");
    assert!(text.contains(":hourglass_flowing_sand: pending for `bbbbbbb` (its last result, for `aaaaaaa`, is out of date)"), "{text}");
    assert!(
        text.contains(":hourglass_flowing_sand: Pending: `unit`"),
        "{text}"
    );
    // A re-run of the old commit's job does not overwrite the newer head's comment.
    assert_eq!(
        assemble(MARKER, &[text], old_unit),
        Assembled::Superseded {
            newer: SHA_B.to_owned()
        }
    );
}

#[test]
fn a_section_that_does_not_fit_is_shortened_not_the_others() {
    let pu = plan("unit", 10, String::new());
    let big = "u".repeat(40_000);
    let unit = Mine {
        section: &pu,
        head_sha: SHA_A,
        body: &big,
    };
    let first = assemble(MARKER, &[], unit);
    let pi = plan("integration", 10, String::new());
    let other = "i".repeat(40_000);
    let integ = Mine {
        section: &pi,
        head_sha: SHA_A,
        body: &other,
    };
    let both = assemble(MARKER, &[body(&first)], integ);
    let text = body(&both);
    assert!(text.chars().count() <= COMMENT_MAX);
    assert!(text.contains(&parse(body(&first))[0].raw));
    assert!(text.contains("this section was shortened to fit"));
    assert!(
        text.contains("section `integration` carries no data"),
        "{text}"
    );
}

#[test]
fn sections_that_fill_the_comment_are_shortened_and_all_stay_readable() {
    let section = |name: &str, len: usize| {
        format!(
            "<!-- prcov-section:{name} sha={SHA_A} time=10 -->\n{}\n<!-- /prcov-section:{name} -->",
            "x".repeat(len)
        )
    };
    // Written by hand: two sections that already fill the comment between them.
    let existing = format!(
        "{MARKER}\n{}\n{}\n",
        section("a", 40_000),
        section("b", 30_000)
    );
    let pc = plan("c", 10, String::new());
    let mine = Mine {
        section: &pc,
        head_sha: SHA_A,
        body: &"c".repeat(10_000),
    };
    let text = body(&assemble(MARKER, &[&existing], mine)).to_owned();
    assert!(text.chars().count() <= COMMENT_MAX);
    let found = parse(&text);
    let names: Vec<&str> = found.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    assert!(found[0]
        .raw
        .contains("shortened to fit the comment beside the other sections"));
    assert_eq!(found[1].raw, section("b", 30_000));
    assert!(found[2].raw.contains("its job summary has it in full"));
}

#[test]
fn names_are_checked() {
    assert_eq!(name_problem("unit-tests_3.x"), None);
    assert!(name_problem("a b").is_some());
    assert!(name_problem("").is_some());
    assert!(name_problem("x-->").is_some());
}

/// The merged header shows percentages as this job's `[display]` says.
#[test]
fn the_header_rounds_as_the_writing_job_displays() {
    let rules = CountingRules::default();
    let data = || {
        encode(
            &patch(&[("a.rs", &[1], &[2, 3])]),
            &report(&[("a.rs", &[(1, 1), (2, 0), (3, 0)])]),
            rules,
        )
    };
    let (pu, mut pi) = (plan("unit", 10, data()), plan("integration", 10, data()));
    let unit = Mine {
        section: &pu,
        head_sha: SHA_A,
        body: "Unit body\n",
    };
    let only_unit = assemble(MARKER, &[], unit);
    let default = assemble(
        MARKER,
        &[body(&only_unit)],
        Mine {
            section: &pi,
            head_sha: SHA_A,
            body: "Integration body",
        },
    );
    assert!(
        body(&default).contains(
            "| **All sections** | | **33.33% (1 of 3 lines)** | **33.33% (1 of 3 lines)** |"
        ),
        "{}",
        body(&default)
    );
    pi.percent = crate::analysis::Percent::new(1, crate::analysis::Round::Up).unwrap();
    let up = assemble(
        MARKER,
        &[body(&only_unit)],
        Mine {
            section: &pi,
            head_sha: SHA_A,
            body: "Integration body",
        },
    );
    let text = body(&up);
    assert!(
        text.contains(
            "| **All sections** | | **33.4% (1 of 3 lines)** | **33.4% (1 of 3 lines)** |"
        ),
        "{text}"
    );
    assert!(
        text.contains("| `unit` | `aaaaaaa` | 33.4% (1 of 3 lines) |"),
        "{text}"
    );
    assert!(!text.contains("33.33%"), "{text}");
}

/// A `--save` payload carries the section's display format only when it is not the default, so
/// payloads written before `[display]` existed read the same.
#[test]
fn the_display_format_travels_in_a_payload_only_when_set() {
    let mut p = plan("unit", 10, String::new());
    let json = serde_json::to_string(&p).unwrap();
    assert!(!json.contains("percent"), "{json}");
    p.percent = crate::analysis::Percent::new(0, crate::analysis::Round::Nearest).unwrap();
    let json = serde_json::to_string(&p).unwrap();
    assert!(
        json.contains(r#""percent":{"digits":0,"round":"nearest"}"#),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<SectionPlan>(&json).unwrap(), p);
    let bad = json.replace(r#""digits":0"#, r#""digits":9"#);
    assert!(serde_json::from_str::<SectionPlan>(&bad).is_err());
}
