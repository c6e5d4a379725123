//! Mail: .eml (MIME; ISO-2022-JP, Shift_JIS, UTF-8; quoted-printable and
//! base64) and Outlook .msg (an OLE file of MAPI properties). Headers and
//! bodies are text; attachments are members, opened in turn by the caller
//! (a forwarded .eml inside a mail too).

use crate::{Budget, FormatError, Part, Source};
use mailparse::{DispositionType, MailHeaderMap, ParsedMail};

const HEADERS: [&str; 5] = ["From", "To", "Cc", "Date", "Subject"];

pub fn read_eml(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    let bytes = budget.read_container(source, "mail")?;
    let mail = mailparse::parse_mail(&bytes).map_err(|e| FormatError::corrupt("mail", e))?;
    let mut text = String::new();
    for name in HEADERS {
        for header in mail.headers.get_all_headers(name) {
            let raw = header.get_value_raw();
            let value = if needs_sniffing(raw) {
                sniff_decode(raw)
            } else {
                header.get_value()
            };
            text.push_str(&format!("{name}: {}\n", value.trim()));
        }
    }
    text.push('\n');
    let mut attachments = Vec::new();
    walk(&mail, &mut text, &mut attachments, budget, 0)?;
    sink(Part::Text(text));
    for (name, content) in attachments {
        sink(Part::Member { name, content });
    }
    Ok(())
}

type Attachment = (String, Result<Vec<u8>, FormatError>);

fn walk(
    part: &ParsedMail<'_>,
    text: &mut String,
    attachments: &mut Vec<Attachment>,
    budget: &Budget,
    depth: u32,
) -> Result<(), FormatError> {
    if depth > 32 {
        return Err(FormatError::Limit("MIME parts nested too deeply".into()));
    }
    let mime = part.ctype.mimetype.to_ascii_lowercase();
    if mime.starts_with("multipart/") {
        if mime == "multipart/alternative" {
            // One rendering is enough: plain text when there is one.
            let plain = part
                .subparts
                .iter()
                .find(|p| p.ctype.mimetype.eq_ignore_ascii_case("text/plain"));
            if let Some(p) = plain.or(part.subparts.first()) {
                return walk(p, text, attachments, budget, depth + 1);
            }
            return Ok(());
        }
        for sub in &part.subparts {
            walk(sub, text, attachments, budget, depth + 1)?;
        }
        return Ok(());
    }
    let disposition = part.get_content_disposition();
    let filename = disposition
        .params
        .get("filename")
        .or_else(|| part.ctype.params.get("name"))
        .map(|n| decode_words(n));
    let is_body_text = mime.starts_with("text/")
        && filename.is_none()
        && disposition.disposition != DispositionType::Attachment;
    if is_body_text {
        let body = body_text(part);
        budget.charge(body.len() as u64)?;
        if mime == "text/html" {
            text.push_str(&html_to_text(&body));
        } else {
            text.push_str(&body);
        }
        text.push('\n');
        return Ok(());
    }
    budget.member()?;
    let name = filename.unwrap_or_else(|| {
        if mime == "message/rfc822" {
            format!("attachment{}.eml", attachments.len() + 1)
        } else {
            format!("attachment{}", attachments.len() + 1)
        }
    });
    let content = part
        .get_body_raw()
        .map_err(|e| FormatError::corrupt("mail attachment", e))
        .and_then(|b| {
            budget.charge(b.len() as u64)?;
            Ok(b)
        });
    attachments.push((name.replace(['/', '\\'], "_"), content));
    Ok(())
}

/// A body in its declared charset; a mail saved without MIME headers (or
/// labelled us-ascii) that holds JIS escapes or 8-bit bytes is sniffed.
fn body_text(part: &ParsedMail<'_>) -> String {
    let declared = part.ctype.charset.to_ascii_lowercase();
    if declared == "us-ascii" || declared == "ascii" {
        if let Ok(raw) = part.get_body_raw() {
            if needs_sniffing(&raw) {
                return sniff_decode(&raw);
            }
        }
    }
    part.get_body().unwrap_or_default()
}

fn needs_sniffing(raw: &[u8]) -> bool {
    !raw.is_ascii() || memchr::memmem::find(raw, b"\x1b$").is_some()
}

/// ISO-2022-JP by its escapes, else UTF-8 when valid, else Shift_JIS (CP932).
fn sniff_decode(raw: &[u8]) -> String {
    if memchr::memmem::find(raw, b"\x1b$").is_some() {
        return encoding_rs::ISO_2022_JP.decode(raw).0.into_owned();
    }
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(raw).0.into_owned(),
    }
}

/// `=?ISO-2022-JP?B?...?=` inside a quoted file name (what Japanese mailers
/// write instead of RFC 2231).
fn decode_words(name: &str) -> String {
    if !name.contains("=?") {
        return name.to_string();
    }
    let line = format!("X: {name}");
    mailparse::parse_header(line.as_bytes())
        .map(|(h, _)| h.get_value())
        .unwrap_or_else(|_| name.to_string())
}

