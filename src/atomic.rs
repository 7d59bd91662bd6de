//! Output files written whole or not at all: `-o/--output`, `convert`/`merge` output and the
//! `--save` payload go to a temporary file in the same folder, renamed over the target when
//! complete. A reader (the upload step, a dashboard) never sees half a file, and a failed run
//! leaves the previous file as it was.

use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Writes `path` through `write`, atomically where the target is a regular file (or absent).
/// A device, FIFO or the like (`-o /dev/stdout`) is written in place: renaming over it would
/// replace the device node.
pub fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
    if special {
        let mut w = BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
        write(&mut w)?;
        return w.flush();
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".prcov-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut w = BufWriter::with_capacity(256 * 1024, tmp.as_file_mut());
        write(&mut w)?;
        w.flush()?;
    }
    // The temporary file is private (0600); the output is an ordinary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old").unwrap();
        let err = write_file(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

        write_file(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn devices_are_written_in_place() {
        use std::os::unix::fs::FileTypeExt as _;
        write_file(Path::new("/dev/null"), |w| w.write_all(b"x")).unwrap();
        let kind = std::fs::metadata("/dev/null").unwrap().file_type();
        assert!(
            kind.is_char_device(),
            "still the device, not a renamed file"
        );
    }
}
