//! Renderers: format a [`Plan`] and compute nothing, so every output agrees.
//!
//! [`write_plan`] renders every file in memory first and only then writes each one to a
//! temporary name in the output directory and renames it into place, so a failed run never
//! leaves a partial plan over a good one.

pub mod chart;
pub mod flamegraph;
pub mod html;
pub mod markdown;
pub mod rank;
pub mod table;
pub mod top;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::plan::{PhaseKind, Plan};

/// The plan document's file name.
pub const PLAN_FILE: &str = "plan.md";
/// The self-contained HTML page's file name.
pub const HTML_FILE: &str = "plan.html";
/// The plan as data (docs/plan.md describes its schema).
pub const JSON_FILE: &str = "plan.json";

/// An error while writing the plan's files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// inferno could not draw a flamegraph.
    #[error("cannot draw the flamegraph: {0}")]
    Flamegraph(std::io::Error),
    /// plotters could not draw the chart.
    #[error("cannot draw the impact-vs-ease chart: {0}")]
    Chart(String),
    /// The output directory holds files and `--force` was not given.
    #[error("{} is not empty; pass --force to replace the plan in it", path.display())]
    NotEmpty {
        /// The directory.
        path: PathBuf,
    },
    /// A file of the plan could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory that failed.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Fails when `out_dir` exists, is not empty and `force` is false (checked before any work,
/// so a long run does not end in this error).
///
/// # Errors
/// [`RenderError::NotEmpty`], or [`RenderError::Write`] when `out_dir` is a file or cannot be
/// read.
pub fn check_out_dir(out_dir: &Path, force: bool) -> Result<(), RenderError> {
    match std::fs::read_dir(out_dir) {
        Ok(mut entries) => {
            if entries.next().is_some() && !force {
                return Err(RenderError::NotEmpty {
                    path: out_dir.to_path_buf(),
                });
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(RenderError::Write {
            path: out_dir.to_path_buf(),
            source,
        }),
    }
}

/// Every file of the plan, rendered in memory: `(file name, bytes)`, in writing order.
///
/// # Errors
/// [`RenderError::Flamegraph`] or [`RenderError::Chart`] if a picture cannot be drawn.
pub fn render_plan(plan: &Plan) -> Result<Vec<(String, Vec<u8>)>, RenderError> {
    let md = markdown::render(plan);
    let mut pictures: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    pictures.insert(
        markdown::FLAMEGRAPH_FILE.to_string(),
        flamegraph::render(plan).map_err(RenderError::Flamegraph)?,
    );
    if plan.headline.units > 0 {
        pictures.insert(
            markdown::AFTER_FILE.to_string(),
            flamegraph::render_after(plan).map_err(RenderError::Flamegraph)?,
        );
    }
    for p in plan
        .phases
        .iter()
        .filter(|p| p.kind == PhaseKind::Migration)
    {
        pictures.insert(
            markdown::phase_file(p.number),
            flamegraph::render_phase(plan, p.number).map_err(RenderError::Flamegraph)?,
        );
    }
    if !plan.candidates.is_empty() {
        pictures.insert(
            markdown::CHART_FILE.to_string(),
            chart::render(plan)
                .map_err(RenderError::Chart)?
                .into_bytes(),
        );
    }
    let html = html::render(plan, &md, &pictures);
    let mut json = serde_json::to_string_pretty(plan).map_err(|e| RenderError::Write {
        path: PathBuf::from(JSON_FILE),
        source: e.into(),
    })?;
    json.push('\n');
    let mut files = vec![
        (PLAN_FILE.to_string(), md.into_bytes()),
        (HTML_FILE.to_string(), html.into_bytes()),
        (JSON_FILE.to_string(), json.into_bytes()),
    ];
    files.extend(pictures);
    Ok(files)
}

/// Writes every file of the plan ([`render_plan`]) into `out_dir` (created if missing) and
/// returns their paths. Everything is rendered before anything is written; each file is
/// written to a temporary name in `out_dir` and renamed over its final name, so every file is
/// whole. Flamegraphs of an earlier plan that this one does not have (fewer phases) are
/// removed.
///
/// # Errors
/// As [`render_plan`], and [`RenderError::Write`] naming the path if the directory cannot be
/// created or a file cannot be written.
pub fn write_plan(plan: &Plan, out_dir: &Path) -> Result<Vec<PathBuf>, RenderError> {
    let files = render_plan(plan)?;
    std::fs::create_dir_all(out_dir).map_err(|source| RenderError::Write {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for (name, bytes) in &files {
        let path = out_dir.join(name);
        write_file(&path, bytes)?;
        written.push(path);
    }
    // A replaced plan may have had more phases: remove its pictures that this plan lacks
    // (only files of the names a plan writes; anything else in the directory stays).
    if let Ok(entries) = std::fs::read_dir(out_dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = name.starts_with("flamegraph") && name.ends_with(".svg");
            if ours && !files.iter().any(|(n, _)| *n == name) {
                let path = entry.path();
                std::fs::remove_file(&path)
                    .map_err(|source| RenderError::Write { path, source })?;
            }
        }
    }
    Ok(written)
}

/// Writes one file atomically (temporary file beside it, then rename); see
/// [`write_file_with`] for links, devices and FIFOs.
///
/// # Errors
/// [`RenderError::Write`] naming the path.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), RenderError> {
    write_file_with(path, |out| out.write_all(bytes))
}

/// Like [`write_file`], with the content written by `write` as it is made: `write` writes
/// (buffered) to a temporary file beside `path`, which replaces `path` only once `write` has
/// succeeded, so a failure never leaves a partial file in its place. A symbolic link is
/// followed; a device or FIFO (`/dev/stdout`) is written to directly.
///
/// # Errors
/// [`RenderError::Write`] naming `path` when `write` or the file system fails.
pub fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), RenderError> {
    write_atomically(path, write).map_err(|source| RenderError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Runs `write` on a temporary file beside `path`, then renames it over `path`. A symbolic
/// link is followed (the file it names is replaced, the link stays). What is not a regular
/// file (a device, a FIFO: `-o /dev/stdout`) is written to in place, as `>` would: renaming
/// over it would replace the device or pipe with a file.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // A path that does not exist yet (or a dangling link) is created as given.
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if let Ok(meta) = std::fs::metadata(&target)
        && !meta.is_file()
        && !meta.is_dir()
    {
        let file = std::fs::OpenOptions::new().write(true).open(&target)?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        write(&mut out)?;
        return out.flush();
    }
    let path = target.as_path();
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".brownfield-");
    // Plans are documents to share: readable by everyone, like a file made by `>` (tempfile's
    // default is 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let tmp = builder.tempfile_in(dir)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, tmp);
    write(&mut out)?;
    let tmp = out
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
