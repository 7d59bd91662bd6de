use super::*;

fn read_str(text: &str) -> Mapped {
    read(text, Path::new("codecov.yml")).unwrap()
}

fn warnings(m: &Mapped) -> Vec<String> {
    m.warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn paths_become_globs() {
    assert_eq!(to_globs("tests/").unwrap(), ["tests/**"]);
    assert_eq!(
        to_globs("sklearn/externals").unwrap(),
        ["/sklearn/externals", "sklearn/externals/**"]
    );
    assert_eq!(to_globs("**/setup.py").unwrap(), ["**/setup.py"]);
    assert_eq!(to_globs("/docs/*").unwrap(), ["docs/*"]);
    assert_eq!(to_globs("lib/.*/tests/.*").unwrap(), ["lib/**/tests/**"]);
    assert_eq!(to_globs(".*").unwrap(), ["**"]);
    assert!(to_globs("!lib/.*/tests/.*").is_err());
    assert!(to_globs("(a|b)/x").is_err());
}

#[test]
fn default_statuses_are_the_gates_and_named_ones_components() {
    let m = read_str(
            "coverage:\n  status:\n    project:\n      default:\n        target: auto\n        threshold: 1%\n      api:\n        target: 70\n        paths: [services/api/]\n    patch:\n      default:\n        target: 80%\n        threshold: 0.5\n      api:\n        target: 90\n        paths: [services/api/]\n",
        );
    let g = &m.config.gates;
    assert_eq!(
        (g.patch, g.project, g.threshold),
        (Some(80.0), None, Some(0.5))
    );
    // auto with threshold 1, of which the global threshold 0.5 already allows half.
    assert_eq!(g.max_project_drop, Some(0.5));
    assert!(m.origins["gates.max_project_drop"].needs_base);
    assert_eq!(m.origins["gates.patch"].line, Some(12));
    assert_eq!(
        m.config.components,
        [ComponentConfig {
            id: "api".into(),
            paths: vec!["services/api/**".into()],
            project: Some(70.0),
            patch: Some(90.0),
            ..ComponentConfig::default()
        }]
    );
    assert!(m.warnings.is_empty(), "{:?}", warnings(&m));
}

#[test]
fn every_key_not_applied_is_one_warning_with_its_path_and_line() {
    let m = read_str("codecov:\n  notify:\n    after_n_builds: 2\ncoverage:\n  notify:\n    slack: {}\n  status:\n    changes: off\ncomment:\n  layout: reach, diff\n  require_base: yes\ngithub_checks: false\n");
    assert_eq!(
            warnings(&m),
            [
                "codecov.yml: line 2: codecov.notify is not supported by prcov (ignored); prcov reports when the job that runs it ends",
                "codecov.yml: line 5: coverage.notify is not supported by prcov (ignored); prcov reports when the job that runs it ends",
                "codecov.yml: line 8: coverage.status.changes is not supported by prcov (ignored)",
                "codecov.yml: line 10: comment.layout: reach is not supported by prcov (ignored)",
                "codecov.yml: line 11: comment.require_base is not supported by prcov (ignored); prcov comments whenever it runs",
                "codecov.yml: line 12: github_checks is not supported by prcov (ignored)",
            ]
        );
    assert_eq!(m.config.comment.hide, ["files", "components", "flags"]);
}

#[test]
fn fixes_flags_and_components() {
    let m = read_str("fixes:\n  - \"/build/::src/\"\n  - \"::prefix/\"\n  - \".*/site-packages/::\"\nflags:\n  unit:\n    paths: [src/]\n    carryforward: true\nflag_management:\n  default_rules:\n    carryforward: true\n  individual_flags:\n    - name: e2e\n      paths: [app/]\ncomponent_management:\n  default_rules:\n    statuses:\n      - type: patch\n        target: 75%\n  individual_components:\n    - component_id: web\n      name: Web\n      paths: [web/**]\n      flag_regexes: [unit, \"e2e.*\"]\n");
    assert_eq!(m.config.path_map, ["/build/=src/", "=prefix/"]);
    assert_eq!(
        m.config.flags["unit"],
        FlagConfig {
            paths: vec!["src/**".into()],
            carryforward: true
        }
    );
    assert_eq!(
        m.config.flags["e2e"],
        FlagConfig {
            paths: vec!["app/**".into()],
            carryforward: true
        }
    );
    assert_eq!(
        m.config.components,
        [ComponentConfig {
            id: "web".into(),
            name: Some("Web".into()),
            paths: vec!["web/**".into()],
            flags: vec!["unit".into()],
            patch: Some(75.0),
            ..ComponentConfig::default()
        }]
    );
    let w = warnings(&m);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains("line 1: fixes: `.*/site-packages/::` is left out"),
        "{w:?}"
    );
    assert!(w[1].contains("line 24: component_management.individual_components[0].flag_regexes: `e2e.*` is left out"), "{w:?}");
}

