//! Which part of CPython (or of the C library under it) a native frame's time belongs to.
//!
//! py-spy `--native` merges the interpreter's evaluation frames (`_PyEval_EvalFrameDefault`)
//! into the Python frames they run, so the native frames left *below* the deepest Python frame
//! of a stack are C functions that the bytecode called. Not all of them are overhead that a
//! Rust rewrite removes:
//!
//! | [`Subsystem`] | what | moves with a rewrite |
//! | --- | --- | --- |
//! | `Dispatch` | the bytecode's own operations: calls, attribute and item access, comparisons, arithmetic on `int`/`float`, iteration, dict lookups, building tuples and lists | yes: this is what compiled code removes |
//! | `Gc` | the cyclic garbage collector | no (see docs/scoring.md §1) |
//! | `Alloc` | object allocation and deallocation, `malloc`/`free` | no (see docs/scoring.md §1) |
//! | `Regex` | the `re` engine | no: the engine is C already |
//! | `Compile` | the parser, compiler and AST conversion behind `compile()`, `ast.parse`, `exec` of text | no |
//! | `OtherC` | everything else: methods of `str`/`bytes`/`list`/`dict` called by name, C modules (`_json`, `_io`, `zlib`, ...), other libraries, unsymbolised addresses | no |
//!
//! The lists follow CPython 3.11's source, file by file:
//! `Python/ceval.c`, `Objects/call.c`, `Objects/abstract.c`, `Objects/object.c`,
//! `Objects/typeobject.c`, `Objects/descrobject.c`, `Objects/methodobject.c`,
//! `Objects/dictobject.c`, `Objects/longobject.c`, `Objects/floatobject.c`,
//! `Objects/unicodeobject.c`, `Objects/listobject.c`, `Objects/tupleobject.c`,
//! `Objects/genobject.c` (dispatch); `Modules/gcmodule.c` (GC); `Objects/obmalloc.c`,
//! `Objects/typeobject.c`'s allocators and every type's `*_dealloc`, glibc's `malloc/malloc.c`
//! (allocation); `Modules/_sre/sre.c` and `sre_lib.h` (regex); `Parser/` (the PEG parser, its
//! generated `*_rule` functions and the tokenizer), `Python/compile.c`, `Python/symtable.c`,
//! `Python/ast.c`, `Python/ast_opt.c`, `Python/Python-ast.c` and `builtin_compile` in
//! `Python/bltinmodule.c` (compile).

use serde::Serialize;

/// The part of the runtime a native frame belongs to (module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subsystem {
    /// The interpreter executing bytecode: what a Rust rewrite removes.
    Dispatch,
    /// The cyclic garbage collector (`Modules/gcmodule.c`).
    Gc,
    /// Object allocation and deallocation (`Objects/obmalloc.c`, `*_dealloc`, `malloc`).
    Alloc,
    /// The regular-expression engine (`Modules/_sre/`).
    Regex,
    /// The parser and compiler (`Parser/`, `Python/compile.c`, ...).
    Compile,
    /// Any other C: builtin methods called by name, C modules, other libraries.
    OtherC,
}

/// True for native frames of the interpreter itself (`python3.11`, `libpython3.11.so.1.0`):
/// their object file's base name starts with `python` or `libpython`.
pub fn is_interpreter_object(object_file: &str) -> bool {
    let base = crate::profile::file_basename(object_file);
    base.starts_with("python") || base.starts_with("libpython")
}

/// The subsystem of one native frame, from its function name and object file (`None` when the
/// profile gives none). GC, allocation, regex and compile functions are recognised in any
/// object (a statically linked interpreter, an `_sre` extension module); dispatch only in the
/// interpreter's own objects; everything else is [`Subsystem::OtherC`].
pub fn classify(function: &str, object_file: Option<&str>) -> Subsystem {
    // py-spy names symbols without a name by their address (`0x7f97...`).
    if function.starts_with("0x") {
        return Subsystem::OtherC;
    }
    // `function.isra.0`, `function.cold`: compiler-made clones keep their origin's name.
    let name = function.split('.').next().unwrap_or(function);
    if is_gc(name) {
        Subsystem::Gc
    } else if is_alloc(name) {
        Subsystem::Alloc
    } else if is_regex(name) {
        Subsystem::Regex
    } else if is_compile(name) {
        Subsystem::Compile
    } else if object_file.is_some_and(is_interpreter_object) && is_dispatch(name) {
        Subsystem::Dispatch
    } else {
        Subsystem::OtherC
    }
}

/// The subsystem a stack's native frames below its deepest Python frame stand for, given each
/// frame's own [`classify`] from the outermost (called first) to the leaf: the collector
/// anywhere (it runs inside an allocation, whatever called it), else the outermost frame that
/// is not dispatch (`PyObject_Call` → `builtin_compile` → ... is compile; `sre_match` →
/// `PyObject_Malloc` is regex), else dispatch. `None` for no native frame.
pub fn of_segment(outermost_first: impl IntoIterator<Item = Subsystem>) -> Option<Subsystem> {
    let mut result = None;
    for s in outermost_first {
        match (s, result) {
            (Subsystem::Gc, _) => return Some(Subsystem::Gc),
            (_, None) | (_, Some(Subsystem::Dispatch)) => result = Some(s),
            _ => {}
        }
    }
    result
}

