//! Shared body of the fuzz targets: ingest the bytes, and when they parse, run the cheap later
//! stages (filter with default filters, top by function). Errors are fine; panics, overflows,
//! OOMs and timeouts are what libFuzzer reports.

use std::path::Path;

use brownfield::ingest::{self, IngestOptions, InputFormat};
use brownfield::profile::transform::{self, Filters};
use brownfield::top::{self, Granularity};

/// Decompressed-size cap for the targets: small, so gzip bombs stay cheap.
pub const MAX_DECOMPRESSED_BYTES: u64 = 1 << 20;

pub fn run(data: &[u8], format: Option<InputFormat>) {
    let mut options = IngestOptions::default();
    options.format = format;
    options.max_decompressed_bytes = MAX_DECOMPRESSED_BYTES;
    let Ok(profile) = ingest::read_bytes(Path::new("fuzz-input"), data.to_vec(), &options) else {
        return;
    };
    let filtered = transform::filter(&profile, &Filters::default());
    let _ = top::top(&profile, Granularity::Function);
    let _ = top::top(&filtered, Granularity::Line);
}
