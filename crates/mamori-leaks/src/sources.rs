//! The three source shapes (contracts.md §5): ransomware.live's
//! `/recentvictims`, RansomLook's `/api/recent`, and a leak site's own HTML
//! with configured CSS selectors. Each yields [`Post`]s; a shape that no
//! longer fits (a tracker changed its API, a site its markup) is an error,
//! which the poller counts towards the source's health.

use crate::config::{SourceConfig, SourceKind};
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

/// One victim post as a tracker or leak site shows it. Metadata only.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Post {
    pub source: String,
    pub group: String,
    pub victim: String,
    pub description: String,
    pub url: Option<String>,
    /// Domain or website field of trackers.
    pub hosts: Vec<String>,
    pub country: Option<String>,
    pub discovered: Option<String>,
    pub published: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("{0}")]
    Shape(String),
}

/// The URL to fetch for a source.
pub fn endpoint(source: &SourceConfig) -> String {
    let base = source.url.trim_end_matches('/');
    match source.kind {
        SourceKind::RansomwareLive => format!("{base}/recentvictims"),
        SourceKind::Ransomlook => format!("{base}/api/recent"),
        SourceKind::Html => source.url.clone(),
    }
}

pub fn parse(source: &SourceConfig, text: &str) -> Result<Vec<Post>, ParseError> {
    match source.kind {
        SourceKind::RansomwareLive | SourceKind::Ransomlook => parse_json(source, text),
        SourceKind::Html => parse_html(source, text),
    }
}

/// The text of a post's own page where its listing is (`follow = true`).
pub fn page_body(source: &SourceConfig, text: &str) -> Result<String, ParseError> {
    let document = Html::parse_document(text);
    let css = source
        .page_body
        .as_deref()
        .or(source.body.as_deref())
        .unwrap_or("body");
    let found: Vec<String> = document
        .select(&selector(source, "page_body", css)?)
        .map(block_text)
        .collect();
    if found.is_empty() {
        return Ok(block_text(document.root_element()));
    }
    Ok(found.join("\n"))
}

/// Whether `url` is on the source's own host (the only pages followed).
pub fn same_host(source_url: &str, url: &str) -> bool {
    let host = |u: &str| {
        u.split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', '?', '#']).next())
            .map(str::to_ascii_lowercase)
    };
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && host(source_url).is_some()
        && host(source_url) == host(url)
}

/// Posts were read but an optional selector found nothing in any of
/// them: the site changed part of its markup. Counted as a bad poll.
pub fn selector_health(source: &SourceConfig, posts: &[Post]) -> Option<String> {
    if source.kind != SourceKind::Html || posts.len() < 3 {
        return None;
    }
    if let Some(body) = &source.body {
        if posts.iter().all(|p| p.description.trim().is_empty()) {
            return Some(format!(
                "body selector {body:?} matched nothing in {} posts",
                posts.len()
            ));
        }
    }
    if let Some(link) = &source.link {
        if posts.iter().all(|p| p.url.is_none()) {
            return Some(format!(
                "link selector {link:?} matched nothing in {} posts",
                posts.len()
            ));
        }
    }
    None
}

fn text_field(item: &Value, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| match item.get(*name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

fn parse_json(source: &SourceConfig, text: &str) -> Result<Vec<Post>, ParseError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ParseError::Shape(format!("not JSON: {e}")))?;
    // The documented shape is a list; wrappers seen in the wild are accepted too.
    let items = match &value {
        Value::Array(items) => items,
        Value::Object(map) => ["victims", "data", "posts", "results"]
            .iter()
            .find_map(|k| map.get(*k).and_then(Value::as_array))
            .ok_or_else(|| ParseError::Shape("JSON object without a list of posts".into()))?,
        _ => return Err(ParseError::Shape("JSON is not a list of posts".into())),
    };
    let mut posts = Vec::with_capacity(items.len());
    for item in items {
        let Some(victim) = text_field(item, &["victim", "post_title", "title", "name"]) else {
            continue;
        };
        let mut hosts = Vec::new();
        for key in ["domain", "website"] {
            if let Some(host) = text_field(item, &[key]) {
                hosts.push(host);
            }
        }
        posts.push(Post {
            source: source.name().to_string(),
            group: text_field(item, &["group", "group_name"])
                .or_else(|| source.group.clone())
                .unwrap_or_default(),
            victim,
            description: text_field(item, &["description", "content", "activity_description"])
                .unwrap_or_default(),
            url: text_field(item, &["post_url", "url", "claim_url", "link"]),
            hosts,
            country: text_field(item, &["country"]),
            discovered: text_field(item, &["discovered"]),
            published: text_field(item, &["published", "attackdate"]),
        });
    }
    if posts.is_empty() && !items.is_empty() {
        return Err(ParseError::Shape(
            "posts without a victim/post_title field (the API changed?)".into(),
        ));
    }
    Ok(posts)
}

