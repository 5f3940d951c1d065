//! The quirks real exports have, planned once for every SaaS generator: records repeated
//! exactly by overlapping downloads, an id repeated with other content, records whose
//! time is missing or not a time, and rows that are not records at all. A generator says
//! how to make each quirk of its own format (which member is the id, which the time);
//! this module decides how many there are, which records they copy and where they go.
//!
//! Cut-off files are not planned here: the tests cut a whole file themselves, at the
//! byte they choose.
//!
//! Like the rest of `produce`, it shares nothing with the readers the exports feed.

use serde_json::Value;

/// How many of each quirk an export gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quirks {
    /// Records written again exactly, as a second, overlapping download gives them.
    pub repeats: usize,
    /// Records whose id an earlier record has, with other content.
    pub conflicting: usize,
    /// Records whose time is missing or not a time.
    pub untimed: usize,
    /// Rows that are not records (where the format has rows that can break).
    pub broken: usize,
}

impl Quirks {
    /// The quirks of a realistic export of `records` records (the command line's
    /// `--quirks`): one record in 20 repeated, one in 200 repeating an id with other
    /// content, one in 500 untimed and one in 500 broken; at least one of each.
    pub fn scaled(records: usize) -> Quirks {
        let n = |one_in: usize| (records / one_in).max(1);
        Quirks {
            repeats: n(20),
            conflicting: n(200),
            untimed: n(500),
            broken: n(500),
        }
    }

    /// The rows of an export: `records` as they are, then the quirks made of them, in
    /// this order — conflicting records (copies of records of `plain`, those whose
    /// change of content disturbs no history, each edited by `edit`), untimed records
    /// (copies `edit` gives a new id and takes the time from, with [`untime`]), broken
    /// rows (`broken(k)`, when the format has rows that can break), exact repeats
    /// (copies `edit` may still touch where the format's exports differ in what is not
    /// content, such as an etag). `edit` is told which quirk and the how-many-th of its
    /// kind; it also counts what the copy adds to the truth.
    ///
    /// A quirk copies nothing when there is nothing to copy: no conflicting records
    /// without `plain` records, no untimed records or repeats without records.
    pub fn rows<T: Clone>(
        &self,
        records: &[T],
        plain: &[usize],
        mut edit: impl FnMut(Quirk, usize, &mut T),
        broken: Option<fn(usize) -> String>,
    ) -> (Vec<Row<T>>, Added) {
        let mut rows: Vec<Row<T>> = records.iter().cloned().map(Row::Record).collect();
        let mut added = Added::default();
        let mut copy = |quirk: Quirk, k: usize, of: &[usize], rows: &mut Vec<Row<T>>| {
            let mut record = records[of[pick(quirk, k, of.len())]].clone();
            edit(quirk, k, &mut record);
            rows.push(Row::Record(record));
        };
        let all: Vec<usize> = (0..records.len()).collect();
        for k in 0..self.conflicting.min(plain.len()) {
            copy(Quirk::Conflicting, k, plain, &mut rows);
            added.conflicting += 1;
        }
        for k in 0..self.untimed * usize::from(!records.is_empty()) {
            copy(Quirk::Untimed, k, &all, &mut rows);
            added.untimed += 1;
        }
        if let Some(broken) = broken {
            for k in 0..self.broken {
                rows.push(Row::Broken(broken(k)));
                added.broken += 1;
            }
        }
        for k in 0..self.repeats.min(records.len()) {
            copy(Quirk::Repeat, k, &all, &mut rows);
            added.repeats += 1;
        }
        (rows, added)
    }
}

/// Which quirk a copy is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quirk {
    Conflicting,
    Untimed,
    Repeat,
    /// A request whose last stage never arrives (Kubernetes).
    Incomplete,
}

/// A row of an export: a record, or text that is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Row<T> {
    Record(T),
    Broken(String),
}

impl<T> Row<T> {
    pub fn record(&self) -> Option<&T> {
        match self {
            Row::Record(record) => Some(record),
            Row::Broken(_) => None,
        }
    }

    pub fn into_record(self) -> Option<T> {
        match self {
            Row::Record(record) => Some(record),
            Row::Broken(_) => None,
        }
    }
}

/// What [`Quirks::rows`] added, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Added {
    pub conflicting: u64,
    pub untimed: u64,
    pub broken: u64,
    pub repeats: u64,
}

impl Added {
    /// Rows an import keeps in quarantine: the untimed and the broken.
    pub fn quarantined(&self) -> u64 {
        self.untimed + self.broken
    }
}

