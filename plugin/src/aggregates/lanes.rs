//! Typed access to the values the aggregates compare, keep and emit.
//!
//! A [`Lane`] reads one column of a batch without building a `ScalarValue`
//! per row, orders values, keeps the ones an accumulator needs across
//! batches, and builds the output array. The fast lanes are `Int32`,
//! `Int64`, `Float64` (IEEE 754 total order: `-0.0 < 0.0`, NaN after every
//! number) and `Utf8` (byte order); every other orderable type goes through
//! [`RowsLane`], which keeps Arrow's row format, whose byte order is the
//! type's sort order. [`with_lane`] picks the lane for a planning type.

use std::cmp::Ordering;
use std::fmt::Debug;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, ArrowPrimitiveType, AsArray, Float64Array, PrimitiveArray, StringArray,
    new_null_array,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type};
use datafusion::arrow::row::{RowConverter, Rows, SortField};
use datafusion::common::{DataFusionError, HashMap, Result, internal_err};

/// Distinct kept values and how many rows each stands for. Hashed, not
/// ordered: lookups are the hot path (one per row and per merged state
/// element); the output is sorted once when it is built.
pub(crate) type CountedSet<K> = HashMap<K, u64>;

/// One way of reading, ordering, keeping and emitting the values of a type.
pub(crate) trait Lane: Debug + Send + Sync + 'static {
    /// A value read from a batch (cheap to copy; borrows the batch).
    type Ref<'v>: Copy;
    /// A value kept across batches.
    type Owned: Ord + Hash + Clone + Default + Debug + Send + Sync;
    /// A batch column, ready for reads.
    type View<'a>;

    /// The planning type of the values.
    fn data_type(&self) -> &DataType;

    /// Prepares `array` (of [`Self::data_type`]) for reads.
    fn view<'a>(&self, array: &'a ArrayRef) -> Result<Self::View<'a>>;

    /// The value at `row` (the caller checks validity first).
    fn get<'v>(view: &'v Self::View<'_>, row: usize) -> Self::Ref<'v>;

    /// Orders a read value against a kept one.
    fn cmp(value: Self::Ref<'_>, kept: &Self::Owned) -> Ordering;

    /// Overwrites `kept` with `value`, reusing its allocation.
    fn store(value: Self::Ref<'_>, kept: &mut Self::Owned);

    /// A kept copy of `value`.
    fn to_owned(value: Self::Ref<'_>) -> Self::Owned {
        let mut kept = Self::Owned::default();
        Self::store(value, &mut kept);
        kept
    }

    /// The counter of `value` in a counted set, if present.
    fn counter<'m>(
        map: &'m mut CountedSet<Self::Owned>,
        value: Self::Ref<'_>,
    ) -> Option<&'m mut u64>;

    /// Removes `value` from a counted set, returning the kept copy.
    fn remove(map: &mut CountedSet<Self::Owned>, value: Self::Ref<'_>) -> Option<Self::Owned>;

    /// An array of [`Self::data_type`] with one element per item (`None` is
    /// NULL).
    fn build<'a, I>(&self, items: I) -> Result<ArrayRef>
    where
        I: IntoIterator<Item = Option<&'a Self::Owned>>,
        Self::Owned: 'a;

    /// Heap bytes held by a kept value.
    fn heap_size(_kept: &Self::Owned) -> usize {
        0
    }
}

/// Something to do with the lane of a type, see [`with_lane`].
pub(crate) trait LaneVisitor {
    /// What the visit makes.
    type Output;
    /// Called with the lane chosen for the type.
    fn visit<L: Lane>(self, lane: L) -> Result<Self::Output>;
}

/// Calls `visitor` with the lane of `data_type` (a planning type, see
/// [`super::arg_types::coerce_value_type`]).
pub(crate) fn with_lane<V: LaneVisitor>(data_type: &DataType, visitor: V) -> Result<V::Output> {
    match data_type {
        DataType::Int32 => visitor.visit(IntLane::<Int32Type>::new()),
        DataType::Int64 => visitor.visit(IntLane::<Int64Type>::new()),
        DataType::Float64 => visitor.visit(Float64Lane::new()),
        DataType::Utf8 => visitor.visit(Utf8Lane::new()),
        other => visitor.visit(RowsLane::try_new(other)?),
    }
}

/// `array` as `data_type`: unchanged when it already is (the planner casts
/// arguments to the coerced types), cast otherwise (direct callers).
pub(crate) fn as_type(array: &ArrayRef, data_type: &DataType) -> Result<ArrayRef> {
    if array.data_type() == data_type {
        Ok(Arc::clone(array))
    } else {
        Ok(cast(array, data_type)?)
    }
}

/// `Int32` and `Int64`.
#[derive(Debug)]
pub(crate) struct IntLane<T: ArrowPrimitiveType> {
    data_type: DataType,
    _type: PhantomData<T>,
}

impl<T: ArrowPrimitiveType> IntLane<T> {
    fn new() -> Self {
        IntLane {
            data_type: T::DATA_TYPE,
            _type: PhantomData,
        }
    }
}

impl<T> Lane for IntLane<T>
where
    T: ArrowPrimitiveType + Debug + Send + Sync,
    T::Native: Ord + Hash + Default + Debug,
{
    type Ref<'v> = T::Native;
    type Owned = T::Native;
    type View<'a> = &'a [T::Native];

    fn data_type(&self) -> &DataType {
        &self.data_type
    }

    fn view<'a>(&self, array: &'a ArrayRef) -> Result<&'a [T::Native]> {
        match array.as_primitive_opt::<T>() {
            Some(array) => Ok(array.values()),
            None => internal_err!(
                "expected {} values, got {}",
                T::DATA_TYPE,
                array.data_type()
            ),
        }
    }

    #[inline]
    fn get(view: &&[T::Native], row: usize) -> T::Native {
        view[row]
    }

    #[inline]
    fn cmp(value: T::Native, kept: &T::Native) -> Ordering {
        value.cmp(kept)
    }

    #[inline]
    fn store(value: T::Native, kept: &mut T::Native) {
        *kept = value;
    }

    fn counter(map: &mut CountedSet<T::Native>, value: T::Native) -> Option<&mut u64> {
        map.get_mut(&value)
    }

    fn remove(map: &mut CountedSet<T::Native>, value: T::Native) -> Option<T::Native> {
        map.remove_entry(&value).map(|(kept, _)| kept)
    }

    fn build<'a, I>(&self, items: I) -> Result<ArrayRef>
    where
        I: IntoIterator<Item = Option<&'a T::Native>>,
    {
        let array: PrimitiveArray<T> = items.into_iter().map(|item| item.copied()).collect();
        Ok(Arc::new(array))
    }
}

