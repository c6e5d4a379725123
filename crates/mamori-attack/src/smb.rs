//! A small SMB client over Samba's `libsmbclient`, loaded with `dlopen`.
//!
//! Why dlopen: the library ships with the `smbclient` package
//! (`libsmbclient.so.0`) but its development symlink and headers do not, and
//! the crate must build (and its tests skip) where Samba is absent. The few
//! functions used are resolved once; each [`SmbSession`] owns one
//! `SMBCCTX`, i.e. one SMB connection and session as one user from one
//! client name. Paths are share-relative with `/` separators.

use crate::{AttackError, Result};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// Where and as whom to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmbTarget {
    pub host: String,
    pub port: u16,
    pub share: String,
    pub user: String,
    pub password: String,
    /// NetBIOS name the client announces (the `%m` of `full_audit`).
    pub machine: String,
}

impl SmbTarget {
    fn url(&self, path: &str) -> String {
        let mut url = format!("smb://{}/{}", self.host, self.share);
        for part in path.split('/').filter(|p| !p.is_empty()) {
            url.push('/');
            for ch in part.chars() {
                match ch {
                    '%' => url.push_str("%25"),
                    '?' => url.push_str("%3F"),
                    '#' => url.push_str("%23"),
                    _ => url.push(ch),
                }
            }
        }
        url
    }
}

type Ctx = c_void;
type File = c_void;

#[allow(clippy::type_complexity)]
struct Lib {
    new_context: unsafe extern "C" fn() -> *mut Ctx,
    init_context: unsafe extern "C" fn(*mut Ctx) -> *mut Ctx,
    free_context: unsafe extern "C" fn(*mut Ctx, c_int) -> c_int,
    set_debug: unsafe extern "C" fn(*mut Ctx, c_int),
    set_port: unsafe extern "C" fn(*mut Ctx, u16),
    set_timeout: unsafe extern "C" fn(*mut Ctx, c_int),
    set_netbios_name: unsafe extern "C" fn(*mut Ctx, *const c_char),
    set_auth_fn: unsafe extern "C" fn(*mut Ctx, AuthFn),
    set_user_data: unsafe extern "C" fn(*mut Ctx, *mut c_void),
    get_user_data: unsafe extern "C" fn(*mut Ctx) -> *mut c_void,
    get_open: unsafe extern "C" fn(*mut Ctx) -> OpenFn,
    get_read: unsafe extern "C" fn(*mut Ctx) -> ReadFn,
    get_write: unsafe extern "C" fn(*mut Ctx) -> WriteFn,
    get_lseek: unsafe extern "C" fn(*mut Ctx) -> LseekFn,
    get_close: unsafe extern "C" fn(*mut Ctx) -> CloseFn,
    get_ftruncate: unsafe extern "C" fn(*mut Ctx) -> FtruncateFn,
    get_stat: unsafe extern "C" fn(*mut Ctx) -> StatFn,
    get_unlink: unsafe extern "C" fn(*mut Ctx) -> PathFn,
    get_rename: unsafe extern "C" fn(*mut Ctx) -> RenameFn,
    get_opendir: unsafe extern "C" fn(*mut Ctx) -> OpendirFn,
    get_readdirplus: unsafe extern "C" fn(*mut Ctx) -> ReaddirPlusFn,
    get_closedir: unsafe extern "C" fn(*mut Ctx) -> CloseFn,
    get_mkdir: unsafe extern "C" fn(*mut Ctx) -> MkdirFn,
    get_rmdir: unsafe extern "C" fn(*mut Ctx) -> PathFn,
}

type AuthFn = unsafe extern "C" fn(
    *mut Ctx,
    *const c_char,
    *const c_char,
    *mut c_char,
    c_int,
    *mut c_char,
    c_int,
    *mut c_char,
    c_int,
);
type OpenFn =
    Option<unsafe extern "C" fn(*mut Ctx, *const c_char, c_int, libc::mode_t) -> *mut File>;
type ReadFn = Option<unsafe extern "C" fn(*mut Ctx, *mut File, *mut c_void, usize) -> isize>;
type WriteFn = Option<unsafe extern "C" fn(*mut Ctx, *mut File, *const c_void, usize) -> isize>;
type LseekFn = Option<unsafe extern "C" fn(*mut Ctx, *mut File, libc::off_t, c_int) -> libc::off_t>;
type CloseFn = Option<unsafe extern "C" fn(*mut Ctx, *mut File) -> c_int>;
type FtruncateFn = Option<unsafe extern "C" fn(*mut Ctx, *mut File, libc::off_t) -> c_int>;
type StatFn = Option<unsafe extern "C" fn(*mut Ctx, *const c_char, *mut libc::stat) -> c_int>;
type PathFn = Option<unsafe extern "C" fn(*mut Ctx, *const c_char) -> c_int>;
type RenameFn =
    Option<unsafe extern "C" fn(*mut Ctx, *const c_char, *mut Ctx, *const c_char) -> c_int>;
