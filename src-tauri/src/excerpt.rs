//! Evidence excerpts in the app: `write_excerpt` takes the events of the current view
//! into a new folder the reviewer chooses (a native save dialog, or
//! `TRAILSCOPE_SAVE_DIR` under automation, see `commands::save_target`), signed with
//! the reviewer's key and journaled as `excerpt.written`; `check_excerpt` checks an
//! excerpt folder on its own, with the keys this reviewer trusts. No logic of its own:
//! the engine (`trailscope::excerpt`) chooses, refuses, proves, writes, checks and
//! words; this file only asks where, journals and converts.

use std::path::PathBuf;

use tauri::{AppHandle, State};
use trailscope::case::Case;
use trailscope::excerpt::{self, Selection};
use trailscope::query::EventFilter;

use crate::commands::{AppState, case_stem, save_target};
use crate::dto::{ErrorCode, ErrorDto, EventFilterDto, ExcerptCheckDto, ExcerptWrittenDto};

type CommandResult<T> = Result<T, ErrorDto>;

/// The folder name the save dialog suggests: `<case>-excerpt-<n>-events`.
fn suggested_folder(case_stem: &str, n_events: u64) -> String {
    let noun = if n_events == 1 { "event" } else { "events" };
    format!("{case_stem}-excerpt-{n_events}-{noun}")
}

/// Writes an evidence excerpt of the events `filter` picks, with the reviewer's
/// `reason` (blank is none) in the signed statement, into a new or empty folder the
/// reviewer chooses, and journals it; `None` if the reviewer cancelled the dialog.
/// The engine refuses no events and more than `excerpt::MAX_CHOSEN` before the
/// dialog opens.
#[tauri::command(async)]
pub fn write_excerpt(
    app: AppHandle,
    state: State<'_, AppState>,
    filter: EventFilterDto,
    reason: Option<String>,
) -> CommandResult<Option<ExcerptWrittenDto>> {
    let filter = EventFilter::try_from(filter)?;
    let case_path = state.case_path()?;
    let case = state.open_case()?;
    let stem = case_stem(&case_path);
    // Refused before the dialog: no folder is asked for an excerpt of nothing.
    let n_events = excerpt::count_chosen(&case, &filter)?;
    let Some(dir) = save_target(
        &app,
        "Save the evidence excerpt in a new folder",
        &suggested_folder(&stem, n_events),
        &[],
    )?
    else {
        return Ok(None);
    };
    let reviewer = crate::work::reviewer()?;
    let selection = Selection {
        filter,
        reason: reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty()),
    };
    let made_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let written = excerpt::write(&case, &reviewer, &selection, &dir, &made_at)?;
    drop(case);
    let mut case = Case::open(&case_path)?;
    case.set_reviewer(reviewer);
    case.record(excerpt::journal_entry(&written, &selection))?;
    Ok(Some(ExcerptWrittenDto::from(&written)))
}