fn starts_with_any(name: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| name.starts_with(p))
}

fn ends_with_any(name: &str, suffixes: &[&str]) -> bool {
    suffixes.iter().any(|s| name.ends_with(s))
}

/// `Modules/gcmodule.c`: the collection and its phases.
fn is_gc(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "collect",
        "collect_with_callback",
        "collect_generations",
        "deduce_unreachable",
        "delete_garbage",
        "finalize_garbage",
        "handle_legacy_finalizers",
        "handle_weakrefs",
        "move_legacy_finalizer_reachable",
        "move_legacy_finalizers",
        "move_unreachable",
        "subtract_refs",
        "untrack_dicts",
        "untrack_tuples",
        "update_refs",
        "visit_decref",
        "visit_move",
        "visit_reachable",
        "PyGC_Collect",
        "_PyGC_CollectNoFail",
        "_PyGC_CollectIfEnabled",
    ];
    NAMES.contains(&name) || starts_with_any(name, &["gc_collect", "gc_list_"])
}

/// `Objects/obmalloc.c`, the object allocators of `Objects/typeobject.c` and
/// `Modules/gcmodule.c`, deallocators (`*_dealloc`), and glibc's `malloc/malloc.c`.
fn is_alloc(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "PyType_GenericAlloc",
        "_PyType_AllocNoTrack",
        "_PyObject_New",
        "_PyObject_NewVar",
        "_PyObject_GC_New",
        "_PyObject_GC_NewVar",
        "_PyObject_GC_Link",
        "_PyObject_GC_Resize",
        "PyObject_GC_Del",
        "gc_alloc",
        "_Py_Dealloc",
        "pymalloc_alloc",
        "pymalloc_free",
        "pymalloc_realloc",
        "allocate_from_new_pool",
        "insert_to_usedpool",
        "insert_to_freepool",
        "new_arena",
        "malloc",
        "free",
        "calloc",
        "realloc",
        "cfree",
        "malloc_consolidate",
        "sysmalloc",
        "unlink_chunk",
        "mmap",
        "mmap64",
        "munmap",
        "brk",
        "sbrk",
        "madvise",
    ];
    NAMES.contains(&name)
        || starts_with_any(
            name,
            &[
                "PyObject_Malloc",
                "PyObject_Calloc",
                "PyObject_Realloc",
                "PyObject_Free",
                "_PyObject_Malloc",
                "_PyObject_Calloc",
                "_PyObject_Realloc",
                "_PyObject_Free",
                "PyMem_",
                "_PyMem_",
                "_int_malloc",
                "_int_free",
                "_int_realloc",
                "__libc_malloc",
                "__libc_free",
                "__libc_calloc",
                "__libc_realloc",
                "tcache_",
            ],
        )
        || name.ends_with("dealloc")
}

/// `Modules/_sre/sre.c` and `sre_lib.h`.
fn is_regex(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "state_init",
        "state_fini",
        "state_reset",
        "getstring",
        "match_getslice",
        "match_getslice_n",
        "pattern_subx",
        "pattern_new_match",
        "pattern_error",
    ];
    NAMES.contains(&name) || starts_with_any(name, &["sre_", "_sre_", "SRE_", "scanner_"])
}

/// `Parser/` (the PEG parser, its generated rules, the tokenizer), `Python/compile.c`,
/// `Python/symtable.c`, `Python/ast.c`, `Python/ast_opt.c`, `Python/Python-ast.c`, and the
/// `compile()` builtin.
fn is_compile(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "builtin_compile",
        "builtin_compile_impl",
        "assemble",
        "makecode",
        "optimize_cfg",
        "add_ast_fields",
        "tok_get",
        "tok_nextc",
        "tok_backup",
        "tok_underflow_string",
        "tok_underflow_file",
    ];
    NAMES.contains(&name)
        || starts_with_any(
            name,
            &[
                "_PyPegen_",
                "_PyParser_",
                "_PyTokenizer_",
                "PyTokenizer_",
                "_PyAST_",
                "PyAST_",
                "ast2obj_",
                "obj2ast_",
                "astfold_",
                "compiler_",
                "_PyCompile_",
                "_PyCfg_",
                "symtable_",
                "_PySymtable_",
                "Py_CompileString",
                "_Py_SourceAsString",
                "_loop0_",
                "_loop1_",
                "_gather_",
                "_tmp_",
            ],
        )
        || name.ends_with("_rule")
}