type OpendirFn = Option<unsafe extern "C" fn(*mut Ctx, *const c_char) -> *mut File>;
type ReaddirPlusFn = Option<unsafe extern "C" fn(*mut Ctx, *mut File) -> *const FileInfo>;
type MkdirFn = Option<unsafe extern "C" fn(*mut Ctx, *const c_char, libc::mode_t) -> c_int>;

/// `struct libsmb_file_info` (libsmbclient.h); every field is declared for
/// the layout, not all are read.
#[allow(dead_code)]
#[repr(C)]
struct FileInfo {
    size: u64,
    attrs: u16,
    uid: libc::uid_t,
    gid: libc::gid_t,
    btime: libc::timespec,
    mtime: libc::timespec,
    atime: libc::timespec,
    ctime: libc::timespec,
    name: *const c_char,
    short_name: *const c_char,
}

const ATTR_HIDDEN: u16 = 0x02;
const ATTR_DIRECTORY: u16 = 0x10;

/// libsmbclient keeps process-global state (talloc stack frames, loaded
/// configuration) that is not thread safe even across separate contexts:
/// every call into it holds this lock. A spin lock rather than a Mutex so a
/// forked child, which inherits the lock's word, can be handed a free one
/// ([`fork`]).
static FFI_LOCK: AtomicBool = AtomicBool::new(false);

struct Held;

fn hold() -> Held {
    let mut spins = 0u32;
    while FFI_LOCK
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        spins += 1;
        if spins < 64 {
            std::hint::spin_loop();
        } else {
            std::thread::sleep(std::time::Duration::from_micros(50));
        }
    }
    Held
}

impl Drop for Held {
    fn drop(&mut self) {
        FFI_LOCK.store(false, Ordering::Release);
    }
}

/// `fork(2)` while no thread is inside libsmbclient, so the child inherits
/// consistent library state; both sides get the lock released.
pub(crate) fn fork() -> libc::pid_t {
    let _held = hold();
    // SAFETY: plain fork; callers keep the child to SMB work and `_exit`.
    unsafe { libc::fork() }
}

/// Runs `work(i)` for `i` in `0..count`, each in its own forked child (each
/// child its own SMB session: libsmbclient is not thread safe), all at once,
/// and returns what each child wrote back over its pipe, in order.
pub(crate) fn in_forked_children(
    count: usize,
    work: impl Fn(usize) -> String,
) -> Result<Vec<String>> {
    use std::io::Read;
    use std::os::fd::FromRawFd;
    let mut children = Vec::new();
    for i in 0..count {
        let mut fds = [0; 2];
        // SAFETY: pipe with a valid two-int array.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return Err(AttackError::Setup("pipe failed".into()));
        }
        let pid = fork();
        if pid < 0 {
            return Err(AttackError::Setup("fork failed".into()));
        }
        if pid == 0 {
            // SAFETY: the child only does its work, writes to its pipe and
            // leaves with _exit (no destructors, no stdio flush).
            unsafe { libc::close(fds[0]) };
            let text = work(i);
            unsafe {
                libc::write(fds[1], text.as_ptr().cast(), text.len());
                libc::_exit(0);
            }
        }
        unsafe { libc::close(fds[1]) };
        children.push((pid, fds[0]));
    }
    let mut texts = Vec::with_capacity(children.len());
    for (pid, fd) in children {
        // SAFETY: `fd` is the read end we own; File closes it.
        let mut pipe = unsafe { std::fs::File::from_raw_fd(fd) };
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        let mut status = 0;
        unsafe { libc::waitpid(pid, &mut status, 0) };
        texts.push(text);
    }
    Ok(texts)
}

static LIB: OnceLock<std::result::Result<Lib, String>> = OnceLock::new();

fn lib() -> Result<&'static Lib> {
    LIB.get_or_init(load)
        .as_ref()
        .map_err(|e| AttackError::Unavailable(e.clone()))
}

