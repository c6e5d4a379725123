//! Test fixtures: a local HTTP server serving source shapes, a minimal
//! SOCKS5 proxy (RFC 1928, no auth, CONNECT by domain name, the way Tor is
//! used), and a sample share scanned into an inventory.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// path → (status, content type, body); changeable between polls.
pub type Routes = Arc<Mutex<HashMap<String, (u16, String, String)>>>;

pub struct HttpServer {
    pub addr: SocketAddr,
    pub routes: Routes,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl HttpServer {
    pub fn start() -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let routes: Routes = Arc::default();
        let requests: Arc<Mutex<Vec<String>>> = Arc::default();
        let (r, q) = (routes.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, q) = (r.clone(), q.clone());
                std::thread::spawn(move || serve(stream, &r, &q));
            }
        });
        HttpServer {
            addr,
            routes,
            requests,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn set(&self, path: &str, content_type: &str, body: impl Into<String>) {
        self.routes.lock().unwrap().insert(
            path.to_string(),
            (200, content_type.to_string(), body.into()),
        );
    }

    pub fn set_status(&self, path: &str, status: u16) {
        self.routes.lock().unwrap().insert(
            path.to_string(),
            (status, "text/plain".into(), "error".into()),
        );
    }
}

fn serve(stream: TcpStream, routes: &Routes, requests: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut host = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(h) = line.to_ascii_lowercase().strip_prefix("host:") {
            host = h.trim().to_string();
        }
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    requests.lock().unwrap().push(format!("{host}{path}"));
    let (status, content_type, body) = routes.lock().unwrap().get(&path).cloned().unwrap_or((
        404,
        "text/plain".into(),
        "not found".into(),
    ));
    let mut stream = stream;
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.shutdown(Shutdown::Both);
}

/// A SOCKS5 proxy that connects every requested host name to `target`,
/// recording the names asked for (a socks5h client sends names, not addresses).
pub struct Socks5Server {
    pub addr: SocketAddr,
    pub names: Arc<Mutex<Vec<String>>>,
}

impl Socks5Server {
    pub fn start(target: SocketAddr) -> Socks5Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let names: Arc<Mutex<Vec<String>>> = Arc::default();
        let recorded = names.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let recorded = recorded.clone();
                std::thread::spawn(move || {
                    let _ = socks_session(stream, target, &recorded);
                });
            }
        });
        Socks5Server { addr, names }
    }

    pub fn proxy_url(&self) -> String {
        format!("socks5h://{}", self.addr)
    }
}

fn socks_session(
    mut client: TcpStream,
    target: SocketAddr,
    names: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut head = [0u8; 2];
    client.read_exact(&mut head)?;
    assert_eq!(head[0], 5, "SOCKS version");
    let mut methods = vec![0u8; head[1] as usize];
    client.read_exact(&mut methods)?;
    client.write_all(&[5, 0])?;
    let mut request = [0u8; 4];
    client.read_exact(&mut request)?;
    assert_eq!(request[1], 1, "CONNECT");
    let name = match request[3] {
        3 => {
            let mut len = [0u8; 1];
            client.read_exact(&mut len)?;
            let mut name = vec![0u8; len[0] as usize];
            client.read_exact(&mut name)?;
            String::from_utf8_lossy(&name).into_owned()
        }
        1 => {
            let mut ip = [0u8; 4];
            client.read_exact(&mut ip)?;
            format!("ip:{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])
        }
        _ => {
            let mut ip = [0u8; 16];
            client.read_exact(&mut ip)?;
            "ipv6".into()
        }
    };
    let mut port = [0u8; 2];
    client.read_exact(&mut port)?;
    names.lock().unwrap().push(name);
    let upstream = TcpStream::connect(target)?;
    client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0])?;
    let (mut c2, mut u2) = (client.try_clone()?, upstream.try_clone()?);
    let (mut client, mut upstream) = (client, upstream);
    let forward = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut u2);
        let _ = u2.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut upstream, &mut client);
    let _ = client.shutdown(Shutdown::Write);
    let _ = forward.join();
    Ok(())
}

/// The demo sample share, generated and scanned (without morphology, for
/// speed) into `state`. Returns the share root.
pub fn scanned_share(dir: &Path, state: &Path) -> PathBuf {
    let root = dir.join("share");
    mamori_samples::generate(&root, &mamori_samples::ShareSpec::demo()).unwrap();
    let mut options = mamori_scan::ScanOptions::new(state.to_path_buf());
    options.morphology = false;
    options.jobs = 1;
    mamori_scan::scan(
        std::slice::from_ref(&root),
        &options,
        &mamori_scan::NoProgress,
    )
    .unwrap();
    root
}

pub fn size_of(root: &Path, relative: &str) -> u64 {
    std::fs::metadata(root.join(relative)).unwrap().len()
}

pub fn alerts(state: &Path) -> Vec<serde_json::Value> {
    match std::fs::read_to_string(state.join("alerts.jsonl")) {
        Ok(text) => text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        Err(_) => Vec::new(),
    }
}

pub const ORGANIZATION: &str = r#"
[[organization]]
name = "株式会社やまと工務店"
aliases = ["やまと工務店", "ヤマト工務店", "Yamato Koumuten Co., Ltd.", "yamato-koumuten"]
domains = ["yamato-koumuten.example.jp"]
"#;
