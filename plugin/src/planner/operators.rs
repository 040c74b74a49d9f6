//! The operator mapping (see the module table in [`super`]).

use std::str::FromStr;

use datafusion::arrow::datatypes::DataType;
use df_plugin_abi::planner::{OperatorPlan, OperatorRequest, PlanExpr};

/// Field names that make a struct a span (the span type of the function
/// library); metadata does not travel with types, names do.
const SPAN_FIELDS: [&str; 5] = ["bstart", "bend", "line_base", "col_unit", "end_exclusive"];

/// Plans one operator, or explains why a recognised operator cannot apply.
pub fn plan_operator(request: &OperatorRequest) -> Result<OperatorPlan, String> {
    let left = DataType::from_str(&request.left_type)
        .map_err(|e| format!("unreadable left operand type {:?}: {e}", request.left_type))?;
    let right = DataType::from_str(&request.right_type).map_err(|e| {
        format!(
            "unreadable right operand type {:?}: {e}",
            request.right_type
        )
    })?;
    let keyed = matches!(left, DataType::Struct(_) | DataType::Map(..));
    if keyed
        && matches!(left, DataType::Struct(_))
        && matches!(request.op.as_str(), "->" | "->>")
        && request.right_literal.is_none()
    {
        // Struct fields are resolved at planning time, so the name must be
        // known then. A common cause: `s -> 'k' = 'v'` parses as
        // `s -> ('k' = 'v')`; parentheses fix it.
        return Err(format!(
            "operator {} on a struct needs a literal field name (got an expression of type {}); \
             write (s {} 'field') when comparing the result",
            request.op, request.right_type, request.op
        ));
    }
    let plan = match request.op.as_str() {
        "->" if keyed => rewrite(field(PlanExpr::Left, PlanExpr::Right)),
        "->>" if keyed => rewrite(text(field(PlanExpr::Left, PlanExpr::Right))),
        "#>" if keyed => rewrite(path(request)?),
        "#>>" if keyed => rewrite(text(path(request)?)),
        "@>" if is_span(&left) && is_span(&right) => {
            rewrite(call("span_contains", vec![PlanExpr::Left, PlanExpr::Right]))
        }
        "<@" if is_span(&left) && is_span(&right) => {
            rewrite(call("span_contains", vec![PlanExpr::Right, PlanExpr::Left]))
        }
        "&&" if is_span(&left) && is_span(&right) => {
            rewrite(call("span_overlaps", vec![PlanExpr::Left, PlanExpr::Right]))
        }
        _ => OperatorPlan::Original,
    };
    Ok(plan)
}

fn is_span(t: &DataType) -> bool {
    let DataType::Struct(fields) = t else {
        return false;
    };
    fields.len() == SPAN_FIELDS.len()
        && SPAN_FIELDS
            .iter()
            .all(|name| fields.iter().any(|f| f.name() == name))
}

fn rewrite(expr: PlanExpr) -> OperatorPlan {
    OperatorPlan::Rewrite { expr }
}

fn call(function: &str, args: Vec<PlanExpr>) -> PlanExpr {
    PlanExpr::Call {
        function: function.to_string(),
        args,
    }
}

fn field(container: PlanExpr, key: PlanExpr) -> PlanExpr {
    call("get_field", vec![container, key])
}

fn text(expr: PlanExpr) -> PlanExpr {
    PlanExpr::Cast {
        expr: Box::new(expr),
        to: "Utf8".to_string(),
    }
}

/// `'{a,b}'` (PostgreSQL's text-array path) or `'a'` → nested field access.
fn path(request: &OperatorRequest) -> Result<PlanExpr, String> {
    let Some(literal) = &request.right_literal else {
        return Err(format!(
            "operator {} on a struct or map needs a literal path such as '{{a,b}}'",
            request.op
        ));
    };
    let inner = literal
        .trim()
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(literal.trim());
    let keys: Vec<&str> = inner.split(',').map(str::trim).collect();
    if keys.iter().any(|k| k.is_empty()) {
        return Err(format!(
            "operator {}: path {literal:?} has an empty key",
            request.op
        ));
    }
    Ok(keys.into_iter().fold(PlanExpr::Left, |acc, key| {
        field(acc, PlanExpr::Text(key.to_string()))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPAN: &str = "Struct(\"bstart\": Int64, \"bend\": Int64, \"line_base\": Int32, \"col_unit\": Utf8, \"end_exclusive\": Boolean)";

    fn request(op: &str, left: &str, right: &str, literal: Option<&str>) -> OperatorRequest {
        OperatorRequest {
            op: op.into(),
            left_type: left.into(),
            right_type: right.into(),
            right_literal: literal.map(Into::into),
        }
    }

    fn span_type() -> String {
        // Built from the real type so the test follows DataFusion's printing.
        use datafusion::arrow::datatypes::Field;
        DataType::Struct(
            vec![
                Field::new("bstart", DataType::Int64, true),
                Field::new("bend", DataType::Int64, true),
                Field::new("line_base", DataType::Int32, true),
                Field::new("col_unit", DataType::Utf8, true),
                Field::new("end_exclusive", DataType::Boolean, true),
            ]
            .into(),
        )
        .to_string()
    }

    #[test]
    fn span_type_text_round_trips() {
        let t = span_type();
        assert!(is_span(&DataType::from_str(&t).unwrap()), "{t} vs {SPAN}");
    }

    #[test]
    fn spans_map_to_span_functions() {
        let s = span_type();
        let plan = plan_operator(&request("@>", &s, &s, None)).unwrap();
        assert_eq!(
            plan,
            rewrite(call("span_contains", vec![PlanExpr::Left, PlanExpr::Right]))
        );
        let plan = plan_operator(&request("<@", &s, &s, None)).unwrap();
        assert_eq!(
            plan,
            rewrite(call("span_contains", vec![PlanExpr::Right, PlanExpr::Left]))
        );
        let plan = plan_operator(&request("&&", &s, &s, None)).unwrap();
        assert_eq!(
            plan,
            rewrite(call("span_overlaps", vec![PlanExpr::Left, PlanExpr::Right]))
        );
    }

    #[test]
    fn lists_and_scalars_are_left_to_the_host() {
        let list = DataType::new_list(DataType::Int64, true).to_string();
        for op in ["@>", "<@", "&&", "->"] {
            assert_eq!(
                plan_operator(&request(op, &list, &list, None)).unwrap(),
                OperatorPlan::Original,
                "{op}"
            );
        }
        assert_eq!(
            plan_operator(&request("->", "Int64", "Utf8", None)).unwrap(),
            OperatorPlan::Original
        );
    }

    #[test]
    fn paths_nest_field_access() {
        let s = "Struct(\"a\": Struct(\"b\": Int64))";
        let plan = plan_operator(&request("#>>", s, "Utf8", Some("{a, b}"))).unwrap();
        let inner = field(
            field(PlanExpr::Left, PlanExpr::Text("a".into())),
            PlanExpr::Text("b".into()),
        );
        assert_eq!(plan, rewrite(text(inner)));
        let err = plan_operator(&request("#>", s, "Utf8", None)).unwrap_err();
        assert!(err.contains("needs a literal path"), "{err}");
        let err = plan_operator(&request("#>", s, "Utf8", Some("{a,}"))).unwrap_err();
        assert!(err.contains("empty key"), "{err}");
    }
}
