//! Gzip as CloudTrail delivers it: every log and digest file is exactly one gzip member.
//!
//! Why so strict: a file with a second member (or any bytes) appended still hashes like
//! the original if only the first member is read, while multi-member readers (`zcat`,
//! `gunzip`, Python's `gzip`) see the extra records. So we hash exactly what we parse
//! and report anything after the member (aws-cli PRs #10324/#10326 close the same hole).
//! Output is bounded: a gzip bomb stops at the limit with an error, never fills memory.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read};

use flate2::bufread::GzDecoder;
use sha2::{Digest, Sha256};

/// Bytes read from the compressed file at a time (and inflated at a time).
const CHUNK: usize = 256 * 1024;

/// How many trailing bytes are counted before we stop and say "at least".
const MAX_TRAILING_COUNTED: u64 = 64 * 1024 * 1024;

/// Why a file could not be inflated as one gzip member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GzError {
    /// The input is not gzip at all, or its deflate data or checksum is corrupt.
    Corrupt(String),
    /// The input ends inside the member (a cut download).
    Truncated,
    /// It inflates to more than the limit: refused, as a gzip bomb would be.
    TooLarge { limit: u64 },
    /// Bytes follow the first member: `offset` is where the member ends, `bytes` how
    /// many follow (`at_least` when we stopped counting).
    TrailingData {
        offset: u64,
        bytes: u64,
        at_least: bool,
    },
    /// The file could not be read.
    Read(String),
}

impl fmt::Display for GzError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GzError::Corrupt(why) => write!(f, "not a valid gzip file ({why})"),
            GzError::Truncated => write!(f, "the gzip data ends too early (the file is cut)"),
            GzError::TooLarge { limit } => write!(
                f,
                "it inflates to more than {limit} bytes, the limit; refused (a gzip bomb, or raise the limit)"
            ),
            GzError::TrailingData {
                offset,
                bytes,
                at_least,
            } => {
                let more = if *at_least { "at least " } else { "" };
                write!(
                    f,
                    "{more}{bytes} bytes follow the gzip member that ends at byte {offset}"
                )
            }
            GzError::Read(why) => write!(f, "cannot be read ({why})"),
        }
    }
}

impl std::error::Error for GzError {}

/// What one member inflated to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inflated {
    /// SHA-256 of the inflated bytes (CloudTrail's `hashValue` is over these).
    pub sha256: [u8; 32],
    /// Inflated size in bytes.
    pub size: u64,
    /// Bytes after the member, if any (see `GzError::TrailingData`); the hash and size
    /// above are of the first member only.
    pub trailing: Option<GzError>,
}

/// Inflates a whole gzip buffer: exactly one member, at most `limit` bytes out.
/// Trailing bytes are an error here (`GzError::TrailingData`).
pub fn inflate(gz: &[u8], limit: u64) -> Result<Vec<u8>, GzError> {
    let mut out = Vec::new();
    let inflated = inflate_member(gz, limit, Some(&mut out))?;
    match inflated.trailing {
        Some(trailing) => Err(trailing),
        None => Ok(out),
    }
}

/// Inflates one member from `reader` while hashing it, streaming: memory stays at a
/// buffer's size unless `keep` asks for the bytes. Trailing bytes are not an error here
/// but reported in `Inflated::trailing`, so the caller can say both what the first
/// member holds and that something follows it.
pub fn inflate_member<R: Read>(
    reader: R,
    limit: u64,
    keep: Option<&mut Vec<u8>>,
) -> Result<Inflated, GzError> {
    let mut counting = Counting {
        inner: BufReader::with_capacity(CHUNK, reader),
        consumed: 0,
    };
    if counting.fill_buf().map_err(classify)?.is_empty() {
        return Err(GzError::Corrupt("the file is empty".to_owned()));
    }
    let mut decoder = GzDecoder::new(counting);
    let (sha256, size) = hash_output(&mut decoder, limit, keep)?;
    if decoder.header().is_none() {
        return Err(GzError::Corrupt("no gzip header".to_owned()));
    }
    let trailing = trailing_bytes(decoder.into_inner())?;
    Ok(Inflated {
        sha256,
        size,
        trailing,
    })
}

/// Reads the decoder to its end: SHA-256 and size of what came out, refusing more
/// than `limit` bytes.
fn hash_output<R: Read>(
    decoder: &mut R,
    limit: u64,
    mut keep: Option<&mut Vec<u8>>,
) -> Result<([u8; 32], u64), GzError> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; CHUNK];
    let mut size: u64 = 0;
    loop {
        let n = match decoder.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(classify(e)),
        };
        size += n as u64;
        if size > limit {
            return Err(GzError::TooLarge { limit });
        }
        hasher.update(&buffer[..n]);
        if let Some(out) = keep.as_deref_mut() {
            out.extend_from_slice(&buffer[..n]);
        }
    }
    Ok((hasher.finalize().into(), size))
}

