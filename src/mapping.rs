//! Mapping: profile frames → codebase definitions, and the mapping coverage.
//!
//! A frame maps to a definition when its file matches a codebase file **by path suffix**, on
//! whole path components, in either direction:
//!
//! - the frame's path ends with the file's path relative to the source root, as with py-spy
//!   `--full-filenames` or a server path (`/srv/app/logpipe/parser.py` ↔ `logpipe/parser.py`);
//! - or the relative path ends with the frame's path, as with py-spy's default short names,
//!   which drop the `sys.path` entry (`logpipe/parser.py` ↔ `src/logpipe/parser.py`).
//!
//! With several source roots, every root's files are candidates, matched by their path
//! relative to their own root. When files of two roots match equally well (the same relative
//! path, as `__init__.py` of two roots that are packages), the one whose root's own directory
//! names continue the match wins (`chardet/__init__.py` is in the root `.../chardet`), then the
//! earlier root.
//!
//! Within the file, the frame's line picks the innermost definition whose span contains it, and
//! the frame's function name confirms it: py-spy writes `co_qualname` (`Tokenizer.next`,
//! `outer.<locals>.inner`) or `co_name`; `<module>` is the module's top-level code, and
//! `<lambda>`, `<listcomp>`, `<genexpr>`, ... belong to the enclosing definition. When the line
//! does not fit the name (the checkout differs from the profiled version), a definition of that
//! name in the same file is used instead, and the mismatch is reported as a warning; when the
//! file has no definition of that name at all, the path match was a coincidence (a vendored
//! copy of `json/decoder.py`, say) and the frame stays external.
//! Frames of every other file are *external* (stdlib, site-packages, native code).
//!
//! A profile of which under [`MIN_MAPPED_SHARE`] of the samples touch the codebase does not
//! belong to `--source`: `rank` and `plan` stop with [`UnmappedError`] unless told to go on
//! (`--allow-unmapped`), see [`Mapping::require_mapped`].

use rustc_hash::FxHashMap;

use crate::diagnostics::Diagnostics;
use crate::profile::{FrameId, FrameKind, Profile, StrId};
use crate::source::{DefKind, FileId, FuncId, SourceFile, SourceIndex};

/// The codebase definition of each frame of one profile, `None` for external frames.
#[derive(Debug, Clone)]
pub struct Mapping {
    by_frame: Vec<Option<FuncId>>,
    coverage: Coverage,
}

/// How much of the profile lands in the codebase. Values are in the profile's unit (samples
/// for py-spy); shares are fractions in [0, 1] of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Coverage {
    /// Sum of all sample values.
    pub total: u64,
    /// Value of samples with at least one codebase frame.
    pub in_codebase: u64,
    /// Value of samples whose leaf frame is a codebase frame.
    pub leaf_in_codebase: u64,
    /// Value of samples with an empty stack. `rank` and `plan` drop them before mapping
    /// ([`crate::profile::transform::drop_empty_stacks`]) and record their value here: they
    /// are then not part of `total` nor of any share.
    pub empty_stacks: u64,
    /// Value of samples whose leaf is Python code outside the codebase (stdlib, site-packages):
    /// `leaf_stdlib + leaf_third_party`.
    pub leaf_external_python: u64,
    /// Part of `leaf_external_python` in the standard library ([`is_stdlib_path`]).
    pub leaf_stdlib: u64,
    /// Part of `leaf_external_python` in third-party code (site-packages, anything else).
    pub leaf_third_party: u64,
    /// Value of samples whose leaf is native code (py-spy `--native`, pprof).
    pub leaf_native: u64,
    /// Value of samples with an empty stack or whose leaf is another kind of frame (thread,
    /// process, idle, unknown).
    pub leaf_other: u64,
    /// Distinct frames that mapped to a codebase definition.
    pub frames_mapped: usize,
    /// Distinct frames in the profile.
    pub frames_total: usize,
}

