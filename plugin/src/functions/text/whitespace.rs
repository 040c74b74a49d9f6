//! The one definition of "whitespace" for the text family: Python's
//! `str.isspace()`, so that `utf8_normalize`, `utf8_null_if_blank` and
//! `qname_normalize` agree with the Python side's `str.split()` and
//! `str.strip()` on every code point.

/// Python's `str.isspace`: Unicode `White_Space` (Rust's
/// `char::is_whitespace`) plus U+001C..=U+001F, which Python also counts as
/// separators. Checked against Python 3.11 over every assigned code point.
#[inline]
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1C}'..='\u{1F}').contains(&c)
}

/// [`is_space`] for one ASCII byte: a byte-level test is enough for ASCII
/// text and avoids decoding it. Unlike `u8::is_ascii_whitespace` it counts
/// U+000B and U+001C..=U+001F, as Python does.
#[inline]
pub(crate) fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | 0x1C..=0x1F | b' ')
}

/// Whether `text` is empty or only whitespace.
#[inline]
pub(crate) fn is_blank(text: &str) -> bool {
    if text.is_ascii() {
        text.bytes().all(is_ascii_space)
    } else {
        text.chars().all(is_space)
    }
}

/// Writes `text` with each run of whitespace replaced by one space and none
/// at either end: Python's `" ".join(text.split())`.
pub(crate) fn write_collapsed(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    let mut first = true;
    for word in text.split(is_space).filter(|word| !word.is_empty()) {
        if !first {
            out.write_char(' ')?;
        }
        out.write_str(word)?;
        first = false;
    }
    Ok(())
}

/// [`write_collapsed`] for ASCII text, splitting on bytes.
pub(crate) fn write_collapsed_ascii(
    out: &mut impl std::fmt::Write,
    text: &str,
) -> std::fmt::Result {
    let mut first = true;
    // Splitting an ASCII string on ASCII bytes keeps every piece valid UTF-8.
    for word in text
        .split(|c: char| c.is_ascii() && is_ascii_space(c as u8))
        .filter(|word| !word.is_empty())
    {
        if !first {
            out.write_char(' ')?;
        }
        out.write_str(word)?;
        first = false;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code point for which Python 3.11's `str.isspace()` is true:
    /// `[hex(c) for c in range(0x110000) if chr(c).isspace()]`.
    const PYTHON_SPACES: [u32; 29] = [
        0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001,
        0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029,
        0x202F, 0x205F, 0x3000,
    ];

    #[test]
    fn matches_python_isspace_on_every_code_point() {
        let spaces: Vec<u32> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| is_space(c))
            .map(u32::from)
            .collect();
        assert_eq!(spaces, PYTHON_SPACES);
        for b in 0..128u8 {
            assert_eq!(is_ascii_space(b), is_space(b as char), "{b:#x}");
        }
    }

    #[test]
    fn collapse_matches_split_join() {
        for (text, expected) in [
            ("", ""),
            ("   ", ""),
            ("a", "a"),
            ("  a \t\n b\u{0B}c  ", "a b c"),
            ("\u{3000}x\u{A0}\u{2028}y\u{1F}", "x y"),
        ] {
            let mut out = String::new();
            write_collapsed(&mut out, text).unwrap();
            assert_eq!(out, expected, "{text:?}");
            if text.is_ascii() {
                let mut out = String::new();
                write_collapsed_ascii(&mut out, text).unwrap();
                assert_eq!(out, expected, "{text:?}");
            }
        }
    }

    #[test]
    fn blank_is_empty_or_only_spaces() {
        assert!(is_blank(""));
        assert!(is_blank(" \t\u{1C}"));
        assert!(is_blank("\u{3000}\u{85}"));
        assert!(!is_blank(" a "));
        assert!(!is_blank("\u{200B}"), "zero width space is not whitespace");
    }
}
