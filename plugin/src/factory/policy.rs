//! The `CREATE FUNCTION` policy and its install-time settings.

use df_plugin_abi::function_factory::FactoryPolicy;
use serde_json::Value;

/// The policy in force (see [`FactoryPolicy`]).
pub type Policy = FactoryPolicy;

/// The defaults: SQL macros and aliases of aggregate, window and table
/// functions; immutable unless stated; named arguments; bodies up to 4 KiB.
pub fn default_policy() -> Policy {
    FactoryPolicy {
        allowed_languages: ["sql", "aggregate", "window", "table"]
            .map(String::from)
            .to_vec(),
        default_volatility: "immutable".to_string(),
        prefer_named_arguments: true,
        max_body_bytes: 4096,
    }
}

/// The policy given by install options: `{"function_factory": {...}}`
/// overrides any of the default's fields.
pub fn policy_from_options(options: &serde_json::Map<String, Value>) -> Result<Policy, String> {
    let mut policy = serde_json::to_value(default_policy()).map_err(|e| e.to_string())?;
    if let Some(overrides) = options.get("function_factory") {
        let Value::Object(overrides) = overrides else {
            return Err(format!(
                "install option function_factory must be an object, got {overrides}"
            ));
        };
        let known = policy
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>());
        for (key, value) in overrides {
            if !known.as_ref().is_some_and(|k| k.contains(key)) {
                return Err(format!(
                    "unknown function_factory option '{key}'; known: allowed_languages, \
                     default_volatility, prefer_named_arguments, max_body_bytes"
                ));
            }
            policy[key] = value.clone();
        }
    }
    serde_json::from_value(policy).map_err(|e| format!("invalid function_factory option: {e}"))
}