/// Tags out, block ends to line ends, cells to tabs, common entities.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close].to_ascii_lowercase();
        let tag_name = tag
            .trim_start_matches('/')
            .split([' ', '/'])
            .next()
            .unwrap_or("");
        match tag_name {
            "br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3" | "table" => out.push('\n'),
            "td" | "th" if tag.starts_with('/') => out.push('\t'),
            _ => {}
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Outlook .msg: subject, sender, recipients and body from the MAPI
/// property streams (`001F` UTF-16LE, `001E` 8-bit CP932), attachments from
/// the `__attach_version1.0_#…` storages.
pub fn read_msg(
    source: &mut dyn Source,
    budget: &Budget,
    sink: &mut dyn FnMut(Part),
) -> Result<(), FormatError> {
    const FORMAT: &str = "Outlook message";
    let mut cfb = cfb::CompoundFile::open(source).map_err(|e| FormatError::corrupt(FORMAT, e))?;
    let mut text = String::new();
    for (label, id) in [
        ("From", "0C1A"),
        ("From", "0065"),
        ("To", "0E04"),
        ("Cc", "0E03"),
        ("Subject", "0037"),
    ] {
        if let Some(v) = msg_string(&mut cfb, "/", id, budget)? {
            text.push_str(&format!("{label}: {v}\n"));
        }
    }
    text.push('\n');
    if let Some(body) = msg_string(&mut cfb, "/", "1000", budget)? {
        text.push_str(&body);
        text.push('\n');
    } else if let Some(html) = msg_binary(&mut cfb, "/__substg1.0_10130102", budget)? {
        text.push_str(&html_to_text(&decode_html_bytes(&html)));
    }
    sink(Part::Text(text));
    let storages: Vec<String> = cfb
        .read_storage("/")
        .map_err(|e| FormatError::corrupt(FORMAT, e))?
        .filter(|e| e.is_storage() && e.name().starts_with("__attach_version1.0_"))
        .map(|e| e.path().to_string_lossy().into_owned())
        .collect();
    for (i, storage) in storages.iter().enumerate() {
        budget.member()?;
        let name = msg_string(&mut cfb, storage, "3707", budget)?
            .or(msg_string(&mut cfb, storage, "3704", budget)?)
            .unwrap_or_else(|| format!("attachment{}", i + 1));
        let data = msg_binary(&mut cfb, &format!("{storage}/__substg1.0_37010102"), budget);
        let content = match data {
            Ok(Some(bytes)) => Ok(bytes),
            Ok(None) => Err(FormatError::Unsupported(
                "embedded Outlook item inside a .msg".into(),
            )),
            Err(e) => Err(e),
        };
        sink(Part::Member {
            name: name.replace(['/', '\\'], "_"),
            content,
        });
    }
    Ok(())
}

fn msg_binary<F: std::io::Read + std::io::Seek>(
    cfb: &mut cfb::CompoundFile<F>,
    path: &str,
    budget: &Budget,
) -> Result<Option<Vec<u8>>, FormatError> {
    if !cfb.is_stream(path) {
        return Ok(None);
    }
    let mut stream = cfb
        .open_stream(path)
        .map_err(|e| FormatError::corrupt("Outlook message", e))?;
    let len = stream.len();
    budget.read_expanded(&mut stream, len).map(Some)
}

fn msg_string<F: std::io::Read + std::io::Seek>(
    cfb: &mut cfb::CompoundFile<F>,
    storage: &str,
    id: &str,
    budget: &Budget,
) -> Result<Option<String>, FormatError> {
    let base = storage.trim_end_matches('/');
    if let Some(bytes) = msg_binary(cfb, &format!("{base}/__substg1.0_{id}001F"), budget)? {
        let (text, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(&bytes);
        return Ok(Some(text.trim_end_matches('\0').to_string()));
    }
    if let Some(bytes) = msg_binary(cfb, &format!("{base}/__substg1.0_{id}001E"), budget)? {
        let text = match std::str::from_utf8(&bytes) {
            Ok(s) => s.to_string(),
            Err(_) => encoding_rs::SHIFT_JIS.decode(&bytes).0.into_owned(),
        };
        return Ok(Some(text.trim_end_matches('\0').to_string()));
    }
    Ok(None)
}

fn decode_html_bytes(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(bytes).0.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_lines_and_cells() {
        assert_eq!(
            html_to_text("<p>氏名</p><table><tr><td>山田</td><td>090</td></tr></table>&amp;"),
            "\n氏名\n\n\n山田\t090\t\n\n&"
        );
        assert_eq!(decode_words("=?UTF-8?B?5ZCN57C/LmNzdg==?="), "名簿.csv");
    }
}
