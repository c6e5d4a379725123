//! A private, real Samba server for tests and benchmarks.
//!
//! [`SambaServer::start`] (as root) creates a file-system image under a
//! temporary directory, loop-mounts it, writes an `smb.conf` that binds only
//! 127.0.0.1 on a free port with its own pid/lock/state/cache/private
//! directories and `vfs_full_audit`, adds two Samba users, and runs
//! `smbd --foreground`. Dropping it stops smbd, unmounts and removes
//! everything. [`skip_reason`] says why it cannot run here (tests then print
//! the reason and pass).

use crate::smb::SmbTarget;
use crate::{AttackError, Result};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The two users every harness server has: the attacker and a colleague.
pub const USER_A: &str = "mmr-alice";
pub const USER_B: &str = "mmr-bob";
/// Their password (test servers only listen on 127.0.0.1).
pub const PASSWORD: &str = "mamori-test-pw";

/// File system of the share image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fs {
    Ext4,
    Btrfs,
}

/// Why a real Samba server cannot be started here, if it cannot.
pub fn skip_reason(fs: Fs) -> Option<String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some("not root (loop mounts and smbd need root)".into());
    }
    let mkfs = match fs {
        Fs::Ext4 => "mkfs.ext4",
        Fs::Btrfs => "mkfs.btrfs",
    };
    for tool in ["smbd", "smbpasswd", "mount", "umount", mkfs] {
        if find_program(tool).is_none() {
            return Some(format!(
                "{tool} not installed (apt-get install samba btrfs-progs)"
            ));
        }
    }
    if let Some(reason) = missing_full_audit() {
        return Some(reason);
    }
    crate::smb::unavailable_reason()
}

/// The private smb.conf loads `vfs_full_audit` (the SMB user of every
/// change); without it smbd refuses the share at tree connect. Debian ships
/// the module in `samba-vfs-modules`, which `samba` only recommends.
fn missing_full_audit() -> Option<String> {
    let out = Command::new(find_program("smbd")?)
        .arg("-b")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let dir = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("MODULESDIR:"))?
        .trim();
    let module = Path::new(dir).join("vfs/full_audit.so");
    (!module.exists()).then(|| {
        format!(
            "Samba's full_audit module is missing ({}): apt-get install samba-vfs-modules",
            module.display()
        )
    })
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn run(cmd: &mut Command) -> Result<()> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| AttackError::Setup(format!("{cmd:?}: {e}")))?;
    if !out.status.success() {
        return Err(AttackError::Setup(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| AttackError::Setup(format!("no free port: {e}")))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| AttackError::Setup(format!("no free port: {e}")))
}

/// A running private smbd serving one share.
pub struct SambaServer {
    dir: tempfile::TempDir,
    mount: PathBuf,
    share_name: String,
    conf: PathBuf,
    port: u16,
    smbd: Option<Child>,
    mounted: bool,
    /// Network namespace smbd runs in (`None`: the caller's).
    netns: Option<PathBuf>,
    netns_file: Option<std::fs::File>,
    /// Address clients connect to, when not smbd's own 127.0.0.1:port.
    front: Option<(String, u16)>,
}

impl SambaServer {
    /// Starts a server with one share `share_name` on a fresh `fs` image of
    /// `size_mb` MiB. The share directory is empty and writable by both users.
    pub fn start(share_name: &str, fs: Fs, size_mb: u64) -> Result<SambaServer> {
        Self::start_in(share_name, fs, size_mb, None)
    }

    /// [`SambaServer::start`], or `None` where this machine cannot run a
    /// server ([`skip_reason`], or a start refused as unavailable), the
    /// reason said on stderr: what a test that skips here wants.
    pub fn start_or_skip(share_name: &str, fs: Fs, size_mb: u64) -> Result<Option<SambaServer>> {
        let reason = match skip_reason(fs) {
            Some(reason) => reason,
            None => match Self::start(share_name, fs, size_mb) {
                Ok(server) => return Ok(Some(server)),
                Err(AttackError::Unavailable(reason)) => reason,
                Err(e) => return Err(e),
            },
        };
        eprintln!("SKIP: {reason}");
        Ok(None)
    }

