//! Mail as Japanese mailers write it: ISO-2022-JP (7bit), Shift_JIS
//! (quoted-printable) or UTF-8 (base64) bodies, RFC 2047 encoded words in
//! headers and attachment names, attachments in base64; and Outlook .msg
//! files (an OLE compound file of MAPI property streams).

use crate::encodings::{encode, Enc};
use std::io::{Cursor, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailEnc {
    Jis,
    Sjis,
    Utf8,
}

pub struct Attachment {
    pub name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len() * 4 / 3 + 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

fn wrap(s: &str, width: usize) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    for line in chars.chunks(width) {
        out.extend(line);
        out.push_str("\r\n");
    }
    out
}

fn quoted_printable(data: &[u8]) -> String {
    let mut out = String::new();
    let mut col = 0;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b == b'\r' && data.get(i + 1) == Some(&b'\n') {
            out.push_str("\r\n");
            col = 0;
            i += 2;
            continue;
        }
        let piece = if b == b'\n' {
            out.push_str("\r\n");
            col = 0;
            i += 1;
            continue;
        } else if (33..=126).contains(&b) && b != b'=' || b == b' ' {
            (b as char).to_string()
        } else {
            format!("={b:02X}")
        };
        if col + piece.len() > 73 {
            out.push_str("=\r\n");
            col = 0;
        }
        col += piece.len();
        out.push_str(&piece);
        i += 1;
    }
    out
}

/// `=?ISO-2022-JP?B?...?=` (or UTF-8 when JIS cannot hold a character).
fn encoded_word(text: &str, enc: MailEnc) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    match (enc, encode(text, Enc::Iso2022Jp)) {
        (MailEnc::Jis, Ok(bytes)) => format!("=?ISO-2022-JP?B?{}?=", base64(&bytes)),
        (MailEnc::Sjis, _) => match encode(text, Enc::ShiftJis) {
            Ok(bytes) => format!("=?Shift_JIS?B?{}?=", base64(&bytes)),
            Err(_) => format!("=?UTF-8?B?{}?=", base64(text.as_bytes())),
        },
        _ => format!("=?UTF-8?B?{}?=", base64(text.as_bytes())),
    }
}

pub fn eml(
    from: &str,
    to: &str,
    subject: &str,
    body: &str,
    enc: MailEnc,
    attachments: &[Attachment],
) -> Vec<u8> {
    let body = body.replace("\r\n", "\n").replace('\n', "\r\n");
    // JIS cannot hold 髙 or 﨑: such mails go out in UTF-8, as mailers do.
    let (charset, cte, encoded) = match enc {
        MailEnc::Jis => match encode(&body, Enc::Iso2022Jp) {
            Ok(b) => (
                "ISO-2022-JP",
                "7bit",
                String::from_utf8_lossy(&b).into_owned(),
            ),
            Err(_) => ("UTF-8", "base64", wrap(&base64(body.as_bytes()), 76)),
        },
        MailEnc::Sjis => match encode(&body, Enc::ShiftJis) {
            Ok(b) => ("Shift_JIS", "quoted-printable", quoted_printable(&b)),
            Err(_) => ("UTF-8", "base64", wrap(&base64(body.as_bytes()), 76)),
        },
        MailEnc::Utf8 => ("UTF-8", "base64", wrap(&base64(body.as_bytes()), 76)),
    };
    let mut m = String::new();
    m.push_str(&format!("From: {}\r\n", address(from, enc)));
    m.push_str(&format!("To: {}\r\n", address(to, enc)));
    m.push_str(&format!("Subject: {}\r\n", encoded_word(subject, enc)));
    m.push_str("Date: Tue, 01 Apr 2025 09:30:00 +0900\r\n");
    m.push_str("Message-ID: <20250401093000.1@example.co.jp>\r\nMIME-Version: 1.0\r\n");
    let text_part = format!(
        "Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n{encoded}\r\n"
    );
    if attachments.is_empty() {
        m.push_str(&text_part);
        return m.into_bytes();
    }
    let boundary = "----=_Part_0_20250401.mamori";
    m.push_str(&format!(
        "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\nThis is a multi-part message in MIME format.\r\n"
    ));
    m.push_str(&format!("--{boundary}\r\n{text_part}"));
    for a in attachments {
        let name = encoded_word(&a.name, enc);
        m.push_str(&format!(
            "--{boundary}\r\nContent-Type: {}; name=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"{name}\"\r\n\r\n{}",
            a.mime,
            wrap(&base64(&a.bytes), 76)
        ));
    }
    m.push_str(&format!("--{boundary}--\r\n"));
    m.into_bytes()
}

/// `山田 太郎 <t.yamada@example.co.jp>` with the display name encoded.
fn address(a: &str, enc: MailEnc) -> String {
    match a.split_once('<') {
        Some((name, rest)) if !name.trim().is_empty() => {
            format!("{} <{rest}", encoded_word(name.trim(), enc))
        }
        _ => a.to_string(),
    }
}

fn utf16(s: &str) -> Vec<u8> {
    let mut v: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    v.extend_from_slice(&[0, 0]);
    v
}

/// An Outlook item: subject, sender, recipients, plain body, attachments.
pub fn msg(from: &str, to: &str, subject: &str, body: &str, attachments: &[Attachment]) -> Vec<u8> {
    let build = || -> std::io::Result<Vec<u8>> {
        let mut cfb = cfb::CompoundFile::create(Cursor::new(Vec::new()))?;
        let put = |cfb: &mut cfb::CompoundFile<Cursor<Vec<u8>>>, path: &str, data: &[u8]| {
            cfb.create_stream(path)?.write_all(data)
        };
        put(&mut cfb, "/__properties_version1.0", &[0u8; 32])?;
        put(&mut cfb, "/__substg1.0_001A001F", &utf16("IPM.Note"))?;
        put(&mut cfb, "/__substg1.0_0037001F", &utf16(subject))?;
        put(&mut cfb, "/__substg1.0_0C1A001F", &utf16(from))?;
        put(&mut cfb, "/__substg1.0_0E04001F", &utf16(to))?;
        put(
            &mut cfb,
            "/__substg1.0_1000001F",
            &utf16(&body.replace('\n', "\r\n")),
        )?;
        for (i, a) in attachments.iter().enumerate() {
            let dir = format!("/__attach_version1.0_#{i:08X}");
            cfb.create_storage(&dir)?;
            put(
                &mut cfb,
                &format!("{dir}/__properties_version1.0"),
                &[0u8; 8],
            )?;
            put(
                &mut cfb,
                &format!("{dir}/__substg1.0_3707001F"),
                &utf16(&a.name),
            )?;
            put(&mut cfb, &format!("{dir}/__substg1.0_37010102"), &a.bytes)?;
        }
        cfb.flush()?;
        Ok(cfb.into_inner().into_inner())
    };
    build().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_and_qp() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(quoted_printable(b"a=b\x82\xa0\n"), "a=3Db=82=A0\r\n");
    }
}
