//! What names say: extensions users have, extensions ransomware leaves,
//! ransom-note names and words, temporary files.

use std::path::Path;

/// Extensions of files people keep on office shares, plus the working
/// files of the programs that write them. A rename to one of these is never
/// suspicious by itself.
const KNOWN_EXTENSIONS: &[&str] = &[
    // documents
    "doc",
    "docx",
    "docm",
    "dot",
    "dotx",
    "xls",
    "xlsx",
    "xlsm",
    "xlsb",
    "xlt",
    "xltx",
    "ppt",
    "pptx",
    "pptm",
    "pps",
    "ppsx",
    "odt",
    "ods",
    "odp",
    "odg",
    "rtf",
    "pdf",
    "txt",
    "text",
    "md",
    "csv",
    "tsv",
    "xml",
    "json",
    "yaml",
    "yml",
    "html",
    "htm",
    "xhtml",
    "mht",
    "mhtml",
    "css",
    "js",
    "ts",
    "log",
    "ini",
    "cfg",
    "conf",
    "toml",
    "tex",
    "bib",
    "one",
    "pub",
    "vsd",
    "vsdx",
    "mpp",
    "jtd",
    "jtdc",
    "jaw",
    "jbw",
    "juf",
    "xdw",
    "xbd",
    "epub",
    "msg",
    "eml",
    "pst",
    "ost",
    "vcf",
    "ics",
    "key",
    "pages",
    "numbers",
    "wri",
    "sxw",
    // images, audio, video
    "jpg",
    "jpeg",
    "jpe",
    "jfif",
    "png",
    "gif",
    "bmp",
    "tif",
    "tiff",
    "webp",
    "heic",
    "heif",
    "svg",
    "ico",
    "psd",
    "ai",
    "eps",
    "raw",
    "cr2",
    "cr3",
    "nef",
    "arw",
    "dng",
    "orf",
    "rw2",
    "mp3",
    "wav",
    "m4a",
    "aac",
    "flac",
    "ogg",
    "wma",
    "mp4",
    "m4v",
    "mov",
    "avi",
    "wmv",
    "mkv",
    "webm",
    "mpg",
    "mpeg",
    "3gp",
    "mts",
    "m2ts",
    // archives, images of disks, backups, encryption tools
    "zip",
    "7z",
    "rar",
    "gz",
    "tgz",
    "bz2",
    "xz",
    "zst",
    "tar",
    "lzh",
    "cab",
    "iso",
    "img",
    "vhd",
    "vhdx",
    "vmdk",
    "gpg",
    "pgp",
    "asc",
    "age",
    "p7m",
    "p12",
    "pfx",
    "kdbx",
    "hc",
    "tc",
    "bak",
    "backup",
    "old",
    "orig",
    "tmp",
    "temp",
    "swp",
    "part",
    "partial",
    "crdownload",
    "download",
    "lock",
    "lck",
    "sav",
    "dat",
    "db",
    "sqlite",
    "sqlite3",
    "mdb",
    "accdb",
    "dbf",
    "ldb",
    "laccdb",
    "frm",
    "ibd",
    "fdb",
    // code and programs
    "c",
    "h",
    "cpp",
    "hpp",
    "cs",
    "java",
    "py",
    "rb",
    "go",
    "rs",
    "php",
    "sh",
    "bat",
    "cmd",
    "ps1",
    "vbs",
    "sql",
    "exe",
    "dll",
    "msi",
    "so",
    "o",
    "obj",
    "class",
    "jar",
    "pyc",
    "apk",
    // CAD and design
    "dwg",
    "dxf",
    "jww",
    "jwc",
    "sfc",
    "p21",
    "stl",
    "step",
    "stp",
    "igs",
    "skp",
    "indd",
    // misc
    "lnk",
    "url",
    "desktop",
    "ttf",
    "otf",
    "woff",
    "torrent",
    "gdoc",
    "gsheet",
    "bin",
    "pkg",
];

/// Extensions ransomware families leave (not exhaustive: unknown
/// extensions count too, only less).
const RANSOM_EXTENSIONS: &[&str] = &[
    "lockbit",
    "akira",
    "play",
    "locked",
    "encrypted",
    "enc",
    "crypt",
    "crypted",
    "crypto",
    "cry",
    "locky",
    "zepto",
    "odin",
    "cerber",
    "wncry",
    "wnry",
    "wcry",
    "ryk",
    "ryuk",
    "conti",
    "basta",
    "royal",
    "rhysida",
    "blackcat",
    "alphv",
    "hive",
    "babyk",
    "phobos",
    "eking",
    "devos",
    "djvu",
    "makop",
    "medusa",
    "8base",
    "cuba",
    "lockfile",
    "cl0p",
    "clop",
    "revil",
    "sodinokibi",
    "maze",
    "egregor",
    "darkside",
    "blackmatter",
    "ransom",
    "payme",
    "crab",
    "gandcrab",
    "fucked",
    "hacked",
    "wallet",
    "onion",
    "qyick",
    "agenda",
    "qilin",
    "noescape",
    "bianlian",
    "trigona",
    "mallox",
];

