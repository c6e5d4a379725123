//! Webhooks: Slack, Microsoft Teams, Chatwork, or the alert's JSON as is.

use crate::config::{WebhookConfig, WebhookFormat};
use crate::{Alert, AlertError, Channel};
use mamori_core::Lang;
use serde_json::json;
use std::time::Duration;

pub struct WebhookChannel {
    config: WebhookConfig,
    lang: Lang,
    agent: ureq::Agent,
}

impl WebhookChannel {
    pub fn new(config: WebhookConfig, lang: Lang) -> Self {
        let timeout = Duration::from_secs(config.timeout_secs.unwrap_or(10));
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        WebhookChannel {
            config,
            lang,
            agent,
        }
    }

    /// The JSON body for the JSON formats (Chatwork posts a form instead).
    pub fn body(&self, alert: &Alert) -> serde_json::Value {
        let text = alert.message(self.lang);
        match self.config.format {
            WebhookFormat::Generic | WebhookFormat::Chatwork => alert.to_json(),
            WebhookFormat::Slack => json!({ "text": format!("[mamori] {text}") }),
            WebhookFormat::Teams => {
                let facts: Vec<serde_json::Value> = alert
                    .fields
                    .iter()
                    .map(|(key, value)| {
                        let value = match value {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        json!({ "name": key, "value": value })
                    })
                    .collect();
                json!({
                    "@type": "MessageCard",
                    "@context": "https://schema.org/extensions",
                    "summary": format!("mamori: {}", alert.kind),
                    "themeColor": if matches!(alert.kind.as_str(), "detection" | "containment" | "leak") { "D70000" } else { "FFA500" },
                    "title": format!("mamori: {}", alert.kind),
                    "text": text,
                    "sections": [{ "facts": facts }],
                })
            }
        }
    }

    fn chatwork_text(&self, alert: &Alert) -> String {
        format!(
            "[info][title]mamori: {}[/title]{}[/info]",
            alert.kind,
            alert.message(self.lang)
        )
    }
}

impl Channel for WebhookChannel {
    fn name(&self) -> &'static str {
        "webhook"
    }

    fn send(&self, alert: &Alert) -> Result<(), AlertError> {
        let fail = |reason: String| AlertError::Channel {
            channel: "webhook",
            reason,
        };
        let request = self.agent.post(&self.config.url);
        let response = if self.config.format == WebhookFormat::Chatwork {
            let variable = self.config.token_env.as_deref().unwrap_or("CHATWORK_TOKEN");
            let token = std::env::var(variable)
                .map_err(|_| fail(format!("environment variable {variable} is not set")))?;
            request
                .header("X-ChatWorkToken", token)
                .send_form([("body", self.chatwork_text(alert))])
        } else {
            request
                .header("Content-Type", "application/json; charset=utf-8")
                .send(self.body(alert).to_string())
        };
        let response = response.map_err(|e| fail(format!("{}: {e}", self.config.url)))?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(fail(format!("{}: HTTP {status}", self.config.url)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;

    /// Accepts one request, answers 200, returns (head, body).
    fn one_request(listener: TcpListener) -> std::thread::JoinHandle<(String, String)> {
        std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let mut body = vec![0u8; length];
            reader.read_exact(&mut body).unwrap();
            let mut stream = stream;
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                .unwrap();
            (head, String::from_utf8(body).unwrap())
        })
    }

    fn channel(format: WebhookFormat, url: String) -> WebhookChannel {
        WebhookChannel::new(
            WebhookConfig {
                url,
                format,
                token_env: Some("MAMORI_TEST_CHATWORK_TOKEN".into()),
                timeout_secs: Some(5),
            },
            Lang::Ja,
        )
    }

    #[test]
    fn posts_slack_teams_generic_and_chatwork() {
        // SAFETY of the environment: only this test reads this variable.
        std::env::set_var("MAMORI_TEST_CHATWORK_TOKEN", "tok123");
        let alert = Alert::new("leak", "リークサイトに掲載", "posted on a leak site")
            .with("victim", "やまと工務店");
        for format in [
            WebhookFormat::Slack,
            WebhookFormat::Teams,
            WebhookFormat::Generic,
            WebhookFormat::Chatwork,
        ] {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("http://{}/hook", listener.local_addr().unwrap());
            let server = one_request(listener);
            channel(format, url).send(&alert).unwrap();
            let (head, body) = server.join().unwrap();
            assert!(head.starts_with("POST /hook"), "{head}");
            match format {
                WebhookFormat::Slack => {
                    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                    assert!(v["text"].as_str().unwrap().contains("リークサイトに掲載"));
                }
                WebhookFormat::Teams => {
                    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                    assert_eq!(v["@type"], "MessageCard");
                    assert_eq!(v["sections"][0]["facts"][0]["value"], "やまと工務店");
                }
                WebhookFormat::Generic => {
                    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                    assert_eq!(v["kind"], "leak");
                }
                WebhookFormat::Chatwork => {
                    assert!(head
                        .to_ascii_lowercase()
                        .contains("x-chatworktoken: tok123"));
                    assert!(body.starts_with("body="), "{body}");
                }
            }
        }
    }

    #[test]
    fn a_refusing_endpoint_is_an_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        drop(listener);
        assert!(channel(WebhookFormat::Slack, url)
            .send(&Alert::new("leak", "a", "b"))
            .is_err());
    }
}
