//! The fork-PR payload: `prcov publish --save FILE` writes the [`PublishPlan`] as versioned JSON
//! without needing a token; `prcov publish --from FILE` reads it back in a trusted `workflow_run`
//! job. That file was produced by code from the fork, so it is untrusted input: it is size-capped,
//! checked field by field, and only ever sent as JSON data — never executed, never interpolated
//! into a shell or a URL without encoding.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{limits, HostKind, PublishPlan};

/// The payload format this prcov writes and reads.
pub const VERSION: u32 = 1;
/// Larger files are refused before parsing.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// The run's three statuses and two per component.
const MAX_STATUSES: usize = 3 + 2 * limits::COMPONENTS_MAX;
const MAX_SHORT: usize = 255;

/// Why a payload cannot be saved or loaded. Bad input: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error("failed to {action} the payload {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the payload {path} is larger than the {MAX_FILE_BYTES} bytes a prcov payload can be; hint: pass the file written by `prcov publish --save`")]
    TooLarge { path: PathBuf },
    #[error("the payload {path} is not a regular file ({kind}); hint: pass the file written by `prcov publish --save`")]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error("the payload {path} is not valid JSON ({source}); hint: pass the file written by `prcov publish --save`")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("the payload {path} has version {found}, but this prcov reads version {VERSION}; hint: use the same prcov version in both jobs")]
    Version { path: PathBuf, found: String },
    /// The payload is well-formed but not for this job: another host, repository, commit, pull
    /// request or comment key than the trusted environment says.
    #[error("refusing the payload {path}: {what}; hint: a payload is only posted for the run that produced it")]
    Mismatch { path: PathBuf, what: String },
    #[error("invalid payload{}: {field} {problem}", path_suffix(.path))]
    Invalid {
        path: Option<PathBuf>,
        field: String,
        problem: String,
    },
}

impl PayloadError {
    pub fn exit_code(&self) -> u8 {
        crate::exit::BAD_INPUT
    }

    fn with_path(self, p: &Path) -> Self {
        match self {
            PayloadError::Invalid { field, problem, .. } => PayloadError::Invalid {
                path: Some(p.to_path_buf()),
                field,
                problem,
            },
            other => other,
        }
    }
}

fn path_suffix(path: &Option<PathBuf>) -> String {
    path.as_ref()
        .map(|p| format!(" {}", p.display()))
        .unwrap_or_default()
}

/// The plan as pretty JSON, after validating it (a plan we could not load back is not saved).
pub fn to_json(plan: &PublishPlan) -> Result<String, PayloadError> {
    validate(plan, true)?;
    serde_json::to_string_pretty(plan).map_err(|e| invalid("plan", e.to_string()))
}

/// Writes the plan to `path` (`--save`).
pub fn save(plan: &PublishPlan, path: &Path) -> Result<(), PayloadError> {
    let mut json = to_json(plan).map_err(|e| e.with_path(path))?;
    json.push('\n');
    crate::atomic::write_file(path, |w| w.write_all(json.as_bytes())).map_err(|source| {
        PayloadError::Io {
            action: "write",
            path: path.to_path_buf(),
            source,
        }
    })
}

/// Reads and validates a plan written by [`save`] (`--from`).
///
/// Only a regular file is read (a symlink is followed to one): a FIFO or a device could block or
/// never end. The cap counts the bytes actually read, not what the metadata claims, so a file
/// that grows while it is read is still cut off.
pub fn load(path: &Path) -> Result<PublishPlan, PayloadError> {
    use std::io::Read as _;
    let io = |action, source| PayloadError::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    let not_a_file = |meta: &std::fs::Metadata| {
        (!meta.is_file()).then(|| PayloadError::NotAFile {
            path: path.to_path_buf(),
            kind: file_kind(meta),
        })
    };
    // Checked before opening: opening a FIFO blocks until a writer appears.
    let meta = std::fs::metadata(path).map_err(|e| io("read", e))?;
    if let Some(e) = not_a_file(&meta) {
        return Err(e);
    }
    let file = std::fs::File::open(path).map_err(|e| io("read", e))?;
    // …and again on the opened file, in case the path was swapped in between.
    if let Some(e) = not_a_file(&file.metadata().map_err(|e| io("read", e))?) {
        return Err(e);
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io("read", e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(PayloadError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        io(
            "read",
            std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
        )
    })?;
    from_json(&text, path)
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a plain file"
    }
}

