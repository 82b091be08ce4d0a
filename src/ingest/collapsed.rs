//! Folded ("collapsed") stacks: py-spy's `raw` format and Brendan Gregg's stackcollapse output.
//!
//! One record per line: `frame;frame;...;frame COUNT`, frames **root → leaf**, a single space,
//! then a non-negative integer. py-spy writes it in `src/flamegraph.rs` (`record --format raw`):
//! each frame is `function (file:line)`, or `function (file)` without line numbers or for native
//! frames, or the bare name when there is no file. Its options add:
//!
//! - `--threads`: a root frame `thread (TID): NAME`, e.g. `thread (2611): MainThread`;
//! - `--subprocesses`: root frames `process PID:"COMMAND LINE"`; the command line is written
//!   unescaped and may itself contain newlines, so such a record can span several lines;
//! - `--native`: frames located in a shared object (`PyThread_acquire_lock_timed
//!   (/usr/lib/libpython3.11.so.1.0)`) or bare addresses (`0x7fdb9544524a (libc.so.6)`);
//! - an empty stack (a line holding only ` COUNT`) for samples with no Python frame.
//!
//! The parser streams: it reads one line at a time into a reused buffer and interns frames and
//! stacks as it goes, so memory grows with the number of distinct frames and stacks only.

use std::io::BufRead;
use std::num::NonZeroU32;
use std::path::Path;

use rustc_hash::FxHashMap;

use super::IngestError;
use crate::profile::{
    Frame, FrameId, FrameKind, Metadata, Profile, ProfileBuilder, StackId, ValueUnit,
};

/// The longest record (one stack with its count, continuation lines included) accepted, in
/// bytes. Longer records are rejected with an error rather than buffered without bound.
pub const MAX_RECORD_BYTES: usize = 64 * 1024 * 1024;

/// The most physical lines one record may span (py-spy's process frames can contain newlines).
const MAX_CONTINUATION_LINES: usize = 1000;

/// Parses a folded-stack file into a [`Profile`] whose values are [`ValueUnit::Samples`].
///
/// `path` is used in error messages only. Line endings may be `\n` or `\r\n`; blank lines are
/// skipped.
///
/// # Errors
/// [`IngestError::Line`] naming the 1-based line for: a record with no count after its last
/// space, a count that is negative, not an integer or over `u64`, text that is not UTF-8, a
/// record over [`MAX_RECORD_BYTES`], an empty frame (`a;;b`), or a total over `u64`;
/// [`IngestError::Io`] when reading fails; [`IngestError::Invalid`] when the file holds no
/// record at all.
pub fn parse(path: &Path, mut reader: impl BufRead) -> Result<Profile, IngestError> {
    let mut builder = ProfileBuilder::new(ValueUnit::Samples);
    let mut frames = FrameCache::default();
    let mut prefix = PreviousStack::default();
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut line_no: u64 = 0;

    loop {
        buf.clear();
        let record_line = line_no + 1;
        let mut physical_lines = 0usize;
        // Read one record: one line, plus continuation lines while a process frame's quoted
        // command line is still open.
        loop {
            let n = read_line_capped(&mut reader, &mut buf, path, line_no + 1)?;
            if n == 0 {
                break;
            }
            line_no += 1;
            physical_lines += 1;
            let text = trim_newline(&buf);
            if !has_open_process_quote(text) {
                break;
            }
            if physical_lines >= MAX_CONTINUATION_LINES {
                return Err(IngestError::line(
                    path,
                    record_line,
                    format!(
                        "a process frame's quoted command line is not closed within {MAX_CONTINUATION_LINES} lines"
                    ),
                ));
            }
        }
        if physical_lines == 0 {
            break;
        }
        let text = trim_newline(&buf);
        let text = std::str::from_utf8(text).map_err(|e| {
            IngestError::line(
                path,
                record_line,
                format!(
                    "not valid UTF-8 (byte {} of the line); folded stacks must be UTF-8 text",
                    e.valid_up_to() + 1
                ),
            )
        })?;
        if text.trim().is_empty() {
            continue;
        }
        let (stack_text, count) =
            split_count(text).map_err(|m| IngestError::line(path, record_line, m))?;

        let stack = if stack_text.trim().is_empty() {
            prefix.clear();
            None
        } else {
            prefix
                .push_stack(stack_text, &mut builder, &mut frames)
                .map_err(|m| IngestError::line(path, record_line, m))?
        };
        builder.add_sample(stack, count).map_err(|()| {
            IngestError::line(
                path,
                record_line,
                "the sum of the sample counts overflows a 64-bit integer".to_string(),
            )
        })?;
    }

    builder.set_metadata(Metadata {
        format: "collapsed".to_string(),
        sample_type: "samples/count".to_string(),
        profiles_merged: 1,
        ..Metadata::default()
    });
    if builder.sample_count() == 0 {
        return Err(IngestError::Invalid {
            path: path.to_path_buf(),
            message: "holds no stack samples (expected lines of the form `frame;frame;... COUNT`)"
                .to_string(),
        });
    }
    Ok(builder.finish())
}

