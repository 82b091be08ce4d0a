//! Ingest: bytes on disk → [`Profile`].
//!
//! The format is sniffed from the content, never from the file name (`--input-format` forces
//! one): gzip is unpacked first (up to [`IngestOptions::max_decompressed_bytes`], so a gzip bomb
//! cannot exhaust memory), then
//!
//! - text starting with `{` is **speedscope** JSON ([`speedscope`]);
//! - other text is **folded stacks**: py-spy `raw`, Brendan Gregg's stackcollapse ([`collapsed`]);
//! - binary data is **pprof** profile.proto ([`pprof`]).
//!
//! [`read_profiles`] reads several files (a directory means every file in it), merges them
//! and applies the filters ([`crate::profile::transform`]).

pub mod collapsed;
pub mod pprof;
pub mod speedscope;

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use crate::profile::Profile;
use crate::profile::transform::{self, Filters, MergeError};

/// Buffer size of the streaming reader, in bytes.
const READ_BUFFER_BYTES: usize = 256 * 1024;

/// Default [`IngestOptions::max_decompressed_bytes`]: 4 GiB.
pub const DEFAULT_MAX_DECOMPRESSED_BYTES: u64 = 4 << 30;

/// A profile format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// Folded stacks: py-spy `raw`, stackcollapse output.
    Collapsed,
    /// speedscope's JSON file format.
    Speedscope,
    /// pprof's profile.proto, gzip-compressed or not.
    Pprof,
}

impl InputFormat {
    /// The format's name as the CLI spells it: `collapsed`, `speedscope`, `pprof`.
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::Collapsed => "collapsed",
            InputFormat::Speedscope => "speedscope",
            InputFormat::Pprof => "pprof",
        }
    }
}

/// How profiles are read.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IngestOptions {
    /// Force a format instead of detecting it. Default is `None` (detect).
    pub format: Option<InputFormat>,
    /// pprof: the sample type to read, by its `type` name (`cpu`, `samples`, `alloc_space`).
    /// Default is `None`: the profile's `default_sample_type`, else the last one, as pprof does.
    pub sample_type: Option<String>,
    /// Largest decompressed size of a gzip input, in bytes. Default is
    /// [`DEFAULT_MAX_DECOMPRESSED_BYTES`] (4 GiB).
    pub max_decompressed_bytes: u64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            format: None,
            sample_type: None,
            max_decompressed_bytes: DEFAULT_MAX_DECOMPRESSED_BYTES,
        }
    }
}