/// What the trusted job knows independently of the payload (`--from`): from the CI environment
/// or the explicit flags. `None` fields are unknown.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    pub host: Option<HostKind>,
    pub repository: Option<String>,
    pub head_sha: Option<String>,
    pub pr: Option<u64>,
    /// The `--comment-key` of the trusted job: a payload edits only that sticky comment.
    pub comment_key: String,
    /// The `--section` of the trusted job: a payload writes only that section of it.
    pub section: String,
}

/// Refuses a payload that is not for this job: the host, repository and head commit must be
/// known from the trusted side and equal the payload's; so must the PR number and comment key
/// when the trusted side has them (the PR is otherwise looked up through the API by its head).
pub fn check_origin(
    plan: &PublishPlan,
    expected: &Expected,
    path: &Path,
) -> Result<(), PayloadError> {
    let refuse = |what: String| {
        Err(PayloadError::Mismatch {
            path: path.to_path_buf(),
            what,
        })
    };
    let host_name = |h: HostKind| match h {
        HostKind::Github => "GitHub",
        HostKind::Gitlab => "GitLab",
    };
    match expected.host {
        None => {
            return refuse(
                "this job's code host is unknown (not GitHub Actions or GitLab CI); pass --host, --repo-slug and --head SHA".to_owned(),
            )
        }
        // A GitHub job never sends its token to a GitLab API because a file said so.
        Some(h) if h != plan.host => {
            return refuse(format!(
                "it is for {}, but this job runs on {}",
                host_name(plan.host),
                host_name(h)
            ))
        }
        Some(_) => {}
    }
    match &expected.repository {
        None => return refuse("this job's repository is unknown; pass --repo-slug".to_owned()),
        Some(r) if !r.eq_ignore_ascii_case(&plan.repository) => {
            return refuse(format!(
                "it names repository {} but this job runs in {r}",
                clip(&plan.repository)
            ))
        }
        Some(_) => {}
    }
    match &expected.head_sha {
        None => {
            return refuse(
                "this job does not know which commit the pull request's run was for; run it in a `workflow_run` job or pass --head SHA".to_owned(),
            )
        }
        Some(h) if !h.eq_ignore_ascii_case(&plan.head_sha) => {
            return refuse(format!(
                "it is for commit {} but the run that triggered this job is for {h}",
                clip(&plan.head_sha)
            ))
        }
        Some(_) => {}
    }
    if let (Some(want), Some(got)) = (expected.pr, plan.pr) {
        if want != got {
            return refuse(format!(
                "it is for pull request #{got} but this run belongs to #{want}"
            ));
        }
    }
    if plan.comment_key != expected.comment_key {
        return refuse(format!(
            "its comment key is {:?} but this job's --comment-key is {:?}",
            clip(&plan.comment_key),
            expected.comment_key
        ));
    }
    if let Some(section) = plan.section.as_ref().filter(|s| s.name != expected.section) {
        return refuse(format!(
            "its section is {:?} but this job's --section is {:?}",
            clip(&section.name),
            expected.section
        ));
    }
    Ok(())
}

/// Parses and validates payload text; `path` is only used in messages.
pub fn from_json(text: &str, path: &Path) -> Result<PublishPlan, PayloadError> {
    let json_err = |source| PayloadError::Json {
        path: path.to_path_buf(),
        source,
    };
    // An editor may have added a byte order mark.
    let value: Value =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(json_err)?;
    // Check the version before the shape, so a newer format gets the version message.
    match value.get("version") {
        Some(v) if v.as_u64() == Some(u64::from(VERSION)) => {}
        Some(v) => {
            return Err(PayloadError::Version {
                path: path.to_path_buf(),
                found: v.to_string(),
            })
        }
        None => {
            return Err(PayloadError::Invalid {
                path: Some(path.to_path_buf()),
                field: "version".to_owned(),
                problem: "is missing".to_owned(),
            })
        }
    }
    let plan: PublishPlan = serde_json::from_value(value).map_err(json_err)?;
    validate(&plan, true).map_err(|e| e.with_path(path))?;
    Ok(plan)
}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> PayloadError {
    PayloadError::Invalid {
        path: None,
        field: field.into(),
        problem: problem.into(),
    }
}