fn selector(source: &SourceConfig, what: &str, css: &str) -> Result<Selector, ParseError> {
    Selector::parse(css).map_err(|e| {
        ParseError::Shape(format!(
            "source {}: bad CSS selector {what} = {css:?}: {e}",
            source.name()
        ))
    })
}

/// `"a@href"` → (selector "a", attribute "href"); `"@href"` → the post itself.
fn split_attribute(spec: &str) -> (&str, Option<&str>) {
    match spec.rsplit_once('@') {
        Some((css, attribute)) if !attribute.contains([' ', '[', ']']) => {
            (css.trim(), Some(attribute))
        }
        _ => (spec.trim(), None),
    }
}

fn parse_html(source: &SourceConfig, text: &str) -> Result<Vec<Post>, ParseError> {
    let document = Html::parse_document(text);
    let post_selector = selector(source, "post", source.post.as_deref().unwrap_or("article"))?;
    let title = selector(source, "title", source.title.as_deref().unwrap_or("h2"))?;
    let body = source
        .body
        .as_deref()
        .map(|css| selector(source, "body", css))
        .transpose()?;
    let date = source
        .date
        .as_deref()
        .map(|css| selector(source, "date", css))
        .transpose()?;
    let link = match source.link.as_deref().map(split_attribute) {
        Some((css, attribute)) if !css.is_empty() => {
            Some((Some(selector(source, "link", css)?), attribute))
        }
        Some((_, attribute)) => Some((None, attribute)),
        None => None,
    };
    let mut posts = Vec::new();
    let mut elements = 0;
    for element in document.select(&post_selector) {
        elements += 1;
        let Some(victim) = element
            .select(&title)
            .next()
            .map(|t| collapse(&block_text(t)))
            .filter(|t| !t.is_empty())
        else {
            continue;
        };
        let description = body
            .as_ref()
            .map(|b| {
                element
                    .select(b)
                    .map(block_text)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        let url = link.as_ref().and_then(|(css, attribute)| {
            let target = match css {
                Some(css) => element.select(css).next()?,
                None => element,
            };
            let value = match attribute {
                Some(attribute) => target.value().attr(attribute)?.to_string(),
                None => collapse(&block_text(target)),
            };
            Some(resolve(&source.url, value.trim()))
        });
        posts.push(Post {
            source: source.name().to_string(),
            group: source.group.clone().unwrap_or_default(),
            victim,
            description,
            url,
            hosts: Vec::new(),
            country: None,
            discovered: date
                .as_ref()
                .and_then(|d| element.select(d).next())
                .map(|d| collapse(&block_text(d))),
            published: None,
        });
    }
    if elements == 0 {
        return Err(ParseError::Shape(format!(
            "post selector {:?} matched nothing (the site changed its pages?)",
            source.post.as_deref().unwrap_or("article")
        )));
    }
    if posts.is_empty() {
        return Err(ParseError::Shape(format!(
            "title selector {:?} matched nothing in {elements} posts",
            source.title.as_deref().unwrap_or("h2")
        )));
    }
    Ok(posts)
}

/// The text of an element with line breaks where blocks and `<br>` are, so
/// file listings in `<pre>`, `<li>` or `<br>`-separated lines stay lines.
fn block_text(element: ElementRef<'_>) -> String {
    use ego_tree::iter::Edge;
    let mut out = String::new();
    for edge in element.traverse() {
        match edge {
            Edge::Open(node) => {
                if let Some(text) = node.value().as_text() {
                    out.push_str(text);
                } else if let Some(el) = node.value().as_element() {
                    if is_block(el.name()) && !out.ends_with('\n') && !out.is_empty() {
                        out.push('\n');
                    }
                }
            }
            Edge::Close(node) => {
                if let Some(el) = node.value().as_element() {
                    if (is_block(el.name()) || el.name() == "br") && !out.ends_with('\n') {
                        out.push('\n');
                    }
                }
            }
        }
    }
    out
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "li"
            | "ul"
            | "ol"
            | "pre"
            | "tr"
            | "table"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "section"
            | "article"
            | "blockquote"
            | "dd"
            | "dt"
    )
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn resolve(base: &str, link: &str) -> String {
    if link.contains("://") {
        return link.to_string();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    let host = rest.split('/').next().unwrap_or(rest);
    if let Some(path) = link.strip_prefix('/') {
        return format!("{scheme}://{host}/{path}");
    }
    let directory = match base.rfind('/') {
        Some(i) if i + 1 > scheme.len() + 3 => &base[..=i],
        _ => return format!("{}/{link}", base.trim_end_matches('/')),
    };
    format!("{directory}{link}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html_source() -> SourceConfig {
        let text = r#"
kind = "html"
url = "http://leak.example.onion/blog/"
post = "div.post"
title = "h2"
body = ".content"
link = "a.more@href"
date = ".date"
group = "akira"
"#;
        toml::from_str(text).unwrap()
    }

    #[test]
    fn html_posts_keep_listing_lines() {
        let page = r#"<html><body>
<div class="post"><h2>Yamato  Koumuten</h2><span class="date">2025-01-02</span>
<div class="content"><p>HR data.</p><pre>share/
├── 総務部
│   └── 社員名簿.xlsx</pre>経理/請求書.pdf<br>経理/見積書.pdf</div>
<a class="more" href="/post/1">more</a></div>
<div class="post"><h2>Other Corp</h2><div class="content">nothing</div></div>
</body></html>"#;
        let posts = parse(&html_source(), page).unwrap();
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[0].victim, "Yamato Koumuten");
        assert_eq!(posts[0].group, "akira");
        assert_eq!(
            posts[0].url.as_deref(),
            Some("http://leak.example.onion/post/1")
        );
        assert_eq!(posts[0].discovered.as_deref(), Some("2025-01-02"));
        let lines: Vec<&str> = posts[0].description.lines().collect();
        assert!(lines.contains(&"│   └── 社員名簿.xlsx"), "{lines:?}");
        assert!(lines.contains(&"経理/請求書.pdf"), "{lines:?}");
        assert!(lines.contains(&"経理/見積書.pdf"), "{lines:?}");
    }

    #[test]
    fn broken_markup_is_an_error() {
        assert!(parse(&html_source(), "<html><div class='entry'>x</div></html>").is_err());
        assert!(parse(&html_source(), "<div class='post'><h3>x</h3></div>").is_err());
        let renamed = "<div class='post'><h2>a</h2><p class='text'>x</p></div>".repeat(3);
        let posts = parse(&html_source(), &renamed).unwrap();
        assert!(selector_health(&html_source(), &posts)
            .unwrap()
            .contains("body selector"));
    }

    #[test]
    fn json_shapes() {
        let live: SourceConfig = toml::from_str("kind='ransomware_live'\nurl='http://x/'").unwrap();
        let posts = parse(
            &live,
            r#"[{"victim":"ヤマト工務店","group":"lockbit3","domain":"yamato.example.jp","claim_url":"http://l.onion/x","discovered":"2025-01-01 10:00:00"}]"#,
        )
        .unwrap();
        assert_eq!(posts[0].group, "lockbit3");
        assert_eq!(posts[0].url.as_deref(), Some("http://l.onion/x"));
        assert_eq!(endpoint(&live), "http://x/recentvictims");
        let look: SourceConfig = toml::from_str("kind='ransomlook'\nurl='http://y'").unwrap();
        let posts = parse(
            &look,
            r#"[{"post_title":"Acme","group_name":"play","discovered":"2025-01-01","description":"d","link":"/p"}]"#,
        )
        .unwrap();
        assert_eq!(posts[0].victim, "Acme");
        assert_eq!(endpoint(&look), "http://y/api/recent");
        assert!(parse(&look, r#"[{"title_of_post":"x"}]"#).is_err());
        assert!(parse(&look, "<html>").is_err());
        assert_eq!(parse(&look, "[]").unwrap().len(), 0);
    }
}