/// An error while reading a profile. Every variant names the file; parse errors also name a
/// position: a 1-based line, a byte offset, or a message kind and index.
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
    /// A message of a pprof profile is invalid (an id out of range, a negative value, ...).
    #[error("{}: {kind} #{index}: {message}", path.display())]
    Message {
        /// The profile's path.
        path: PathBuf,
        /// The profile.proto message kind: `sample`, `location`, `function`, `mapping`, ...
        kind: &'static str,
        /// The 0-based index of the message in its repeated field.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// The file as a whole is not a profile brownfield can read.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The profile's path.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// Several profiles could not be merged.
    #[error(transparent)]
    Merge(#[from] MergeError),
}

impl IngestError {
    pub(crate) fn line(path: &Path, line: u64, message: String) -> Self {
        IngestError::Line {
            path: path.to_path_buf(),
            line,
            message,
        }
    }

    pub(crate) fn invalid(path: &Path, message: impl Into<String>) -> Self {
        IngestError::Invalid {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    pub(crate) fn message(
        path: &Path,
        kind: &'static str,
        index: usize,
        message: impl Into<String>,
    ) -> Self {
        IngestError::Message {
            path: path.to_path_buf(),
            kind,
            index,
            message: message.into(),
        }
    }

    fn io(path: &Path, source: std::io::Error) -> Self {
        IngestError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Reads every profile named by `paths` (a directory means every regular, non-hidden file
/// directly in it, in name order), merges them and applies `filters`.
///
/// # Errors
/// The first file's [`IngestError`]; [`IngestError::Merge`] when the units differ and
/// `filters.normalize` is off; [`IngestError::Invalid`] for a directory with no file.
pub fn read_profiles(
    paths: &[PathBuf],
    options: &IngestOptions,
    filters: &Filters,
) -> Result<Profile, IngestError> {
    let files = expand_paths(paths)?;
    let mut profiles = Vec::with_capacity(files.len());
    for file in &files {
        profiles.push(read_profile_with(file, options)?);
    }
    let merged = transform::merge(profiles, filters.normalize)?;
    Ok(transform::apply(merged, filters))
}

/// The files behind `paths`: files as given, directories expanded.
fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| IngestError::io(path, e))?
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.path())
                .collect();
            if entries.is_empty() {
                return Err(IngestError::invalid(
                    path,
                    "is a directory with no profile in it",
                ));
            }
            entries.sort();
            out.extend(entries);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// Reads one profile with default options, detecting its format.
///
/// # Errors
/// See [`read_profile_with`].
pub fn read_profile(path: &Path) -> Result<Profile, IngestError> {
    read_profile_with(path, &IngestOptions::default())
}

/// Reads one profile file.
///
/// # Errors
/// [`IngestError::Io`] if the file cannot be read; [`IngestError::Invalid`] if it is empty,
/// decompresses past the cap, is truncated gzip, or is no format brownfield reads;
/// [`IngestError::Line`] / [`IngestError::Message`] for malformed content.
pub fn read_profile_with(path: &Path, options: &IngestOptions) -> Result<Profile, IngestError> {
    let mut profile = read_one(path, options)?;
    profile.set_source(path.display().to_string());
    Ok(profile)
}

fn read_one(path: &Path, options: &IngestOptions) -> Result<Profile, IngestError> {
    let file = File::open(path).map_err(|e| IngestError::io(path, e))?;
    let mut reader = BufReader::with_capacity(READ_BUFFER_BYTES, file);
    let head = reader.fill_buf().map_err(|e| IngestError::io(path, e))?;
    if head.is_empty() {
        return Err(IngestError::invalid(path, "is empty; expected a profile"));
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        // gzip: read the whole decompressed stream (capped) and sniff inside it. Large text
        // profiles should be given uncompressed so they can be streamed.
        let bytes = gunzip_capped(path, reader, options.max_decompressed_bytes)?;
        return parse_bytes(path, bytes, options);
    }
    let format = match options.format {
        Some(f) => f,
        None => sniff(head),
    };
    match format {
        InputFormat::Collapsed => parse_text(path, reader, options),
        InputFormat::Speedscope => speedscope::parse(path, reader),
        InputFormat::Pprof => {
            let mut bytes = Vec::new();
            reader
                .read_to_end(&mut bytes)
                .map_err(|e| IngestError::io(path, e))?;
            pprof::parse(path, &bytes, options)
        }
    }
}

/// Reads a profile held in memory (gzip-compressed or not), detecting its format as
/// [`read_profile_with`] does. `path` only names the input in errors. This is the entry point of
/// the fuzz targets.
///
/// # Errors
/// As [`read_profile_with`], without the I/O errors.
pub fn read_bytes(
    path: &Path,
    bytes: Vec<u8>,
    options: &IngestOptions,
) -> Result<Profile, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::invalid(path, "is empty; expected a profile"));
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let inner = gunzip_capped(path, Cursor::new(bytes), options.max_decompressed_bytes)?;
        return parse_bytes(path, inner, options);
    }
    parse_bytes(path, bytes, options)
}

fn parse_bytes(
    path: &Path,
    bytes: Vec<u8>,
    options: &IngestOptions,
) -> Result<Profile, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::invalid(
            path,
            "is gzip-compressed but holds no data",
        ));
    }
    let format = match options.format {
        Some(f) => f,
        None => sniff(&bytes[..bytes.len().min(READ_BUFFER_BYTES)]),
    };
    match format {
        InputFormat::Collapsed => parse_text(path, Cursor::new(bytes), options),
        InputFormat::Speedscope => speedscope::parse(path, Cursor::new(bytes)),
        InputFormat::Pprof => pprof::parse(path, &bytes, options),
    }
}