/// Checks the evidence excerpt in the folder `path` with the keys this reviewer
/// trusts (a damaged excerpt is an answer that does not hold, not an error; a folder
/// that is no excerpt is refused).
#[tauri::command(async)]
pub fn check_excerpt(app: AppHandle, path: String) -> CommandResult<ExcerptCheckDto> {
    let dir = PathBuf::from(path);
    if !excerpt::is_excerpt(&dir) {
        return Err(ErrorDto::new(
            ErrorCode::Refused,
            format!(
                "{} is not an evidence excerpt: it holds no statement.json",
                dir.display()
            ),
        ));
    }
    let trusted = crate::keys::load_all(&app)?;
    let check = excerpt::check(&dir, &trusted)?;
    // Only to say "your own key": without a reviewer key the check stands as it is.
    let you = crate::work::reviewer().ok().map(|r| r.fingerprint());
    Ok(ExcerptCheckDto::new(&dir, &check, you.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::path::Path;

    use trailscope::case::import_source;
    use trailscope::reviewer::Reviewer;

    use crate::dto::{ExcerptEventCheckDto, ExcerptMethodDto};

    #[test]
    fn the_suggested_folder_names_the_case_and_the_count() {
        assert_eq!(suggested_folder("march", 3), "march-excerpt-3-events");
        assert_eq!(suggested_folder("march", 1), "march-excerpt-1-event");
    }

    fn scratch(name: &str) -> PathBuf {
        crate::scratch_dir("trailscope-app-excerpt", name)
    }

    /// The spec's sample bundle imported into a fresh case, with its trusted key.
    fn sample_case(dir: &Path) -> Case {
        let vectors = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec/vectors");
        let keys = trailscope::TrustedKeys::load(&vectors.join("trusted-keys.txt"))
            .expect("the spec's keys");
        let mut case = Case::open(&dir.join("sample.trailscope")).unwrap();
        import_source(
            &mut case,
            &vectors.join("sample"),
            None,
            &trailscope::VerifyOptions {
                trusted_keys: keys,
                ..trailscope::VerifyOptions::default()
            },
            "2026-12-01T10:00:00Z",
            &mut |_| std::ops::ControlFlow::Continue(()),
        )
        .unwrap();
        case
    }

    /// An excerpt written and checked by the engine crosses the wire as it was: the
    /// parts written with their method, the check holding with every event proven and
    /// made by this reviewer; after one byte of an events file changes, the check does
    /// not hold and names the file.
    #[test]
    fn an_excerpt_written_and_checked_crosses_the_wire_as_the_engine_said() {
        let dir = scratch("wire");
        let case = sample_case(&dir);
        let reviewer = Reviewer::load_or_create(&dir.join("reviewer")).unwrap();
        let filter = EventFilter {
            action: Some("order.*".to_owned()),
            ..EventFilter::default()
        };
        let n_orders = excerpt::count_chosen(&case, &filter).unwrap();
        assert!(n_orders >= 1, "the sample has order events");
        let selection = Selection {
            filter,
            reason: Some("Order approvals <b>&</b>".to_owned()),
        };
        let out = dir.join("excerpt");
        let written =
            excerpt::write(&case, &reviewer, &selection, &out, "2026-12-01T11:00:00Z").unwrap();
        let dto = ExcerptWrittenDto::from(&written);
        assert_eq!(dto.chosen, n_orders);
        assert_eq!(dto.folder, out.display().to_string());
        assert_eq!(dto.parts.len(), 1);
        let part = &dto.parts[0];
        assert_eq!(part.method, ExcerptMethodDto::from(written.parts[0].method));
        assert_eq!(part.kind, "audit bundle");
        assert_eq!(part.chosen, n_orders);
        assert!(!part.why.is_empty() && !part.proof.is_empty(), "{part:?}");
        let on_disk: u64 = std::fs::read_dir(&out)
            .unwrap()
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    std::fs::read_dir(e.path())
                        .unwrap()
                        .flatten()
                        .map(|f| f.metadata().unwrap().len())
                        .sum()
                } else {
                    e.metadata().unwrap().len()
                }
            })
            .sum();
        assert_eq!(dto.bytes, on_disk, "the bytes said are the bytes written");

        let trusted = trailscope::TrustedKeys::default();
        let check = excerpt::check(&out, &trusted).unwrap();
        let you = reviewer.fingerprint();
        let dto = ExcerptCheckDto::new(&out, &check, Some(&you));
        assert!(dto.holds, "{}", dto.headline);
        assert!(dto.made_by_you && !dto.made_by_trusted);
        assert_eq!(dto.reason.as_deref(), Some("Order approvals <b>&</b>"));
        assert_eq!(dto.made_at, "2026-12-01T11:00:00Z");
        let events: Vec<&ExcerptEventCheckDto> = dto.parts.iter().flat_map(|p| &p.events).collect();
        assert_eq!(events.len() as u64, n_orders);
        assert!(events.iter().all(|e| e.proven && e.problem.is_none()));
        let someone_else = ExcerptCheckDto::new(&out, &check, Some("0000 0000"));
        assert!(!someone_else.made_by_you);

        let events_file = out.join("part-1/events.jsonl");
        let mut bytes = std::fs::read(&events_file).unwrap();
        bytes[10] ^= 0x01;
        std::fs::write(&events_file, bytes).unwrap();
        let check = excerpt::check(&out, &trusted).unwrap();
        let dto = ExcerptCheckDto::new(&out, &check, Some(&you));
        assert!(!dto.holds, "{}", dto.headline);
        assert!(
            dto.statement_problems
                .iter()
                .any(|p| p.contains("part-1/events.jsonl")),
            "{:?}",
            dto.statement_problems
        );
        assert!(dto.parts.iter().any(|p| !p.proven));
        drop(case);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
