//! Renderers: format a [`Plan`] and compute nothing, so every output agrees.
//!
//! [`write_plan`] renders every file in memory first and only then writes each one to a
//! temporary name in the output directory and renames it into place, so a failed run never
//! leaves a partial plan over a good one.

pub mod flamegraph;
pub mod markdown;
pub mod rank;
pub mod table;
pub mod top;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::plan::Plan;

/// The plan document's file name.
pub const PLAN_FILE: &str = "plan.md";

/// An error while writing the plan's files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// inferno could not draw the flamegraph.
    #[error("cannot draw the flamegraph: {0}")]
    Flamegraph(std::io::Error),
    /// A file of the plan could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or directory that failed.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Writes plan.md and flamegraph.svg into `out_dir` (created if missing) and returns their
/// paths.
///
/// # Errors
/// [`RenderError::Flamegraph`] if inferno fails; [`RenderError::Write`] naming the path if the
/// directory cannot be created or a file cannot be written.
pub fn write_plan(plan: &Plan, out_dir: &Path) -> Result<Vec<PathBuf>, RenderError> {
    let md = markdown::render(plan);
    let svg = flamegraph::render(plan).map_err(RenderError::Flamegraph)?;
    std::fs::create_dir_all(out_dir).map_err(|source| RenderError::Write {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for (name, bytes) in [
        (PLAN_FILE, md.as_bytes()),
        (markdown::FLAMEGRAPH_FILE, svg.as_slice()),
    ] {
        let path = out_dir.join(name);
        write_atomically(&path, bytes).map_err(|source| RenderError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Writes one output file atomically (see [`write_atomically`]).
///
/// # Errors
/// [`RenderError::Write`] naming the path.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), RenderError> {
    write_atomically(path, bytes).map_err(|source| RenderError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".brownfield-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