impl Coverage {
    /// Share of samples with at least one codebase frame, in [0, 1] (0 for an empty profile).
    pub fn share(&self) -> f64 {
        ratio(self.in_codebase, self.total)
    }

    /// Share of samples whose leaf frame is in the codebase, in [0, 1].
    pub fn leaf_share(&self) -> f64 {
        ratio(self.leaf_in_codebase, self.total)
    }

    /// True when the profile has samples but under [`MIN_MAPPED_SHARE`] of them touch the
    /// codebase: the profile is not of the code under `--source`. An empty profile (every
    /// sample filtered out) is not unmapped.
    pub fn is_unmapped(&self) -> bool {
        self.total > 0 && self.share() < MIN_MAPPED_SHARE
    }
}

/// `num / den` as a fraction, 0 when `den` is 0.
pub(crate) fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// Coverage under this share draws a warning: the source root is probably not the profiled code.
pub const LOW_COVERAGE_WARNING: f64 = 0.2;

/// Below this share of samples with a codebase frame (anywhere on the stack), `rank` and
/// `plan` refuse the profile ([`UnmappedError`]). A profile of the code under `--source` has
/// that code on nearly every stack, even when most time is in libraries: its own entry point
/// or handler calls them. 1% is also the default `[plan] min_marginal_gain`: a unit saves at
/// most the share it covers, so under 1% no unit could be planned and the plan would only
/// say that nothing is worth rewriting, which is the wrong conclusion: what mapped is a
/// coincidence (a namesake file) or a sliver of start-up, not the workload.
pub const MIN_MAPPED_SHARE: f64 = 0.01;

/// The profile does not belong to the source: under [`MIN_MAPPED_SHARE`] of its samples have a
/// codebase frame.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "{profiles}: only {share:.2}% of samples ({mapped} of {total} {unit}) have a frame in --source \
     {roots} (at least {min:.0}% must); the profile does not look like a profile of that code, \
     so nothing was ranked or written. Most of its time is in {hottest}. Is --source the \
     checkout of the profiled program (for a library, add its directory with another \
     --source)? Were the paths rewritten, e.g. in a container (/app/... on the server): do the \
     profile's file names end like files under --source? To rank or plan anyway, pass \
     --allow-unmapped",
    share = share * 100.0,
    min = MIN_MAPPED_SHARE * 100.0
)]
pub struct UnmappedError {
    /// The profiles as given, comma-separated.
    pub profiles: String,
    /// The source roots as given, comma-separated.
    pub roots: String,
    /// Share of samples with a codebase frame, in [0, 1].
    pub share: f64,
    /// Value of those samples, in the profile's unit.
    pub mapped: u64,
    /// Value of all samples, in the profile's unit.
    pub total: u64,
    /// The profile's unit (`samples`, `nanoseconds`, ...).
    pub unit: &'static str,
    /// Where most leaf time lands instead: up to three files (or functions), with shares.
    pub hottest: String,
}

