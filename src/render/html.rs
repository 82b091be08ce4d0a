//! plan.html: plan.md as one self-contained page (pulldown-cmark), with inline CSS and the
//! pictures inlined as `data:` URIs, so it needs no network and no other file, on screen and
//! printed. It is also well-formed XML (XHTML syntax: void elements self-closed), which the
//! tests check with an XML parser.
//!
//! Escaping: every name from a profile or the source reaches the page through plan.md, where
//! it is inside a code span or escaped text. pulldown-cmark escapes text and code when it
//! writes HTML, and this renderer turns any raw HTML in the Markdown into escaped text, so a
//! function called `<script>` shows as text. Image sources are replaced by the SVG bytes of
//! the named picture, base64-encoded; unknown sources are dropped.

use std::collections::BTreeMap;

use base64::Engine;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::plan::Plan;

/// The stylesheet: readable on screen, compact when printed.
const CSS: &str = r#"
:root { --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --accent: #c0392b; --bg: #ffffff; --soft: #f5f6f8; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--soft); color: var(--ink);
  font: 15px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 24px auto; padding: 32px 44px; background: var(--bg);
  border: 1px solid var(--line); border-radius: 8px; }
h1 { font-size: 28px; margin: 0 0 18px; padding-bottom: 10px; border-bottom: 3px solid var(--accent); }
h2 { font-size: 21px; margin: 34px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 17px; margin: 26px 0 8px; }
p, li { max-width: 78ch; }
p:has(> img) { max-width: none; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft);
  padding: 1px 4px; border-radius: 3px; word-break: break-word; }
h2 code, h3 code { font-size: 0.92em; }
pre { background: var(--soft); padding: 12px; border-radius: 6px; overflow-x: auto; }
pre code { padding: 0; background: none; }
table { border-collapse: collapse; margin: 10px 0 18px; font-size: 13.5px; width: 100%; }
th, td { border: 1px solid var(--line); padding: 5px 8px; vertical-align: top; }
th { background: var(--soft); text-align: left; }
td:nth-child(n+2) { font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fafbfc; }
img { width: 100%; max-width: 100%; border: 1px solid var(--line); border-radius: 4px; margin: 6px 0; }
h2 + ul li:first-child { font-size: 17px; }
.note { color: var(--muted); font-size: 13px; }
details { margin: 8px 0 16px; color: var(--muted); }
summary { cursor: pointer; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { margin: 0; padding: 0; border: none; max-width: none; }
  h2 { break-after: avoid; }
  table, img, pre { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Renders plan.html from plan.md and the pictures (`file name → SVG bytes`).
pub fn render(plan: &Plan, markdown: &str, pictures: &BTreeMap<String, Vec<u8>>) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut in_mermaid = false;
    let events = Parser::new_ext(markdown, options).flat_map(move |event| match event {
        // Raw HTML from the Markdown is shown, never interpreted.
        Event::Html(text) | Event::InlineHtml(text) => vec![Event::Text(text)],
        // The Mermaid source is folded away: browsers without Mermaid cannot draw it.
        Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if lang.as_ref() == "mermaid" => {
            in_mermaid = true;
            vec![
                Event::Html(CowStr::from(
                    "<details><summary>Mermaid source of the diagram (GitHub draws it in plan.md)</summary>",
                )),
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))),
            ]
        }
        Event::End(TagEnd::CodeBlock) if in_mermaid => {
            in_mermaid = false;
            vec![
                Event::End(TagEnd::CodeBlock),
                Event::Html(CowStr::from("</details>")),
            ]
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let inline = pictures.get(dest_url.as_ref()).map_or(String::new(), |svg| {
                format!(
                    "data:image/svg+xml;base64,{}",
                    base64::engine::general_purpose::STANDARD.encode(svg)
                )
            });
            vec![Event::Start(Tag::Image {
                link_type,
                dest_url: CowStr::from(inline),
                title,
                id,
            })]
        }
        other => vec![other],
    });
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, events);
    let title = html_escape::encode_text(&plan.title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n\
         <title>Brownfield migration plan: {title}</title>\n<style>{CSS}</style>\n</head>\n\
         <body>\n<main>\n{body}<p class=\"note\">Generated by brownfield from the inputs listed \
         above. The Mermaid diagram renders on GitHub (plan.md); here it is shown as its \
         source.</p>\n</main>\n</body>\n</html>\n"
    )
}
