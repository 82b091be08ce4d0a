//! plan.md / plan.json golden files (insta) on the hand-made program of `rank.rs`, and
//! plan.html and the pictures on hostile names.

use std::path::Path;

use super::{brownfield, read, show};

/// Runs `brownfield plan` on `dir`'s profile and source into `dir/plan`.
fn plan(dir: &Path, source: &str) -> std::path::PathBuf {
    let out_dir = dir.join("plan");
    let profile = dir.join("profile.txt");
    let source = dir.join(source);
    let out = brownfield(&[
        "plan",
        profile.to_str().unwrap(),
        "--source",
        source.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", show(&out));
    out_dir
}

#[test]
fn golden_plan_md_and_json() {
    let dir = super::rank::fixture();
    let out_dir = plan(dir.path(), "app");
    let tmp = dir.path().to_str().unwrap();
    let md = read(&out_dir.join("plan.md")).replace(tmp, "[TMP]");
    let json = read(&out_dir.join("plan.json")).replace(tmp, "[TMP]");
    insta::assert_snapshot!("plan_md", md);
    insta::assert_snapshot!("plan_json", json);
}

/// Checks that `text` is well-formed XML (XHTML / SVG): every tag closed and nested, every
/// entity and attribute valid.
fn assert_well_formed(name: &str, text: &str) {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "{name} is not well-formed at byte {}: {e}",
                reader.buffer_position()
            ),
        }
    }
    assert_eq!(depth, 0, "{name}: unclosed elements");
}

#[test]
fn hostile_names_are_escaped_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    let evil_dir = app.join("p&q");
    std::fs::create_dir_all(&evil_dir).unwrap();
    // A module whose file name carries markup, quotes and an ampersand.
    let evil = "x<b>\"'&y.py";
    std::fs::write(
        evil_dir.join(evil),
        "def run(n):\n    t = 0\n    for i in range(n):\n        t += i * i\n    return t\n",
    )
    .unwrap();
    let frame = format!("run (p&q/{evil}:4)");
    let script = "<script>alert('x')</script> (<img src=x onerror=alert(1)>.py:1)";
    let profile = format!("{frame} 80\n{frame};{script} 20\n");
    std::fs::write(dir.path().join("profile.txt"), profile).unwrap();
    let out_dir = plan(dir.path(), "app");

    let html = read(&out_dir.join("plan.html"));
    assert_well_formed("plan.html", &html);
    assert!(!html.contains("<script"), "a script element in plan.html");
    assert!(!html.contains("<b>") && !html.contains("<img src=x"));
    assert!(
        html.contains("x&lt;b&gt;"),
        "the hostile name is shown, escaped"
    );

    let md = read(&out_dir.join("plan.md"));
    let mermaid = md
        .split("```mermaid")
        .nth(1)
        .and_then(|m| m.split("```").next())
        .expect("a Mermaid diagram");
    assert!(
        !mermaid.contains('<') && !mermaid.contains("\"'&"),
        "{mermaid}"
    );
    assert!(mermaid.contains("x#lt;b#gt;#quot;'#amp;y"), "{mermaid}");
    // Outside code spans, Markdown and HTML metacharacters from names are escaped.
    for line in md.lines().filter(|l| l.contains("<b>")) {
        assert!(line.matches('`').count() >= 2, "unescaped name in: {line}");
    }

    for entry in std::fs::read_dir(&out_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            let svg = read(&path);
            assert_well_formed(&path.display().to_string(), &svg);
            assert!(!svg.contains("<script>alert"), "{}", path.display());
            assert!(!svg.contains("<img src=x"), "{}", path.display());
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&read(&out_dir.join("plan.json"))).expect("plan.json is JSON");
    assert!(json["units"][0]["id"].as_str().unwrap().contains("<b>"));
}
