//! `pprof` forced with `IngestOptions::format`: exercises the pprof parser on any bytes
//! (gzip inputs are still unpacked first, capped at 1 MiB).
#![no_main]

use brownfield::ingest::InputFormat;
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    common::run(data, Some(InputFormat::Pprof));
});