impl Mapping {
    /// Maps every frame of `profile` onto `index` and measures coverage.
    ///
    /// Warnings go to `diag`: low coverage (under [`LOW_COVERAGE_WARNING`] of samples with a
    /// codebase frame, or with a codebase leaf, naming where the leaf time goes instead) and
    /// frames whose line and name disagree with the source.
    pub fn build(profile: &Profile, index: &SourceIndex, diag: &mut Diagnostics) -> Mapping {
        let files = FileMatcher::new(index);
        let mut file_cache: FxHashMap<StrId, Vec<FileId>> = FxHashMap::default();
        let mut mismatched: Vec<String> = Vec::new();
        let mut by_frame = Vec::with_capacity(profile.frame_count());
        for id in profile.frame_ids() {
            let frame = profile.frame(id);
            let def = match (frame.kind, frame.file) {
                (FrameKind::Python, Some(file)) => {
                    let candidates = file_cache
                        .entry(file)
                        .or_insert_with(|| files.find(profile.string(file)));
                    let line = frame.line.map_or(0, |l| l.get());
                    let name = profile.string(frame.function);
                    // The first matching file that defines the function; a file of the right
                    // name without it (a vendored copy, a namesake module) is passed over.
                    candidates.iter().find_map(|&file_id| {
                        let (def, agreement) = resolve_def(index, file_id, line, name)?;
                        if agreement == Agreement::NameOnly {
                            mismatched.push(format!(
                                "{name} ({}:{line} in the profile, {}:{} in the source)",
                                profile.string(file),
                                index.file(file_id).path,
                                index.function(def).start_line
                            ));
                        }
                        Some(def)
                    })
                }
                _ => None,
            };
            by_frame.push(def);
        }

        let coverage = measure(profile, &by_frame);
        if !mismatched.is_empty() {
            mismatched.sort();
            let shown: Vec<&str> = mismatched.iter().take(3).map(String::as_str).collect();
            diag.warn(format!(
                "{} frame(s) name a function that is not at that line in the source, mapped by name instead (is the checkout the profiled version?), e.g. {}",
                mismatched.len(),
                shown.join(", ")
            ));
        }
        if coverage.total > 0 && coverage.share() < LOW_COVERAGE_WARNING {
            diag.warn(format!(
                "only {:.1}% of samples have a frame in the source tree {}; is --source the code that was profiled?",
                coverage.share() * 100.0,
                index.roots_display()
            ));
        } else if coverage.total > 0 && coverage.leaf_share() < LOW_COVERAGE_WARNING {
            let hot = hottest_external_leaves(profile, &by_frame, 3);
            diag.warn(format!(
                "only {:.1}% of samples run code of the source tree {} at the leaf; most leaf time is in {}. If that is your code, point --source at it; if it is a library or C code, a rewrite of your code will not win much",
                coverage.leaf_share() * 100.0,
                index.roots_display(),
                hot.join(", ")
            ));
        }
        Mapping { by_frame, coverage }
    }

    /// The codebase definition a frame maps to, `None` for an external frame.
    pub fn def_of(&self, frame: FrameId) -> Option<FuncId> {
        self.by_frame.get(frame.index()).copied().flatten()
    }

    /// The mapping coverage.
    pub fn coverage(&self) -> Coverage {
        self.coverage
    }

    /// Checks that the profile belongs to the source: `Ok` unless
    /// [`Coverage::is_unmapped`].
    ///
    /// # Errors
    /// [`UnmappedError`] naming `profiles`, the share mapped, the source roots, where the
    /// time is instead, and the `--allow-unmapped` override.
    pub fn require_mapped(
        &self,
        profile: &Profile,
        index: &SourceIndex,
        profiles: &[std::path::PathBuf],
    ) -> Result<(), UnmappedError> {
        let c = self.coverage;
        if !c.is_unmapped() {
            return Ok(());
        }
        let names: Vec<String> = profiles.iter().map(|p| p.display().to_string()).collect();
        let hottest = hottest_external_leaves(profile, &self.by_frame, 3);
        Err(UnmappedError {
            profiles: names.join(", "),
            roots: index.roots_display(),
            share: c.share(),
            mapped: c.in_codebase,
            total: c.total,
            unit: profile.unit().as_str(),
            hottest: if hottest.is_empty() {
                "frames without a file".to_string()
            } else {
                hottest.join(", ")
            },
        })
    }

    /// Records the value of empty-stack samples dropped from the profile before mapping.
    pub fn set_dropped_empty_stacks(&mut self, value: u64) {
        self.coverage.empty_stacks += value;
    }
}

