//! Where evidence bytes live: content-addressed by SHA-256. The local directory is the default;
//! an object store for installations with several servers would be a second implementation
//! of [`BlobStore`].

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file being received: written, then committed under its hash, or dropped (and deleted).
pub struct Incoming {
    path: PathBuf,
    file: Option<File>,
}

impl Incoming {
    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.write_all(bytes),
            None => Err(io::Error::other("the file was already committed")),
        }
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        // Not committed: nothing of it stays.
        if self.file.is_some() {
            let _ = fs::remove_file(&self.path);
        }
    }
}

pub trait BlobStore: Send + Sync {
    /// A new file to write into.
    fn incoming(&self) -> io::Result<Incoming>;
    /// Makes the file durable and stores it under `sha256`; the same content is kept once.
    fn commit(&self, incoming: Incoming, sha256: &str) -> io::Result<()>;
    /// The stored file, for reading.
    fn locate(&self, sha256: &str) -> io::Result<PathBuf>;
    /// Removes what a process that stopped mid-upload left: files being received, and files
    /// stored whose database record was never committed (not in `recorded`). Only while no
    /// upload is under way (at start). Returns how many files it removed.
    fn remove_unrecorded(&self, recorded: &HashSet<String>) -> io::Result<usize>;
}

/// Files under `DATA_DIR/evidence/ab/cd/<sha256>`.
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(data_dir: &Path) -> io::Result<Self> {
        let root = data_dir.join("evidence");
        fs::create_dir_all(root.join("incoming"))?;
        Ok(Self { root })
    }

    fn path_of(&self, sha256: &str) -> io::Result<PathBuf> {
        // The hash is ours, but it becomes a path: accept nothing but 64 hex digits.
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256"));
        }
        Ok(self
            .root
            .join(&sha256[..2])
            .join(&sha256[2..4])
            .join(sha256))
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

impl BlobStore for LocalStore {
    fn incoming(&self) -> io::Result<Incoming> {
        let path = self
            .root
            .join("incoming")
            .join(uuid::Uuid::new_v4().to_string());
        let file = File::create_new(&path)?;
        Ok(Incoming {
            path,
            file: Some(file),
        })
    }

    fn commit(&self, mut incoming: Incoming, sha256: &str) -> io::Result<()> {
        let target = self.path_of(sha256)?;
        let file = incoming.file.take().expect("an uncommitted file");
        file.sync_all()?;
        drop(file);
        if target.exists() {
            // Stored before: keep the one copy.
            return fs::remove_file(&incoming.path);
        }
        let dir = target.parent().expect("a nested path");
        fs::create_dir_all(dir)?;
        // Written and synced under a temporary name, then renamed: a crash leaves either no
        // file or the whole file, never half of one that the database points to.
        fs::rename(&incoming.path, &target)?;
        sync_dir(dir)
    }

    fn locate(&self, sha256: &str) -> io::Result<PathBuf> {
        self.path_of(sha256)
    }

    fn remove_unrecorded(&self, recorded: &HashSet<String>) -> io::Result<usize> {
        let mut removed = 0;
        for entry in fs::read_dir(self.root.join("incoming"))? {
            fs::remove_file(entry?.path())?;
            removed += 1;
        }
        // Stored files sit two directory levels down: `ab/cd/<sha256>`.
        for first in fs::read_dir(&self.root)? {
            let first = first?;
            if first.file_name() == "incoming" || !first.file_type()?.is_dir() {
                continue;
            }
            for second in fs::read_dir(first.path())? {
                let second = second?;
                if !second.file_type()?.is_dir() {
                    continue;
                }
                for file in fs::read_dir(second.path())? {
                    let file = file?;
                    let name = file.file_name().to_string_lossy().into_owned();
                    if !recorded.contains(&name) {
                        fs::remove_file(file.path())?;
                        removed += 1;
                    }
                }
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_kept_once_under_their_hash_and_dropped_ones_vanish() {
        let dir = tempfile_dir();
        let store = LocalStore::new(&dir).unwrap();
        let sha = "a".repeat(64);
        for _ in 0..2 {
            let mut incoming = store.incoming().unwrap();
            incoming.write(b"same bytes").unwrap();
            store.commit(incoming, &sha).unwrap();
        }
        assert_eq!(
            fs::read(store.locate(&sha).unwrap()).unwrap(),
            b"same bytes"
        );
        let mut abandoned = store.incoming().unwrap();
        abandoned.write(b"half a file").unwrap();
        drop(abandoned);
        assert_eq!(
            fs::read_dir(dir.join("evidence/incoming")).unwrap().count(),
            0
        );
        assert!(store.locate("../../etc/passwd").is_err());

        // A file stored without its record, and one left half-received, go; recorded ones stay.
        let other = "b".repeat(64);
        let mut unrecorded = store.incoming().unwrap();
        unrecorded.write(b"never recorded").unwrap();
        store.commit(unrecorded, &other).unwrap();
        let left = store.incoming().unwrap();
        std::mem::forget(left);
        let recorded = HashSet::from([sha.clone()]);
        assert_eq!(store.remove_unrecorded(&recorded).unwrap(), 2);
        assert!(store.locate(&sha).unwrap().exists());
        assert!(!store.locate(&other).unwrap().exists());
        assert_eq!(
            fs::read_dir(dir.join("evidence/incoming")).unwrap().count(),
            0
        );
        fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rectify-store-{}", uuid::Uuid::new_v4()));
        fs::create_dir_all(&dir).unwrap();
        dir
    }
}