/// Checks every field of an untrusted plan: its shape ([`validate_shape`]) and every size limit.
/// `require_pr`: a saved payload must carry the PR number (`workflow_run.pull_requests` is empty
/// for forks, so nothing else has it).
pub fn validate(plan: &PublishPlan, require_pr: bool) -> Result<(), PayloadError> {
    validate_shape(plan, require_pr)?;
    check_names(plan)?;
    check_sizes(plan)
}

/// The status contexts prcov renders; a payload may set no others, except a component's
/// ([`component_context`]).
pub const STATUS_CONTEXTS: [&str; 3] = ["prcov/patch", "prcov/project", "prcov/tests"];

/// `prcov/patch/<id>` or `prcov/project/<id>` with a valid component id: nothing else under
/// `prcov/` (no `prcov/tests/<id>`, no nested or empty id).
pub fn component_context(context: &str) -> bool {
    ["prcov/patch/", "prcov/project/"].iter().any(|prefix| {
        context
            .strip_prefix(prefix)
            .is_some_and(crate::render::monorepo::valid_name)
    })
}

/// A payload may only write prcov's own names: the three status contexts, a check run called
/// `prcov…`, and a comment body that carries no sticky marker of its own (the host puts the
/// configured key's marker in front of it).
fn check_names(plan: &PublishPlan) -> Result<(), PayloadError> {
    for (i, s) in plan.statuses.iter().enumerate() {
        if !STATUS_CONTEXTS.contains(&s.context.as_str()) && !component_context(&s.context) {
            return Err(invalid(
                format!("statuses[{i}].context"),
                format!(
                    "{:?} is not one of prcov's own: {}, prcov/patch/<component>, prcov/project/<component>",
                    clip(&s.context),
                    STATUS_CONTEXTS.join(", ")
                ),
            ));
        }
    }
    if let Some(check) = &plan.check_run {
        if !check.name.starts_with("prcov") {
            return Err(invalid(
                "check_run.name",
                format!("{:?} does not start with \"prcov\"", clip(&check.name)),
            ));
        }
    }
    if plan.comment_body.contains("<!-- prcov:") {
        return Err(invalid(
            "comment_body",
            "contains a sticky-comment marker `<!-- prcov:`",
        ));
    }
    // A section marker in the body would split another job's section when the comment is read.
    if plan.comment_body.contains("<!-- prcov-section:")
        || plan.comment_body.contains("<!-- /prcov-section:")
    {
        return Err(invalid(
            "comment_body",
            "contains a section marker `<!-- prcov-section:`",
        ));
    }
    Ok(())
}

