//! The plugin's configurable defaults: set at load time (install options)
//! and, per session, with `SET codeanatomy_udf.<key> = ...`.
//!
//! In-process the session holds a [`CodeAnatomyConfig`] extension. Through
//! the dylib the host registers datafusion-ffi's generic
//! `FFI_ExtensionOptions`, and the options reach the plugin as plain
//! `key = value` pairs (sometimes under an extra `datafusion_ffi.`
//! namespace, depending on which side built them); [`resolve`] reads every
//! form, so functions see one typed value either way.

use datafusion::common::config::{ConfigExtension, ConfigOptions, ExtensionOptions};
use datafusion::common::extensions_options;
use datafusion::common::{Result, plan_err};
use datafusion::config::DATAFUSION_FFI_CONFIG_NAMESPACE;

extensions_options! {
    /// Defaults of the CodeAnatomy functions.
    pub struct CodeAnatomyConfig {
        /// Default `line_base` of `span_make` (0 or 1).
        pub span_line_base: i32, default = 0
        /// Default `col_unit` of `span_make`: byte, utf8, utf16 or utf32.
        pub span_col_unit: String, default = "byte".to_string()
        /// Default `end_exclusive` of `span_make`.
        pub span_end_exclusive: bool, default = true
        /// Default `form` of `utf8_normalize`: NFC, NFD, NFKC or NFKD.
        pub utf8_normalize_form: String, default = "NFKC".to_string()
        /// Default `casefold` of `utf8_normalize`.
        pub utf8_normalize_casefold: bool, default = true
        /// Default `collapse_ws` of `utf8_normalize`.
        pub utf8_normalize_collapse_ws: bool, default = true
        /// Default `key_case` of `map_normalize`: lower, upper or preserve.
        pub map_normalize_key_case: String, default = "lower".to_string()
        /// Default `sort_keys` of `map_normalize`.
        pub map_normalize_sort_keys: bool, default = true
    }
}

impl ConfigExtension for CodeAnatomyConfig {
    const PREFIX: &'static str = "codeanatomy_udf";
}

impl CodeAnatomyConfig {
    /// `(key, default value)` of every option, for the capabilities snapshot.
    pub fn default_entries() -> Vec<(String, String)> {
        CodeAnatomyConfig::default()
            .entries()
            .into_iter()
            .filter_map(|e| e.value.map(|v| (e.key, v)))
            .collect()
    }

    /// Applies install options (`{"span_line_base": 1, ...}`), refusing
    /// unknown keys and unparsable values with the key's name.
    pub fn with_install_options(
        mut self,
        options: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self> {
        let known: Vec<String> = Self::default_entries()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        for (key, value) in options {
            if !known.contains(key) {
                return plan_err!(
                    "unknown codeanatomy install option '{key}'; known options: {}",
                    known.join(", ")
                );
            }
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            self.set(key, &text).map_err(|e| {
                datafusion::common::DataFusionError::Plan(format!(
                    "invalid value {text:?} for codeanatomy install option '{key}': {e}"
                ))
            })?;
        }
        Ok(self)
    }
}

/// The configuration a function call sees: the session's values where the
/// session has them, `defaults` (the install options) otherwise.
pub fn resolve(options: &ConfigOptions, defaults: &CodeAnatomyConfig) -> Result<CodeAnatomyConfig> {
    if let Some(local) = options.extensions.get::<CodeAnatomyConfig>() {
        return Ok(local.clone());
    }
    let mut resolved = defaults.clone();
    for (_, extension) in options.extensions.iter() {
        for entry in extension.entries() {
            let Some(value) = entry.value else { continue };
            let key = entry
                .key
                .strip_prefix(DATAFUSION_FFI_CONFIG_NAMESPACE)
                .and_then(|k| k.strip_prefix('.'))
                .unwrap_or(&entry.key);
            if let Some(inner) = key
                .strip_prefix(CodeAnatomyConfig::PREFIX)
                .and_then(|k| k.strip_prefix('.'))
            {
                resolved.set(inner, &value).map_err(|e| {
                    datafusion::common::DataFusionError::Plan(format!(
                        "invalid session setting {}.{inner} = {value:?}: {e}",
                        CodeAnatomyConfig::PREFIX
                    ))
                })?;
            }
        }
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use datafusion_ffi::config::extension_options::FFI_ExtensionOptions;

    use super::*;

    #[test]
    fn local_extension_wins() {
        let mut options = ConfigOptions::default();
        let local = CodeAnatomyConfig {
            span_line_base: 1,
            ..Default::default()
        };
        options.extensions.insert(local);
        let resolved = resolve(&options, &CodeAnatomyConfig::default()).unwrap();
        assert_eq!(resolved.span_line_base, 1);
    }

    #[test]
    fn ffi_entries_are_read_with_or_without_the_ffi_namespace() {
        for key in [
            "codeanatomy_udf.utf8_normalize_form",
            "datafusion_ffi.codeanatomy_udf.utf8_normalize_form",
        ] {
            let mut map = HashMap::new();
            map.insert(key.to_string(), "NFC".to_string());
            map.insert("other_ext.x".to_string(), "1".to_string());
            let mut options = ConfigOptions::default();
            options.extensions.insert(FFI_ExtensionOptions::from(map));
            let resolved = resolve(&options, &CodeAnatomyConfig::default()).unwrap();
            assert_eq!(resolved.utf8_normalize_form, "NFC", "{key}");
            assert!(resolved.utf8_normalize_casefold);
        }
    }

    #[test]
    fn defaults_apply_when_the_session_says_nothing() {
        let defaults = CodeAnatomyConfig {
            map_normalize_sort_keys: false,
            ..Default::default()
        };
        let resolved = resolve(&ConfigOptions::default(), &defaults).unwrap();
        assert!(!resolved.map_normalize_sort_keys);
    }

    #[test]
    fn install_options_are_checked() {
        let opts = serde_json::json!({"span_line_base": 1, "span_col_unit": "utf16"});
        let c = CodeAnatomyConfig::default()
            .with_install_options(opts.as_object().unwrap())
            .unwrap();
        assert_eq!((c.span_line_base, c.span_col_unit.as_str()), (1, "utf16"));
        let bad = serde_json::json!({"no_such": 1});
        let err = CodeAnatomyConfig::default()
            .with_install_options(bad.as_object().unwrap())
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown codeanatomy install option 'no_such'")
        );
        let bad = serde_json::json!({"span_line_base": "x"});
        assert!(
            CodeAnatomyConfig::default()
                .with_install_options(bad.as_object().unwrap())
                .is_err()
        );
    }
}
