//! Soft problems that do not stop a run: collected, shown once at the end, and listed in the
//! plan's caveats (the approach of ripgrep's `messages.rs`).

/// Warnings collected during a run, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    warnings: Vec<String>,
}

impl Diagnostics {
    /// Adds a warning: lowercase, no final period, naming the file it is about.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(message.into());
    }

    /// The warnings so far.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}