/// Reads text that is not speedscope: folded stacks, or (when the format was detected, not
/// forced) `perf script` / DTrace output folded with inferno first. Legacy pprof text profiles
/// are refused with the command that converts them.
fn parse_text(
    path: &Path,
    mut reader: impl BufRead,
    options: &IngestOptions,
) -> Result<Profile, IngestError> {
    let buffered = reader.fill_buf().map_err(|e| IngestError::io(path, e))?;
    // Sniff a bounded head: an in-memory reader hands out the whole input at once.
    let head = &buffered[..buffered.len().min(READ_BUFFER_BYTES)];
    if let Some(message) = legacy_text_format(head) {
        return Err(IngestError::invalid(path, message));
    }
    if options.format.is_none()
        && let Some(tool) = other_stack_format(head)
    {
        let folded = fold_with_inferno(path, tool, reader)?;
        return collapsed::parse(path, Cursor::new(folded));
    }
    collapsed::parse(path, reader)
}

/// Decompresses a gzip stream, refusing to produce more than `cap` bytes.
fn gunzip_capped(path: &Path, reader: impl BufRead, cap: u64) -> Result<Vec<u8>, IngestError> {
    let decoder = flate2::bufread::MultiGzDecoder::new(reader);
    let mut out = Vec::new();
    let read = decoder
        .take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| {
            let what = if e.kind() == std::io::ErrorKind::UnexpectedEof {
                "is truncated gzip (the compressed stream ends early)".to_string()
            } else {
                format!("is corrupt gzip: {e}")
            };
            IngestError::invalid(path, what)
        })?;
    if read as u64 > cap {
        return Err(IngestError::invalid(
            path,
            format!(
                "decompresses to more than {cap} bytes (the limit); raise it with --max-decompressed-size if the profile is really that large"
            ),
        ));
    }
    Ok(out)
}

/// Guesses the format from the first bytes: JSON → speedscope, other text → collapsed,
/// binary → pprof.
pub fn sniff(head: &[u8]) -> InputFormat {
    if !looks_like_text(head) {
        return InputFormat::Pprof;
    }
    match head.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | Some(b'[') => InputFormat::Speedscope,
        _ => InputFormat::Collapsed,
    }
}

/// True when `head` is UTF-8 text (a character cut at the end is allowed) with no control
/// characters but tab, CR and LF. profile.proto data nearly always has control bytes (field
/// lengths below 32) within its first bytes.
fn looks_like_text(head: &[u8]) -> bool {
    let sample = &head[..head.len().min(8192)];
    let valid = match std::str::from_utf8(sample) {
        Ok(_) => sample.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => return false,
    };
    sample[..valid]
        .iter()
        .all(|&b| b >= 0x20 || b == b'\t' || b == b'\n' || b == b'\r')
}

/// Text stack formats that inferno's collapsers fold: `perf script` and DTrace output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OtherStackFormat {
    Perf,
    Dtrace,
}

/// Recognises `perf script` and DTrace output from the first bytes, with inferno's own
/// `is_applicable` checks (folded stacks are never claimed by them).
fn other_stack_format(head: &[u8]) -> Option<OtherStackFormat> {
    use inferno::collapse::Collapse;
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
    };
    // Folded stacks end their first record with ` COUNT`; the others never do.
    let first = valid.lines().find(|l| !l.trim().is_empty())?;
    if first
        .rsplit_once(' ')
        .is_some_and(|(_, c)| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    if inferno::collapse::perf::Folder::default().is_applicable(valid) == Some(true) {
        return Some(OtherStackFormat::Perf);
    }
    if inferno::collapse::dtrace::Folder::default().is_applicable(valid) == Some(true) {
        return Some(OtherStackFormat::Dtrace);
    }
    None
}

/// Folds `perf script` / DTrace output with inferno into folded-stack text.
fn fold_with_inferno(
    path: &Path,
    tool: OtherStackFormat,
    reader: impl BufRead,
) -> Result<Vec<u8>, IngestError> {
    use inferno::collapse::Collapse;
    let mut out = Vec::new();
    let result = match tool {
        OtherStackFormat::Perf => {
            inferno::collapse::perf::Folder::default().collapse(reader, &mut out)
        }
        OtherStackFormat::Dtrace => {
            inferno::collapse::dtrace::Folder::default().collapse(reader, &mut out)
        }
    };
    result.map_err(|e| {
        let name = match tool {
            OtherStackFormat::Perf => "perf script",
            OtherStackFormat::Dtrace => "DTrace",
        };
        IngestError::invalid(
            path,
            format!("looks like {name} output but inferno could not fold it: {e}"),
        )
    })?;
    Ok(out)
}

