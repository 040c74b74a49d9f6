//! Position encodings: the units a column number counts, after the Language
//! Server Protocol's `PositionEncodingKind` (`utf-8`, `utf-16`, `utf-32`).

use std::cell::Cell;

use datafusion::arrow::buffer::NullBuffer;
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::ColumnarValue;

use crate::functions::string_args::StringArg;

/// What a column number counts. The discriminants are the codes
/// `position_encoding_norm` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PositionEncoding {
    /// UTF-8 code units, i.e. bytes (Python `ast` `col_offset`).
    Utf8 = 1,
    /// UTF-16 code units (the LSP default; JavaScript string indices).
    Utf16 = 2,
    /// Unicode code points (Python `str` indices).
    Utf32 = 3,
}

/// Every accepted spelling, compared ignoring ASCII case. `byte` is the
/// span family's name for UTF-8 code units.
const SPELLINGS: [(&str, PositionEncoding); 13] = [
    ("byte", PositionEncoding::Utf8),
    ("utf8", PositionEncoding::Utf8),
    ("utf-8", PositionEncoding::Utf8),
    ("utf_8", PositionEncoding::Utf8),
    ("1", PositionEncoding::Utf8),
    ("utf16", PositionEncoding::Utf16),
    ("utf-16", PositionEncoding::Utf16),
    ("utf_16", PositionEncoding::Utf16),
    ("2", PositionEncoding::Utf16),
    ("utf32", PositionEncoding::Utf32),
    ("utf-32", PositionEncoding::Utf32),
    ("utf_32", PositionEncoding::Utf32),
    ("3", PositionEncoding::Utf32),
];

/// The spellings as an error message lists them.
pub const SPELLINGS_HELP: &str = "BYTE, UTF8, UTF16 or UTF32 in any case, also spelled \
                                  utf-8/utf_8 (likewise 16 and 32) or 1, 2, 3";

impl PositionEncoding {
    /// The encoding `text` names, or `None` if it names none.
    pub fn parse(text: &str) -> Option<Self> {
        // Longest spelling is 6 bytes: skip the comparisons for long text.
        if text.len() > 6 {
            return None;
        }
        SPELLINGS
            .iter()
            .find(|(spelling, _)| spelling.eq_ignore_ascii_case(text))
            .map(|&(_, encoding)| encoding)
    }

    /// The encoding with code `code` (1, 2 or 3).
    pub fn from_code(code: i64) -> Option<Self> {
        match code {
            1 => Some(Self::Utf8),
            2 => Some(Self::Utf16),
            3 => Some(Self::Utf32),
            _ => None,
        }
    }

    /// The encoding's code: 1 (UTF-8), 2 (UTF-16) or 3 (UTF-32).
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// A `col_unit` argument, read per row. A refused unit is an error, not
/// NULL: a typo in a unit would otherwise silently void every position.
#[derive(Debug)]
pub enum UnitArg<'a> {
    /// One unit (or NULL) for every row, parsed once.
    Scalar(Option<PositionEncoding>),
    /// One unit per row.
    Column {
        /// The unit texts.
        units: StringArg<'a>,
        /// The last text parsed and its encoding: a unit column is almost
        /// always one value repeated (through the FFI even a literal
        /// arrives as a column), so most rows cost one short comparison.
        last: Cell<Option<(&'a str, PositionEncoding)>>,
    },
}

impl<'a> UnitArg<'a> {
    /// Reads `value` as the unit argument `parameter` of `function`.
    pub fn try_new(
        function: &str,
        parameter: &str,
        value: &'a ColumnarValue,
    ) -> Result<UnitArg<'a>> {
        let units = StringArg::try_new(function, parameter, value)?;
        match units.as_scalar() {
            Some(text) => Ok(Self::Scalar(
                text.map(|text| parse_unit(function, parameter, text))
                    .transpose()?,
            )),
            None => Ok(Self::Column {
                units,
                last: Cell::new(None),
            }),
        }
    }

    /// The unit at `row`, `None` for NULL.
    #[inline]
    pub fn value(
        &self,
        function: &str,
        parameter: &str,
        row: usize,
    ) -> Result<Option<PositionEncoding>> {
        match self {
            Self::Scalar(encoding) => Ok(*encoding),
            Self::Column { units, last } => {
                let Some(text) = units.value(row) else {
                    return Ok(None);
                };
                if let Some((seen, encoding)) = last.get()
                    && seen == text
                {
                    return Ok(Some(encoding));
                }
                let encoding = parse_unit(function, parameter, text)?;
                last.set(Some((text, encoding)));
                Ok(Some(encoding))
            }
        }
    }

    /// Whether the argument is a scalar.
    pub fn is_scalar(&self) -> bool {
        matches!(self, Self::Scalar(_))
    }

    /// The validity of this argument over `rows` rows.
    pub fn nulls(&self, rows: usize) -> Option<NullBuffer> {
        match self {
            Self::Scalar(Some(_)) => None,
            Self::Scalar(None) => Some(NullBuffer::new_null(rows)),
            Self::Column { units, .. } => units.nulls(rows),
        }
    }
}

fn parse_unit(function: &str, parameter: &str, text: &str) -> Result<PositionEncoding> {
    match PositionEncoding::parse(text) {
        Some(encoding) => Ok(encoding),
        None => exec_err!("{function}: unknown {parameter} '{text}'; expected {SPELLINGS_HELP}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_spelling_in_any_case() {
        for (text, expected) in [
            ("UTF8", PositionEncoding::Utf8),
            ("Utf-8", PositionEncoding::Utf8),
            ("UTF_8", PositionEncoding::Utf8),
            ("byte", PositionEncoding::Utf8),
            ("1", PositionEncoding::Utf8),
            ("utf16", PositionEncoding::Utf16),
            ("UTF-16", PositionEncoding::Utf16),
            ("2", PositionEncoding::Utf16),
            ("utf_32", PositionEncoding::Utf32),
            ("3", PositionEncoding::Utf32),
        ] {
            assert_eq!(PositionEncoding::parse(text), Some(expected), "{text}");
        }
        for text in ["", "utf", "utf 8", "4", "utf-8 ", "bytes", "ｕｔｆ８"] {
            assert_eq!(PositionEncoding::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for code in 1..=3 {
            let encoding = PositionEncoding::from_code(code).unwrap();
            assert_eq!(i64::from(encoding.code()), code);
        }
        assert_eq!(PositionEncoding::from_code(0), None);
    }
}
