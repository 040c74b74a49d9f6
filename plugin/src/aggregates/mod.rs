//! The plugin's aggregate functions, one per file, each with its signature,
//! accumulator(s), `Documentation` and tests side by side.
//!
//! Shared machinery: [`udaf`] (one state type per family serving both the
//! `Accumulator` and the `GroupsAccumulator`), [`lanes`] (typed, vectorised
//! reads of values and keys), [`arg_types`] (argument planning), and the
//! engines of the two families, [`ordered_pick`] and [`distinct_values`].
//!
//! Names: DataFusion 55 has built-ins named `string_agg` and `any_value`;
//! the plugin's deterministic variants are `string_agg_det` and
//! `any_value_det`, so loading the plugin never replaces a built-in (a test
//! below checks every name against a default session).

use std::sync::Arc;

use datafusion::logical_expr::{AggregateUDF, DocSection};

use crate::config::CodeAnatomyConfig;

pub(crate) mod arg_types;
pub(crate) mod distinct_values;
pub(crate) mod lanes;
pub(crate) mod ordered_pick;
pub(crate) mod udaf;

pub mod any_value_det;
pub mod arg_max;
pub mod arg_min;
pub mod asof_select;
pub mod collect_set;
pub mod count_distinct_agg;
pub mod count_if;
pub mod first_value_agg;
pub mod last_value_agg;
pub mod list_unique;
pub mod string_agg_det;

#[cfg(test)]
pub(crate) mod test_support;

/// The documentation section every aggregate is listed under.
pub(crate) const DOC_SECTION: DocSection = DocSection {
    include: true,
    label: "CodeAnatomy aggregates",
    description: Some(
        "Deterministic aggregates: results never depend on input order or \
         partitioning (ties are broken by value, lists are sorted).",
    ),
};

/// Every aggregate UDF the plugin ships, in registry order.
pub fn aggregate_udfs(defaults: &CodeAnatomyConfig) -> Vec<Arc<AggregateUDF>> {
    let _ = defaults;
    vec![
        list_unique::list_unique(),
        collect_set::collect_set(),
        count_distinct_agg::count_distinct_agg(),
        count_if::count_if(),
        any_value_det::any_value_det(),
        arg_max::arg_max(),
        arg_min::arg_min(),
        asof_select::asof_select(),
        first_value_agg::first_value_agg(),
        last_value_agg::last_value_agg(),
        string_agg_det::string_agg_det(),
    ]
}

#[cfg(test)]
pub(crate) mod doc_examples {
    //! Checks shared by the aggregate and window families: documentation
    //! shape, documentation examples (the SQL is run and its output compared
    //! with the printed table), and names that must not shadow built-ins.

    use datafusion::arrow::util::pretty::pretty_format_batches;
    use datafusion::logical_expr::{Documentation, Signature};
    use datafusion::prelude::{SessionConfig, SessionContext};

    /// `doc` exists, sits in `section`, has a syntax example starting with
    /// `name`, and documents exactly the signature's parameters, in order.
    pub(crate) fn check_shape(
        name: &str,
        signature: &Signature,
        doc: Option<&Documentation>,
        section: &str,
    ) {
        let Some(doc) = doc else {
            panic!("{name} has no documentation");
        };
        assert_eq!(doc.doc_section.label, section, "{name}");
        assert!(doc.syntax_example.starts_with(name), "{name}");
        let parameters = signature.parameter_names.clone().unwrap_or_default();
        let arguments: Vec<String> = doc
            .arguments
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|(argument, _)| argument)
            .collect();
        assert_eq!(arguments, parameters, "{name}");
    }

    /// Registering a function under a built-in's name (or alias) would
    /// silently replace the built-in in every session that loads the plugin.
    pub(crate) fn assert_no_builtin<'a>(names: impl IntoIterator<Item = &'a str>) {
        let state = SessionContext::new().state();
        for name in names {
            assert!(
                !state.aggregate_functions().contains_key(name)
                    && !state.window_functions().contains_key(name)
                    && !state.scalar_functions().contains_key(name),
                "{name} is a DataFusion built-in"
            );
        }
    }

    use super::test_support::session;

    /// Checks the example of `doc` (SQL after `> `, then the table).
    pub(crate) async fn check(name: &str, doc: &Documentation) {
        let example = doc
            .sql_example
            .as_deref()
            .unwrap_or_else(|| panic!("{name} has no SQL example"));
        let lines: Vec<&str> = example
            .lines()
            .filter(|line| !line.starts_with("```"))
            .collect();
        let split = lines
            .iter()
            .position(|line| line.starts_with('+'))
            .unwrap_or_else(|| panic!("{name}: example without a table"));
        let sql = lines[..split]
            .iter()
            .map(|line| line.trim_start_matches("> ").trim())
            .collect::<Vec<_>>()
            .join(" ");
        let expected = lines[split..].join("\n");
        let batches = session(SessionConfig::new())
            .sql(&sql)
            .await
            .unwrap_or_else(|e| panic!("{name}: {sql}: {e}"))
            .collect()
            .await
            .unwrap_or_else(|e| panic!("{name}: {sql}: {e}"));
        let actual = pretty_format_batches(&batches).unwrap().to_string();
        assert_eq!(actual.trim(), expected.trim(), "{name}: {sql}");
    }
}

#[cfg(test)]
mod tests {
    use datafusion::prelude::SessionContext;

    use super::*;

    #[test]
    fn every_aggregate_is_documented_under_the_family_section() {
        for udaf in aggregate_udfs(&CodeAnatomyConfig::default()) {
            doc_examples::check_shape(
                udaf.name(),
                udaf.signature(),
                udaf.documentation(),
                "CodeAnatomy aggregates",
            );
        }
    }

    #[tokio::test]
    async fn documentation_examples_hold() {
        for udaf in aggregate_udfs(&CodeAnatomyConfig::default()) {
            doc_examples::check(udaf.name(), udaf.documentation().unwrap()).await;
        }
    }

    #[test]
    fn no_name_shadows_a_builtin() {
        for udaf in aggregate_udfs(&CodeAnatomyConfig::default()) {
            doc_examples::assert_no_builtin(
                std::iter::once(udaf.name()).chain(udaf.aliases().iter().map(String::as_str)),
            );
        }
        let state = SessionContext::new().state();
        assert!(state.aggregate_functions().contains_key("string_agg"));
        assert!(state.aggregate_functions().contains_key("any_value"));
    }
}