/// Why the SMB client cannot be used here, if it cannot.
pub fn unavailable_reason() -> Option<String> {
    lib().err().map(|e| e.to_string())
}

#[allow(clippy::missing_transmute_annotations)]
fn load() -> std::result::Result<Lib, String> {
    let mut handle = std::ptr::null_mut();
    for name in ["libsmbclient.so.0", "libsmbclient.so"] {
        let cname = CString::new(name).map_err(|e| e.to_string())?;
        // SAFETY: dlopen with a valid C string; the handle is never closed.
        handle = unsafe { libc::dlopen(cname.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        if !handle.is_null() {
            break;
        }
    }
    if handle.is_null() {
        return Err("libsmbclient.so.0 not found (apt-get install smbclient)".into());
    }
    macro_rules! sym {
        ($name:literal) => {{
            let cname = CString::new($name).map_err(|e| e.to_string())?;
            // SAFETY: the symbol comes from libsmbclient, whose ABI for these
            // functions has been stable since Samba 3.2; it is transmuted to
            // the prototype declared in libsmbclient.h.
            let ptr = unsafe { libc::dlsym(handle, cname.as_ptr()) };
            if ptr.is_null() {
                return Err(format!("libsmbclient lacks {}", $name));
            }
            unsafe { std::mem::transmute::<*mut c_void, _>(ptr) }
        }};
    }
    Ok(Lib {
        new_context: sym!("smbc_new_context"),
        init_context: sym!("smbc_init_context"),
        free_context: sym!("smbc_free_context"),
        set_debug: sym!("smbc_setDebug"),
        set_port: sym!("smbc_setPort"),
        set_timeout: sym!("smbc_setTimeout"),
        set_netbios_name: sym!("smbc_setNetbiosName"),
        set_auth_fn: sym!("smbc_setFunctionAuthDataWithContext"),
        set_user_data: sym!("smbc_setOptionUserData"),
        get_user_data: sym!("smbc_getOptionUserData"),
        get_open: sym!("smbc_getFunctionOpen"),
        get_read: sym!("smbc_getFunctionRead"),
        get_write: sym!("smbc_getFunctionWrite"),
        get_lseek: sym!("smbc_getFunctionLseek"),
        get_close: sym!("smbc_getFunctionClose"),
        get_ftruncate: sym!("smbc_getFunctionFtruncate"),
        get_stat: sym!("smbc_getFunctionStat"),
        get_unlink: sym!("smbc_getFunctionUnlink"),
        get_rename: sym!("smbc_getFunctionRename"),
        get_opendir: sym!("smbc_getFunctionOpendir"),
        get_readdirplus: sym!("smbc_getFunctionReaddirPlus"),
        get_closedir: sym!("smbc_getFunctionClosedir"),
        get_mkdir: sym!("smbc_getFunctionMkdir"),
        get_rmdir: sym!("smbc_getFunctionRmdir"),
    })
}

/// One entry of a share walk.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemoteFile {
    pub path: String,
    pub size: u64,
    /// The DOS hidden attribute (Explorer does not show the file).
    pub hidden: bool,
}

/// One directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub is_dir: bool,
    pub size: u64,
    pub hidden: bool,
}

/// One SMB connection + session. Not `Send`: libsmbclient is not thread
/// safe; use one session per process or thread that created it.
pub struct SmbSession {
    lib: &'static Lib,
    ctx: *mut Ctx,
    target: SmbTarget,
    _machine: CString,
    _credentials: Box<Credentials>,
    /// Reused read buffer (1 MiB), so a small file costs no big memset.
    read_buf: std::cell::RefCell<Vec<u8>>,
}

/// What the auth callback hands to libsmbclient (owned by the session).
struct Credentials {
    user: CString,
    password: CString,
    workgroup: CString,
}

fn copy_into(dst: *mut c_char, len: c_int, src: &CStr) {
    let bytes = src.to_bytes_with_nul();
    if dst.is_null() || len <= 0 || bytes.len() > len as usize {
        return;
    }
    // SAFETY: dst has room for `len` bytes (libsmbclient's contract) and we
    // copy at most that many, NUL included.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr().cast(), dst, bytes.len()) };
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn auth_callback(
    ctx: *mut Ctx,
    _server: *const c_char,
    _share: *const c_char,
    workgroup: *mut c_char,
    workgroup_len: c_int,
    user: *mut c_char,
    user_len: c_int,
    password: *mut c_char,
    password_len: c_int,
) {
    let Ok(lib) = lib() else { return };
    // SAFETY: the user data is the session's boxed Credentials, which lives
    // as long as the context.
    let credentials = unsafe { (lib.get_user_data)(ctx) } as *const Credentials;
    let Some(c) = (unsafe { credentials.as_ref() }) else {
        return;
    };
    copy_into(workgroup, workgroup_len, &c.workgroup);
    copy_into(user, user_len, &c.user);
    copy_into(password, password_len, &c.password);
}

fn cstr(s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| AttackError::Setup(format!("NUL byte in {s:?}")))
}

