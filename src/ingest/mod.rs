//! Ingest: bytes on disk → [`Profile`].
//!
//! The format is sniffed from the content, never from the file name. This version reads folded
//! stacks (py-spy `record --format raw`, Brendan Gregg's stackcollapse output; see
//! [`collapsed`]); other formats are recognised well enough to be refused with a clear message.

pub mod collapsed;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::profile::Profile;

/// Buffer size of the streaming reader, in bytes.
const READ_BUFFER_BYTES: usize = 256 * 1024;

/// An error while reading a profile. Every variant names the file; parse errors also name the
/// 1-based line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The profile's path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A line of a text profile is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Line {
        /// The profile's path.
        path: PathBuf,
        /// The 1-based line number where the bad record starts.
        line: u64,
        /// What is wrong, in lowercase words.
        message: String,
    },
    /// The file as a whole is not a profile this version can read (empty, or another format).
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The profile's path.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
}

impl IngestError {
    pub(crate) fn line(path: &Path, line: u64, message: String) -> Self {
        IngestError::Line {
            path: path.to_path_buf(),
            line,
            message,
        }
    }
}

/// Reads the profile at `path`, detecting its format from the first bytes.
///
/// # Errors
/// [`IngestError::Io`] if the file cannot be read; [`IngestError::Invalid`] if it is gzip,
/// JSON or binary data (formats this version does not read yet) or empty;
/// [`IngestError::Line`] for a malformed folded-stack line.
pub fn read_profile(path: &Path) -> Result<Profile, IngestError> {
    let file = File::open(path).map_err(|source| IngestError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = BufReader::with_capacity(READ_BUFFER_BYTES, file);
    let head = reader
        .fill_buf()
        .map_err(|source| IngestError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .to_vec();
    if let Some(message) = refuse_other_format(&head) {
        return Err(IngestError::Invalid {
            path: path.to_path_buf(),
            message: message.to_string(),
        });
    }
    collapsed::parse(path, reader)
}

/// A message when the first bytes show a format other than folded stacks.
fn refuse_other_format(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0x1f, 0x8b]) {
        return Some(
            "is gzip-compressed (probably a pprof profile); this version reads py-spy raw / folded stacks only",
        );
    }
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{') | Some(b'[')) {
        return Some(
            "is JSON (probably speedscope); this version reads py-spy raw / folded stacks only",
        );
    }
    if head.contains(&0) {
        return Some(
            "is binary data, not a folded-stack text file (expected lines of the form `frame;frame;... COUNT`)",
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_formats_are_refused_by_content() {
        assert!(
            refuse_other_format(&[0x1f, 0x8b, 8, 0])
                .unwrap()
                .contains("gzip")
        );
        assert!(
            refuse_other_format(b"  {\"$schema\": 1}")
                .unwrap()
                .contains("JSON")
        );
        assert!(
            refuse_other_format(b"\x0a\x02\x00\x01")
                .unwrap()
                .contains("binary")
        );
        assert_eq!(refuse_other_format(b"a;b 1\n"), None);
    }

    #[test]
    fn missing_file_names_the_path() {
        let e = read_profile(Path::new("/nonexistent/p.txt")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot read /nonexistent/p.txt: ")
        );
    }
}