/// What is left after the member: nothing, or how much (counted up to a bound, so a
/// huge appendix costs no more than reading that bound).
fn trailing_bytes<R: BufRead>(mut rest: Counting<R>) -> Result<Option<GzError>, GzError> {
    let offset = rest.consumed;
    if rest.fill_buf().map_err(classify)?.is_empty() {
        return Ok(None);
    }
    let counted = io::copy(
        &mut (&mut rest).take(MAX_TRAILING_COUNTED + 1),
        &mut io::sink(),
    )
    .map_err(classify)?;
    Ok(Some(GzError::TrailingData {
        offset,
        bytes: counted.min(MAX_TRAILING_COUNTED),
        at_least: counted > MAX_TRAILING_COUNTED,
    }))
}

/// flate2 reports a cut stream as `UnexpectedEof` and bad data or checksums as
/// `InvalidInput`/`InvalidData`; anything else came from reading the file.
fn classify(error: io::Error) -> GzError {
    match error.kind() {
        io::ErrorKind::UnexpectedEof => GzError::Truncated,
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
            GzError::Corrupt(error.to_string())
        }
        _ => GzError::Read(error.to_string()),
    }
}

/// A `BufRead` that counts the bytes its reader consumed, so we know where the gzip
/// member ended.
struct Counting<R> {
    inner: R,
    consumed: u64,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.consumed += amount as u64;
        self.inner.consume(amount);
    }
}

#[cfg(test)]
pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha256(bytes: &[u8]) -> [u8; 32] {
        Sha256::digest(bytes).into()
    }

    #[test]
    fn one_member_inflates_and_hashes_the_inflated_bytes() {
        let text = br#"{"Records":[]}"#;
        let gz = gzip(text);
        assert_eq!(inflate(&gz, 1 << 20).unwrap(), text);
        let inflated = inflate_member(&gz[..], 1 << 20, None).unwrap();
        assert_eq!(inflated.sha256, sha256(text));
        assert_eq!(inflated.size, text.len() as u64);
        assert_eq!(inflated.trailing, None);
    }

    #[test]
    fn an_empty_member_is_fine_but_an_empty_file_is_not_gzip() {
        assert_eq!(inflate(&gzip(b""), 10).unwrap(), b"");
        assert!(matches!(inflate(b"", 10), Err(GzError::Corrupt(_))));
    }

    #[test]
    fn a_second_member_or_junk_after_the_first_is_trailing_data_at_its_offset() {
        let first = gzip(b"{\"Records\":[1]}");
        let mut twice = first.clone();
        twice.extend_from_slice(&gzip(b"{\"Records\":[2]}"));
        let inflated = inflate_member(&twice[..], 1 << 20, None).unwrap();
        // The first member's hash is still reported, beside the trailing data.
        assert_eq!(inflated.sha256, sha256(b"{\"Records\":[1]}"));
        let Some(GzError::TrailingData { offset, bytes, .. }) = inflated.trailing else {
            panic!("trailing data expected");
        };
        assert_eq!(offset, first.len() as u64);
        assert_eq!(bytes, (twice.len() - first.len()) as u64);

        let mut junk = first.clone();
        junk.push(0);
        assert_eq!(
            inflate(&junk, 1 << 20),
            Err(GzError::TrailingData {
                offset: first.len() as u64,
                bytes: 1,
                at_least: false
            })
        );
    }

    #[test]
    fn cut_and_corrupt_input_are_errors_with_a_message() {
        let gz = gzip(&vec![b'x'; 100_000]);
        assert_eq!(
            inflate(&gz[..gz.len() / 2], 1 << 20),
            Err(GzError::Truncated)
        );
        assert_eq!(
            inflate(&gz[..gz.len() - 3], 1 << 20),
            Err(GzError::Truncated)
        );
        let mut bad_crc = gz.clone();
        let n = bad_crc.len();
        bad_crc[n - 8] ^= 1;
        let error = inflate(&bad_crc, 1 << 20).unwrap_err();
        assert!(matches!(error, GzError::Corrupt(_)), "{error:?}");
        let error = inflate(b"not gzip at all", 1 << 20).unwrap_err();
        assert!(
            error.to_string().starts_with("not a valid gzip file"),
            "{error}"
        );
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_limit_without_inflating_it_all() {
        // 1 GiB of zeros compresses to about a megabyte; the limit stops it early.
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..1024 {
            std::io::Write::write_all(&mut encoder, &zeros).unwrap();
        }
        let bomb = encoder.finish().unwrap();
        assert!(bomb.len() < 2 << 20);
        let started = std::time::Instant::now();
        let error = inflate(&bomb, 8 << 20).unwrap_err();
        assert_eq!(error, GzError::TooLarge { limit: 8 << 20 });
        assert!(error.to_string().contains("limit"));
        assert!(started.elapsed().as_secs() < 5);
        // Exactly at the limit is fine.
        assert_eq!(inflate(&gzip(b"1234"), 4).unwrap(), b"1234");
        assert_eq!(
            inflate(&gzip(b"12345"), 4),
            Err(GzError::TooLarge { limit: 4 })
        );
    }
}