impl SmbSession {
    /// Opens a context for `target` and checks the share can be listed.
    pub fn connect(target: &SmbTarget) -> Result<SmbSession> {
        let lib = lib()?;
        let machine = cstr(&target.machine)?;
        let credentials = Box::new(Credentials {
            user: cstr(&target.user)?,
            password: cstr(&target.password)?,
            workgroup: cstr("WORKGROUP")?,
        });
        // SAFETY: calls into libsmbclient with a context it created and C
        // strings that outlive the context (kept in `_strings`).
        let ctx = {
            let _held = hold();
            unsafe {
                let ctx = (lib.new_context)();
                if ctx.is_null() {
                    return Err(AttackError::Setup("smbc_new_context failed".into()));
                }
                (lib.set_debug)(ctx, 0);
                (lib.set_port)(ctx, target.port);
                (lib.set_timeout)(ctx, 10_000);
                (lib.set_netbios_name)(ctx, machine.as_ptr());
                (lib.set_user_data)(ctx, (&*credentials as *const Credentials).cast_mut().cast());
                (lib.set_auth_fn)(ctx, auth_callback);
                if (lib.init_context)(ctx).is_null() {
                    (lib.free_context)(ctx, 0);
                    return Err(AttackError::Setup("smbc_init_context failed".into()));
                }
                ctx
            }
        };
        let session = SmbSession {
            lib,
            ctx,
            target: target.clone(),
            _machine: machine,
            _credentials: credentials,
            read_buf: std::cell::RefCell::new(vec![0u8; 1 << 20]),
        };
        session.list("")?;
        Ok(session)
    }

    pub fn target(&self) -> &SmbTarget {
        &self.target
    }

    fn err(&self, op: &'static str, path: &str) -> AttackError {
        AttackError::Smb {
            op,
            url: self.target.url(path),
            source: std::io::Error::last_os_error(),
        }
    }

    fn open(&self, path: &str, flags: c_int) -> Result<*mut File> {
        let url = cstr(&self.target.url(path))?;
        let _held = hold();
        // SAFETY: valid context and C string; the function pointer comes
        // from the context itself.
        let file = unsafe {
            let open = (self.lib.get_open)(self.ctx).ok_or_else(|| self.err("open", path))?;
            open(self.ctx, url.as_ptr(), flags, 0o644)
        };
        if file.is_null() {
            return Err(self.err("open", path));
        }
        Ok(file)
    }

    fn close(&self, file: *mut File, path: &str) -> Result<()> {
        let _held = hold();
        // SAFETY: `file` was returned by this context's open.
        let rc = unsafe {
            match (self.lib.get_close)(self.ctx) {
                Some(close) => close(self.ctx, file),
                None => -1,
            }
        };
        if rc < 0 {
            return Err(self.err("close", path));
        }
        Ok(())
    }

    fn write_all(&self, file: *mut File, path: &str, mut bytes: &[u8]) -> Result<()> {
        // SAFETY: valid open file; the buffer outlives the call.
        let write =
            unsafe { (self.lib.get_write)(self.ctx) }.ok_or_else(|| self.err("write", path))?;
        while !bytes.is_empty() {
            let chunk = bytes.len().min(1 << 20);
            let _held = hold();
            let n = unsafe { write(self.ctx, file, bytes.as_ptr().cast(), chunk) };
            if n <= 0 {
                return Err(self.err("write", path));
            }
            bytes = &bytes[n as usize..];
        }
        Ok(())
    }

    fn seek(&self, file: *mut File, path: &str, offset: u64) -> Result<()> {
        let _held = hold();
        // SAFETY: valid open file.
        let rc = unsafe {
            match (self.lib.get_lseek)(self.ctx) {
                Some(lseek) => lseek(self.ctx, file, offset as libc::off_t, libc::SEEK_SET),
                None => -1,
            }
        };
        if rc < 0 {
            return Err(self.err("lseek", path));
        }
        Ok(())
    }

