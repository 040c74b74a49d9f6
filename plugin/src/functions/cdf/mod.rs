//! Delta change data feed helpers and Arrow field metadata.
//!
//! The `cdf_*` functions read the `_change_type` column of a Delta change
//! data feed exactly as Delta writes it (see [`change_type`]);
//! `arrow_metadata` reads the field metadata that `semantic_tag` and
//! Delta's schemas put on columns.

use std::sync::Arc;

use datafusion::logical_expr::{DocSection, ScalarUDF};

mod change_type;

pub mod arrow_metadata;
pub mod cdf_change_rank;
pub mod cdf_is_delete;
pub mod cdf_is_upsert;

pub use arrow_metadata::ArrowMetadataFunc;
pub use cdf_change_rank::CdfChangeRankFunc;
pub use cdf_is_delete::CdfIsDeleteFunc;
pub use cdf_is_upsert::CdfIsUpsertFunc;

/// The documentation section every function of the family is listed under.
pub(crate) const DOC_SECTION: DocSection = DocSection {
    include: true,
    label: "CodeAnatomy Delta change feed and metadata",
    description: Some(
        "Classification of Delta change data feed `_change_type` values and access to \
         Arrow field metadata.",
    ),
};

/// Every function of the change feed and metadata family.
pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::new_from_impl(CdfChangeRankFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(CdfIsUpsertFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(CdfIsDeleteFunc::new())),
        Arc::new(ScalarUDF::new_from_impl(ArrowMetadataFunc::new())),
    ]
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::Int32Type;

    use super::*;
    use crate::functions::test_support::session;

    #[test]
    fn every_function_is_documented_under_the_family_section() {
        for udf in functions() {
            let Some(doc) = udf.documentation() else {
                panic!("{} has no documentation", udf.name());
            };
            assert_eq!(
                doc.doc_section.label,
                "CodeAnatomy Delta change feed and metadata",
                "{}",
                udf.name()
            );
            assert!(doc.syntax_example.starts_with(udf.name()), "{}", udf.name());
        }
    }

    /// The use the functions exist for: keep each key's latest state.
    #[tokio::test]
    async fn latest_state_per_key() {
        let batches = session()
            .sql(
                "SELECT id, cdf_change_rank(change) AS rank FROM (VALUES \
                   (1, 'insert'), (1, 'update_preimage'), (1, 'update_postimage'), \
                   (2, 'insert'), (2, 'delete'), (3, NULL)) AS t(id, change) \
                 WHERE NOT coalesce(cdf_is_delete(change), false) \
                 ORDER BY id, rank DESC",
            )
            .await
            .unwrap()
            .collect()
            .await
            .unwrap();
        let rows: Vec<(i64, Option<i32>)> = batches
            .iter()
            .flat_map(|batch| {
                let ids = batch
                    .column(0)
                    .as_primitive::<datafusion::arrow::datatypes::Int64Type>();
                let ranks = batch.column(1).as_primitive::<Int32Type>();
                (0..batch.num_rows())
                    .map(|row| {
                        (
                            ids.value(row),
                            ranks.is_valid(row).then(|| ranks.value(row)),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                (1, Some(3)),
                (1, Some(2)),
                (1, Some(0)),
                (2, Some(2)),
                (3, None)
            ]
        );
    }
}