/// An `f64` ordered by IEEE 754 total order (`f64::total_cmp`), so it can be
/// kept in sets and sorted; `-0.0` and `0.0` are distinct, and so are NaNs with
/// different bits.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TotalF64(pub f64);

impl PartialEq for TotalF64 {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for TotalF64 {}

// Equal in total order means equal bits, so the bits are the hash.
impl Hash for TotalF64 {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state);
    }
}

impl PartialOrd for TotalF64 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for TotalF64 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// `Float64`, in total order.
#[derive(Debug)]
pub(crate) struct Float64Lane {
    data_type: DataType,
}

impl Float64Lane {
    fn new() -> Self {
        Float64Lane {
            data_type: DataType::Float64,
        }
    }
}

impl Lane for Float64Lane {
    type Ref<'v> = f64;
    type Owned = TotalF64;
    type View<'a> = &'a [f64];

    fn data_type(&self) -> &DataType {
        &self.data_type
    }

    fn view<'a>(&self, array: &'a ArrayRef) -> Result<&'a [f64]> {
        match array.as_primitive_opt::<Float64Type>() {
            Some(array) => Ok(array.values()),
            None => internal_err!("expected Float64 values, got {}", array.data_type()),
        }
    }

    #[inline]
    fn get(view: &&[f64], row: usize) -> f64 {
        view[row]
    }

    #[inline]
    fn cmp(value: f64, kept: &TotalF64) -> Ordering {
        value.total_cmp(&kept.0)
    }

    #[inline]
    fn store(value: f64, kept: &mut TotalF64) {
        kept.0 = value;
    }

    fn counter(map: &mut CountedSet<TotalF64>, value: f64) -> Option<&mut u64> {
        map.get_mut(&TotalF64(value))
    }

    fn remove(map: &mut CountedSet<TotalF64>, value: f64) -> Option<TotalF64> {
        map.remove_entry(&TotalF64(value)).map(|(kept, _)| kept)
    }

    fn build<'a, I>(&self, items: I) -> Result<ArrayRef>
    where
        I: IntoIterator<Item = Option<&'a TotalF64>>,
    {
        let array: Float64Array = items.into_iter().map(|item| item.map(|v| v.0)).collect();
        Ok(Arc::new(array))
    }
}