    /// Like [`SambaServer::start`], with smbd in the network namespace at
    /// `netns` (e.g. `/run/netns/NAME`; only the network namespace: smbd
    /// keeps the mount namespace, so fanotify mount marks see it).
    pub fn start_in(
        share_name: &str,
        fs: Fs,
        size_mb: u64,
        netns: Option<&Path>,
    ) -> Result<SambaServer> {
        if let Some(reason) = skip_reason(fs) {
            return Err(AttackError::Unavailable(reason));
        }
        sweep_abandoned();
        let dir = tempfile::Builder::new()
            .prefix("mamori-samba-")
            .tempdir()
            .map_err(|e| AttackError::Setup(format!("temp dir: {e}")))?;
        let owner = dir.path().join("owner.pid");
        std::fs::write(&owner, std::process::id().to_string())
            .map_err(|e| AttackError::io(&owner, e))?;
        let mount = dir.path().join("mnt");
        let mut server = SambaServer {
            mount: mount.clone(),
            share_name: share_name.to_string(),
            conf: dir.path().join("smb.conf"),
            port: free_port()?,
            smbd: None,
            mounted: false,
            netns: netns.map(Path::to_path_buf),
            netns_file: None,
            front: None,
            dir,
        };
        server.mount_image(fs, size_mb)?;
        let share = server.share_dir();
        std::fs::create_dir_all(&share).map_err(|e| AttackError::io(&share, e))?;
        chmod(&share, 0o777)?;
        server.write_conf()?;
        for user in [USER_A, USER_B] {
            server.add_user(user)?;
        }
        server.start_smbd()?;
        Ok(server)
    }

    fn mount_image(&mut self, fs: Fs, size_mb: u64) -> Result<()> {
        let image = self.dir.path().join("share.img");
        let file = std::fs::File::create(&image).map_err(|e| AttackError::io(&image, e))?;
        file.set_len(size_mb << 20)
            .map_err(|e| AttackError::io(&image, e))?;
        drop(file);
        match fs {
            Fs::Ext4 => run(Command::new("mkfs.ext4").args(["-q", "-F"]).arg(&image))?,
            Fs::Btrfs => run(Command::new("mkfs.btrfs").args(["-q", "-f"]).arg(&image))?,
        }
        std::fs::create_dir_all(&self.mount).map_err(|e| AttackError::io(&self.mount, e))?;
        run(Command::new("mount")
            .args(["-o", "loop"])
            .arg(&image)
            .arg(&self.mount))
        .map_err(|e| AttackError::Unavailable(format!("loop mount failed: {e}")))?;
        self.mounted = true;
        chmod(&self.mount, 0o755)
    }

