//! No forced format: gzip detection (capped at 1 MiB), content sniffing, then whichever parser
//! the sniffer picks.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    common::run(data, None);
});