/// The checks `publish` applies to every plan, trusted or not: what goes into URLs and markers
/// (repository, PR, SHA, comment key) and annotation paths. Sizes are not checked here: a plan
/// fresh from the renderer that is too long is cut to the host limits instead.
pub fn validate_shape(plan: &PublishPlan, require_pr: bool) -> Result<(), PayloadError> {
    if plan.version != VERSION {
        return Err(invalid(
            "version",
            format!("is {}, expected {VERSION}", plan.version),
        ));
    }
    check_repository(plan.host, &plan.repository)?;
    match plan.pr {
        Some(0) => return Err(invalid("pr", "must be a positive number")),
        Some(n) if n > 1_000_000_000 => {
            return Err(invalid("pr", format!("{n} is not a plausible number")))
        }
        None if require_pr => {
            return Err(invalid(
                "pr",
                "is missing; a saved payload must name the pull request it belongs to",
            ))
        }
        _ => {}
    }
    let sha = &plan.head_sha;
    if !((sha.len() == 40 || sha.len() == 64) && sha.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Err(invalid(
            "head_sha",
            format!("{:?} is not a 40-character hex commit id", clip(sha)),
        ));
    }
    if let Some(problem) = comment_key_problem(&plan.comment_key) {
        return Err(invalid("comment_key", problem));
    }
    if let Some(section) = &plan.section {
        if let Some(problem) = crate::render::sections::name_problem(&section.name) {
            return Err(invalid("section.name", problem));
        }
        // The data goes into a hidden HTML comment: base64 only, so it cannot close it.
        if section.data.len() > crate::render::sections::DATA_MAX
            || !section
                .data
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            return Err(invalid(
                "section.data",
                format!(
                    "must be base64 of at most {} characters",
                    crate::render::sections::DATA_MAX
                ),
            ));
        }
    }
    if let Some(why) = &plan.comment_skipped {
        short_text("comment_skipped", why, 1_000, false)?;
    }
    if let Some(check) = &plan.check_run {
        for (i, a) in check.annotations.iter().enumerate() {
            let field = |f: &str| format!("check_run.annotations[{i}].{f}");
            check_relative_path(&field("path"), &a.path)?;
            if a.start_line == 0 || a.end_line < a.start_line {
                return Err(invalid(
                    field("start_line"),
                    format!(
                        "{}-{} is not a line range starting at 1",
                        a.start_line, a.end_line
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn check_sizes(plan: &PublishPlan) -> Result<(), PayloadError> {
    if plan.comment_body.chars().count() > limits::COMMENT_MAX {
        return Err(invalid(
            "comment_body",
            format!("is longer than {} characters", limits::COMMENT_MAX),
        ));
    }
    if plan.statuses.len() > MAX_STATUSES {
        return Err(invalid(
            "statuses",
            format!("has more than {MAX_STATUSES} entries"),
        ));
    }
    for (i, s) in plan.statuses.iter().enumerate() {
        short_text(&format!("statuses[{i}].context"), &s.context, 100, false)?;
        short_text(
            &format!("statuses[{i}].description"),
            &s.description,
            limits::STATUS_DESCRIPTION_MAX,
            true,
        )?;
        if let Some(c) = s.coverage {
            if !(c.is_finite() && (0.0..=100.0).contains(&c)) {
                return Err(invalid(
                    format!("statuses[{i}].coverage"),
                    format!("{c} is not a percentage"),
                ));
            }
        }
    }
    if let Some(check) = &plan.check_run {
        short_text("check_run.name", &check.name, 100, false)?;
        if !matches!(check.conclusion.as_str(), "success" | "failure" | "neutral") {
            return Err(invalid(
                "check_run.conclusion",
                format!(
                    "{:?} is not success, failure or neutral",
                    clip(&check.conclusion)
                ),
            ));
        }
        short_text("check_run.title", &check.title, MAX_SHORT, false)?;
        if check.summary.chars().count() > limits::CHECK_SUMMARY_MAX {
            return Err(invalid(
                "check_run.summary",
                format!("is longer than {} characters", limits::CHECK_SUMMARY_MAX),
            ));
        }
        if check.annotations.len() > limits::ANNOTATIONS_MAX {
            return Err(invalid(
                "check_run.annotations",
                format!("has more than {} entries", limits::ANNOTATIONS_MAX),
            ));
        }
        for (i, a) in check.annotations.iter().enumerate() {
            let field = |f: &str| format!("check_run.annotations[{i}].{f}");
            short_text(
                &field("title"),
                &a.title,
                limits::ANNOTATION_TITLE_MAX,
                true,
            )?;
            if a.message.chars().count() > limits::ANNOTATION_MESSAGE_MAX || a.message.is_empty() {
                return Err(invalid(
                    field("message"),
                    format!("must be 1-{} characters", limits::ANNOTATION_MESSAGE_MAX),
                ));
            }
        }
    }
    Ok(())
}

/// Why `key` cannot be a comment key, if it cannot. The key goes into an HTML comment: a strict
/// charset keeps `-->` and friends out.
pub fn comment_key_problem(key: &str) -> Option<String> {
    let ok = !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'));
    (!ok).then(|| {
        format!(
            "{:?} must be 1-64 characters of letters, digits, '-', '_', '.', '/'",
            clip(key)
        )
    })
}

/// Why `repo` cannot name a repository on `host`, if it cannot.
pub fn repository_problem(host: HostKind, repo: &str) -> Option<String> {
    match check_repository(host, repo) {
        Err(PayloadError::Invalid { problem, .. }) => Some(problem),
        _ => None,
    }
}

fn check_repository(host: HostKind, repo: &str) -> Result<(), PayloadError> {
    let part_ok = |p: &str| {
        !p.is_empty()
            && p != "."
            && p != ".."
            && p.len() <= 100
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    let ok = match host {
        HostKind::Github => repo
            .split_once('/')
            .is_some_and(|(o, n)| part_ok(o) && part_ok(n) && !n.contains('/')),
        // A numeric project id, or a `group/subgroup/project` path.
        HostKind::Gitlab => repo.len() <= 255 && repo.split('/').all(part_ok),
    };
    if ok {
        Ok(())
    } else {
        let shape = match host {
            HostKind::Github => "owner/name",
            HostKind::Gitlab => "a project id or group/project path",
        };
        Err(invalid(
            "repository",
            format!("{:?} is not {shape}", clip(repo)),
        ))
    }
}

fn check_relative_path(field: &str, path: &str) -> Result<(), PayloadError> {
    let problem = if path.is_empty() || path.len() > 1024 {
        Some("must be 1-1024 bytes")
    } else if path.starts_with('/') || path.contains('\\') || path.contains(':') {
        Some("must be a repository-relative path with '/' separators")
    } else if path
        .split('/')
        .any(|c| c == ".." || c == "." || c.is_empty())
    {
        Some("must not contain '..', '.' or empty components")
    } else if path.chars().any(char::is_control) {
        Some("must not contain control characters")
    } else {
        None
    };
    match problem {
        Some(p) => Err(invalid(field, format!("{:?} {p}", clip(path)))),
        None => Ok(()),
    }
}

fn short_text(field: &str, text: &str, max: usize, empty_ok: bool) -> Result<(), PayloadError> {
    if (!empty_ok && text.trim().is_empty()) || text.chars().count() > max {
        return Err(invalid(
            field,
            format!("must be {}-{max} characters", usize::from(!empty_ok)),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// Untrusted strings are quoted in messages, but only their start.
fn clip(s: &str) -> String {
    limits::truncate_chars(s, 60, "…").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::plan::{Annotation, AnnotationLevel, CheckRun, CommitStatus, StatusState};

    fn plan() -> PublishPlan {
        PublishPlan {
            version: 1,
            host: HostKind::Github,
            repository: "octo/proj".to_owned(),
            pr: Some(7),
            head_sha: "a".repeat(40),
            comment_key: "default".to_owned(),
            comment_body: "## Coverage".to_owned(),
            statuses: vec![CommitStatus {
                context: "prcov/patch".to_owned(),
                state: StatusState::Success,
                description: "100.00% of diff hit".to_owned(),
                coverage: Some(100.0),
            }],
            check_run: Some(CheckRun {
                name: "prcov".to_owned(),
                conclusion: "success".to_owned(),
                title: "Patch 100.00%".to_owned(),
                summary: "ok".to_owned(),
                annotations: vec![Annotation {
                    path: "src/a.rs".to_owned(),
                    start_line: 3,
                    end_line: 4,
                    level: AnnotationLevel::Warning,
                    title: "Uncovered".to_owned(),
                    message: "Added lines #L3-L4 were not covered by tests".to_owned(),
                }],
            }),
            section: None,
            comment_skipped: None,
        }
    }

    fn err_of(edit: impl FnOnce(&mut PublishPlan)) -> String {
        let mut p = plan();
        edit(&mut p);
        validate(&p, true).unwrap_err().to_string()
    }

    #[test]
    fn round_trip_through_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("payload.json");
        save(&plan(), &path).unwrap();
        assert_eq!(load(&path).unwrap(), plan());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("{\n  \"version\": 1,"), "{text}");
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(
            err_of(|p| p.head_sha = "HEAD".into()),
            "invalid payload: head_sha \"HEAD\" is not a 40-character hex commit id"
        );
        assert_eq!(
            err_of(|p| p.repository = "octo/proj/extra".into()),
            "invalid payload: repository \"octo/proj/extra\" is not owner/name"
        );
        assert_eq!(
            err_of(|p| p.pr = None),
            "invalid payload: pr is missing; a saved payload must name the pull request it belongs to"
        );
        assert_eq!(
            err_of(|p| p.comment_key = "x --> <script>".into()),
            "invalid payload: comment_key \"x --> <script>\" must be 1-64 characters of letters, digits, '-', '_', '.', '/'"
        );
        assert_eq!(
            err_of(|p| p.check_run.as_mut().unwrap().annotations[0].path = "../../etc/passwd".into()),
            "invalid payload: check_run.annotations[0].path \"../../etc/passwd\" must not contain '..', '.' or empty components"
        );
        assert_eq!(
            err_of(|p| p.check_run.as_mut().unwrap().annotations[0].path = "/abs/a.rs".into()),
            "invalid payload: check_run.annotations[0].path \"/abs/a.rs\" must be a repository-relative path with '/' separators"
        );
        assert_eq!(
            err_of(|p| p.statuses[0].description = "d".repeat(141)),
            "invalid payload: statuses[0].description must be 0-140 characters"
        );
        assert_eq!(
            err_of(|p| p.comment_body = "x".repeat(limits::COMMENT_MAX + 1)),
            "invalid payload: comment_body is longer than 65536 characters"
        );
        assert_eq!(
            err_of(|p| p.statuses[0].coverage = Some(f64::NAN)),
            "invalid payload: statuses[0].coverage NaN is not a percentage"
        );
    }

    #[test]
    fn version_and_shape_errors_name_the_file() {
        let path = Path::new("payload.json");
        let v2 = serde_json::to_string(&plan())
            .unwrap()
            .replace("\"version\":1", "\"version\":2");
        assert_eq!(
            from_json(&v2, path).unwrap_err().to_string(),
            "the payload payload.json has version 2, but this prcov reads version 1; hint: use the same prcov version in both jobs"
        );
        let err = from_json("{\"version\": 1, \"host\": \"bitbucket\"}", path).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the payload payload.json is not valid JSON"),
            "{err}"
        );
        assert_eq!(err.exit_code(), 2);
        let mut bad = plan();
        bad.head_sha = "xyz".into();
        let text = serde_json::to_string(&bad).unwrap();
        assert_eq!(
            from_json(&text, path).unwrap_err().to_string(),
            "invalid payload payload.json: head_sha \"xyz\" is not a 40-character hex commit id"
        );
    }

    #[test]
    fn oversized_file_is_refused_before_parsing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        assert!(matches!(load(&path), Err(PayloadError::TooLarge { .. })));
    }

    /// Issue 11 item 1: the cap counts bytes read, and streams are refused. Before, a FIFO was
    /// `metadata().len() == 0` and then read without bound.
    #[test]
    fn fifos_devices_and_directories_are_refused_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("payload.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // Opening a FIFO without a writer would block forever: this returns at once.
        let err = load(&fifo).unwrap_err().to_string();
        assert!(err.contains("is not a regular file (a FIFO)"), "{err}");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let err = load(&link).unwrap_err().to_string();
        assert!(err.contains("is not a regular file (a device)"), "{err}");
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("(a directory)"), "{err}");
    }

    #[test]
    fn only_prcovs_own_names_are_accepted() {
        assert_eq!(
            err_of(|p| p.statuses[0].context = "ci/required".into()),
            "invalid payload: statuses[0].context \"ci/required\" is not one of prcov's own: prcov/patch, prcov/project, prcov/tests, prcov/patch/<component>, prcov/project/<component>"
        );
        // A component's statuses pass; nothing else under prcov/ does.
        for ok in ["prcov/patch/api", "prcov/project/web-ui.v2"] {
            let mut p = plan();
            p.statuses[0].context = ok.into();
            assert!(validate(&p, true).is_ok(), "{ok}");
        }
        for bad in [
            "prcov/tests/api",
            "prcov/patch/",
            "prcov/patch/a/b",
            "prcov/patch/..",
            "prcov/patch/a b",
            "prcov/patchy",
            "prcov/project/é",
            "ci/prcov/patch/api",
        ] {
            let err = err_of(|p| p.statuses[0].context = bad.into());
            assert!(err.contains("is not one of prcov's own"), "{bad}: {err}");
        }
        let mut p = plan();
        let status = p.statuses[0].clone();
        p.statuses = (0..=MAX_STATUSES)
            .map(|i| CommitStatus {
                context: format!("prcov/patch/c{i}"),
                ..status.clone()
            })
            .collect();
        assert!(validate(&p, true)
            .unwrap_err()
            .to_string()
            .contains("has more than"));
        assert_eq!(
            err_of(|p| p.check_run.as_mut().unwrap().name = "build".into()),
            "invalid payload: check_run.name \"build\" does not start with \"prcov\""
        );
        assert_eq!(
            err_of(|p| p.comment_body = "x\n<!-- prcov:other -->".into()),
            "invalid payload: comment_body contains a sticky-comment marker `<!-- prcov:`"
        );
        // A section marker would split another job's section; the section's name and data go
        // into a hidden HTML comment unescaped.
        assert_eq!(
            err_of(|p| p.comment_body = "x\n<!-- /prcov-section:unit -->".into()),
            "invalid payload: comment_body contains a section marker `<!-- prcov-section:`"
        );
        let section = |name: &str, data: &str| crate::render::sections::SectionPlan {
            name: name.to_owned(),
            head_time: None,
            data: data.to_owned(),
            percent: crate::analysis::Percent::default(),
        };
        assert!(err_of(|p| p.section = Some(section("a -->", "")))
            .starts_with("invalid payload: section.name \"a -->\" is not a section name"));
        assert_eq!(
            err_of(|p| p.section = Some(section("unit", "AAAA -->"))),
            "invalid payload: section.data must be base64 of at most 16384 characters"
        );
        let mut ok = plan();
        ok.section = Some(section("unit", "AAAA"));
        assert!(validate(&ok, true).is_ok());
    }

    #[test]
    fn the_origin_must_be_this_jobs() {
        let path = Path::new("p.json");
        let expected = Expected {
            host: Some(HostKind::Github),
            repository: Some("octo/proj".into()),
            head_sha: Some("a".repeat(40)),
            pr: Some(7),
            comment_key: "default".into(),
            section: "default".into(),
        };
        assert!(check_origin(&plan(), &expected, path).is_ok());
        // A payload writes only the trusted job's section.
        let mut other = plan();
        other.section = Some(crate::render::sections::SectionPlan {
            name: "unit".into(),
            head_time: None,
            data: String::new(),
            percent: crate::analysis::Percent::default(),
        });
        assert!(check_origin(&other, &expected, path)
            .unwrap_err()
            .to_string()
            .contains("its section is \"unit\" but this job's --section is \"default\""));
        let refused = |e: &Expected| check_origin(&plan(), e, path).unwrap_err().to_string();
        assert_eq!(
            refused(&Expected {
                head_sha: None,
                ..expected.clone()
            }),
            "refusing the payload p.json: this job does not know which commit the pull request's run was for; run it in a `workflow_run` job or pass --head SHA; hint: a payload is only posted for the run that produced it"
        );
        assert!(refused(&Expected {
            pr: Some(8),
            ..expected.clone()
        })
        .contains("it is for pull request #7 but this run belongs to #8"));
        assert!(refused(&Expected {
            host: Some(HostKind::Gitlab),
            ..expected.clone()
        })
        .contains("it is for GitHub, but this job runs on GitLab"));
        assert!(refused(&Expected {
            host: None,
            ..expected.clone()
        })
        .contains("code host is unknown"));
        // The PR may be unknown here: then the host looks it up by the head.
        assert!(check_origin(
            &plan(),
            &Expected {
                pr: None,
                ..expected
            },
            path
        )
        .is_ok());
    }

    #[test]
    fn gitlab_paths_and_ids_are_accepted() {
        let mut p = plan();
        p.host = HostKind::Gitlab;
        p.repository = "group/sub/project".into();
        assert!(validate(&p, true).is_ok());
        p.repository = "278964".into();
        assert!(validate(&p, true).is_ok());
        p.repository = "group/../x".into();
        assert!(validate(&p, true).is_err());
    }
}
