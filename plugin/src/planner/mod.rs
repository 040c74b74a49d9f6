//! The plugin's expression planners: a small, clear mapping from operator
//! syntax and operand types to function calls (contract:
//! `df_plugin_abi::planner`).
//!
//! | operator | operands | becomes |
//! |---|---|---|
//! | `a -> k` | Struct or Map, key | `get_field(a, k)` |
//! | `a ->> k` | Struct or Map, key | `CAST(get_field(a, k) AS Utf8)` |
//! | `a #> '{k1,k2}'` | Struct or Map, literal path | `get_field(get_field(a, 'k1'), 'k2')` |
//! | `a #>> '{k1,k2}'` | Struct or Map, literal path | the same, cast to Utf8 |
//! | `a @> b` | span, span | `span_contains(a, b)` |
//! | `a <@ b` | span, span | `span_contains(b, a)` |
//! | `a && b` | span, span | `span_overlaps(a, b)` |
//!
//! Everything else — lists under `@>` / `<@` included, which DataFusion 55
//! plans itself — is answered "original" and left to the host.

mod operators;

pub use operators::plan_operator;
