//! Whole-file reads, and atomic replacement: write a temporary file beside the target,
//! fsync it, rename it over the target, fsync the directory. On any failure the
//! temporary file is removed and the old file is left exactly as it was. A target
//! that is not a regular file (a device, a FIFO) is written in place instead.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Read a whole file. A directory gives EISDIR, as `fread` does for libotr.
pub fn read_all(path: &Path) -> io::Result<Vec<u8>> {
    let mut f = File::open(path)?;
    if f.metadata()?.is_dir() {
        return Err(io::Error::from_raw_os_error(libc::EISDIR));
    }
    let mut v = Vec::new();
    f.read_to_end(&mut v)?;
    Ok(v)
}

/// Read a file as libotr's line readers (fingerprints, instance tags) do: `fopen`, then
/// `fgets` until it returns NULL. Only opening can fail; a read error ends the input
/// where it happened, so a directory reads as empty (its `read` fails with EISDIR).
pub fn read_lines_input(path: &Path) -> io::Result<Vec<u8>> {
    let mut f = File::open(path)?;
    let mut v = Vec::new();
    // On an error, `v` keeps what was read before it.
    let _ = f.read_to_end(&mut v);
    Ok(v)
}

/// Where to write: a symlink is followed so that its target is replaced, not the link.
fn resolve(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::read_link(&p) {
            Ok(t) => {
                p = if t.is_absolute() { t } else { p.parent().unwrap_or(Path::new(".")).join(t) };
            }
            Err(_) => break,
        }
    }
    p
}

/// Replace `path` with `data`. A new file is created with `mode` (reduced by the umask);
/// an existing file's permission bits are kept.
pub fn write_atomic(path: &Path, data: &[u8], mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let target = resolve(path);
    if target.is_dir() {
        return Err(io::Error::from_raw_os_error(libc::EISDIR));
    }
    // Only a regular file is replaced. Anything else that exists (a device such as
    // /dev/null — irssi-otr writes its instance tags there —, a FIFO, a socket) is
    // written in place, as libotr's fopen(path, "w") does; renaming over it would
    // replace the device node itself.
    if let Ok(m) = fs::metadata(&target) {
        if !m.file_type().is_file() {
            let mut f = OpenOptions::new().write(true).truncate(true).open(&target)?;
            return f.write_all(data);
        }
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target.file_name().ok_or_else(|| io::Error::from_raw_os_error(libc::EISDIR))?;
    let existing_mode = fs::metadata(&target).ok().map(|m| m.permissions().mode() & 0o7777);
    let mut attempt = 0u32;
    let (tmp, mut f) = loop {
        let mut rnd = [0u8; 6];
        getrandom::fill(&mut rnd).map_err(|_| io::Error::from_raw_os_error(libc::EIO))?;
        let mut tname = std::ffi::OsString::from(".");
        tname.push(name);
        tname.push(format!(".tmp-{}", rnd.iter().map(|b| format!("{b:02x}")).collect::<String>()));
        let tmp = dir.join(tname);
        match OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 16 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        f.write_all(data)?;
        if let Some(m) = existing_mode {
            f.set_permissions(fs::Permissions::from_mode(m))?;
        }
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, &target)?;
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn tmpdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("otr-atomic-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn writes_replaces_and_keeps_mode() {
        let d = tmpdir("a");
        let p = d.join("key");
        write_atomic(&p, b"one", 0o600).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"one");
        assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        write_atomic(&p, b"two", 0o666).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600, "existing mode kept");
        assert_eq!(fs::read_dir(&d).unwrap().count(), 1, "no temporary file left");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn symlink_target_is_replaced() {
        let d = tmpdir("b");
        let real = d.join("real");
        fs::write(&real, b"old").unwrap();
        let link = d.join("link");
        std::os::unix::fs::symlink("real", &link).unwrap();
        write_atomic(&link, b"new", 0o600).unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn failure_keeps_old_file() {
        let d = tmpdir("c");
        let p = d.join("f");
        fs::write(&p, b"precious").unwrap();
        assert!(write_atomic(&d.join("missing/f"), b"x", 0o600).is_err());
        assert!(write_atomic(&d, b"x", 0o600).is_err(), "a directory is not replaced");
        assert_eq!(fs::read(&p).unwrap(), b"precious");
        assert_eq!(read_all(&d).unwrap_err().raw_os_error(), Some(libc::EISDIR));
        assert_eq!(read_lines_input(&d).unwrap(), b"");
        fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn devices_are_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        write_atomic(Path::new("/dev/null"), b"instance tags\n", 0o600).unwrap();
        let m = fs::metadata("/dev/null").unwrap();
        assert!(m.file_type().is_char_device(), "/dev/null must still be the device");
    }
}