/// Reads one physical line (with its `\n`) onto the end of `buf`, refusing to grow the record
/// past [`MAX_RECORD_BYTES`]. Returns the number of bytes read, 0 at end of input.
fn read_line_capped(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    path: &Path,
    line: u64,
) -> Result<usize, IngestError> {
    let mut total = 0;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(IngestError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        if available.is_empty() {
            return Ok(total);
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        if buf.len() + chunk.len() > MAX_RECORD_BYTES {
            return Err(IngestError::line(
                path,
                line,
                format!(
                    "record longer than {MAX_RECORD_BYTES} bytes; is this a folded-stack file?"
                ),
            ));
        }
        buf.extend_from_slice(chunk);
        let n = chunk.len();
        reader.consume(n);
        total += n;
        if done {
            return Ok(total);
        }
    }
}

fn trim_newline(b: &[u8]) -> &[u8] {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    b.strip_suffix(b"\r").unwrap_or(b)
}

/// Splits `stack COUNT` at the last space.
fn split_count(text: &str) -> Result<(&str, u64), String> {
    let text = text.trim_end();
    let Some((stack, count)) = text.rsplit_once(' ') else {
        return Err(format!(
            "expected `STACK COUNT` with a sample count after the last space, found {:?}",
            shorten(text)
        ));
    };
    if count.starts_with('-') {
        return Err(format!("negative sample count {count:?}"));
    }
    if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "expected a sample count after the last space, found {:?}",
            shorten(count)
        ));
    }
    let value = count
        .parse::<u64>()
        .map_err(|_| format!("sample count {count} does not fit in a 64-bit integer"))?;
    Ok((stack, value))
}

/// The first 80 characters of `s`, for error messages.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(80).collect();
    if out.len() < s.len() {
        out.push_str("...");
    }
    out
}

/// True when the record so far ends inside the quoted command line of a py-spy process frame
/// (`process PID:"...`), which means py-spy wrote a newline that belongs to the command line.
fn has_open_process_quote(record: &[u8]) -> bool {
    let mut rest = record;
    while let Some(after) = rest.strip_prefix(b"process ") {
        let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
        let Some(cmd) = after[digits..].strip_prefix(b":\"") else {
            return false;
        };
        if digits == 0 {
            return false;
        }
        match memchr::memchr(b'"', cmd) {
            None => return true,
            Some(close) => {
                let tail = &cmd[close + 1..];
                match tail.strip_prefix(b";") {
                    Some(next) => rest = next,
                    None => return false,
                }
            }
        }
    }
    false
}

/// The previous record's stack text and the stack id after each of its frames.
///
/// Consecutive records usually share their root frames (the same entry point, request handler,
/// loop), and sorted folded files share much more. Comparing the bytes of two lines is far
/// cheaper than hashing and looking up each frame, so the shared prefix reuses the previous
/// record's stack ids and only the rest is interned.
#[derive(Default)]
struct PreviousStack {
    text: Vec<u8>,
    /// For frame `j` of the previous record: the byte offset where it ends (exclusive, the `;`
    /// or the end of the text) and the stack id with it as the leaf.
    frames: Vec<(usize, StackId)>,
}