fn measure(profile: &Profile, by_frame: &[Option<FuncId>]) -> Coverage {
    let mut c = Coverage {
        total: profile.total(),
        frames_total: by_frame.len(),
        frames_mapped: by_frame.iter().filter(|d| d.is_some()).count(),
        ..Coverage::default()
    };
    let mut stdlib_leaf: Vec<Option<bool>> = vec![None; by_frame.len()];
    for sample in profile.values_by_stack() {
        let mut frames = profile.frames_leaf_to_root(sample.stack);
        let Some(leaf) = frames.next() else {
            c.empty_stacks += sample.value;
            c.leaf_other += sample.value;
            continue;
        };
        if by_frame[leaf.index()].is_some() {
            c.leaf_in_codebase += sample.value;
            c.in_codebase += sample.value;
            continue;
        }
        match profile.frame(leaf).kind {
            FrameKind::Python => {
                c.leaf_external_python += sample.value;
                // Classified once per frame, not once per stack.
                let stdlib = *stdlib_leaf[leaf.index()].get_or_insert_with(|| {
                    is_stdlib_path(profile.frame(leaf).file.map_or("", |f| profile.string(f)))
                });
                if stdlib {
                    c.leaf_stdlib += sample.value;
                } else {
                    c.leaf_third_party += sample.value;
                }
            }
            FrameKind::Native => c.leaf_native += sample.value,
            _ => c.leaf_other += sample.value,
        }
        if frames.any(|f| by_frame[f.index()].is_some()) {
            c.in_codebase += sample.value;
        }
    }
    c
}

/// The files (or function names, for frames without a file) where most external leaf time
/// lands, with their share, e.g. `sqlparse/lexer.py (41.0%)`.
fn hottest_external_leaves(
    profile: &Profile,
    by_frame: &[Option<FuncId>],
    n: usize,
) -> Vec<String> {
    let mut by_place: FxHashMap<StrId, u64> = FxHashMap::default();
    for sample in profile.values_by_stack() {
        if let Some(leaf) = profile.frames_leaf_to_root(sample.stack).next()
            && by_frame[leaf.index()].is_none()
        {
            let frame = profile.frame(leaf);
            *by_place
                .entry(frame.file.unwrap_or(frame.function))
                .or_default() += sample.value;
        }
    }
    let mut places: Vec<(&str, u64)> = by_place
        .into_iter()
        .map(|(s, v)| (profile.string(s), v))
        .collect();
    places.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    places
        .into_iter()
        .take(n)
        .map(|(place, v)| format!("{place} ({:.1}%)", ratio(v, profile.total()) * 100.0))
        .collect()
}

/// Finds the codebase file of a profile path by whole-component path suffix.
struct FileMatcher<'a> {
    index: &'a SourceIndex,
    by_basename: FxHashMap<&'a str, Vec<FileId>>,
    /// Per root, the names of its canonical path's directories, innermost first.
    root_dirs: Vec<Vec<String>>,
}

