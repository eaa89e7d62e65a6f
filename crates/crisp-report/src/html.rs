//! One self-contained HTML page: inline CSS and SVG, no script and no external address, so a
//! report opens offline, attaches to a CI run or an email, and renders the same everywhere.

use std::fmt::Write;

/// The stylesheet every page carries inline.
const STYLE: &str = r#"
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --pass: #1a7f37; --fail: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #f6f8fa; }
header { background: #24292f; color: #fff; padding: 18px 32px; }
header h1 { margin: 0; font-size: 22px; font-weight: 600; }
header p { margin: 4px 0 0; color: #c9d1d9; }
main { max-width: 1240px; margin: 0 auto; padding: 20px 32px 48px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
          padding: 16px 20px; margin: 0 0 18px; }
h2 { font-size: 18px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 14px 0 8px; }
p.note { color: var(--muted); margin: 6px 0; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
dl.summary dt { color: var(--muted); }
dl.summary dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 4px 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 12px 4px 0; text-align: left; }
td.num, th.num { text-align: right; }
tr.fail td { color: var(--fail); }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; font-weight: 600;
         font-size: 13px; color: #fff; }
.badge.pass { background: var(--pass); }
.badge.fail { background: var(--fail); }
.badge.skip { background: #8c959f; }
section.verdict[data-passed="true"] { border-left: 6px solid var(--pass); }
section.verdict[data-passed="false"] { border-left: 6px solid var(--fail); }
.row { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 0 18px; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 14px; }
figure.plot { margin: 0; min-width: 0; }
figure.plot figcaption { font-weight: 600; margin: 0 0 4px; }
figure.plot figcaption span { font-weight: normal; color: var(--muted); }
figure.plot svg { width: 100%; height: auto; display: block; }
footer { color: var(--muted); font-size: 13px; text-align: center; padding: 12px; }
"#;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A cell of a [`Page::table`].
#[derive(Debug, Clone)]
pub enum Cell {
    /// Text, left-aligned.
    Text(String),
    /// A number, right-aligned, as given.
    Number(String),
    /// A pass/fail/skip badge.
    Badge(Status),
}

/// The state of a check, as a badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Held.
    Pass,
    /// Did not hold.
    Fail,
    /// Not run.
    Skip,
}

impl Status {
    fn class(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }
}

/// A plot ready for a page: its name (the `data-plot` attribute a browser check looks for),
/// title, SVG and optional column.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The kind of plot, such as `roc` (stable: checks and styles select on it).
    pub name: &'static str,
    /// The caption.
    pub title: String,
    /// A muted note after the caption.
    pub note: String,
    /// The column the plot is about, if one.
    pub column: Option<String>,
    /// The `<svg>` element.
    pub svg: String,
}

impl Figure {
    /// A figure named `name` with caption `title`.
    pub fn new(name: &'static str, title: impl Into<String>, svg: String) -> Self {
        Figure {
            name,
            title: title.into(),
            note: String::new(),
            column: None,
            svg,
        }
    }

    /// About column `column`.
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    /// With a muted note after the caption.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }
}

/// An HTML page under construction: a header, then sections of summaries, tables and plots.
#[derive(Debug, Clone)]
pub struct Page {
    kind: &'static str,
    title: String,
    subtitle: String,
    body: String,
    open: bool,
}

impl Page {
    /// A page of kind `kind` (`train`, `validate`, `profile`, `runs`: the body's
    /// `data-report`), titled `title`.
    pub fn new(kind: &'static str, title: impl Into<String>, subtitle: impl Into<String>) -> Self {
        Page {
            kind,
            title: title.into(),
            subtitle: subtitle.into(),
            body: String::new(),
            open: false,
        }
    }

    /// Starts a section titled `title` (closing the previous one).
    pub fn section(&mut self, title: &str) -> &mut Self {
        self.section_with(title, "", "")
    }

    /// Starts a section with a class and extra attributes (written as given).
    pub fn section_with(&mut self, title: &str, class: &str, attributes: &str) -> &mut Self {
        self.close();
        let class = if class.is_empty() {
            String::new()
        } else {
            format!(" class=\"{}\"", escape(class))
        };
        let _ = writeln!(
            self.body,
            "<section{class}{attributes}><h2>{}</h2>",
            escape(title)
        );
        self.open = true;
        self
    }

    /// Starts a row: the sections up to [`Page::end_row`] sit side by side when the page is
    /// wide enough.
    pub fn begin_row(&mut self) -> &mut Self {
        self.close();
        self.body.push_str("<div class=\"row\">\n");
        self
    }

    /// Ends the row [`Page::begin_row`] started.
    pub fn end_row(&mut self) -> &mut Self {
        self.close();
        self.body.push_str("</div>\n");
        self
    }

    /// A subheading in the current section.
    pub fn subheading(&mut self, text: &str) -> &mut Self {
        let _ = writeln!(self.body, "<h3>{}</h3>", escape(text));
        self
    }

    /// A muted paragraph.
    pub fn note(&mut self, text: &str) -> &mut Self {
        let _ = writeln!(self.body, "<p class=\"note\">{}</p>", escape(text));
        self
    }

    /// A paragraph that starts with a badge.
    pub fn badge_line(&mut self, status: Status, badge: &str, text: &str) -> &mut Self {
        let _ = writeln!(
            self.body,
            "<p><span class=\"badge {}\">{}</span> {}</p>",
            status.class(),
            escape(badge),
            escape(text)
        );
        self
    }

    /// Name–value pairs.
    pub fn summary(&mut self, pairs: &[(String, String)]) -> &mut Self {
        self.body.push_str("<dl class=\"summary\">\n");
        for (name, value) in pairs {
            let _ = writeln!(
                self.body,
                "<dt>{}</dt><dd>{}</dd>",
                escape(name),
                escape(value)
            );
        }
        self.body.push_str("</dl>\n");
        self
    }

    /// A table of class `class`; rows whose `failed` flag is set are marked.
    pub fn table(
        &mut self,
        class: &str,
        headers: &[&str],
        rows: &[(Vec<Cell>, bool)],
    ) -> &mut Self {
        let _ = write!(self.body, "<table class=\"{}\"><thead><tr>", escape(class));
        for h in headers {
            let _ = write!(self.body, "<th>{}</th>", escape(h));
        }
        self.body.push_str("</tr></thead><tbody>\n");
        for (cells, failed) in rows {
            self.body.push_str(if *failed {
                "<tr class=\"fail\">"
            } else {
                "<tr>"
            });
            for cell in cells {
                let _ = match cell {
                    Cell::Text(t) => write!(self.body, "<td>{}</td>", escape(t)),
                    Cell::Number(t) => write!(self.body, "<td class=\"num\">{}</td>", escape(t)),
                    Cell::Badge(s) => write!(
                        self.body,
                        "<td><span class=\"badge {}\">{}</span></td>",
                        s.class(),
                        s.class()
                    ),
                };
            }
            self.body.push_str("</tr>\n");
        }
        self.body.push_str("</tbody></table>\n");
        self
    }

    /// Plots in a responsive grid.
    pub fn figures(&mut self, figures: Vec<Figure>) -> &mut Self {
        if figures.is_empty() {
            return self;
        }
        self.body.push_str("<div class=\"plots\">\n");
        for f in figures {
            let column = f
                .column
                .as_ref()
                .map(|c| format!(" data-column=\"{}\"", escape(c)))
                .unwrap_or_default();
            let note = if f.note.is_empty() {
                String::new()
            } else {
                format!(" <span>{}</span>", escape(&f.note))
            };
            let _ = writeln!(
                self.body,
                "<figure class=\"plot\" data-plot=\"{}\"{column}><figcaption>{}{note}</figcaption>\n{}\n</figure>",
                f.name,
                escape(&f.title),
                f.svg
            );
        }
        self.body.push_str("</div>\n");
        self
    }

    fn close(&mut self) {
        if self.open {
            self.body.push_str("</section>\n");
            self.open = false;
        }
    }

    /// The whole document.
    pub fn finish(mut self) -> String {
        self.close();
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"crisp {version}\">\n<title>{title}</title>\n\
             <style>{STYLE}</style>\n</head>\n<body data-report=\"{kind}\">\n\
             <header><h1>{title}</h1><p>{subtitle}</p></header>\n<main>\n{body}</main>\n\
             <footer>crisp {version}</footer>\n</body>\n</html>\n",
            version = crisp_core::VERSION,
            title = escape(&self.title),
            subtitle = escape(&self.subtitle),
            kind = self.kind,
            body = self.body,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_everywhere_it_goes() {
        let mut page = Page::new("train", "<model>", "a & b");
        page.section("x\"y")
            .summary(&[("k<".into(), "v>".into())])
            .figures(vec![
                Figure::new("roc", "R'", "<svg></svg>".into()).column("c\"")
            ]);
        let html = page.finish();
        assert!(html.contains("<title>&lt;model&gt;</title>"));
        assert!(html.contains("a &amp; b") && html.contains("x&quot;y"));
        assert!(html.contains("<dt>k&lt;</dt><dd>v&gt;</dd>"));
        assert!(html.contains("data-plot=\"roc\" data-column=\"c&quot;\""));
        assert!(html.contains("R&#39;"));
        assert!(!html.contains("<script"), "a report runs no script");
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert_eq!(
            html.matches("<section").count(),
            html.matches("</section>").count()
        );
    }
}
