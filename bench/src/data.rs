//! Deterministic inputs, built directly as Arrow arrays so that building
//! them costs little next to what is measured, and every variant of a
//! scenario sees exactly the same bytes.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Float64Array, Int64Array, RecordBatch, StringBuilder, StructArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};
use datafusion::catalog::MemTable;
use datafusion::common::Result;

/// splitmix64: a fast, well-mixed, seedable sequence; `mix(i)` is the i-th
/// value, so columns can be generated in any order.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Qualified names of about 35 bytes (`pkg12.module_0421.Class7.method_…`);
/// one row in eight is non-ASCII text with extra whitespace, so
/// normalisation leaves its ASCII fast path as real code does.
pub fn qualnames(rows: usize) -> ArrayRef {
    let mut b = StringBuilder::with_capacity(rows, rows * 36);
    for i in 0..rows {
        let r = mix(i as u64);
        if r.is_multiple_of(8) {
            b.append_value(format!("  Straße  Größe_{}  Ǆemo {} ", r % 9973, i));
        } else {
            b.append_value(format!(
                "pkg{}.module_{:04}.Class{}.method_{}",
                r % 97,
                (r >> 8) % 5003,
                (r >> 24) % 31,
                i
            ));
        }
    }
    Arc::new(b.finish())
}

/// Source lines with ASCII, Latin-1, CJK and astral characters, and a
/// column inside each (in UTF-16 code units) for `col_to_byte`.
pub fn lines_and_columns(rows: usize) -> (ArrayRef, ArrayRef) {
    const LINES: [&str; 6] = [
        "    let value = compute(x, y); // plain ASCII line of code",
        "    café = naïve_fn(crème, brûlée)  # Latin-1 accents",
        "    名前 = \"日本語のテキスト\"  // CJK identifiers",
        "    emoji = \"🎉🚀 launch\" + suffix  # astral plane",
        "\treturn self.über_field.get(\"ключ\")",
        "x = 1",
    ];
    let utf16_len: Vec<u64> = LINES
        .iter()
        .map(|l| l.encode_utf16().count() as u64)
        .collect();
    let mut text = StringBuilder::with_capacity(rows, rows * 48);
    let mut cols = Vec::with_capacity(rows);
    for i in 0..rows {
        let r = mix(i as u64);
        let k = (r % LINES.len() as u64) as usize;
        text.append_value(LINES[k]);
        let mut col = (r >> 16) % (utf16_len[k] + 1);
        // Not inside a surrogate pair: the function would (rightly) refuse it.
        let units: Vec<u16> = LINES[k].encode_utf16().collect();
        while col > 0
            && (col as usize) < units.len()
            && (0xDC00..0xE000).contains(&units[col as usize])
        {
            col -= 1;
        }
        cols.push(col as i64);
    }
    (Arc::new(text.finish()), Arc::new(Int64Array::from(cols)))
}

/// Two span columns (`{bstart, bend}` structs, the fields span readers
/// need) where the second is inside the first about half of the time.
pub fn span_pairs(rows: usize) -> (ArrayRef, ArrayRef) {
    let fields = Fields::from(vec![
        Field::new("bstart", DataType::Int64, false),
        Field::new("bend", DataType::Int64, false),
    ]);
    let (mut a0, mut a1, mut b0, mut b1) = (
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
        Vec::with_capacity(rows),
    );
    for i in 0..rows {
        let r = mix(i as u64);
        let start = (r % 1_000_000) as i64;
        let len = ((r >> 20) % 500) as i64 + 1;
        let inner_start = start + ((r >> 30) % 600) as i64 - 50;
        let inner_len = ((r >> 40) % 200) as i64;
        a0.push(start);
        a1.push(start + len);
        b0.push(inner_start);
        b1.push(inner_start + inner_len);
    }
    let span = |s: Vec<i64>, e: Vec<i64>| -> ArrayRef {
        Arc::new(StructArray::new(
            fields.clone(),
            vec![Arc::new(Int64Array::from(s)), Arc::new(Int64Array::from(e))],
            None,
        ))
    };
    (span(a0, a1), span(b0, b1))
}

/// Group keys with exactly `groups` distinct values (when `rows >=
/// groups`), each on the same number of rows, in a scrambled order: every
/// block of `groups` consecutive rows is a permutation (7919 is a prime that
/// divides no power of ten, so it is coprime to the group counts used).
pub fn group_keys(rows: usize, groups: usize) -> ArrayRef {
    let groups = groups as u64;
    Arc::new(Int64Array::from_iter_values(
        (0..rows as u64).map(|i| ((i.wrapping_mul(7919) + 13) % groups) as i64),
    ))
}

/// Integers with `distinct` distinct values.
pub fn small_ints(rows: usize, distinct: u64) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(
        (0..rows).map(|i| (mix(i as u64 ^ 0x5A5A) % distinct) as i64),
    ))
}

/// Short names (`n12345`) for arg_max's value.
pub fn names(rows: usize) -> ArrayRef {
    let mut b = StringBuilder::with_capacity(rows, rows * 7);
    for i in 0..rows {
        b.append_value(format!("n{}", mix(i as u64 ^ 0x77) % 100_000));
    }
    Arc::new(b.finish())
}

/// Scores in [0, 1) for arg_max's key.
pub fn scores(rows: usize) -> ArrayRef {
    Arc::new(Float64Array::from_iter_values((0..rows).map(|i| {
        (mix(i as u64 ^ 0x1234) >> 11) as f64 / (1u64 << 53) as f64
    })))
}

/// A table of the given columns cut into batches of `batch_size` rows and
/// dealt round-robin over `partitions` partitions (one per core, as
/// DataFusion would scan it).
pub fn mem_table(
    columns: Vec<(&str, ArrayRef)>,
    batch_size: usize,
    partitions: usize,
) -> Result<(SchemaRef, MemTable)> {
    let schema: SchemaRef = Arc::new(Schema::new(
        columns
            .iter()
            .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
            .collect::<Vec<_>>(),
    ));
    let rows = columns.first().map(|(_, a)| a.len()).unwrap_or(0);
    let arrays: Vec<ArrayRef> = columns.into_iter().map(|(_, a)| a).collect();
    let whole = RecordBatch::try_new(Arc::clone(&schema), arrays)?;
    let partitions = partitions.max(1);
    let mut parts: Vec<Vec<RecordBatch>> = vec![Vec::new(); partitions];
    let mut offset = 0;
    let mut k = 0;
    while offset < rows {
        let len = batch_size.min(rows - offset);
        // Sliced batches share the buffers: no copy per batch size.
        parts[k % partitions].push(whole.slice(offset, len));
        offset += len;
        k += 1;
    }
    let table = MemTable::try_new(Arc::clone(&schema), parts)?;
    Ok((schema, table))
}
