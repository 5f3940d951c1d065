//! The eight SaaS exports by name, for the command line's `gen-export`: which formats
//! there are, the shapes each writes (the first is the default), and one call that
//! writes any of them, plain or with the quirks of real exports, and says what it wrote
//! in the numbers every format has.
//!
//! Like the rest of `produce`, it shares nothing with the readers the exports feed.

use std::path::Path;

use super::entra::{EntraPlan, EntraShape, write_entra};
use super::github::{GitHubPlan, GitHubShape, write_github};
use super::gitlab::{GitLabPlan, GitLabShape, write_gitlab};
use super::google::{GooglePlan, GoogleShape, write_google};
use super::kubernetes::{KubernetesPlan, write_kubernetes};
use super::okta::{OktaPlan, OktaShape, write_okta};
use super::purview::{PurviewPlan, PurviewShape, write_purview};
use super::quirks::Quirks;
use super::salesforce::{SalesforcePlan, write_salesforce};
use crate::Error;

/// The formats, as `gen-export` names them.
pub const FORMATS: [&str; 8] = [
    "purview",
    "entra",
    "okta",
    "kubernetes",
    "github",
    "gitlab",
    "google",
    "salesforce",
];

/// The shapes `format` writes, the default first; `None` for no format of ours.
pub fn shapes(format: &str) -> Option<&'static [&'static str]> {
    Some(match format {
        "purview" => &["classic", "new", "json"],
        "entra" => &["graph", "array", "csv"],
        "okta" => &["array", "lines"],
        "kubernetes" => &["log"],
        "github" => &["json", "lines", "csv"],
        "gitlab" => &["json", "csv"],
        "google" => &["page", "array", "lines"],
        "salesforce" => &["csv", "data-loader"],
        _ => return None,
    })
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct ExportRequest<'a> {
    /// One of [`FORMATS`].
    pub format: &'a str,
    /// One of the format's [`shapes`]; `None` for its default.
    pub shape: Option<&'a str>,
    /// About how many records (Kubernetes: background requests; Google Workspace:
    /// activities; Salesforce: change events and Setup Audit Trail rows together).
    pub records: usize,
    pub seed: u64,
    /// Add the quirks of real exports, in the proportions of [`Quirks::scaled`].
    pub quirks: bool,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    /// What the export is made of: `rows`, `lines` or `activities`.
    pub unit: &'static str,
    /// How many of them were written, quirks included.
    pub written: u64,
    /// Events an import keeps.
    pub events: u64,
    pub exact_repeats: u64,
    /// Records an import keeps in quarantine.
    pub quarantined: u64,
}

/// Writes the export `request` asks for to `path` (a folder for Salesforce, which
/// exports several files). A format or shape that does not exist is refused with the
/// ones that do.
pub fn write_export(path: &Path, request: &ExportRequest<'_>) -> crate::Result<ExportSummary> {
    let Some(shapes) = shapes(request.format) else {
        return Err(Error::Invalid(format!(
            "{} is not an export Trailscope generates: use {}",
            request.format,
            either(&FORMATS)
        )));
    };
    let shape = request.shape.unwrap_or(shapes[0]);
    if !shapes.contains(&shape) {
        return Err(Error::Invalid(match shapes {
            [only] => format!(
                "--shape {shape}: {} exports have one shape, {only}",
                request.format
            ),
            _ => format!(
                "--shape {shape} is not a shape of {} exports: use {}",
                request.format,
                either(shapes)
            ),
        }));
    }
    // Each format's shapes in the order `shapes` names them.
    let nth = shapes.iter().position(|s| *s == shape).unwrap_or(0);
    let (records, seed) = (request.records, request.seed);
    let q = if request.quirks {
        Quirks::scaled(records)
    } else {
        Quirks::default()
    };
    // (what the export is made of; written, events, exact repeats, quarantined).
    let (unit, counts) = match request.format {
        "purview" => {
            let shape = [PurviewShape::Classic, PurviewShape::New, PurviewShape::Json][nth];
            let plan = PurviewPlan {
                records,
                seed,
                shape,
                repeats: q.repeats,
                conflicting: q.conflicting,
                broken: q.broken,
                untimed: q.untimed,
            };
            let t = write_purview(path, &plan);
            (
                "rows",
                t.map(|t| [t.rows, t.events, t.exact_repeats, t.quarantined]),
            )
        }
        "entra" => {
            let shape = [EntraShape::Graph, EntraShape::Array, EntraShape::Csv][nth];
            let plan = EntraPlan {
                records,
                seed,
                shape,
                repeats: q.repeats,
                conflicting: q.conflicting,
                untimed: q.untimed,
            };
            let t = write_entra(path, &plan);
            (
                "rows",
                t.map(|t| [t.rows, t.events, t.exact_repeats, t.quarantined]),
            )
        }
        "okta" => {
            let plan = OktaPlan {
                shape: [OktaShape::Array, OktaShape::Lines][nth],
                records,
                seed,
                repeats: q.repeats,
                conflicting: q.conflicting,
                untimed: q.untimed,
            };
            let t = write_okta(path, &plan);
            (
                "rows",
                t.map(|t| [t.rows, t.events, t.exact_repeats, t.quarantined]),
            )
        }
        "kubernetes" => {
            let plan = KubernetesPlan {
                requests: records,
                seed,
                repeats: q.repeats,
                conflicting: q.conflicting,
                // As many requests whose last stage never came as conflicting ids.
                incomplete: q.conflicting,
                untimed: q.untimed,
                broken: q.broken,
                ..KubernetesPlan::default()
            };
            let t = write_kubernetes(path, &plan);
            (
                "lines",
                t.map(|t| [t.lines, t.events, t.exact_repeats, t.quarantined]),
            )
        }
        "github" => {
            let plan = GitHubPlan {
                shape: [GitHubShape::Json, GitHubShape::Lines, GitHubShape::Csv][nth],
                records,
                seed,
                repeats: q.repeats,
                conflicting: q.conflicting,
                untimed: q.untimed,
            };
            let t = write_github(path, &plan);
            (
                "rows",
                t.map(|t| [t.rows, t.events, t.exact_repeats, t.quarantined]),
            )
        }
        "gitlab" => {
            let plan = GitLabPlan {
                shape: [GitLabShape::Json, GitLabShape::Csv][nth],
                records,
                seed,
                repeats: q.repeats,
                conflicting: q.conflicting,
                untimed: q.untimed,
            };
            let t = write_gitlab(path, &plan);
            (
                "rows",
                t.map(|t| [t.rows, t.events, t.exact_repeats, t.quarantined]),
            )
        }
        "google" => {
            let plan = GooglePlan {
                shape: [GoogleShape::Page, GoogleShape::Array, GoogleShape::Lines][nth],
                activities: records,
                seed,
                repeats: q.repeats,
                conflicting: q.conflicting,
                untimed: q.untimed,
                broken: q.broken,
            };
            let t = write_google(path, &plan);
            (
                "activities",
                t.map(|t| [t.activities, t.events, t.exact_repeats, t.quarantined]),
            )
        }
        _ => {
            let plan = SalesforcePlan {
                seed,
                repeats: q.repeats,
                conflicting: q.conflicting,
                untimed: q.untimed,
                data_loader: shape == "data-loader",
                ..salesforce_plan(records)
            };
            let t = write_salesforce(path, &plan);
            (
                "rows",
                t.map(|t| [t.rows, t.events, t.exact_repeats, t.quarantined]),
            )
        }
    };
    let [written, events, exact_repeats, quarantined] = counts.map_err(|e| Error::io(path, e))?;
    Ok(ExportSummary {
        unit,
        written,
        events,
        exact_repeats,
        quarantined,
    })
}