/// A message for the legacy pprof text formats, which are not folded stacks.
fn legacy_text_format(head: &[u8]) -> Option<String> {
    let start = String::from_utf8_lossy(&head[..head.len().min(64)]).into_owned();
    let start = start.trim_start();
    let legacy = [
        "heap profile:",
        "heap_v2/",
        "--- heapz",
        "--- contention",
        "--- threadz",
    ];
    legacy.iter().any(|p| start.starts_with(p)).then(|| {
        "is a legacy pprof text profile, which brownfield does not read; convert it with `go tool pprof -proto FILE > FILE.pb.gz`".to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"  {\"$schema\": 1}"), InputFormat::Speedscope);
        assert_eq!(sniff(b"a;b 1\n"), InputFormat::Collapsed);
        assert_eq!(sniff(b"\x0a\x02\x00\x01"), InputFormat::Pprof);
        assert_eq!(sniff("f (é.py:1) 1\n".as_bytes()), InputFormat::Collapsed);
    }

    #[test]
    fn missing_and_empty_files_name_the_path() {
        let e = read_profile(Path::new("/nonexistent/p.txt")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot read /nonexistent/p.txt: ")
        );
        let dir = tempfile::tempdir().unwrap();
        let empty = write(dir.path(), "e.txt", b"");
        assert_eq!(
            read_profile(&empty).unwrap_err().to_string(),
            format!("{}: is empty; expected a profile", empty.display())
        );
    }

    #[test]
    fn gzip_is_unpacked_capped_and_truncation_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"a (m.py:1);b (m.py:2) 3\n";
        let gz = write(dir.path(), "p.txt.gz", &gzip(text));
        assert_eq!(read_profile(&gz).unwrap().total(), 3);

        let mut small = IngestOptions::default();
        small.max_decompressed_bytes = 10;
        let e = read_profile_with(&gz, &small).unwrap_err().to_string();
        assert!(e.contains("decompresses to more than 10 bytes"), "{e}");

        let full = gzip(&text.repeat(1000));
        let cut = write(dir.path(), "cut.gz", &full[..full.len() / 2]);
        let e = read_profile(&cut).unwrap_err().to_string();
        assert!(e.contains("truncated gzip"), "{e}");
    }

    #[test]
    fn perf_script_output_is_folded_with_inferno() {
        let dir = tempfile::tempdir().unwrap();
        let perf = "python3 1234 [000] 100.000001:     250000 cpu-clock:pppH: \n\
                    \t    55d0c0a1b2c3 edit_distance+0x23 (/usr/bin/python3.11)\n\
                    \t    55d0c0a1b000 main+0x10 (/usr/bin/python3.11)\n\
                    \n\
                    python3 1234 [000] 100.000251:     250000 cpu-clock:pppH: \n\
                    \t    55d0c0a1b000 main+0x10 (/usr/bin/python3.11)\n\
                    \n";
        let p = write(dir.path(), "perf.txt", perf.as_bytes());
        let profile = read_profile(&p).unwrap();
        // inferno weighs each perf event by its period (250000 here).
        assert_eq!(profile.samples().len(), 2);
        assert_eq!(profile.total(), 500_000);
        let leaf_names: Vec<&str> = profile
            .samples()
            .iter()
            .map(|s| {
                let leaf = profile.frames_leaf_to_root(s.stack).next().unwrap();
                profile.string(profile.frame(leaf).function)
            })
            .collect();
        assert!(leaf_names.contains(&"edit_distance"), "{leaf_names:?}");
        assert_eq!(other_stack_format(b"main;work 3\n"), None);
    }

    #[test]
    fn legacy_heap_profiles_are_refused_with_advice() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "x.heap",
            b"heap profile: 144:  8498176 [ 144:  8498176] @ heapprofile\n",
        );
        assert!(
            read_profile(&p)
                .unwrap_err()
                .to_string()
                .contains("go tool pprof -proto")
        );
    }

    #[test]
    fn directories_expand_to_their_files_in_order() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "b.txt", b"b (m.py:1) 2\n");
        write(dir.path(), "a.txt", b"a (m.py:1) 1\n");
        write(dir.path(), ".hidden", b"garbage");
        let files = expand_paths(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["a.txt", "b.txt"]);
        let empty = tempfile::tempdir().unwrap();
        assert!(expand_paths(&[empty.path().to_path_buf()]).is_err());
    }
}
