//! E-mail over SMTP (lettre): plain, STARTTLS or implicit TLS, optional login.

use crate::config::EmailConfig;
use crate::{Alert, AlertError, Channel};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use mamori_core::Lang;
use std::time::Duration;

pub struct EmailChannel {
    config: EmailConfig,
    lang: Lang,
}

fn fail(reason: impl std::fmt::Display) -> AlertError {
    AlertError::Channel {
        channel: "email",
        reason: reason.to_string(),
    }
}

impl EmailChannel {
    pub fn new(config: EmailConfig, lang: Lang) -> Self {
        EmailChannel { config, lang }
    }

    /// Subject: the first line of the text; body: the text, then the fields.
    pub fn message(&self, alert: &Alert) -> Result<Message, AlertError> {
        let text = alert.message(self.lang);
        let first_line: String = text
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(120)
            .collect();
        let mut builder = Message::builder()
            .from(
                self.config
                    .from
                    .parse()
                    .map_err(|e| fail(format!("from address {}: {e}", self.config.from)))?,
            )
            .subject(format!("[mamori] {first_line}"))
            .header(ContentType::TEXT_PLAIN);
        for to in &self.config.to {
            builder = builder.to(to
                .parse()
                .map_err(|e| fail(format!("to address {to}: {e}")))?);
        }
        let fields = serde_json::to_string_pretty(&alert.to_json()).unwrap_or_default();
        builder.body(format!("{text}\n\n{fields}\n")).map_err(fail)
    }

    fn transport(&self) -> Result<SmtpTransport, AlertError> {
        let host = self.config.smtp_host.as_str();
        let mut builder = SmtpTransport::builder_dangerous(host)
            .port(self.config.smtp_port)
            .timeout(Some(Duration::from_secs(
                self.config.timeout_secs.unwrap_or(20),
            )));
        if self.config.tls || self.config.starttls {
            let parameters = TlsParameters::new(host.to_string()).map_err(fail)?;
            builder = builder.tls(if self.config.tls {
                Tls::Wrapper(parameters)
            } else {
                Tls::Required(parameters)
            });
        }
        if let Some(user) = &self.config.user {
            let password = match &self.config.password_env {
                Some(variable) => std::env::var(variable)
                    .map_err(|_| fail(format!("environment variable {variable} is not set")))?,
                None => String::new(),
            };
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(builder.build())
    }
}

impl Channel for EmailChannel {
    fn name(&self) -> &'static str {
        "email"
    }

    fn send(&self, alert: &Alert) -> Result<(), AlertError> {
        let message = self.message(alert)?;
        self.transport()?.send(&message).map_err(|e| {
            fail(format!(
                "{}:{}: {e}",
                self.config.smtp_host, self.config.smtp_port
            ))
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    /// A minimal SMTP sink: accepts one session and returns the DATA part.
    fn smtp_sink(listener: TcpListener) -> std::thread::JoinHandle<String> {
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut writer = stream.try_clone().unwrap();
            let mut reader = BufReader::new(stream);
            writer.write_all(b"220 sink ESMTP\r\n").unwrap();
            let mut data = String::new();
            let mut in_data = false;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 {
                    break;
                }
                if in_data {
                    if line == ".\r\n" {
                        in_data = false;
                        writer.write_all(b"250 queued\r\n").unwrap();
                    } else {
                        data.push_str(&line);
                    }
                    continue;
                }
                let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" | "HELO" => b"250 sink\r\n",
                    "DATA" => {
                        in_data = true;
                        b"354 go on\r\n"
                    }
                    "QUIT" => {
                        writer.write_all(b"221 bye\r\n").unwrap();
                        break;
                    }
                    _ => b"250 ok\r\n",
                };
                writer.write_all(reply).unwrap();
            }
            data
        })
    }

    #[test]
    fn sends_through_a_plain_smtp_server() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let sink = smtp_sink(listener);
        let channel = EmailChannel::new(
            EmailConfig {
                smtp_host: "127.0.0.1".into(),
                smtp_port: port,
                starttls: false,
                tls: false,
                user: None,
                password_env: None,
                from: "mamori@example.jp".into(),
                to: vec!["security@example.jp".into()],
                timeout_secs: Some(5),
            },
            Lang::Ja,
        );
        let alert =
            Alert::new("leak", "リークサイトに掲載されました", "posted").with("group", "akira");
        channel.send(&alert).unwrap();
        let data = sink.join().unwrap();
        assert!(data.contains("To: security@example.jp"), "{data}");
        assert!(data.contains("Subject: [mamori] =?utf-8?"), "{data}");
        assert!(data.contains("charset=utf-8"), "{data}");
    }
}