impl PreviousStack {
    fn clear(&mut self) {
        self.text.clear();
        self.frames.clear();
    }

    /// Interns `text` (`frame;frame;...`, non-empty) and returns its stack id.
    fn push_stack(
        &mut self,
        text: &str,
        builder: &mut ProfileBuilder,
        frames: &mut FrameCache,
    ) -> Result<Option<StackId>, String> {
        let bytes = text.as_bytes();
        let common = common_prefix_len(&self.text, bytes);
        // Frames of the previous record that are whole frames of this one too.
        let reusable = self
            .frames
            .iter()
            .take_while(|&&(end, _)| {
                if end < self.text.len() {
                    // The separator after the frame matched as well.
                    end < common
                } else {
                    end == common && (bytes.len() == end || bytes[end] == b';')
                }
            })
            .count();
        self.frames.truncate(reusable);
        let (mut stack, mut pos) = match self.frames.last() {
            Some(&(end, id)) => (Some(id), end + 1),
            None => (None, 0),
        };
        while pos <= bytes.len() {
            let end = memchr::memchr(b';', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
            let frame_text = &text[pos..end];
            if frame_text.is_empty() {
                self.clear();
                return Err("empty frame between two ';' separators".to_string());
            }
            let frame = frames.get(builder, frame_text);
            let id = builder.push_frame(stack, frame);
            stack = Some(id);
            self.frames.push((end, id));
            pos = end + 1;
        }
        self.text.clear();
        self.text.extend_from_slice(bytes);
        Ok(stack)
    }
}

/// Length of the common prefix of two byte strings, compared 16 bytes at a time.
fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    // Fixed-size chunks compare as two register loads, with no call to memcmp.
    while i + 16 <= n {
        let x: [u8; 16] = a[i..i + 16].try_into().expect("16 bytes");
        let y: [u8; 16] = b[i..i + 16].try_into().expect("16 bytes");
        if u128::from_ne_bytes(x) != u128::from_ne_bytes(y) {
            break;
        }
        i += 16;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// Caches the parse of each distinct frame text, so each is parsed and interned once.
#[derive(Default)]
struct FrameCache {
    by_text: FxHashMap<Box<str>, FrameId>,
}

impl FrameCache {
    fn get(&mut self, builder: &mut ProfileBuilder, text: &str) -> FrameId {
        if let Some(&id) = self.by_text.get(text) {
            return id;
        }
        let parsed = parse_frame(text);
        let function = builder.intern(parsed.function);
        let file = parsed.file.map(|f| builder.intern(f));
        let id = builder.frame(Frame {
            function,
            file,
            line: parsed.line,
            kind: parsed.kind,
        });
        self.by_text.insert(text.into(), id);
        id
    }
}

/// A frame's text split into its parts, borrowing from the text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FrameParts<'a> {
    pub(crate) function: &'a str,
    pub(crate) file: Option<&'a str>,
    pub(crate) line: Option<NonZeroU32>,
    pub(crate) kind: FrameKind,
}

/// Splits one frame as py-spy writes it: `function (file:line)`, `function (file)` or `function`.
pub(crate) fn parse_frame(text: &str) -> FrameParts<'_> {
    let whole = |kind| FrameParts {
        function: text,
        file: None,
        line: None,
        kind,
    };
    // Thread and process frames carry parentheses and colons of their own: classify the whole
    // text before looking for a location.
    if let k @ (FrameKind::Thread | FrameKind::Process | FrameKind::Idle) =
        FrameKind::classify(text, None, false)
    {
        return whole(k);
    }
    let located = text
        .strip_suffix(')')
        .and_then(|t| t.rsplit_once(" ("))
        .filter(|(name, loc)| !name.is_empty() && !loc.is_empty());
    let Some((function, location)) = located else {
        return whole(FrameKind::classify(text, None, false));
    };
    let (file, line) = match location.rsplit_once(':') {
        Some((file, digits))
            if !file.is_empty()
                && !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (file, digits.parse::<u32>().ok().and_then(NonZeroU32::new))
        }
        _ => (location, None),
    };
    FrameParts {
        function,
        file: Some(file),
        line,
        kind: FrameKind::classify(function, Some(file), line.is_some()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn parse_str(s: &str) -> Result<Profile, IngestError> {
        parse(Path::new("p.txt"), Cursor::new(s.as_bytes().to_vec()))
    }

    fn err(s: &str) -> String {
        parse_str(s).unwrap_err().to_string()
    }

    #[test]
    fn frame_forms() {
        assert_eq!(
            parse_frame("Tokenizer.next (logpipe/parser.py:42)"),
            FrameParts {
                function: "Tokenizer.next",
                file: Some("logpipe/parser.py"),
                line: NonZeroU32::new(42),
                kind: FrameKind::Python
            }
        );
        let f = parse_frame("_find_and_load (<frozen importlib._bootstrap>:1176)");
        assert_eq!(f.file, Some("<frozen importlib._bootstrap>"));
        assert_eq!(f.kind, FrameKind::Python);
        let f = parse_frame("main (app.py)");
        assert_eq!(
            (f.file, f.line, f.kind),
            (Some("app.py"), None, FrameKind::Python)
        );
        let f = parse_frame("lock_PyThread_acquire_lock (/usr/lib/libpython3.11.so.1.0)");
        assert_eq!(f.kind, FrameKind::Native);
        let f = parse_frame("0x7fdb9544524a (/usr/lib/x86_64-linux-gnu/libc.so.6)");
        assert_eq!(f.kind, FrameKind::Native);
        assert_eq!(parse_frame("0x7fdb9544524a").kind, FrameKind::Native);
        let f = parse_frame("thread (2614): Thread-1 (sleeper)");
        assert_eq!(
            (f.function, f.kind),
            ("thread (2614): Thread-1 (sleeper)", FrameKind::Thread)
        );
        assert_eq!(parse_frame("thread (21932)").kind, FrameKind::Thread);
        assert_eq!(parse_frame("thread (abc)").kind, FrameKind::Native);
        assert_eq!(
            parse_frame("process 12:\"python3 a.py\"").kind,
            FrameKind::Process
        );
        let f = parse_frame("main");
        assert_eq!(
            (f.function, f.file, f.kind),
            ("main", None, FrameKind::Unknown)
        );
        // Line 0 is "no line", never a sentinel.
        assert_eq!(parse_frame("f (a.py:0)").line, None);
        // Windows paths keep their drive colon.
        let f = parse_frame(r"f (C:\srv\app\mod.py:7)");
        assert_eq!(
            (f.file, f.line),
            (Some(r"C:\srv\app\mod.py"), NonZeroU32::new(7))
        );
    }

    #[test]
    fn parses_stacks_counts_and_empty_stacks() {
        let p = parse_str("a (m.py:1);b (m.py:5) 3\n 2\r\n\na (m.py:1) 4\n").unwrap();
        assert_eq!(p.total(), 9);
        assert_eq!(p.samples().len(), 3);
        assert_eq!(p.samples()[1].stack, None);
        // `a (m.py:1)` is one frame, shared by both stacks.
        assert_eq!(p.frame_count(), 2);
        assert_eq!(p.stack_node_count(), 2);
    }

    #[test]
    fn shared_prefixes_give_the_same_stacks_as_fresh_parsing() {
        let text = "a (m.py:1);b (m.py:2);c (m.py:3) 1\n\
                    a (m.py:1);b (m.py:2);c (m.py:30) 1\n\
                    a (m.py:1);b (m.py:2) 1\n\
                    a (m.py:1);b (m.py:2);c (m.py:3) 1\n\
                    a (m.py:1);b (m.py:2)x;c 1\n\
                    a (m.py:1) 1\n\
                    a (m.py:1);b (m.py:2);c (m.py:3) 1\n";
        let p = parse_str(text).unwrap();
        let stacks: Vec<Vec<String>> = p
            .samples()
            .iter()
            .map(|s| {
                let mut out = Vec::new();
                p.frames_root_to_leaf(s.stack, &mut out);
                out.iter()
                    .map(|&f| {
                        let fr = p.frame(f);
                        format!(
                            "{}:{}",
                            p.string(fr.function),
                            fr.line.map_or(0, |l| l.get())
                        )
                    })
                    .collect()
            })
            .collect();
        assert_eq!(stacks[0], vec!["a:1", "b:2", "c:3"]);
        assert_eq!(stacks[1], vec!["a:1", "b:2", "c:30"]);
        assert_eq!(stacks[2], vec!["a:1", "b:2"]);
        assert_eq!(p.samples()[3].stack, p.samples()[0].stack);
        assert_eq!(stacks[4], vec!["a:1", "b (m.py:2)x:0", "c:0"]);
        assert_eq!(stacks[5], vec!["a:1"]);
        assert_eq!(p.samples()[6].stack, p.samples()[0].stack);
        assert_eq!(
            common_prefix_len(b"abcdefghijklmnopqrstuv", b"abcdefghijklmnopqrsXuv"),
            19
        );
        assert!(err("a;b 1\na; 1\n").contains(":2: empty frame"));
    }

    #[test]
    fn process_frames_may_span_lines() {
        let text = "process 1:\"python3 -c s=0\nfor i in x: s+=i\";<module> (<string>:2) 41\nf 1\n";
        let p = parse_str(text).unwrap();
        assert_eq!(p.samples().len(), 2);
        assert_eq!(p.samples()[0].value, 41);
    }

    #[test]
    fn malformed_lines_name_the_line() {
        assert_eq!(
            err("a;b 1\na;b abc\n"),
            "p.txt:2: expected a sample count after the last space, found \"abc\""
        );
        assert_eq!(
            err("a;b 1\nnospace\n"),
            "p.txt:2: expected `STACK COUNT` with a sample count after the last space, found \"nospace\""
        );
        assert_eq!(err("a -3\n"), "p.txt:1: negative sample count \"-3\"");
        assert_eq!(
            err("a 99999999999999999999999\n"),
            "p.txt:1: sample count 99999999999999999999999 does not fit in a 64-bit integer"
        );
        assert_eq!(
            err("a;;b 1\n"),
            "p.txt:1: empty frame between two ';' separators"
        );
        assert_eq!(
            err("a 18446744073709551615\nb 1\n"),
            "p.txt:2: the sum of the sample counts overflows a 64-bit integer"
        );
        assert_eq!(
            err(""),
            "p.txt: holds no stack samples (expected lines of the form `frame;frame;... COUNT`)"
        );
        assert_eq!(err("\n\n"), err(""));
        let bad = parse(Path::new("p.txt"), Cursor::new(b"ok 1\nf\xff 1\n".to_vec()))
            .unwrap_err()
            .to_string();
        assert_eq!(
            bad,
            "p.txt:2: not valid UTF-8 (byte 2 of the line); folded stacks must be UTF-8 text"
        );
    }

    #[test]
    fn unclosed_process_quote_is_an_error_not_a_hang() {
        let mut text = String::from("process 1:\"never closed\n");
        for _ in 0..1100 {
            text.push_str("more\n");
        }
        assert!(err(&text).starts_with("p.txt:1: a process frame's quoted command line"));
    }

    #[test]
    fn deep_stacks_do_not_overflow() {
        let mut line = String::new();
        for i in 0..200_000 {
            if i > 0 {
                line.push(';');
            }
            line.push_str("f (m.py:1)");
        }
        line.push_str(" 1\n");
        let p = parse_str(&line).unwrap();
        assert_eq!(p.stack_node_count(), 200_000);
        assert_eq!(p.frames_leaf_to_root(p.samples()[0].stack).count(), 200_000);
    }
}
