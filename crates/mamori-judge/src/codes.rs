//! The reasons a judgement is made of: codes, their windows and groups,
//! and the words an alert uses for them.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Code {
    Decoy,
    EncryptedOverwrite,
    EncodedOverwrite,
    TailBroken,
    TypeBroken,
    RandomOverwrite,
    ExtensionMismatch,
    ReplacedByCipher,
    DeletedAfterCipher,
    RansomExtension,
    UnknownExtension,
    Funnel,
    DeleteDocuments,
    Truncated,
    NoteName,
    NoteText,
    NotesSpread,
}

/// Weak groups: each alone can never reach the threshold of 1.0.
#[derive(PartialEq)]
pub(crate) enum Group {
    Renames,
    Notes,
    None,
}

impl Code {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Code::Decoy => "decoy",
            Code::EncryptedOverwrite => "encrypted_overwrite",
            Code::EncodedOverwrite => "encoded_overwrite",
            Code::TailBroken => "tail_broken",
            Code::TypeBroken => "type_broken",
            Code::RandomOverwrite => "random_overwrite",
            Code::ExtensionMismatch => "extension_mismatch",
            Code::ReplacedByCipher => "replaced_by_cipher",
            Code::DeletedAfterCipher => "deleted_after_cipher",
            Code::RansomExtension => "ransom_extension",
            Code::UnknownExtension => "unknown_extension",
            Code::Funnel => "funnel",
            Code::DeleteDocuments => "delete_documents",
            Code::Truncated => "truncated",
            Code::NoteName => "ransom_note_name",
            Code::NoteText => "ransom_note_text",
            Code::NotesSpread => "ransom_notes_spread",
        }
    }

    pub(crate) fn group(self) -> Group {
        match self {
            Code::UnknownExtension | Code::Funnel => Group::Renames,
            Code::NoteName | Code::NoteText | Code::NotesSpread => Group::Notes,
            _ => Group::None,
        }
    }

    /// Bursty behaviour counts only inside the short window; content
    /// evidence is remembered for the slow window (low-and-slow attacks).
    pub(crate) fn is_burst(self) -> bool {
        matches!(
            self,
            Code::UnknownExtension
                | Code::Funnel
                | Code::RandomOverwrite
                | Code::TypeBroken
                | Code::ReplacedByCipher
                | Code::DeleteDocuments
                | Code::DeletedAfterCipher
                | Code::Truncated
        )
    }

    /// Behaviour people show every day, weak only in numbers.
    pub(crate) fn is_everyday(self) -> bool {
        matches!(
            self,
            Code::DeleteDocuments | Code::UnknownExtension | Code::Funnel | Code::Truncated
        )
    }

    pub(crate) fn text(self) -> (&'static str, &'static str) {
        match self {
            Code::Decoy => (
                "おとりファイルへの書き込み・名前変更・削除",
                "decoy file written, renamed or deleted",
            ),
            Code::EncryptedOverwrite => (
                "暗号化とみられる上書き(形式が壊れ乱数状)",
                "overwrite that looks like encryption (type broken, random bytes)",
            ),
            Code::EncodedOverwrite => (
                "base64/16進の暗号文への置き換え",
                "content replaced by base64/hex-encoded ciphertext",
            ),
            Code::TailBroken => (
                "末尾構造(zip中央ディレクトリ/PDF終端)が壊れた上書き",
                "overwrite broke the zip central directory / PDF trailer",
            ),
            Code::TypeBroken => (
                "ファイル形式が壊れた上書き",
                "overwrite broke the file type",
            ),
            Code::RandomOverwrite => (
                "内容が乱数状になった上書き",
                "overwrite turned content into random bytes",
            ),
            Code::ExtensionMismatch => (
                "拡張子と合わない乱数状の内容",
                "random content not matching the extension",
            ),
            Code::ReplacedByCipher => (
                "暗号化した複製を書いて元ファイルを削除",
                "encrypted copy written, original deleted",
            ),
            Code::DeletedAfterCipher => (
                "乱数状の新規ファイルに続く文書の削除",
                "documents deleted after writing random-looking files",
            ),
            Code::RansomExtension => (
                "ランサムウェアの拡張子への名前変更",
                "renamed to a ransomware extension",
            ),
            Code::UnknownExtension => (
                "未知の拡張子への名前変更",
                "renamed to an unknown extension",
            ),
            Code::Funnel => (
                "多種類のファイルが一つの拡張子へ",
                "many file types renamed into one extension",
            ),
            Code::DeleteDocuments => (
                "既存文書の連続削除",
                "burst of deletes of existing documents",
            ),
            Code::Truncated => ("既存文書の切り詰め", "existing documents truncated"),
            Code::NoteName => (
                "脅迫文によくある名前のファイル",
                "file named like a ransom note",
            ),
            Code::NoteText => (
                "脅迫文の文言(身代金・復号など)",
                "ransom-note wording (ransom, decrypt, ...)",
            ),
            Code::NotesSpread => ("複数フォルダに脅迫文", "ransom notes in several folders"),
        }
    }
}
