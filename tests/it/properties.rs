//! Property tests (proptest) of invariants that must hold for any input.

use std::path::Path;

use brownfield::ingest::{IngestOptions, InputFormat, read_bytes};
use brownfield::profile::transform::{Filters, filter, merge};
use brownfield::top::{Granularity, top};
use proptest::prelude::*;

/// A folded-stack text over a small alphabet of Python frames, with recursion likely.
fn folded() -> impl Strategy<Value = String> {
    let frame = (0u8..6, 1u32..4).prop_map(|(f, line)| format!("f{f} (m{}.py:{line})", f % 3));
    let stack = proptest::collection::vec(frame, 0..8);
    proptest::collection::vec((stack, 0u64..1000), 1..20).prop_map(|lines| {
        lines
            .into_iter()
            .map(|(frames, count)| format!("{} {count}\n", frames.join(";")))
            .collect()
    })
}

fn parse(text: &str) -> brownfield::profile::Profile {
    read_bytes(
        Path::new("p.txt"),
        text.as_bytes().to_vec(),
        &IngestOptions::default(),
    )
    .expect("generated text parses")
}

proptest! {
    #[test]
    fn flat_sums_to_total_and_flat_le_cum_le_total(text in folded()) {
        let p = parse(&text);
        for g in [Granularity::Function, Granularity::Line, Granularity::File] {
            let t = top(&p, g);
            let empty: u64 = p.samples().iter().filter(|s| s.stack.is_none()).map(|s| s.value).sum();
            prop_assert_eq!(t.rows.iter().map(|r| r.flat).sum::<u64>() + empty, t.total);
            for r in &t.rows {
                prop_assert!(r.flat <= r.cum && r.cum <= t.total, "{:?}", r);
                prop_assert!((0.0..=1.0).contains(&r.cum_share));
            }
        }
    }

    #[test]
    fn focus_and_ignore_partition_the_samples(text in folded(), f in 0u8..6) {
        let p = filter(&parse(&text), &Filters::default());
        let re = regex::Regex::new(&format!("^f{f}$")).unwrap();
        let mut focus = Filters::default();
        focus.focus = Some(re.clone());
        let mut ignore = Filters::default();
        ignore.ignore = Some(re);
        prop_assert_eq!(filter(&p, &focus).total() + filter(&p, &ignore).total(), p.total());
    }

    #[test]
    fn merging_halves_gives_the_whole(text in folded()) {
        let lines: Vec<&str> = text.lines().collect();
        let (a, b) = lines.split_at(lines.len() / 2);
        let whole = parse(&text);
        let halves: Vec<_> = [a, b]
            .iter()
            .filter(|half| !half.is_empty())
            .map(|half| parse(&(half.join("\n") + "\n")))
            .collect();
        let merged = merge(halves, false).unwrap();
        prop_assert_eq!(merged.total(), whole.total());
        prop_assert_eq!(top(&merged, Granularity::Line).rows, top(&whole, Granularity::Line).rows);
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for format in [None, Some(InputFormat::Collapsed), Some(InputFormat::Speedscope), Some(InputFormat::Pprof)] {
            let mut o = IngestOptions::default();
            o.format = format;
            o.max_decompressed_bytes = 1 << 20;
            let _ = read_bytes(Path::new("x"), bytes.clone(), &o);
        }
    }
}