#[test]
fn what_the_gates_cannot_express_is_said() {
    let m = read_str(
            "coverage:\n  status:\n    project:\n      default:\n        target: auto\n        if_not_found: failure\n      api:\n        target: 80\n        informational: true\n        paths: [api/]\n    patch:\n      api:\n        target: 90\n        paths: [api/]\n",
        );
    let w = warnings(&m);
    assert_eq!(
            w,
            [
                "codecov.yml: line 6: coverage.status.project.default.if_not_found: failure is not applied: without a base to compare with, prcov leaves a target auto gate out instead of failing it",
                "codecov.yml: line 12: coverage.status.patch.api: component `api` has an informational project status and a gating one: no project gate",
            ]
        );
    let api = &m.config.components[0];
    assert_eq!(
        (api.project, api.patch, api.informational),
        (None, Some(90.0), false)
    );
    assert_eq!(m.config.gates.max_project_drop, Some(0.0));
}

#[test]
fn flag_statuses_are_components_of_one_flag() {
    let m = read_str(
            "flags:\n  unit:\n    paths: [src/]\nflag_management:\n  default_rules:\n    carryforward: true\n    statuses:\n      - name_prefix: project-\n        type: project\n        target: 70%\n  individual_flags:\n    - name: e2e\n      statuses:\n        - type: patch\n          target: 60\n          threshold: 1\n    - name: smoke\n      statuses:\n        - type: patch\n          enabled: false\n          target: 99\n",
        );
    assert!(m.warnings.is_empty(), "{:?}", warnings(&m));
    let ids: Vec<&str> = m.config.components.iter().map(|c| c.id.as_str()).collect();
    // `unit` takes the default rules' status; `e2e` its own; `smoke`'s is turned off.
    assert_eq!(ids, ["e2e", "project-unit"]);
    assert_eq!(
        m.config.components[1],
        ComponentConfig {
            id: "project-unit".into(),
            paths: vec!["src/**".into()],
            flags: vec!["unit".into()],
            project: Some(70.0),
            ..ComponentConfig::default()
        }
    );
    let e2e = &m.config.components[0];
    assert_eq!(
        (e2e.patch, e2e.threshold, &e2e.flags[..]),
        (Some(60.0), Some(1.0), &["e2e".to_owned()][..])
    );
    assert_eq!(m.origins["components.e2e"].line, Some(13));
}

#[test]
fn wrong_values_are_errors_naming_the_line() {
    let e = read(
        "coverage:\n  status:\n    patch:\n      default:\n        target: lots\n",
        Path::new("c.yml"),
    )
    .unwrap_err();
    assert_eq!(e, "c.yml:5: coverage.status.patch.default.target: expected a percentage from 0 to 100, got a string");
    let e = read("comment:\n  behavior: sometimes\n", Path::new("c.yml")).unwrap_err();
    assert_eq!(
        e,
        "c.yml:2: comment.behavior: expected default, once, new or spammy, got a string"
    );
    let e = read("coverage: [1\n", Path::new("c.yml")).unwrap_err();
    assert!(e.starts_with("c.yml:2:"), "{e}");
    assert!(e.contains("invalid YAML"), "{e}");
    let e = read("- a\n", Path::new("c.yml")).unwrap_err();
    assert_eq!(
        e,
        "c.yml:1: expected a mapping of Codecov settings, got a list"
    );
}

#[test]
fn precision_and_round_set_how_percentages_are_shown() {
    let m = read_str("coverage:\n  precision: 0\n  round: nearest\n");
    assert_eq!(warnings(&m), Vec::<String>::new());
    assert_eq!(m.config.display.precision, Some(0));
    assert_eq!(m.config.display.round, Some(Round::Nearest));
    let origin = &m.origins["display.round"];
    assert_eq!(
        (origin.line, origin.key.as_deref()),
        (Some(3), Some("coverage.round"))
    );
    assert_eq!(m.origins["display.precision"].line, Some(2));
    let m = read_str("coverage:\n  precision: 5\n  round: up\n");
    assert_eq!(
        m.config.display.percent(),
        crate::analysis::Percent::new(5, Round::Up).unwrap()
    );
    // Codecov's defaults are what prcov shows without them.
    let m = read_str("coverage:\n  precision: 2\n  round: down\n");
    assert!(m.config.display.percent().is_default());

    for (yml, expected) in [
        (
            "precision: 6",
            "c.yml:2: coverage.precision: expected a number of decimals from 0 to 5, got a number",
        ),
        (
            "precision: 1.5",
            "c.yml:2: coverage.precision: expected a number of decimals from 0 to 5, got a number",
        ),
        (
            "precision: two",
            "c.yml:2: coverage.precision: expected a number of decimals from 0 to 5, got a string",
        ),
        (
            "round: sideways",
            "c.yml:2: coverage.round: expected down, up or nearest, got a string",
        ),
    ] {
        let e = read(&format!("coverage:\n  {yml}\n"), Path::new("c.yml")).unwrap_err();
        assert_eq!(e, expected);
    }
}