/// `Utf8`, in byte order.
#[derive(Debug)]
pub(crate) struct Utf8Lane {
    data_type: DataType,
}

impl Utf8Lane {
    fn new() -> Self {
        Utf8Lane {
            data_type: DataType::Utf8,
        }
    }
}

impl Lane for Utf8Lane {
    type Ref<'v> = &'v str;
    type Owned = String;
    type View<'a> = &'a StringArray;

    fn data_type(&self) -> &DataType {
        &self.data_type
    }

    fn view<'a>(&self, array: &'a ArrayRef) -> Result<&'a StringArray> {
        match array.as_string_opt::<i32>() {
            Some(array) => Ok(array),
            None => internal_err!("expected Utf8 values, got {}", array.data_type()),
        }
    }

    #[inline]
    fn get<'v>(view: &'v &StringArray, row: usize) -> &'v str {
        view.value(row)
    }

    #[inline]
    fn cmp(value: &str, kept: &String) -> Ordering {
        value.cmp(kept.as_str())
    }

    #[inline]
    fn store(value: &str, kept: &mut String) {
        kept.clear();
        kept.push_str(value);
    }

    fn counter<'m>(map: &'m mut CountedSet<String>, value: &str) -> Option<&'m mut u64> {
        map.get_mut(value)
    }

    fn remove(map: &mut CountedSet<String>, value: &str) -> Option<String> {
        map.remove_entry(value).map(|(kept, _)| kept)
    }

    fn build<'a, I>(&self, items: I) -> Result<ArrayRef>
    where
        I: IntoIterator<Item = Option<&'a String>>,
    {
        let array: StringArray = items
            .into_iter()
            .map(|item| item.map(String::as_str))
            .collect();
        Ok(Arc::new(array))
    }

    fn heap_size(kept: &String) -> usize {
        kept.capacity()
    }
}

/// Any other orderable type, kept in Arrow's row format (whose bytes compare
/// in the type's sort order, NULLs first).
#[derive(Debug)]
pub(crate) struct RowsLane {
    data_type: DataType,
    converter: RowConverter,
    /// The row of a NULL, emitted for groups with nothing kept.
    null_row: Vec<u8>,
}

impl RowsLane {
    fn try_new(data_type: &DataType) -> Result<Self> {
        let converter = RowConverter::new(vec![SortField::new(data_type.clone())])?;
        let nulls = converter.convert_columns(&[new_null_array(data_type, 1)])?;
        let null_row = nulls.row(0).data().to_vec();
        Ok(RowsLane {
            data_type: data_type.clone(),
            converter,
            null_row,
        })
    }
}

impl Lane for RowsLane {
    type Ref<'v> = &'v [u8];
    type Owned = Vec<u8>;
    type View<'a> = Rows;

    fn data_type(&self) -> &DataType {
        &self.data_type
    }

    fn view(&self, array: &ArrayRef) -> Result<Rows> {
        self.converter
            .convert_columns(std::slice::from_ref(array))
            .map_err(DataFusionError::from)
    }

    #[inline]
    fn get(view: &Rows, row: usize) -> &[u8] {
        view.row(row).data()
    }

    #[inline]
    fn cmp(value: &[u8], kept: &Vec<u8>) -> Ordering {
        value.cmp(kept.as_slice())
    }