/// The bytecode's own operations in `Python/ceval.c`, `Objects/call.c`, `Objects/abstract.c`,
/// `Objects/object.c`, `Objects/typeobject.c` and the type slots they call.
fn is_dispatch(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "_PyEval_",
        "PyEval_",
        "_PyFunction_Vectorcall",
        "PyObject_Call",
        "_PyObject_Call",
        "PyObject_Vectorcall",
        "_PyObject_Vectorcall",
        "_PyObject_MakeTpCall",
        "PyVectorcall_",
        "method_vectorcall",
        "cfunction_",
        "vectorcall_",
        "slot_tp_",
        "type_call",
        "PyObject_GetAttr",
        "PyObject_SetAttr",
        "_PyObject_GetAttr",
        "_PyObject_SetAttr",
        "_PyObject_GetMethod",
        "_PyObject_LookupAttr",
        "_PyObject_GenericGetAttr",
        "_PyObject_GenericSetAttr",
        "PyObject_GenericGetAttr",
        "PyObject_GenericSetAttr",
        "_PyType_Lookup",
        "PyObject_RichCompare",
        "do_richcompare",
        "PyObject_Hash",
        "PyObject_IsTrue",
        "PyObject_Not",
        "PyObject_GetItem",
        "PyObject_SetItem",
        "PyObject_GetIter",
        "PyObject_Size",
        "PyObject_Length",
        "PyObject_IsInstance",
        "PyIter_Next",
        "PyNumber_",
        "binary_op",
        "PySequence_",
        "long_",
        "_PyLong_",
        "PyLong_",
        "float_",
        "PyFloat_",
        "bool_",
        "_Py_dict_lookup",
        "lookdict",
        "unicodekeys_lookup",
        "dictkeys_",
        "PyDict_GetItem",
        "_PyDict_GetItem",
        "PyDict_SetItem",
        "_PyDict_SetItem",
        "_PyDict_LoadGlobal",
        "insertdict",
        "dict_subscript",
        "dict_ass_sub",
        "PyTuple_New",
        "_PyTuple_FromArray",
        "PyList_New",
        "_PyList_FromArraySteal",
        "PyList_Append",
        "_PyList_AppendTakeRef",
        "list_resize",
        "_PyFrame_",
        "_PyEvalFrame",
        "gen_send_ex",
        "gen_iternext",
        "_PyGen_",
        "unicode_compare_eq",
        "PyUnicode_Compare",
        "_PyUnicode_Equal",
        "_PyUnicode_EQ",
        "PyUnicode_Concat",
        "unicode_concatenate",
        "builtin_len",
        "builtin_isinstance",
        "_Py_CheckFunctionResult",
        "_Py_NewReference",
    ];
    const SUFFIXES: &[&str] = &[
        "_richcompare",
        "_subscript",
        "_item",
        "_getitem",
        "_ass_subscript",
        "_ass_item",
        "_hash",
        "_iter",
        "_iternext",
        "iter_next",
        "_length",
        "_contains",
        "_bool",
        "_vectorcall",
        "_descr_get",
    ];
    starts_with_any(name, PREFIXES) || ends_with_any(name, SUFFIXES)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIBPYTHON: Option<&str> = Some("libpython3.11.so.1.0");

    #[test]
    fn frames_seen_in_real_captures_are_classified() {
        for (name, want) in [
            ("gc_collect_main", Subsystem::Gc),
            ("visit_reachable", Subsystem::Gc),
            ("sre_ucs1_match", Subsystem::Regex),
            ("_sre_SRE_Pattern_sub", Subsystem::Regex),
            ("_PyPegen_run_parser", Subsystem::Compile),
            ("expression_rule", Subsystem::Compile),
            ("compiler_visit_expr", Subsystem::Compile),
            ("PyObject_Malloc", Subsystem::Alloc),
            ("unicode_dealloc", Subsystem::Alloc),
            ("_PyObject_GC_Link", Subsystem::Alloc),
            ("unicode_getitem", Subsystem::Dispatch),
            ("unicode_ascii_iter_next", Subsystem::Dispatch),
            ("long_add", Subsystem::Dispatch),
            ("_PyEval_EvalFrameDefault", Subsystem::Dispatch),
            ("unicode_split", Subsystem::OtherC),
            ("os_stat", Subsystem::OtherC),
            ("0x7f978bfe2a26", Subsystem::OtherC),
        ] {
            assert_eq!(classify(name, LIBPYTHON), want, "{name}");
        }
        assert_eq!(classify("malloc", Some("libc.so.6")), Subsystem::Alloc);
        assert_eq!(
            classify("deflate", Some("libz.so.1.2.13")),
            Subsystem::OtherC
        );
        // Dispatch is the interpreter's own: a library's `foo_item` is other C.
        assert_eq!(classify("list_item", Some("libfoo.so")), Subsystem::OtherC);
        assert_eq!(classify("collect.isra.0", LIBPYTHON), Subsystem::Gc);
    }

    #[test]
    fn a_segment_is_its_collector_else_its_outermost_non_dispatch_frame() {
        use Subsystem::*;
        assert_eq!(of_segment([]), None);
        assert_eq!(of_segment([Dispatch, Dispatch]), Some(Dispatch));
        assert_eq!(of_segment([Dispatch, Compile, Alloc]), Some(Compile));
        assert_eq!(of_segment([Regex, Alloc]), Some(Regex));
        assert_eq!(of_segment([Alloc, Gc, Dispatch]), Some(Gc));
        assert_eq!(of_segment([OtherC, Dispatch]), Some(OtherC));
    }
}