    fn write_conf(&self) -> Result<()> {
        let base = self.dir.path();
        for sub in ["run", "lock", "state", "cache", "private", "ncalrpc", "log"] {
            let p = base.join(sub);
            std::fs::create_dir_all(&p).map_err(|e| AttackError::io(&p, e))?;
        }
        // The guard's Samba-level block of users (mamori_respond::samba_deny).
        let deny = base.join("mamori-deny.conf");
        std::fs::write(&deny, "").map_err(|e| AttackError::io(&deny, e))?;
        let b = base.display();
        let conf = format!(
            "[global]
   include = {b}/mamori-deny.conf
   server role = standalone server
   workgroup = WORKGROUP
   netbios name = MAMORI-TEST
   smb ports = {port}
   interfaces = 127.0.0.1
   bind interfaces only = yes
   disable netbios = yes
   server min protocol = SMB2_02
   pid directory = {b}/run
   lock directory = {b}/lock
   state directory = {b}/state
   cache directory = {b}/cache
   private dir = {b}/private
   ncalrpc dir = {b}/ncalrpc
   passdb backend = tdbsam:{b}/private/passdb.tdb
   log file = {b}/log/smbd.log
   log level = 1
   max log size = 0
   map to guest = never
   load printers = no
   printing = bsd
   printcap name = /dev/null
   disable spoolss = yes
   usershare path =

[{share}]
   path = {path}
   read only = no
   browseable = yes
   valid users = {a} {b_user}
   create mask = 0666
   force create mode = 0666
   directory mask = 0777
   force directory mode = 0777
   # The guard's decoys (mamori-judge decoy::SAMBA_HIDE_FILES).
   hide files = /!0000_*/
   vfs objects = full_audit
   full_audit:prefix = %u|%I|%m|%S
   full_audit:success = connect disconnect create_file openat renameat unlinkat pwrite write
   full_audit:failure = none
   full_audit:facility = LOCAL5
   full_audit:priority = NOTICE
   full_audit:syslog = false
",
            port = self.port,
            share = self.share_name,
            path = self.share_dir().display(),
            a = USER_A,
            b_user = USER_B,
        );
        std::fs::write(&self.conf, conf).map_err(|e| AttackError::io(&self.conf, e))
    }

