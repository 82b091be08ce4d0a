//! With the `native` feature, py-spy's unwinder links libunwind (`-lunwind -lunwind-ptrace
//! -lunwind-x86_64`). Many Linux machines have libunwind's shared libraries (`libunwind.so.8`)
//! without its development files (the unversioned `libunwind.so` the linker looks for). When
//! only the versioned libraries are found, this links against them through symbolic links in
//! the build directory. Without the feature it does nothing.

use std::path::{Path, PathBuf};

/// The libraries remoteprocess links, each with the versioned names to fall back on.
const LIBRARIES: &[(&str, &[&str])] = &[
    ("libunwind.so", &["libunwind.so.8", "libunwind.so.1"]),
    ("libunwind-ptrace.so", &["libunwind-ptrace.so.0"]),
    (
        "libunwind-x86_64.so",
        &["libunwind-x86_64.so.8", "libunwind-x86_64.so.1"],
    ),
];

const DIRS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu",
    "/lib/x86_64-linux-gnu",
    "/usr/lib64",
    "/lib64",
    "/usr/lib",
    "/usr/local/lib",
];

fn find(name: &str) -> Option<PathBuf> {
    DIRS.iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.exists())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_NATIVE").is_none() {
        return;
    }
    let Some(out) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    let links = out.join("unwind-link");
    let mut shimmed = false;
    for (name, versioned) in LIBRARIES {
        if find(name).is_some() {
            continue;
        }
        let Some(target) = versioned.iter().find_map(|v| find(v)) else {
            println!(
                "cargo:warning=the `native` feature needs libunwind: {name} not found \
                 (install libunwind, e.g. `apt install libunwind-dev`)"
            );
            continue;
        };
        let _ = std::fs::create_dir_all(&links);
        let link = links.join(name);
        let _ = std::fs::remove_file(&link);
        #[cfg(unix)]
        if std::os::unix::fs::symlink(&target, &link).is_ok() {
            shimmed = true;
        }
    }
    if shimmed {
        println!("cargo:rustc-link-search=native={}", links.display());
    }
}