impl<'a> FileMatcher<'a> {
    fn new(index: &'a SourceIndex) -> Self {
        let mut by_basename: FxHashMap<&str, Vec<FileId>> = FxHashMap::default();
        for (i, f) in index.files().iter().enumerate() {
            let base = f.rel_path.rsplit('/').next().unwrap_or(&f.rel_path);
            by_basename
                .entry(base)
                .or_default()
                .push(FileId::from_index(i));
        }
        let root_dirs = index
            .roots()
            .iter()
            .map(|r| {
                r.canonical
                    .components()
                    .rev()
                    .filter_map(|c| match c {
                        std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        FileMatcher {
            index,
            by_basename,
            root_dirs,
        }
    }

    /// Every file that matches `profile_path` by whole-component suffix, best first: the
    /// longest common suffix, then a match of the file's whole relative path (so
    /// `pygments/lexer.py` prefers `pygments/lexer.py` over `pip/_vendor/pygments/lexer.py`),
    /// then how many of the root's own directory names continue a whole match (files of
    /// several roots), then the shorter relative path, then root and path order.
    fn find(&self, profile_path: &str) -> Vec<FileId> {
        let normalized = profile_path.replace('\\', "/");
        let frame_parts: Vec<&str> = normalized
            .split('/')
            .filter(|p| !p.is_empty() && *p != ".")
            .collect();
        let Some(base) = frame_parts.last() else {
            return Vec::new();
        };
        let Some(candidates) = self.by_basename.get(base) else {
            return Vec::new();
        };
        // (common components, whole relative path matched, root directories matched after
        // it, fewer components first)
        type Score = (usize, bool, usize, std::cmp::Reverse<usize>);
        let mut scored: Vec<(Score, FileId)> = Vec::new();
        for &id in candidates {
            let file = self.index.file(id);
            let rel_parts: Vec<&str> = file.rel_path.split('/').collect();
            let common = frame_parts
                .iter()
                .rev()
                .zip(rel_parts.iter().rev())
                .take_while(|(a, b)| a == b)
                .count();
            let whole_rel = common == rel_parts.len();
            let root_common = if whole_rel {
                frame_parts
                    .iter()
                    .rev()
                    .skip(common)
                    .zip(&self.root_dirs[file.root])
                    .take_while(|(a, b)| **a == b.as_str())
                    .count()
            } else {
                0
            };
            if whole_rel || common == frame_parts.len() {
                let score = (
                    common,
                    whole_rel,
                    root_common,
                    std::cmp::Reverse(rel_parts.len()),
                );
                scored.push((score, id));
            }
        }
        // Best score first; equal scores keep file order (by root, then path).
        scored.sort_by_key(|&(score, _)| std::cmp::Reverse(score));
        scored.into_iter().map(|(_, id)| id).collect()
    }
}

/// How a frame's name and line agreed with the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Agreement {
    /// The line is inside a definition of that name (or a `<module>` / `<lambda>` frame).
    Exact,
    /// A definition of that name exists in the file, but not around that line.
    NameOnly,
}

/// The definition for `function` at `line` of `file`; `None` when the file has no definition of
/// that name at all (then the path match was a coincidence, e.g. a vendored copy of a stdlib
/// module, and the frame stays external).
fn resolve_def(
    index: &SourceIndex,
    file: FileId,
    line: u32,
    function: &str,
) -> Option<(FuncId, Agreement)> {
    let f = index.file(file);
    // Containing definitions, innermost first: `defs` is sorted outer-before-inner, so the last
    // containing ones are the innermost.
    let containing: Vec<FuncId> = f
        .defs
        .iter()
        .copied()
        .filter(|&d| {
            let def = index.function(d);
            def.start_line <= line && line <= def.end_line
        })
        .rev()
        .collect();
    let wanted: Vec<&str> = function
        .split('.')
        .filter(|p| *p != "<locals>" && !p.is_empty())
        .collect();
    let last = *wanted.last()?;
    if last == "<module>" {
        return Some((f.module_def, Agreement::Exact));
    }
    if last.starts_with('<') {
        // <lambda>, <listcomp>, <genexpr>, ...: the enclosing definition's code, found by line,
        // or without a line (py-spy --nolineno) by the enclosing name (`f.<locals>.<genexpr>`).
        if line > 0 {
            let def = containing.first().copied().unwrap_or(f.module_def);
            return Some((def, Agreement::Exact));
        }
        let named: Vec<&str> = wanted
            .iter()
            .copied()
            .filter(|p| !p.starts_with('<'))
            .collect();
        if named.is_empty() {
            return Some((f.module_def, Agreement::Exact));
        }
        return find_by_qualname(index, f, &named.join(".")).map(|d| (d, Agreement::Exact));
    }
    if let Some(&d) = containing.iter().find(|&&d| index.function(d).name == last) {
        return Some((d, Agreement::Exact));
    }
    // Without a line (py-spy `--nolineno`) the name is all there is; with one that does not fit
    // the name, the code may have moved since the profile was taken.
    let agreement = if line == 0 {
        Agreement::Exact
    } else {
        Agreement::NameOnly
    };
    find_by_qualname(index, f, &wanted.join(".")).map(|d| (d, agreement))
}

/// The first definition of `file` whose qualified name is `suffix` or ends with `.suffix`.
fn find_by_qualname(index: &SourceIndex, file: &SourceFile, suffix: &str) -> Option<FuncId> {
    let dotted_suffix = format!(".{suffix}");
    file.defs.iter().copied().find(|&d| {
        let def = index.function(d);
        def.kind != DefKind::Module
            && (def.qualname == suffix || def.qualname.ends_with(&dotted_suffix))
    })
}

/// The dotted module of a Python file path as profilers write it: py-spy's short names are
/// relative to a `sys.path` entry (`json/decoder.py` → `json.decoder`); full paths are cut
/// after `site-packages/`, `dist-packages/` or `lib/pythonX.Y/`. A frozen module
/// (`<frozen codecs>`) is its name; other `<...>` locations (`<string>`) have no module (empty).
pub fn python_module_of_path(path: &str) -> String {
    if let Some(frozen) = path
        .strip_prefix("<frozen ")
        .and_then(|p| p.strip_suffix('>'))
    {
        return frozen.to_string();
    }
    let path = path.replace('\\', "/");
    let mut rel = path.as_str();
    for marker in ["/site-packages/", "/dist-packages/"] {
        if let Some(i) = rel.rfind(marker) {
            rel = &rel[i + marker.len()..];
        }
    }
    if let Some(i) = rel.find("/lib/python") {
        let after = &rel[i + "/lib/python".len()..];
        if let Some(j) = after.find('/') {
            rel = &after[j + 1..];
        }
    }
    if rel.starts_with('<') {
        return String::new();
    }
    crate::source::module_name(rel.trim_start_matches('/'))
}

/// True when a Python frame's file is standard-library code: `<frozen ...>` modules, code the
/// runtime generated (`<string>`: dataclass and namedtuple methods), and
/// files whose module (see [`python_module_of_path`]) is a stdlib module, unless the path is
/// under `site-packages` or `dist-packages`.
pub fn is_stdlib_path(path: &str) -> bool {
    if path.starts_with('<') {
        return true;
    }
    if path.contains("site-packages") || path.contains("dist-packages") {
        return false;
    }
    let module = python_module_of_path(path);
    let top = module.split('.').next().unwrap_or("");
    crate::source::stdlib::is_stdlib(top)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::collapsed;
    use std::io::Cursor;
    use std::path::Path;

    fn index() -> (tempfile::TempDir, SourceIndex) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/shop")).unwrap();
        std::fs::create_dir_all(root.join("vendored/json")).unwrap();
        std::fs::write(root.join("src/shop/__init__.py"), "").unwrap();
        std::fs::write(
            root.join("src/shop/price.py"),
            "import json\n\nclass Cart:\n    def total(self):\n        return sum(x for x in self.items)\n\ndef main():\n    return Cart().total()\n\nmain()\n",
        )
        .unwrap();
        std::fs::write(
            root.join("vendored/json/decoder.py"),
            "def decode(s):\n    return s\n",
        )
        .unwrap();
        let mut d = Diagnostics::default();
        let idx = SourceIndex::build(root, &mut d).unwrap();
        (dir, idx)
    }

    fn map(idx: &SourceIndex, text: &str) -> (Profile, Mapping, Diagnostics) {
        let p = collapsed::parse(Path::new("p"), Cursor::new(text.as_bytes().to_vec())).unwrap();
        let mut d = Diagnostics::default();
        let m = Mapping::build(&p, idx, &mut d);
        (p, m, d)
    }

    fn mapped_names(idx: &SourceIndex, p: &Profile, m: &Mapping) -> Vec<String> {
        p.frame_ids()
            .map(|f| {
                m.def_of(f)
                    .map_or("-".into(), |d| idx.function(d).qualname.clone())
            })
            .collect()
    }

    #[test]
    fn short_and_full_paths_both_map() {
        let (_d, idx) = index();
        let (p, m, d) = map(
            &idx,
            "<module> (shop/price.py:10);main (/srv/app/src/shop/price.py:8);Cart.total (shop/price.py:5);<genexpr> (shop/price.py:5) 3\n\
             <module> (shop/price.py:10);main (shop/price.py:8);sum (builtins.py:1) 1\n\
             <module> (other/price.py:10) 1\n 1\n",
        );
        assert_eq!(
            mapped_names(&idx, &p, &m),
            vec![
                "shop.price",
                "shop.price.main",
                "shop.price.Cart.total",
                "shop.price.Cart.total",
                "shop.price.main",
                "-",
                "-"
            ]
        );
        let c = m.coverage();
        assert_eq!(
            (c.total, c.in_codebase, c.leaf_in_codebase, c.empty_stacks),
            (6, 4, 3, 1)
        );
        assert!(d.warnings().is_empty(), "{:?}", d.warnings());
    }

    #[test]
    fn stdlib_paths_do_not_match_a_vendored_copy_by_name_alone() {
        let (_d, idx) = index();
        // `json/decoder.py` is a whole-component suffix of `vendored/json/decoder.py`, but the
        // file has no `JSONDecoder.decode`, so the stdlib frame stays external.
        let (p, m, d) = map(&idx, "JSONDecoder.decode (json/decoder.py:337) 1\n");
        assert_eq!(m.def_of(p.frame_ids().next().unwrap()), None);
        assert_eq!(d.warnings().len(), 1, "{:?}", d.warnings());
        assert!(d.warnings()[0].contains("only 0.0% of samples"));
        // A path that is not a whole-component suffix never matches.
        let (p, m, _) = map(&idx, "f (myjson/decoder.py:1) 1\n");
        assert_eq!(m.def_of(p.frame_ids().next().unwrap()), None);
    }

    #[test]
    fn frames_without_lines_map_by_name() {
        let (_d, idx) = index();
        let (p, m, d) = map(
            &idx,
            "main (shop/price.py);Cart.total (shop/price.py);Cart.total.<locals>.<genexpr> (shop/price.py) 1\n",
        );
        assert_eq!(
            mapped_names(&idx, &p, &m),
            vec![
                "shop.price.main",
                "shop.price.Cart.total",
                "shop.price.Cart.total"
            ]
        );
        assert!(d.warnings().is_empty(), "{:?}", d.warnings());
    }

    #[test]
    fn an_exact_relative_path_beats_a_vendored_copy() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["pip/_vendor/pygments", "pygments"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
            std::fs::write(root.join(d).join("lexer.py"), "\n\ndef lex():\n    pass\n").unwrap();
        }
        let mut d = Diagnostics::default();
        let idx = SourceIndex::build(root, &mut d).unwrap();
        let (p, m, _) = map(&idx, "lex (pygments/lexer.py:4) 1\n");
        assert_eq!(mapped_names(&idx, &p, &m), vec!["pygments.lexer.lex"]);
        let (p, m, _) = map(&idx, "lex (/srv/venv/pip/_vendor/pygments/lexer.py:4) 1\n");
        assert_eq!(
            mapped_names(&idx, &p, &m),
            vec!["pip._vendor.pygments.lexer.lex"]
        );
    }

    #[test]
    fn several_roots_map_by_their_own_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        let (alpha, beta) = (dir.path().join("x/alpha"), dir.path().join("y/beta"));
        for (root, extra) in [(&alpha, "alpha_only"), (&beta, "beta_only")] {
            std::fs::create_dir_all(root).unwrap();
            // The same relative paths and function names under both roots, each a package.
            std::fs::write(root.join("__init__.py"), "def run():\n    pass\n").unwrap();
            std::fs::write(root.join("util.py"), format!("def {extra}():\n    pass\n")).unwrap();
        }
        let mut d = Diagnostics::default();
        let roots = [alpha, beta];
        let opts = crate::source::walk::WalkOptions::default();
        let idx = SourceIndex::build_roots(&roots, &opts, &mut d).unwrap();
        let (p, m, d) = map(
            &idx,
            "run (beta/__init__.py:2) 1\nrun (/srv/site-packages/alpha/__init__.py:2) 1\n\
             run (__init__.py:2) 1\nbeta_only (util.py:2) 1\nalpha_only (util.py:2) 1\n",
        );
        assert_eq!(
            mapped_names(&idx, &p, &m),
            vec![
                "beta.run",
                "alpha.run",
                "alpha.run",
                "beta.util.beta_only",
                "alpha.util.alpha_only"
            ]
        );
        let files: Vec<usize> = p
            .frame_ids()
            .map(|f| idx.file(idx.function(m.def_of(f).unwrap()).file).root)
            .collect();
        assert_eq!(files, vec![1, 0, 0, 1, 0], "a tie goes to the first root");
        assert!(d.warnings().is_empty(), "{:?}", d.warnings());
    }

