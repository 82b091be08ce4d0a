//! Detection rules for isolation facts: which calls are I/O, which are dynamic features, which
//! method calls mutate their receiver, and which standard-library modules run in C.
//!
//! The rules look at a call's dotted text after import aliases are expanded (`np.dot` is
//! `numpy.dot` when the file has `import numpy as np`). They are heuristics, tuned to say "this
//! probably crosses a boundary" rather than to prove it: a method named `read` on an unknown
//! receiver counts as I/O.

/// Builtins that do I/O.
const IO_BUILTINS: &[&str] = &["open", "print", "input"];

/// Modules every call into which is I/O.
const IO_MODULES: &[&str] = &[
    "socket",
    "subprocess",
    "shutil",
    "requests",
    "urllib",
    "http",
    "httpx",
    "aiohttp",
    "ftplib",
    "smtplib",
    "sqlite3",
    "logging",
    "tempfile",
    "glob",
    "select",
    "selectors",
    "psycopg2",
    "pymysql",
    "redis",
    "boto3",
];

/// Functions of `os` that touch the file system, processes or the terminal.
const OS_IO: &[&str] = &[
    "open",
    "read",
    "write",
    "remove",
    "unlink",
    "rename",
    "replace",
    "listdir",
    "scandir",
    "walk",
    "makedirs",
    "mkdir",
    "rmdir",
    "removedirs",
    "stat",
    "lstat",
    "system",
    "popen",
    "fsync",
    "chmod",
    "chown",
    "chdir",
    "getcwd",
    "link",
    "symlink",
    "readlink",
    "truncate",
    "utime",
    "kill",
    "fork",
    "execv",
    "execve",
    "spawnv",
    "startfile",
];

/// Functions of `os.path` that touch the file system.
const OS_PATH_IO: &[&str] = &[
    "exists", "lexists", "isfile", "isdir", "islink", "ismount", "getsize", "getmtime", "getatime",
    "getctime", "realpath", "samefile",
];

/// Method names that do I/O whatever their receiver (file objects, `pathlib.Path`, sockets).
const IO_METHODS: &[&str] = &[
    "read_text",
    "write_text",
    "read_bytes",
    "write_bytes",
    "iterdir",
    "touch",
    "readline",
    "readlines",
    "writelines",
    "recv",
    "recv_into",
    "send",
    "sendall",
    "sendto",
    "recvfrom",
    "flush",
];

/// Logger method names (counted as I/O when the receiver's name mentions `log`).
const LOG_METHODS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "log",
];

/// Builtins that make code dynamic whatever their arguments.
const DYNAMIC_BUILTINS: &[&str] = &[
    "eval",
    "exec",
    "compile",
    "globals",
    "locals",
    "vars",
    "__import__",
];

/// Builtins that are dynamic when the attribute name is not a string literal.
pub const DYNAMIC_ATTR_BUILTINS: &[&str] = &["getattr", "setattr", "delattr", "hasattr"];

/// Method names that mutate their receiver (list, dict, set, deque methods).
pub const MUTATING_METHODS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "popitem",
    "clear",
    "update",
    "setdefault",
    "add",
    "discard",
    "appendleft",
    "extendleft",
    "sort",
    "reverse",
];

/// Standard-library modules implemented in C, or whose hot paths are C accelerators
/// (CPython's `Modules/` directory: `_sre` behind `re`, `_json` behind `json`, `_heapq`,
/// `_bisect`, `_pickle`, `_csv`, `_datetime`, `_decimal`, `_random`, ...). Time spent in them
/// is already native.
pub const C_STDLIB_MODULES: &[&str] = &[
    "array",
    "binascii",
    "bisect",
    "bz2",
    "cmath",
    "collections",
    "csv",
    "datetime",
    "decimal",
    "functools",
    "hashlib",
    "heapq",
    "hmac",
    "io",
    "itertools",
    "json",
    "lzma",
    "marshal",
    "math",
    "operator",
    "pickle",
    "random",
    "re",
    "select",
    "socket",
    "sqlite3",
    "ssl",
    "struct",
    "time",
    "unicodedata",
    "zlib",
];

/// How a call was classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallClass {
    /// Input/output.
    Io,
    /// A dynamic feature.
    Dynamic,
    /// Neither.
    Plain,
}

/// Classifies a call by its dotted callee text with import aliases expanded (`os.path.exists`,
/// `open`, `self.log.info`, `path.read_text`). `literal_attr_name` says whether the second
/// argument is a string literal (for `getattr` and friends).
pub fn classify_call(dotted: &str, literal_attr_name: bool) -> CallClass {
    if !dotted.contains('.') {
        if IO_BUILTINS.contains(&dotted) {
            return CallClass::Io;
        }
        if DYNAMIC_BUILTINS.contains(&dotted)
            || (DYNAMIC_ATTR_BUILTINS.contains(&dotted) && !literal_attr_name)
        {
            return CallClass::Dynamic;
        }
        return CallClass::Plain;
    }
    if dotted == "importlib.import_module" {
        return CallClass::Dynamic;
    }
    let root = dotted.split('.').next().unwrap_or("");
    if IO_MODULES.contains(&root) {
        return CallClass::Io;
    }
    let (receiver, method) = dotted.rsplit_once('.').unwrap_or(("", dotted));
    if receiver == "os" && OS_IO.contains(&method)
        || receiver == "os.path" && OS_PATH_IO.contains(&method)
        || matches!(receiver, "sys.stdout" | "sys.stderr" | "sys.stdin")
        || dotted == "time.sleep"
        || dotted == "asyncio.sleep"
        || IO_METHODS.contains(&method)
    {
        return CallClass::Io;
    }
    let last_receiver = receiver.rsplit('.').next().unwrap_or(receiver);
    if LOG_METHODS.contains(&method) && last_receiver.to_ascii_lowercase().contains("log") {
        return CallClass::Io;
    }
    CallClass::Plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_calls() {
        assert_eq!(classify_call("open", false), CallClass::Io);
        assert_eq!(classify_call("os.path.exists", false), CallClass::Io);
        assert_eq!(classify_call("os.path.join", false), CallClass::Plain);
        assert_eq!(classify_call("subprocess.run", false), CallClass::Io);
        assert_eq!(classify_call("self.logger.info", false), CallClass::Io);
        assert_eq!(classify_call("self.stats.info", false), CallClass::Plain);
        assert_eq!(classify_call("p.read_text", false), CallClass::Io);
        assert_eq!(classify_call("getattr", true), CallClass::Plain);
        assert_eq!(classify_call("getattr", false), CallClass::Dynamic);
        assert_eq!(classify_call("eval", false), CallClass::Dynamic);
        assert_eq!(
            classify_call("importlib.import_module", false),
            CallClass::Dynamic
        );
        assert_eq!(classify_call("len", false), CallClass::Plain);
    }
}
