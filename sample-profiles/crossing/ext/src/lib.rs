//! Near-empty PyO3 entry points: each body does as little as its signature
//! allows, so that timing a call from Python measures the crossing (argument
//! parsing/extraction, pyclass borrow, return conversion) rather than work.
//! The Python twins of these shapes live in ../measure.py.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyString;

// ---- plain #[pyfunction]s ---------------------------------------------------

#[pyfunction]
fn f0() {}

/// One object argument, returned as is (no conversion).
#[pyfunction]
fn f1_obj<'py>(a: Bound<'py, PyAny>) -> Bound<'py, PyAny> {
    a
}

/// One int argument: extract to i64, convert back to a Python int.
#[pyfunction]
fn f1_int(a: i64) -> i64 {
    a
}

/// One str argument, type-checked as str and returned as is.
#[pyfunction]
fn f1_str<'py>(a: Bound<'py, PyString>) -> Bound<'py, PyString> {
    a
}

/// One str argument borrowed as &str (UTF-8 view), returned as a new String.
#[pyfunction]
fn f1_str_owned(a: &str) -> String {
    a.to_owned()
}

#[pyfunction]
fn f2_obj<'py>(a: Bound<'py, PyAny>, b: Bound<'py, PyAny>) -> Bound<'py, PyAny> {
    let _ = b;
    a
}

#[pyfunction]
fn f2_int(a: i64, b: i64) -> i64 {
    let _ = b;
    a
}

// ---- reading a Python object / list argument --------------------------------

/// obj.getattr("x") with a &str name (a new PyString is made per call).
#[pyfunction]
fn getattr_x<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    obj.getattr("x")
}

/// Same, with the name interned once (`intern!`).
#[pyfunction]
fn getattr_x_interned<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    obj.getattr(intern!(obj.py(), "x"))
}

/// Interned getattr plus extraction of the attribute as i64.
#[pyfunction]
fn getattr_x_i64(obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    obj.getattr(intern!(obj.py(), "x"))?.extract()
}

/// Extract a list of ints into a Vec<i64>; return its length.
#[pyfunction]
fn vec_len(v: Vec<i64>) -> usize {
    v.len()
}

// ---- #[pyclass] with methods and dunders ------------------------------------

#[pyclass]
struct Obj {
    x: i64,
}

#[pymethods]
impl Obj {
    #[new]
    fn new(x: i64) -> Self {
        Obj { x }
    }

    fn m0(&self) {}

    fn m1<'py>(&self, a: Bound<'py, PyAny>) -> Bound<'py, PyAny> {
        a
    }

    #[getter]
    fn x(&self) -> i64 {
        self.x
    }

    fn __getitem__(&self, i: isize) -> isize {
        i
    }

    /// Trivial __eq__: any other object compares equal.
    fn __eq__(&self, _other: &Bound<'_, PyAny>) -> bool {
        true
    }

    fn __hash__(&self) -> u64 {
        12345
    }
}

/// Frozen pyclass (no runtime borrow flag) with a generated field getter and
/// a typed __eq__ that reads the other instance.
#[pyclass(frozen)]
struct FrozenObj {
    #[pyo3(get)]
    x: i64,
}

#[pymethods]
impl FrozenObj {
    #[new]
    fn new(x: i64) -> Self {
        FrozenObj { x }
    }

    fn m0(&self) {}

    fn __eq__(&self, other: &Self) -> bool {
        self.x == other.x
    }
}

/// Endless iterator: __next__ yields 1 forever.
#[pyclass]
struct Ones {
    n: u64,
}

#[pymethods]
impl Ones {
    #[new]
    fn new() -> Self {
        Ones { n: 0 }
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self) -> Option<i64> {
        self.n += 1;
        Some(1)
    }
}

#[pymodule]
fn crossing_ext(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(f0, m)?)?;
    m.add_function(wrap_pyfunction!(f1_obj, m)?)?;
    m.add_function(wrap_pyfunction!(f1_int, m)?)?;
    m.add_function(wrap_pyfunction!(f1_str, m)?)?;
    m.add_function(wrap_pyfunction!(f1_str_owned, m)?)?;
    m.add_function(wrap_pyfunction!(f2_obj, m)?)?;
    m.add_function(wrap_pyfunction!(f2_int, m)?)?;
    m.add_function(wrap_pyfunction!(getattr_x, m)?)?;
    m.add_function(wrap_pyfunction!(getattr_x_interned, m)?)?;
    m.add_function(wrap_pyfunction!(getattr_x_i64, m)?)?;
    m.add_function(wrap_pyfunction!(vec_len, m)?)?;
    m.add_class::<Obj>()?;
    m.add_class::<FrozenObj>()?;
    m.add_class::<Ones>()?;
    Ok(())
}