/// The candidate the `k`-th copy of a quirk takes, of `len` candidates: spread over
/// them, each kind of quirk starting elsewhere, and no candidate taken twice by one
/// kind before every one has been (the step is prime to `len`), so two conflicting
/// copies are never the same copy. `len` must be > 0.
pub fn pick(quirk: Quirk, k: usize, len: usize) -> usize {
    debug_assert!(len > 0);
    let (step, start) = match quirk {
        Quirk::Repeat => (3, 0),
        Quirk::Untimed => (5, 1),
        Quirk::Conflicting => (7, 2),
        Quirk::Incomplete => (11, 3),
    };
    let step = (step..).find(|s| gcd(*s, len) == 1).unwrap_or(1);
    (start + k * step) % len
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// What the `k`-th untimed record's time is: the even-numbered have none (`None`), the
/// others have `not_a_time`, the format's own text that looks like a time and is none.
pub fn garbled_time(k: usize, not_a_time: &str) -> Option<&str> {
    (k % 2 == 1).then_some(not_a_time)
}

/// Takes the time member `key` of `object` away as [`garbled_time`] says: removed, or
/// replaced by `not_a_time`.
pub fn untime(k: usize, object: &mut Value, key: &str, not_a_time: &str) {
    let Some(object) = object.as_object_mut() else {
        return;
    };
    match garbled_time(k, not_a_time) {
        None => {
            object.remove(key);
        }
        Some(text) => {
            object.insert(key.to_owned(), Value::String(text.to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_kind_of_quirk_takes_every_candidate_once_before_taking_one_again() {
        for len in [1, 2, 3, 7, 10, 14, 21, 35, 105, 400] {
            for quirk in [
                Quirk::Repeat,
                Quirk::Untimed,
                Quirk::Conflicting,
                Quirk::Incomplete,
            ] {
                let mut taken: Vec<usize> = (0..len).map(|k| pick(quirk, k, len)).collect();
                taken.sort_unstable();
                assert_eq!(taken, (0..len).collect::<Vec<_>>(), "{quirk:?} of {len}");
            }
        }
    }

    #[test]
    fn the_rows_are_the_records_then_each_quirk_in_its_place() {
        let records: Vec<Value> = (0..10).map(|n| json!({"id": n, "ts": n})).collect();
        let quirks = Quirks {
            repeats: 3,
            conflicting: 2,
            untimed: 2,
            broken: 1,
        };
        let plain = [4, 6];
        let mut seen = Vec::new();
        let (rows, added) = quirks.rows(
            &records,
            &plain,
            |quirk, k, record| {
                seen.push((quirk, k));
                match quirk {
                    Quirk::Conflicting => record["other"] = json!(true),
                    Quirk::Untimed => {
                        record["id"] = json!(100 + k);
                        untime(k, record, "ts", "yesterday afternoon");
                    }
                    _ => {}
                }
            },
            Some(|k| format!("{{broken {k}")),
        );
        assert_eq!(
            added,
            Added {
                conflicting: 2,
                untimed: 2,
                broken: 1,
                repeats: 3
            }
        );
        assert_eq!(added.quarantined(), 3);
        assert_eq!(rows.len(), 10 + 2 + 2 + 1 + 3);
        assert_eq!(
            &rows[..10],
            &records.iter().cloned().map(Row::Record).collect::<Vec<_>>()[..]
        );
        // Conflicting copies come from the plain records only, each once.
        let conflicting: Vec<&Value> = rows[10..12].iter().filter_map(Row::record).collect();
        let mut ids: Vec<i64> = conflicting
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        assert_eq!(ids, [4, 6]);
        assert!(conflicting.iter().all(|r| r["other"] == true));
        // Untimed: a new id, the time gone, then not a time.
        let untimed: Vec<&Value> = rows[12..14].iter().filter_map(Row::record).collect();
        assert_eq!(untimed[0]["id"], 100);
        assert!(untimed[0].get("ts").is_none());
        assert_eq!(untimed[1]["ts"], "yesterday afternoon");
        assert_eq!(rows[14], Row::Broken("{broken 0".into()));
        // Repeats are records as they were.
        for row in &rows[15..] {
            assert!(records.contains(row.record().unwrap()));
        }
        assert_eq!(seen.len(), 2 + 2 + 3);
    }

    #[test]
    fn quirks_copy_nothing_when_there_is_nothing_to_copy() {
        let quirks = Quirks {
            repeats: 4,
            conflicting: 4,
            untimed: 4,
            broken: 0,
        };
        let (rows, added) = quirks.rows::<Value>(&[], &[], |_, _, _| {}, None);
        assert!(rows.is_empty());
        assert_eq!(added, Added::default());
        let records = [json!({"id": 1})];
        let (rows, added) = quirks.rows(&records, &[], |_, _, _| {}, Some(|_| "x".into()));
        assert_eq!(added.conflicting, 0, "no plain record to copy");
        assert_eq!(added.repeats, 1, "no more repeats than records");
        assert_eq!(added.untimed, 4);
        assert_eq!(added.broken, 0);
        assert_eq!(rows.len(), 1 + 4 + 1);
    }

    #[test]
    fn a_realistic_export_has_each_quirk_at_least_once() {
        assert_eq!(
            Quirks::scaled(10),
            Quirks {
                repeats: 1,
                conflicting: 1,
                untimed: 1,
                broken: 1
            }
        );
        assert_eq!(
            Quirks::scaled(100_000),
            Quirks {
                repeats: 5_000,
                conflicting: 500,
                untimed: 200,
                broken: 200
            }
        );
    }
}
