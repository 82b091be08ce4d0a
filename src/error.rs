//! The top-level error: one variant per stage, each wrapping that stage's error.

use crate::config::ConfigError;
use crate::ingest::IngestError;
use crate::mapping::UnmappedError;
use crate::record::RecordError;
use crate::render::RenderError;
use crate::source::SourceError;

/// Any error that stops a command. The binary prints it with its cause chain and exits with
/// [`Error::exit_code`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A profile could not be read.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The source tree could not be indexed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The configuration file is unreadable, malformed or out of range.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The plan could not be written.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The profile does not belong to the source (`rank`, `plan`; `--allow-unmapped`
    /// overrides).
    #[error(transparent)]
    Unmapped(#[from] UnmappedError),
    /// A process could not be recorded (`record`, `plan -- COMMAND`).
    #[error(transparent)]
    Record(#[from] RecordError),
}

impl Error {
    /// The process exit status for this error: 2 for every error, a profile that does not
    /// belong to the source included (like a missing `--source` directory, it is a wrong
    /// input and nothing was written). A panic, which is a bug, exits with Rust's 101.
    pub fn exit_code(&self) -> i32 {
        2
    }
}
