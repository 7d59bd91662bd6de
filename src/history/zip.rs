//! The one file a GitHub Actions artifact zip holds: the record `actions/upload-artifact`
//! uploaded. A small reader (central directory, stored or deflated entries) rather than a zip
//! crate: one entry is needed, and every offset of an untrusted archive is checked here.

use miniz_oxide::inflate::decompress_to_vec_with_limit;

use super::codec::MAX_RECORD_BYTES;

const EOCD: u32 = 0x0605_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const LOCAL: u32 = 0x0403_4b50;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The contents of the archive's `*.prcov` entry (or its only entry).
pub fn record_from_zip(zip: &[u8]) -> Result<Vec<u8>, String> {
    // The end-of-central-directory record is in the last 22 + 65,535 bytes (its comment).
    let from = zip.len().saturating_sub(22 + 0xffff);
    let eocd = (from..zip.len().saturating_sub(21))
        .rev()
        .find(|&i| u32_at(zip, i) == Some(EOCD))
        .ok_or("not a zip archive (no end of central directory)")?;
    let entries = u16_at(zip, eocd + 10).ok_or("truncated zip directory")?;
    let mut at = u32_at(zip, eocd + 16).ok_or("truncated zip directory")? as usize;
    let mut chosen = None;
    for _ in 0..entries {
        if u32_at(zip, at) != Some(CENTRAL) {
            return Err(format!("zip directory entry expected at byte {at}"));
        }
        let field = |off| {
            u16_at(zip, at + off)
                .map(usize::from)
                .ok_or("truncated zip directory")
        };
        let method = field(10)?;
        let packed = u32_at(zip, at + 20).ok_or("truncated zip directory")? as usize;
        let size = u32_at(zip, at + 24).ok_or("truncated zip directory")? as usize;
        let (name_len, extra_len, comment_len) = (field(28)?, field(30)?, field(32)?);
        let local = u32_at(zip, at + 42).ok_or("truncated zip directory")? as usize;
        let name = zip
            .get(at + 46..at + 46 + name_len)
            .ok_or("truncated zip directory")?;
        let name = String::from_utf8_lossy(name).into_owned();
        if !name.ends_with('/') && (name.ends_with(".prcov") || entries == 1) {
            chosen = Some((name, method, packed, size, local));
            break;
        }
        at += 46 + name_len + extra_len + comment_len;
    }
    let (name, method, packed, size, local) = chosen.ok_or("the artifact holds no .prcov file")?;
    if size as u64 > MAX_RECORD_BYTES {
        return Err(format!(
            "{name} is {size} bytes; at most {MAX_RECORD_BYTES} are read"
        ));
    }
    if u32_at(zip, local) != Some(LOCAL) {
        return Err(format!("{name}: no local header at byte {local}"));
    }
    let local_name = u16_at(zip, local + 26).ok_or("truncated zip entry")? as usize;
    let local_extra = u16_at(zip, local + 28).ok_or("truncated zip entry")? as usize;
    let start = local + 30 + local_name + local_extra;
    let data = start
        .checked_add(packed)
        .and_then(|end| zip.get(start..end))
        .ok_or_else(|| format!("{name}: the entry runs past the end of the archive"))?;
    match method {
        0 => Ok(data.to_vec()),
        8 => decompress_to_vec_with_limit(data, MAX_RECORD_BYTES as usize)
            .map_err(|e| format!("{name} does not inflate: {e}")),
        other => Err(format!(
            "{name} uses zip compression method {other} (expected 0 or 8)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip of `(name, data)` entries, deflated, as `zip`/upload-artifact write them.
    pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let packed = miniz_oxide::deflate::compress_to_vec(data, 6);
            let offset = out.len() as u32;
            out.extend_from_slice(&LOCAL.to_le_bytes());
            out.extend_from_slice(&[20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&packed);
            central.extend_from_slice(&CENTRAL.to_le_bytes());
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let dir_at = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&EOCD.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&dir_at.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    #[test]
    fn finds_the_record_entry() {
        let zip = zip_of(&[("notes.txt", b"hello"), ("main.prcov", b"RECORD BYTES")]);
        assert_eq!(record_from_zip(&zip).unwrap(), b"RECORD BYTES");
        let single = zip_of(&[("renamed.bin", b"x")]);
        assert_eq!(record_from_zip(&single).unwrap(), b"x");
    }

    #[test]
    fn every_truncation_and_garbage_is_an_error_not_a_panic() {
        let zip = zip_of(&[("a.prcov", b"RECORD BYTES RECORD BYTES")]);
        for cut in 0..zip.len() {
            let _ = record_from_zip(&zip[..cut]);
        }
        assert!(record_from_zip(b"PK not really").is_err());
        let mut lying = zip.clone();
        // The directory's offset of the local header, pointed far past the end.
        let dir = zip.len() - 22 - (46 + 7);
        lying[dir + 42..dir + 46].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(record_from_zip(&lying).is_err());
    }
}