/// A Salesforce org of about `records` events: every Opportunity and Account changes
/// `updates` times after its creation, and one event in eight is a Setup Audit Trail
/// row (at least the eight scripted ones).
fn salesforce_plan(records: usize) -> SalesforcePlan {
    let defaults = SalesforcePlan::default();
    let setup_rows = (records / 8).max(8);
    let per_record = defaults.updates + 1;
    let changed = records.saturating_sub(setup_rows) / per_record;
    SalesforcePlan {
        opportunities: changed.div_ceil(2).max(1),
        accounts: (changed / 2).max(1),
        setup_rows,
        ..defaults
    }
}

/// `a, b or c`.
fn either(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(format: &'a str, shape: Option<&'a str>) -> ExportRequest<'a> {
        ExportRequest {
            format,
            shape,
            records: 40,
            seed: 3,
            quirks: true,
        }
    }

    #[test]
    fn every_format_has_shapes_and_writes_each_of_them() {
        let temp = tempfile::tempdir().unwrap();
        for format in FORMATS {
            for shape in shapes(format).unwrap() {
                let path = temp.path().join(format!("{format}-{shape}"));
                let summary = write_export(&path, &request(format, Some(shape))).unwrap();
                assert!(summary.events > 0, "{format} {shape}: {summary:?}");
                assert!(summary.exact_repeats > 0, "{format} {shape}: {summary:?}");
                assert!(summary.quarantined > 0, "{format} {shape}: {summary:?}");
                assert!(path.exists(), "{format} {shape}");
            }
        }
    }

    #[test]
    fn an_unknown_format_or_shape_is_refused_with_the_ones_there_are() {
        let temp = tempfile::tempdir().unwrap();
        let path = temp.path().join("out");
        let error = write_export(&path, &request("splunk", None))
            .unwrap_err()
            .to_string();
        assert!(error.contains("splunk is not an export"), "{error}");
        assert!(
            error
                .contains("purview, entra, okta, kubernetes, github, gitlab, google or salesforce"),
            "{error}"
        );
        let error = write_export(&path, &request("entra", Some("xml")))
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "--shape xml is not a shape of entra exports: use graph, array or csv"
        );
        let error = write_export(&path, &request("kubernetes", Some("json")))
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "--shape json: kubernetes exports have one shape, log"
        );
        assert!(!path.exists(), "nothing is written for a refused request");
    }

    #[test]
    fn a_salesforce_org_is_about_as_large_as_asked() {
        for records in [10, 200, 5_000] {
            let plan = salesforce_plan(records);
            let events =
                (plan.opportunities + plan.accounts) * (plan.updates + 1) + plan.setup_rows;
            assert!(
                events <= records.max(8 + 2 * (plan.updates + 1)) && events * 10 >= records * 8,
                "{records}: {events}"
            );
        }
    }
}