    #[test]
    fn low_leaf_coverage_names_where_the_time_goes() {
        let (_d, idx) = index();
        let (_p, m, d) = map(
            &idx,
            "main (shop/price.py:8);lex (sqlparse/lexer.py:153) 9\nmain (shop/price.py:8) 1\n",
        );
        assert_eq!(m.coverage().share(), 1.0);
        assert_eq!(d.warnings().len(), 1, "{:?}", d.warnings());
        assert!(
            d.warnings()[0].contains("most leaf time is in sqlparse/lexer.py (90.0%)"),
            "{:?}",
            d.warnings()
        );
    }

    #[test]
    fn under_one_percent_mapped_is_refused_up_to_twenty_warned() {
        let (_d, idx) = index();
        // 1 sample of 101 with a codebase frame (0.99%): refused, naming where the time is.
        let (p, m, d) = map(&idx, "main (shop/price.py:8) 1\nrun (other/app.py:3) 100\n");
        assert!(m.coverage().is_unmapped());
        let e = m
            .require_mapped(&p, &idx, &[std::path::PathBuf::from("p.txt")])
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("p.txt: only 0.99% of samples (1 of 101 samples)"),
            "{text}"
        );
        assert!(
            text.contains("Most of its time is in other/app.py (99.0%)"),
            "{text}"
        );
        assert!(text.contains(&idx.roots_display()), "{text}");
        assert!(text.ends_with("pass --allow-unmapped"), "{text}");
        assert_eq!(d.warnings().len(), 1, "and the low-coverage warning");
        // 1 of 100 (1%): ranked, with the low-coverage warning.
        let (p, m, d) = map(&idx, "main (shop/price.py:8) 1\nrun (other/app.py:3) 99\n");
        assert!(!m.coverage().is_unmapped());
        assert!(m.require_mapped(&p, &idx, &[]).is_ok());
        assert!(
            d.warnings()[0].contains("only 1.0% of samples"),
            "{:?}",
            d.warnings()
        );
        // An empty profile is not unmapped (its filters left nothing to map).
        assert!(!Coverage::default().is_unmapped());
    }

    #[test]
    fn moved_code_maps_by_qualified_name() {
        let (_d, idx) = index();
        let (p, m, d) = map(&idx, "Cart.total (shop/price.py:40) 1\n");
        assert_eq!(mapped_names(&idx, &p, &m), vec!["shop.price.Cart.total"]);
        assert_eq!(d.warnings().len(), 1);
    }

    #[test]
    fn stdlib_and_third_party_paths() {
        assert_eq!(python_module_of_path("json/decoder.py"), "json.decoder");
        assert_eq!(
            python_module_of_path("/usr/lib/python3.11/json/__init__.py"),
            "json"
        );
        assert_eq!(
            python_module_of_path("/srv/venv/lib/python3.11/site-packages/numpy/core/x.py"),
            "numpy.core.x"
        );
        assert!(is_stdlib_path("json/decoder.py"));
        assert!(is_stdlib_path("<frozen runpy>"));
        assert_eq!(python_module_of_path("<frozen codecs>"), "codecs");
        assert_eq!(python_module_of_path("<string>"), "");
        assert!(is_stdlib_path("<string>"));
        assert!(is_stdlib_path("/usr/lib/python3.11/re/_parser.py"));
        assert!(!is_stdlib_path("numpy/core/x.py"));
        assert!(!is_stdlib_path(
            "/v/lib/python3.11/site-packages/json5/lib.py"
        ));
        assert!(!is_stdlib_path("/v/lib/python3.11/site-packages/six.py"));
    }
}
