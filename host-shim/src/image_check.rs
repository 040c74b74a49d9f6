//! A structural check of a shared-library file before the dynamic loader
//! maps it.
//!
//! `dlopen` trusts the ELF program headers: a truncated copy of a real
//! library maps segments that extend past the end of the file, and the first
//! touch of such a page kills the process with SIGBUS. Checking that every
//! loadable segment and both header tables lie inside the file turns that
//! crash into a refusal. Other formats (Mach-O, PE) are left to the loader.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

const ELF_MAGIC: [u8; 4] = [0x7f, b'E', b'L', b'F'];
const PT_LOAD: u32 = 1;

/// Why a file is not a complete library image.
pub type ImageProblem = String;

/// Checks an ELF file's headers against its length; `Ok` for non-ELF files.
pub fn check_library_image(path: &Path) -> Result<(), ImageProblem> {
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let mut ident = [0u8; 64];
    let n = read_up_to(&mut file, &mut ident).map_err(|e| e.to_string())?;
    if n < 4 || ident[..4] != ELF_MAGIC {
        return Ok(());
    }
    if n < 64 || ident[4] != 2 {
        return Err(format!(
            "ELF header is incomplete or not 64-bit ({n} header bytes, class {})",
            ident.get(4).copied().unwrap_or(0)
        ));
    }
    let little = match ident[5] {
        1 => true,
        2 => false,
        other => return Err(format!("ELF header has an unknown byte order {other}")),
    };
    let u16_at = |o: usize| {
        let b = [ident[o], ident[o + 1]];
        u64::from(if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u64_at = |buf: &[u8], o: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&buf[o..o + 8]);
        if little {
            u64::from_le_bytes(b)
        } else {
            u64::from_be_bytes(b)
        }
    };
    let phoff = u64_at(&ident, 0x20);
    let shoff = u64_at(&ident, 0x28);
    let phentsize = u16_at(0x36);
    let phnum = u16_at(0x38);
    let shentsize = u16_at(0x3A);
    let shnum = u16_at(0x3C);

    let within = |start: u64, size: u64| start.checked_add(size).is_some_and(|end| end <= len);
    if phentsize < 56 || !within(phoff, phentsize * phnum) {
        return Err(format!(
            "program header table ({phnum} entries at offset {phoff}) lies outside the {len}-byte file: the file is truncated"
        ));
    }
    if shoff != 0 && !within(shoff, shentsize * shnum) {
        return Err(format!(
            "section header table ({shnum} entries at offset {shoff}) lies outside the {len}-byte file: the file is truncated"
        ));
    }
    let mut table = vec![0u8; (phentsize * phnum) as usize];
    file.seek(SeekFrom::Start(phoff))
        .map_err(|e| e.to_string())?;
    file.read_exact(&mut table).map_err(|e| e.to_string())?;
    for entry in table.chunks_exact(phentsize as usize) {
        let mut t = [0u8; 4];
        t.copy_from_slice(&entry[0..4]);
        let p_type = if little {
            u32::from_le_bytes(t)
        } else {
            u32::from_be_bytes(t)
        };
        if p_type != PT_LOAD {
            continue;
        }
        let offset = u64_at(entry, 0x08);
        let filesz = u64_at(entry, 0x20);
        if !within(offset, filesz) {
            return Err(format!(
                "a loadable segment (offset {offset}, {filesz} bytes) extends past the end of the {len}-byte file: the file is truncated"
            ));
        }
    }
    Ok(())
}

fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}