    #[inline]
    fn store(value: &[u8], kept: &mut Vec<u8>) {
        kept.clear();
        kept.extend_from_slice(value);
    }

    fn counter<'m>(map: &'m mut CountedSet<Vec<u8>>, value: &[u8]) -> Option<&'m mut u64> {
        map.get_mut(value)
    }

    fn remove(map: &mut CountedSet<Vec<u8>>, value: &[u8]) -> Option<Vec<u8>> {
        map.remove_entry(value).map(|(kept, _)| kept)
    }

    fn build<'a, I>(&self, items: I) -> Result<ArrayRef>
    where
        I: IntoIterator<Item = Option<&'a Vec<u8>>>,
    {
        let parser = self.converter.parser();
        let rows = items.into_iter().map(|item| {
            parser.parse(match item {
                Some(row) if !row.is_empty() => row.as_slice(),
                _ => self.null_row.as_slice(),
            })
        });
        let mut columns = self.converter.convert_rows(rows)?;
        match columns.pop() {
            Some(column) => Ok(column),
            None => internal_err!("row conversion of {} returned no column", self.data_type),
        }
    }

    fn heap_size(kept: &Vec<u8>) -> usize {
        kept.capacity()
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{BooleanArray, Date32Array, Int64Array};

    use super::*;

    struct RoundTrip(ArrayRef);

    impl LaneVisitor for RoundTrip {
        type Output = (ArrayRef, Vec<Ordering>);

        /// Keeps every valid value, orders each against the first one and
        /// builds the values back (NULLs where the input had them).
        fn visit<L: Lane>(self, lane: L) -> Result<Self::Output> {
            let view = lane.view(&self.0)?;
            let kept: Vec<Option<L::Owned>> = (0..self.0.len())
                .map(|row| {
                    self.0
                        .is_valid(row)
                        .then(|| L::to_owned(L::get(&view, row)))
                })
                .collect();
            let first = kept[0].clone().unwrap();
            let order = (0..self.0.len())
                .filter(|row| self.0.is_valid(*row))
                .map(|row| L::cmp(L::get(&view, row), &first))
                .collect();
            Ok((lane.build(kept.iter().map(Option::as_ref))?, order))
        }
    }

    fn round_trip(array: ArrayRef) -> (ArrayRef, Vec<Ordering>) {
        with_lane(&array.data_type().clone(), RoundTrip(Arc::clone(&array))).unwrap()
    }

    #[test]
    fn every_lane_round_trips_and_orders() {
        use Ordering::*;
        let cases: Vec<(ArrayRef, Vec<Ordering>)> = vec![
            (
                Arc::new(Int64Array::from(vec![Some(5), None, Some(-3), Some(5)])),
                vec![Equal, Less, Equal],
            ),
            (
                Arc::new(Float64Array::from(vec![
                    Some(0.0),
                    Some(-0.0),
                    Some(f64::NAN),
                    None,
                ])),
                vec![Equal, Less, Greater],
            ),
            (
                Arc::new(StringArray::from(vec![
                    Some("b"),
                    Some("a"),
                    None,
                    Some("é"),
                ])),
                vec![Equal, Less, Greater],
            ),
            (
                Arc::new(BooleanArray::from(vec![Some(true), None, Some(false)])),
                vec![Equal, Less],
            ),
            (
                Arc::new(Date32Array::from(vec![Some(10), Some(11), None, Some(-1)])),
                vec![Equal, Greater, Less],
            ),
        ];
        for (array, expected) in cases {
            let (built, order) = round_trip(Arc::clone(&array));
            assert_eq!(&built, &array, "{}", array.data_type());
            assert_eq!(order, expected, "{}", array.data_type());
        }
    }

    #[test]
    fn counted_sets_find_and_remove_by_reference() {
        let mut map = CountedSet::default();
        map.insert("a".to_string(), 2);
        *Utf8Lane::counter(&mut map, "a").unwrap() += 1;
        assert_eq!(map["a"], 3);
        assert_eq!(Utf8Lane::remove(&mut map, "a").as_deref(), Some("a"));
        assert!(map.is_empty());
        assert!(Utf8Lane::counter(&mut map, "a").is_none());
    }
}