/// Names ransom notes are known under (lower case; `*` is any run).
const NOTE_NAMES: &[&str] = &[
    "restore-my-files.txt",
    "readme.txt",
    "read_me.txt",
    "read-me.txt",
    "how_to_decrypt.txt",
    "how-to-decrypt.txt",
    "how_to_decrypt.html",
    "how_to_restore_files.txt",
    "!!!read_me!!!.txt",
    "*_readme.txt",
    "*.readme.txt",
    "*readme*.hta",
    "decrypt-files.html",
    "decrypt_files.txt",
    "decrypt-files.txt",
    "restore_files_*.txt",
    "*_recover_*.txt",
    "*how_to_recover*",
    "*how-to-recover*",
    "*decrypt_instruction*",
    "*decrypt-instruction*",
    "*_restore_*.txt",
    "#readme.txt",
    "!readme!.txt",
    "read_it.txt",
    "info.hta",
    "recover-files.txt",
    "_readme.txt",
    "readme_for_decrypt.txt",
    "復号方法.txt",
    "*復元方法*",
    "*復号*.txt",
    "*身代金*",
];

/// Words of ransom notes (lower-case ASCII or Japanese).
const NOTE_CUES: &[&str] = &[
    "bitcoin",
    "btc",
    "monero",
    "xmr",
    "decrypt",
    "your files",
    "all your",
    "encrypted",
    ".onion",
    "tor browser",
    "torproject",
    "ransom",
    "private key",
    "recover your",
    "restore your",
    "do not rename",
    "don't rename",
    "leak",
    "all of your",
    "published",
    "police",
    "復号",
    "身代金",
    "暗号化されました",
    "暗号化",
    "ビットコイン",
    "復元",
    "支払",
    "リーク",
    "公開します",
    "公開され",
    "警察",
];

/// The extension as a ransomware detector sees it: lower case, only if it
/// looks like one (1..=12 letters, digits, `_` or `-`).
pub fn extension(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty()
        || ext.is_empty()
        || ext.len() > 12
        || !ext
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return None;
    }
    Some(ext.to_ascii_lowercase())
}

pub fn is_known_extension(ext: &str) -> bool {
    KNOWN_EXTENSIONS.contains(&ext) || ext.bytes().all(|b| b.is_ascii_digit())
}

pub fn is_ransom_extension(ext: &str) -> bool {
    RANSOM_EXTENSIONS.contains(&ext)
}

/// Whether a file name is one ransom notes are known under.
pub fn is_note_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    // It runs at every create and close: nearly every name holds none of
    // the patterns' longest literals, found in one case-blind pass.
    if name.is_ascii() && !note_literals().is_match(name) {
        return false;
    }
    let name = name.to_lowercase();
    NOTE_NAMES.iter().any(|pattern| glob(pattern, &name))
}

/// The longest `*`-free run of every note name pattern: a name matching a
/// pattern holds its run.
fn note_literals() -> &'static aho_corasick::AhoCorasick {
    static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    AC.get_or_init(|| {
        let runs = NOTE_NAMES.iter().map(|pattern| {
            pattern
                .split('*')
                .max_by_key(|run| run.len())
                .unwrap_or(pattern)
        });
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(runs)
            .unwrap_or_else(|e| unreachable!("static note names: {e}"))
    })
}

