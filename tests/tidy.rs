//! Repository hygiene checks (rust-analyzer's tidy idea): every Rust source file starts
//! with a `//!` comment saying what it is for, and SQL lives in one module per table
//! (`src/case/table/`).

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if !matches!(
                path.file_name().and_then(|n| n.to_str()),
                Some("target" | "node_modules" | "gen")
            ) {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_starts_with_a_module_doc_comment() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "src-tauri/src"] {
        if root.join(dir).exists() {
            rust_files(&root.join(dir), &mut files);
        }
    }
    assert!(files.len() > 10, "found only {} files", files.len());
    let missing: Vec<_> = files
        .iter()
        .filter(|path| {
            !std::fs::read_to_string(path)
                .unwrap()
                .trim_start()
                .starts_with("//!")
        })
        .collect();
    assert!(
        missing.is_empty(),
        "files without a //! doc comment: {missing:?}"
    );
}

/// Where SQL may be written: the one module per table, the migrations, and the
/// connection's own setup and checks (pragmas, `integrity_check`, `sqlite_master`).
const SQL_HOMES: [&str; 3] = ["src/case/table/", "src/case/schema.rs", "src/case/mod.rs"];

/// The string literals of a Rust source file (normal, byte, C and raw), each with the
/// line it starts on and whether it is raw; comments and char literals are skipped.
fn string_literals(source: &str) -> Vec<(usize, String, bool)> {
    let chars: Vec<char> = source.chars().collect();
    let line_at = |end: usize| 1 + chars[..end].iter().filter(|c| **c == '\n').count();
    let mut literals = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c.is_alphanumeric() || c == '_' {
            // An identifier, keyword or number; `r`, `br` and `cr` may open a raw string.
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if matches!(word.as_str(), "r" | "br" | "cr") {
                let mut hashes = 0;
                while chars.get(i + hashes) == Some(&'#') {
                    hashes += 1;
                }
                if chars.get(i + hashes) == Some(&'"') {
                    let open = i + hashes + 1;
                    let mut end = open;
                    while !(chars[end] == '"'
                        && (1..=hashes).all(|h| chars.get(end + h) == Some(&'#')))
                    {
                        end += 1;
                    }
                    literals.push((line_at(open), chars[open..end].iter().collect(), true));
                    i = end + 1 + hashes;
                }
            }
        } else if c == '"' {
            let open = i + 1;
            let mut end = open;
            while chars[end] != '"' {
                end += if chars[end] == '\\' { 2 } else { 1 };
            }
            literals.push((line_at(open), chars[open..end].iter().collect(), false));
            i = end + 1;
        } else if c == '\'' {
            // A char literal ('x', '\'', '\u{..}') or a lifetime or label ('a).
            if next == Some('\\') {
                i += 3;
                while chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    literals
}

/// Whether a literal holds an SQL statement: a keyword followed by white space
/// (escaped white space counts in a non-raw literal).
fn holds_sql(literal: &str, raw: bool) -> bool {
    let text = if raw {
        literal.to_owned()
    } else {
        literal
            .replace("\\n", "\n")
            .replace("\\t", "\t")
            .replace("\\r", "\r")
    };
    ["SELECT", "INSERT", "UPDATE", "DELETE"]
        .iter()
        .any(|keyword| {
            text.match_indices(keyword).any(|(at, _)| {
                text[at + keyword.len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_whitespace)
            })
        })
}

#[test]
fn sql_lives_in_one_module_per_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut outside = Vec::new();
    let mut inside = 0;
    for path in &files {
        let relative = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let at_home = SQL_HOMES.iter().any(|home| relative.starts_with(home));
        let source = std::fs::read_to_string(path).unwrap();
        for (line, literal, raw) in string_literals(&source) {
            if !holds_sql(&literal, raw) {
                continue;
            }
            if at_home {
                inside += 1;
            } else {
                let first = literal.trim().lines().next().unwrap_or_default();
                outside.push(format!("{relative}:{line}: {first:?}"));
            }
        }
    }
    // The scan must see the statements where they belong, or it proves nothing.
    assert!(
        inside >= 30,
        "the scan found only {inside} SQL literals in {SQL_HOMES:?}: is it still reading them?"
    );
    assert!(
        outside.is_empty(),
        "SQL outside src/case/table/ (one module per table; the migrations and the \
         connection's setup in src/case/schema.rs and src/case/mod.rs excepted); move \
         each statement into the module of the table it is about:\n{}",
        outside.join("\n")
    );
}

#[test]
fn the_sql_scan_reads_literals_not_comments() {
    let source = r##"
        // SELECT a FROM b in a comment
        /* DELETE FROM x /* nested */ */
        let c = '"'; let l: &'static str = "plain";
        let q = "SELECT 1";
        let r = r#"INSERT INTO t VALUES ("x")"#;
        let b = br"UPDATE t SET x = 1";
        let e = "DELETE\nFROM t \" SELECT";
        let not_sql = "SELECTED UPDATES";
    "##;
    let found: Vec<(usize, String)> = string_literals(source)
        .into_iter()
        .filter(|(_, literal, raw)| holds_sql(literal, *raw))
        .map(|(line, literal, _)| (line, literal))
        .collect();
    assert_eq!(
        found,
        vec![
            (5, "SELECT 1".to_owned()),
            (6, r#"INSERT INTO t VALUES ("x")"#.to_owned()),
            (7, "UPDATE t SET x = 1".to_owned()),
            (8, r#"DELETE\nFROM t \" SELECT"#.to_owned()),
        ]
    );
}