    fn add_user(&self, user: &str) -> Result<()> {
        let exists = Command::new("id")
            .arg(user)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !exists {
            // Parallel tests may race to create the same user: recheck after.
            let _ = Command::new("useradd")
                .args(["-M", "-s", "/usr/sbin/nologin", user])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let mut child = Command::new("smbpasswd")
            .arg("-c")
            .arg(&self.conf)
            .args(["-a", "-s", user])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| AttackError::Setup(format!("smbpasswd: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write;
            let _ = writeln!(stdin, "{PASSWORD}\n{PASSWORD}");
        }
        let out = child
            .wait_with_output()
            .map_err(|e| AttackError::Setup(format!("smbpasswd: {e}")))?;
        if !out.status.success() {
            return Err(AttackError::Setup(format!(
                "smbpasswd -a {user}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(())
    }

    fn start_smbd(&mut self) -> Result<()> {
        let log = self.dir.path().join("log/smbd.stdout");
        let out = std::fs::File::create(&log).map_err(|e| AttackError::io(&log, e))?;
        let err = out.try_clone().map_err(|e| AttackError::io(&log, e))?;
        let mut command = Command::new(find_program("smbd").unwrap_or_else(|| "smbd".into()));
        if let Some(netns) = &self.netns {
            use std::os::fd::AsRawFd;
            let file = std::fs::File::open(netns).map_err(|e| AttackError::io(netns, e))?;
            // SAFETY: only setns (async-signal-safe) between fork and exec;
            // `file` outlives the spawn.
            unsafe {
                let fd = file.as_raw_fd();
                command.pre_exec(move || {
                    if libc::setns(fd, libc::CLONE_NEWNET) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            self.netns_file = Some(file);
        }
        let child = command
            .args(["--foreground", "--no-process-group"])
            .arg(format!("--configfile={}", self.conf.display()))
            // smbd signals its whole process group when it exits: give it
            // its own group so that is never the caller's.
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| AttackError::Setup(format!("smbd: {e}")))?;
        self.smbd = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let port = self.port;
            let listening = match &self.netns {
                Some(netns) => crate::lan::in_netns(netns, move || {
                    TcpStream::connect(("127.0.0.1", port)).is_ok()
                })
                .unwrap_or(false),
                None => TcpStream::connect(("127.0.0.1", port)).is_ok(),
            };
            if listening {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.smbd.as_mut().map(|c| c.try_wait()) {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(AttackError::Setup(format!(
                    "smbd exited ({status}): {}",
                    text.trim()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(AttackError::Setup(format!(
            "smbd did not listen on 127.0.0.1:{} within 20 s",
            self.port
        )))
    }

    /// The directory smbd serves (on the mounted image).
    pub fn share_dir(&self) -> PathBuf {
        self.mount.join(&self.share_name)
    }

    pub fn share_name(&self) -> &str {
        &self.share_name
    }

    /// Mount point of the image (the file system the guard marks).
    pub fn mount_dir(&self) -> &Path {
        &self.mount
    }

    pub fn conf(&self) -> &Path {
        &self.conf
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// smbd's log file (full_audit writes there when syslog is off).
    pub fn log_file(&self) -> PathBuf {
        self.dir.path().join("log/smbd.log")
    }

    /// A scratch directory beside the server (not on the share).
    pub fn scratch(&self, name: &str) -> Result<PathBuf> {
        let p = self.dir.path().join("scratch").join(name);
        std::fs::create_dir_all(&p).map_err(|e| AttackError::io(&p, e))?;
        Ok(p)
    }

    /// Connection details for `user` from client `machine`.
    pub fn target(&self, user: &str, machine: &str) -> SmbTarget {
        let (host, port) = self
            .front
            .clone()
            .unwrap_or_else(|| ("127.0.0.1".into(), self.port));
        SmbTarget {
            host,
            port,
            share: self.share_name.clone(),
            user: user.into(),
            password: PASSWORD.into(),
            machine: machine.into(),
        }
    }

    /// Clients connect to `host:port` from now on (a relay in front of smbd).
    pub fn set_front(&mut self, host: &str, port: u16) {
        self.front = Some((host.to_string(), port));
    }

    /// Makes every file and folder of the share writable by both users
    /// (after content was put there directly, not over SMB).
    pub fn open_permissions(&self) -> Result<()> {
        run(Command::new("chmod")
            .args(["-R", "a+rwX"])
            .arg(self.share_dir()))
    }
}

/// Servers whose owning process died without dropping them (a killed test
/// run) leave a mounted image and maybe an smbd: clean those up.
fn sweep_abandoned() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        let is_ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with("mamori-samba-"));
        let Some(owner) = std::fs::read_to_string(dir.join("owner.pid"))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
        else {
            continue;
        };
        if !is_ours || Path::new(&format!("/proc/{owner}")).exists() {
            continue;
        }
        kill_session_children(&dir.join("smb.conf"));
        let mnt = dir.join("mnt");
        let _ = Command::new("umount")
            .arg(&mnt)
            .stderr(Stdio::null())
            .status();
        let still_mounted = std::fs::read_to_string("/proc/mounts")
            .map(|m| m.lines().any(|l| l.split(' ').nth(1) == mnt.to_str()))
            .unwrap_or(true);
        // Never delete through a mount that is still there.
        if !still_mounted {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// smbd forks one child per connection without exec, so every child still
/// carries `--configfile=<our conf>` on its command line: end those (ours).
fn kill_session_children(conf: &Path) {
    let needle = format!("--configfile={}", conf.display());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if cmdline
            .split(|b| *b == 0)
            .any(|arg| arg == needle.as_bytes())
        {
            // SAFETY: signalling a process by pid.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

fn chmod(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| AttackError::io(path, e))
}

impl Drop for SambaServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.smbd.take() {
            // SAFETY: signalling our own child by pid.
            unsafe {
                libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            // The session children are in smbd's own process group.
            // SAFETY: signalling the group we created for smbd.
            unsafe {
                libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
            }
            let _ = child.wait();
        }
        kill_session_children(&self.conf);
        if self.mounted {
            for _ in 0..20 {
                let ok = Command::new("umount")
                    .arg(&self.mount)
                    .stderr(Stdio::null())
                    .status()
                    .map(|s| s.success())
                    .unwrap_or(false);
                if ok {
                    self.mounted = false;
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if self.mounted {
                // Something (a forked smbd child) still holds it: detach lazily;
                // the loop device is freed (autoclear) once the last user goes.
                let _ = Command::new("umount").arg("-l").arg(&self.mount).status();
            }
        }
    }
}