    /// Whole content of a file.
    pub fn read(&self, path: &str) -> Result<Vec<u8>> {
        let file = self.open(path, libc::O_RDONLY)?;
        let result = (|| {
            // SAFETY: valid open file; the buffer is sized for `count`.
            let read =
                unsafe { (self.lib.get_read)(self.ctx) }.ok_or_else(|| self.err("read", path))?;
            let mut out = Vec::new();
            let mut buf = self.read_buf.borrow_mut();
            loop {
                let _held = hold();
                let n = unsafe { read(self.ctx, file, buf.as_mut_ptr().cast(), buf.len()) };
                if n < 0 {
                    return Err(self.err("read", path));
                }
                if n == 0 {
                    return Ok(out);
                }
                out.extend_from_slice(&buf[..n as usize]);
                // SMB2 reads are short only at end of file: save the round
                // trip that would return 0.
                if (n as usize) < buf.len() {
                    return Ok(out);
                }
            }
        })();
        let closed = self.close(file, path);
        let out = result?;
        closed?;
        Ok(out)
    }

    /// Creates or truncates `path` and writes `bytes`.
    pub fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let file = self.open(path, libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC)?;
        let written = self.write_all(file, path, bytes);
        let closed = self.close(file, path);
        written?;
        closed
    }

    /// Writes `bytes` to `path` with the round trips of a Windows copy:
    /// a look for an existing file first, then create, set the size
    /// (Windows sets the end of file before writing), write, close. What
    /// the copy also sends (streams, attributes, times) is left out: a
    /// lower bound of a copy's requests per file.
    pub fn copy_in(&self, path: &str, bytes: &[u8]) -> Result<()> {
        // Not found is the expected answer: the target name is free.
        let _ = self.size(path);
        let file = self.open(path, libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC)?;
        let written = self
            .set_len(file, path, bytes.len() as u64)
            .and_then(|()| self.write_all(file, path, bytes));
        let closed = self.close(file, path);
        written?;
        closed
    }

    fn set_len(&self, file: *mut File, path: &str, len: u64) -> Result<()> {
        let _held = hold();
        // SAFETY: valid open file.
        let rc = unsafe {
            match (self.lib.get_ftruncate)(self.ctx) {
                Some(ftruncate) => ftruncate(self.ctx, file, len as libc::off_t),
                None => -1,
            }
        };
        if rc < 0 {
            return Err(self.err("ftruncate", path));
        }
        Ok(())
    }

    /// Overwrites regions of an existing file in place (no truncation).
    pub fn write_at(&self, path: &str, regions: &[(u64, Vec<u8>)]) -> Result<()> {
        let file = self.open(path, libc::O_RDWR)?;
        let written = regions.iter().try_for_each(|(offset, bytes)| {
            self.seek(file, path, *offset)?;
            self.write_all(file, path, bytes)
        });
        let closed = self.close(file, path);
        written?;
        closed
    }

    /// Size of a file.
    pub fn size(&self, path: &str) -> Result<u64> {
        let url = cstr(&self.target.url(path))?;
        // SAFETY: zeroed stat is a valid out-parameter.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let _held = hold();
        let rc = unsafe {
            match (self.lib.get_stat)(self.ctx) {
                Some(stat) => stat(self.ctx, url.as_ptr(), &mut st),
                None => -1,
            }
        };
        if rc < 0 {
            return Err(self.err("stat", path));
        }
        Ok(st.st_size as u64)
    }

    fn path_op(&self, op: &'static str, path: &str, f: PathFn) -> Result<()> {
        let url = cstr(&self.target.url(path))?;
        let f = f.ok_or_else(|| self.err(op, path))?;
        let _held = hold();
        // SAFETY: valid context and C string.
        if unsafe { f(self.ctx, url.as_ptr()) } < 0 {
            return Err(self.err(op, path));
        }
        Ok(())
    }

    pub fn unlink(&self, path: &str) -> Result<()> {
        // SAFETY: getter on a valid context.
        let f = unsafe { (self.lib.get_unlink)(self.ctx) };
        self.path_op("unlink", path, f)
    }

    pub fn rmdir(&self, path: &str) -> Result<()> {
        // SAFETY: getter on a valid context.
        let f = unsafe { (self.lib.get_rmdir)(self.ctx) };
        self.path_op("rmdir", path, f)
    }

    pub fn mkdir(&self, path: &str) -> Result<()> {
        let url = cstr(&self.target.url(path))?;
        let _held = hold();
        // SAFETY: valid context and C string.
        let rc = unsafe {
            match (self.lib.get_mkdir)(self.ctx) {
                Some(mkdir) => mkdir(self.ctx, url.as_ptr(), 0o755),
                None => -1,
            }
        };
        if rc < 0 {
            return Err(self.err("mkdir", path));
        }
        Ok(())
    }

    /// Creates `path` and its parents; existing directories are fine.
    pub fn mkdir_all(&self, path: &str) -> Result<()> {
        let mut prefix = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            if let Err(e) = self.mkdir(&prefix) {
                if let AttackError::Smb { source, .. } = &e {
                    if source.raw_os_error() == Some(libc::EEXIST) {
                        continue;
                    }
                }
                return Err(e);
            }
        }
        Ok(())
    }

    /// Renames within the share (replaces an existing target).
    pub fn rename(&self, from: &str, to: &str) -> Result<()> {
        let old = cstr(&self.target.url(from))?;
        let new = cstr(&self.target.url(to))?;
        let _held = hold();
        // SAFETY: valid context (used as both source and target) and C strings.
        let rc = unsafe {
            match (self.lib.get_rename)(self.ctx) {
                Some(rename) => rename(self.ctx, old.as_ptr(), self.ctx, new.as_ptr()),
                None => -1,
            }
        };
        if rc < 0 {
            return Err(self.err("rename", from));
        }
        Ok(())
    }

    /// Entries of one directory (sorted by name), without `.` and `..`.
    pub fn list(&self, dir: &str) -> Result<Vec<Entry>> {
        let url = cstr(&self.target.url(dir))?;
        let _held = hold();
        // SAFETY: valid context; readdirplus returns entries owned by the
        // directory handle, copied out before the next call.
        unsafe {
            let opendir =
                (self.lib.get_opendir)(self.ctx).ok_or_else(|| self.err("opendir", dir))?;
            let readdir =
                (self.lib.get_readdirplus)(self.ctx).ok_or_else(|| self.err("readdir", dir))?;
            let handle = opendir(self.ctx, url.as_ptr());
            if handle.is_null() {
                return Err(self.err("opendir", dir));
            }
            let mut out = Vec::new();
            loop {
                let info = readdir(self.ctx, handle);
                if info.is_null() {
                    break;
                }
                let info = &*info;
                if info.name.is_null() {
                    continue;
                }
                let name = CStr::from_ptr(info.name).to_string_lossy().into_owned();
                if name == "." || name == ".." {
                    continue;
                }
                out.push(Entry {
                    name,
                    is_dir: info.attrs & ATTR_DIRECTORY != 0,
                    size: info.size,
                    hidden: info.attrs & ATTR_HIDDEN != 0,
                });
            }
            if let Some(closedir) = (self.lib.get_closedir)(self.ctx) {
                closedir(self.ctx, handle);
            }
            out.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(out)
        }
    }

    /// Every regular file under `dir` (sorted, depth first).
    pub fn walk(&self, dir: &str) -> Result<Vec<RemoteFile>> {
        let mut out = Vec::new();
        let mut stack = vec![dir.trim_matches('/').to_string()];
        while let Some(current) = stack.pop() {
            let mut subdirs = Vec::new();
            for entry in self.list(&current)? {
                let path = if current.is_empty() {
                    entry.name
                } else {
                    format!("{current}/{}", entry.name)
                };
                if entry.is_dir {
                    subdirs.push(path);
                } else {
                    out.push(RemoteFile {
                        path,
                        size: entry.size,
                        hidden: entry.hidden,
                    });
                }
            }
            stack.extend(subdirs.into_iter().rev());
        }
        Ok(out)
    }
}

impl Drop for SmbSession {
    fn drop(&mut self) {
        let _held = hold();
        // SAFETY: the context was created by new_context/init_context and
        // is freed once; 1 = shut down its connections.
        unsafe {
            (self.lib.free_context)(self.ctx, 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_escape_only_what_libsmbclient_decodes() {
        let t = SmbTarget {
            host: "127.0.0.1".into(),
            port: 4451,
            share: "docs".into(),
            user: "u".into(),
            password: "p".into(),
            machine: "PC".into(),
        };
        assert_eq!(
            t.url("総務部/100%達成?.xlsx"),
            "smb://127.0.0.1/docs/総務部/100%25達成%3F.xlsx"
        );
        assert_eq!(t.url(""), "smb://127.0.0.1/docs");
    }
}