/// `*` matches any run; everything else literally. It runs for every
/// pattern at every create and close: no allocation, and the prefix and
/// suffix first, which turn nearly every name away at once.
fn glob(pattern: &str, name: &str) -> bool {
    let Some((first, tail)) = pattern.split_once('*') else {
        return pattern == name;
    };
    let (middle, last) = tail.rsplit_once('*').unwrap_or(("", tail));
    if name.len() < first.len() + last.len() || !name.starts_with(first) || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for part in middle.split('*').filter(|p| !p.is_empty()) {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// How many distinct ransom-note words the head of a text file holds
/// (UTF-8, UTF-16 and Shift_JIS notes).
pub fn note_cues(head: &[u8]) -> u8 {
    let text = decode(head).to_lowercase();
    // One pass for every cue (the guard probes each text file written).
    let mut found = 0u64;
    for m in note_cue_automaton().find_overlapping_iter(&text) {
        found |= 1 << m.pattern().as_usize();
    }
    found.count_ones() as u8
}

fn note_cue_automaton() -> &'static aho_corasick::AhoCorasick {
    static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    AC.get_or_init(|| {
        aho_corasick::AhoCorasick::new(NOTE_CUES)
            .unwrap_or_else(|e| unreachable!("static note cues: {e}"))
    })
}

// One bit per cue in `note_cues`.
const _: () = assert!(NOTE_CUES.len() <= 64);

fn decode(bytes: &[u8]) -> String {
    let (encoding, body) = if bytes.starts_with(b"\xFF\xFE") {
        (encoding_rs::UTF_16LE, &bytes[2..])
    } else if bytes.starts_with(b"\xFE\xFF") {
        (encoding_rs::UTF_16BE, &bytes[2..])
    } else if bytes.len() >= 4 && bytes[1] == 0 && bytes[3] == 0 {
        (encoding_rs::UTF_16LE, bytes)
    } else if std::str::from_utf8(bytes).is_ok()
        || std::str::from_utf8(bytes).is_err_and(|e| e.error_len().is_none())
    {
        (encoding_rs::UTF_8, bytes)
    } else {
        (encoding_rs::SHIFT_JIS, bytes)
    };
    encoding.decode_without_bom_handling(body).0.into_owned()
}

/// Files whose deletion is housekeeping, not loss: temporary and lock
/// files, caches, build output, anything under a temp-like folder.
pub fn is_temporary(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_lowercase();
    if lower.starts_with("~$")
        || lower.starts_with(".~")
        || lower.starts_with("~wr")
        || lower.ends_with('~')
        || lower == "thumbs.db"
        || lower == ".ds_store"
        || lower == "desktop.ini"
    {
        return true;
    }
    if let Some(ext) = extension(path) {
        if matches!(
            ext.as_str(),
            "tmp"
                | "temp"
                | "swp"
                | "swo"
                | "part"
                | "partial"
                | "crdownload"
                | "download"
                | "lock"
                | "lck"
                | "laccdb"
                | "ldb"
                | "cache"
                | "log"
                | "o"
                | "obj"
                | "pyc"
                | "class"
                | "bak"
                | "old"
        ) {
            return true;
        }
    }
    path.parent()
        .into_iter()
        .flat_map(|p| p.components())
        .any(|c| {
            let c = c.as_os_str().to_string_lossy().to_lowercase();
            matches!(
                c.as_str(),
                "tmp"
                    | "temp"
                    | ".tmp"
                    | "cache"
                    | ".cache"
                    | "caches"
                    | "__pycache__"
                    | "node_modules"
                    | ".git"
                    | ".svn"
                    | "$recycle.bin"
                    | ".recycle"
                    | ".trash"
                    | "trash"
            ) || c.starts_with("tmp")
                || c.starts_with("temp_")
                || c.starts_with("temp-")
                || c.ends_with(".tmp")
                || c.ends_with("_tmp")
                || c.ends_with("-tmp")
                || c.ends_with("temp")
        })
}

/// Documents whose deletion loses a person's work.
pub fn is_document_extension(ext: &str) -> bool {
    matches!(
        ext,
        "doc"
            | "docx"
            | "docm"
            | "xls"
            | "xlsx"
            | "xlsm"
            | "xlsb"
            | "ppt"
            | "pptx"
            | "odt"
            | "ods"
            | "odp"
            | "rtf"
            | "pdf"
            | "txt"
            | "md"
            | "csv"
            | "tsv"
            | "jtd"
            | "xdw"
            | "msg"
            | "eml"
            | "pst"
            | "jpg"
            | "jpeg"
            | "png"
            | "gif"
            | "tif"
            | "tiff"
            | "heic"
            | "psd"
            | "ai"
            | "dwg"
            | "dxf"
            | "jww"
            | "mp4"
            | "mov"
            | "mp3"
            | "wav"
            | "zip"
            | "7z"
            | "rar"
            | "accdb"
            | "mdb"
            | "vsdx"
            | "one"
            | "key"
            | "pages"
            | "numbers"
            | "html"
            | "htm"
            | "xml"
            | "json"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_matches_its_runs_in_order() {
        assert!(glob("*_readme.txt", "x_readme.txt"));
        assert!(!glob("*_readme.txt", "readme.txt"));
        assert!(glob("*readme*.hta", "readme.hta"));
        assert!(glob("*readme*.hta", "xx-readme-yy.hta"));
        assert!(!glob("*readme*.hta", "readme.txt"));
        assert!(glob("a*", "a"));
        assert!(!glob("ab*ba", "aba"));
        assert!(glob("readme.txt", "readme.txt"));
        assert!(!glob("readme.txt", "readme.txt2"));
        assert!(!glob("*ab*b", "ab"));
        assert!(glob("*how_to_recover*", "how_to_recover"));
        assert!(glob("*復号*.txt", "ファイルの復号について.txt"));
        assert!(!glob("*復号*.txt", "復号.txt.bin"));
    }

    #[test]
    fn note_names_match_known_families() {
        for name in [
            "RESTORE-MY-FILES.txt",
            "HOW_TO_DECRYPT.txt",
            "!!!READ_ME!!!.txt",
            "akira_readme.txt",
            "DECRYPT-FILES.html",
            "restore_files_abcdef.txt",
            "ReadMe.txt",
            "x.README.txt",
        ] {
            assert!(is_note_name(Path::new(name)), "{name}");
        }
        assert!(!is_note_name(Path::new("議事録.txt")));
        assert!(!is_note_name(Path::new("readme.md")));
    }

    #[test]
    fn the_literal_prefilter_agrees_with_the_globs() {
        let names = [
            "report.docx",
            "README.TXT",
            "Akira_ReadMe.txt",
            "x_RECOVER_y.txt",
            "how-to-recover-files.pdf",
            "MyDecrypt_Instructions.html",
            "restore_files_0.txt",
            "復号方法.txt",
            "データ復元方法について.docx",
            "身代金.pdf",
            "readme.md",
            "info.hta",
            "INFO.HTA",
            "_restore_.txt",
        ];
        for name in names {
            let lower = name.to_lowercase();
            let by_globs = NOTE_NAMES.iter().any(|pattern| glob(pattern, &lower));
            assert_eq!(is_note_name(Path::new(name)), by_globs, "{name}");
        }
        assert!(is_note_name(Path::new("Akira_ReadMe.txt")));
        assert!(!is_note_name(Path::new("report.docx")));
    }

    #[test]
    fn cues_are_counted_once_each_as_by_contains() {
        let texts = [
            "All of your files: ALL YOUR FILES, your files, decrypt DECRYPT",
            "暗号化されました。暗号化。復元と復号、公開されます、公開します",
            "btc xmr bitcoin monero leak leaks police .onion torproject tor browser",
            "請求書を送付いたします。",
        ];
        for text in texts {
            let lower = text.to_lowercase();
            let by_contains = NOTE_CUES.iter().filter(|c| lower.contains(*c)).count() as u8;
            assert_eq!(note_cues(text.as_bytes()), by_contains, "{text}");
        }
    }

    #[test]
    fn cues_in_english_and_japanese() {
        let en = b"All your files have been encrypted. Pay in Bitcoin via Tor Browser at x.onion";
        assert!(note_cues(en) >= 4);
        let ja = "あなたのファイルは暗号化されました。復号するにはビットコインで支払ってください。";
        assert!(note_cues(ja.as_bytes()) >= 4);
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(ja);
        assert!(note_cues(&sjis) >= 4);
        let utf16: Vec<u8> = std::iter::once(0xFEFFu16)
            .chain(ja.encode_utf16())
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert!(note_cues(&utf16) >= 4);
        assert_eq!(note_cues("来週の会議は会議室Aで行います。".as_bytes()), 0);
        // the attack simulator's note (mamori-attack)
        let sim = "あなたの会社のファイルはすべて暗号化されました。\r\n復号するには 72 時間以内に\
                   下記の連絡先へご連絡ください。警察や専門家に相談した場合、データは公開されます。\r\n\
                   All of your files have been encrypted.\r\nContact us within 72 hours to get the \
                   decryptor. If you call the police or recovery experts, your data will be published.";
        assert!(note_cues(sim.as_bytes()) >= 8);
    }

    #[test]
    fn extensions_are_sorted_out() {
        assert_eq!(extension(Path::new("a/b.DOCX")).as_deref(), Some("docx"));
        assert_eq!(
            extension(Path::new("a/b.docx.x7k2q")).as_deref(),
            Some("x7k2q")
        );
        assert_eq!(extension(Path::new(".bashrc")), None);
        assert_eq!(extension(Path::new("議事録 v2.final draft")), None);
        assert!(is_known_extension("001"));
        assert!(is_ransom_extension("lockbit"));
        assert!(!is_known_extension("x7k2q"));
    }

    #[test]
    fn temporary_files() {
        assert!(is_temporary(Path::new("proj/tmp/a.docx")));
        assert!(is_temporary(Path::new("~$議事録.docx")));
        assert!(is_temporary(Path::new("a/~WRL0005.tmp")));
        assert!(is_temporary(Path::new("build_tmp/x.dat")));
        assert!(!is_temporary(Path::new("経理/2024/決算.xlsx")));
        assert!(!is_temporary(Path::new("templates/見積書.xlsx")));
    }
}
