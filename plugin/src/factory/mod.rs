//! `CREATE FUNCTION` through the plugin: the policy and the definition the
//! host registers (contract: `df_plugin_abi::function_factory`).
//!
//! Supported forms:
//! - `CREATE FUNCTION f(x BIGINT) RETURNS BIGINT RETURN $1 + 1` (also `$x`,
//!   `LANGUAGE sql`): a SQL macro;
//! - `... LANGUAGE aggregate RETURN count_distinct_agg($1)`,
//!   `... LANGUAGE window RETURN 'row_number_window'`,
//!   `... LANGUAGE table RETURN 'read_delta'`: an existing function under a
//!   new name, with its own volatility;
//! - `CREATE OR REPLACE FUNCTION`; `DROP FUNCTION [IF EXISTS]` is DataFusion's own.

mod policy;

use df_plugin_abi::function_factory::{CreateFunctionRequest, FunctionDefinition};

pub use policy::{Policy, default_policy, policy_from_options};

const VOLATILITIES: [&str; 3] = ["immutable", "stable", "volatile"];

/// Judges one `CREATE FUNCTION` against `policy`; the error names the rule.
pub fn create_function(
    request: &CreateFunctionRequest,
    policy: &Policy,
) -> Result<FunctionDefinition, String> {
    let refuse = |rule: &str, why: String| {
        Err(format!(
            "CREATE FUNCTION {} refused by the codeanatomy function policy ({rule}): {why}",
            request.name
        ))
    };
    let language = request
        .language
        .clone()
        .unwrap_or_else(|| "sql".to_string())
        .to_ascii_lowercase();
    if !policy.allowed_languages.contains(&language) {
        return refuse(
            "allowed_languages",
            format!(
                "language '{language}' is not allowed; allowed: {}",
                policy.allowed_languages.join(", ")
            ),
        );
    }
    let Some(body) = &request.body else {
        return refuse(
            "body",
            "a function body (RETURN ... or AS ...) is required".into(),
        );
    };
    if body.len() > policy.max_body_bytes {
        return refuse(
            "max_body_bytes",
            format!(
                "the body is {} bytes, the limit is {}",
                body.len(),
                policy.max_body_bytes
            ),
        );
    }
    if request.exists && !request.or_replace {
        return refuse(
            "replace",
            format!(
                "a function named {} already exists; use CREATE OR REPLACE FUNCTION",
                request.name
            ),
        );
    }
    let volatility = request
        .volatility
        .clone()
        .unwrap_or_else(|| policy.default_volatility.clone())
        .to_ascii_lowercase();
    if !VOLATILITIES.contains(&volatility.as_str()) {
        return refuse(
            "volatility",
            format!("unknown volatility '{volatility}'; use one of immutable, stable, volatile"),
        );
    }
    match language.as_str() {
        "sql" => Ok(FunctionDefinition::SqlMacro {
            name: request.name.clone(),
            volatility,
            named_arguments: policy.prefer_named_arguments
                && !request.args.is_empty()
                && request.args.iter().all(|a| a.name.is_some()),
        }),
        "aggregate" | "window" | "table" | "scalar" => {
            let Some(target) = request
                .body_call
                .clone()
                .or_else(|| request.body_literal.clone())
            else {
                return refuse(
                    "alias",
                    format!(
                        "LANGUAGE {language} needs the existing function as its body: \
                         RETURN <function>(...) or RETURN '<function name>'"
                    ),
                );
            };
            if target.eq_ignore_ascii_case(&request.name) {
                return refuse("alias", format!("{} cannot alias itself", request.name));
            }
            Ok(FunctionDefinition::Alias {
                name: request.name.clone(),
                language,
                target,
                volatility,
            })
        }
        other => refuse(
            "allowed_languages",
            format!("language '{other}' has no implementation in this plugin"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use df_plugin_abi::function_factory::FunctionArg;

    use super::*;

    fn request(language: Option<&str>, body: &str) -> CreateFunctionRequest {
        CreateFunctionRequest {
            name: "f".into(),
            or_replace: false,
            exists: false,
            args: vec![FunctionArg {
                name: Some("x".into()),
                data_type: "Int64".into(),
            }],
            return_type: Some("Int64".into()),
            language: language.map(Into::into),
            volatility: None,
            body: Some(body.into()),
            body_literal: None,
            body_call: None,
        }
    }

    #[test]
    fn sql_macro_gets_default_volatility_and_names() {
        let def = create_function(&request(None, "$1 + 1"), &default_policy()).unwrap();
        assert_eq!(
            def,
            FunctionDefinition::SqlMacro {
                name: "f".into(),
                volatility: "immutable".into(),
                named_arguments: true
            }
        );
    }

    #[test]
    fn each_rule_refuses_with_its_name() {
        let mut policy = default_policy();
        policy.allowed_languages = vec!["sql".into()];
        let err = create_function(&request(Some("window"), "'x'"), &policy).unwrap_err();
        assert!(err.contains("(allowed_languages)"), "{err}");
        policy.max_body_bytes = 3;
        let err = create_function(&request(None, "$1 + 1"), &policy).unwrap_err();
        assert!(err.contains("(max_body_bytes)"), "{err}");
        let mut existing = request(None, "$1");
        existing.exists = true;
        let err = create_function(&existing, &default_policy()).unwrap_err();
        assert!(err.contains("(replace)"), "{err}");
        existing.or_replace = true;
        assert!(create_function(&existing, &default_policy()).is_ok());
        let err =
            create_function(&request(Some("aggregate"), "$1 + 1"), &default_policy()).unwrap_err();
        assert!(err.contains("(alias)"), "{err}");
    }

    #[test]
    fn aliases_name_their_target() {
        let mut r = request(Some("window"), "'row_number_window'");
        r.body_literal = Some("row_number_window".into());
        r.volatility = Some("STABLE".into());
        let def = create_function(&r, &default_policy()).unwrap();
        assert_eq!(
            def,
            FunctionDefinition::Alias {
                name: "f".into(),
                language: "window".into(),
                target: "row_number_window".into(),
                volatility: "stable".into()
            }
        );
    }
}
