//! Error text for the Delta functions: every failure is a `DataFusionError`
//! naming the table and what was being done, and no secret storage option
//! value ever appears in it.

use std::collections::HashMap;
use std::fmt::Display;

use datafusion::common::DataFusionError;

/// Whether an option key names a secret (its value must never be printed).
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "key", "token", "password", "credential", "sas"]
        .iter()
        .any(|word| key.contains(word))
}

/// Replaces every secret option value occurring in `text` with `***`.
pub fn redact(text: &str, options: &HashMap<String, String>) -> String {
    let mut secrets: Vec<&str> = options
        .iter()
        .filter(|(k, v)| is_secret_key(k) && !v.is_empty())
        .map(|(_, v)| v.as_str())
        .collect();
    // Longest first, so a secret containing another is replaced whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = text.to_string();
    for secret in secrets {
        out = out.replace(secret, "***");
    }
    out
}

/// Option keys with secret values masked, for `Debug` output.
pub fn describe_options(options: &HashMap<String, String>) -> String {
    let mut keys: Vec<String> = options
        .iter()
        .map(|(k, v)| {
            if is_secret_key(k) {
                format!("{k}=***")
            } else {
                format!("{k}={v}")
            }
        })
        .collect();
    keys.sort();
    format!("{{{}}}", keys.join(", "))
}

/// An execution error: `{context}: {cause}`, secrets redacted.
pub fn exec_error(
    context: impl Display,
    cause: impl Display,
    options: &HashMap<String, String>,
) -> DataFusionError {
    DataFusionError::Execution(redact(&format!("{context}: {cause}"), options))
}

/// A planning error (bad arguments, unsupported request), secrets redacted.
pub fn plan_error(message: impl Display, options: &HashMap<String, String>) -> DataFusionError {
    DataFusionError::Plan(redact(&message.to_string(), options))
}

/// Redacts the text of an existing error, keeping plan errors plan errors.
pub fn redact_error(err: DataFusionError, options: &HashMap<String, String>) -> DataFusionError {
    if !options
        .iter()
        .any(|(k, v)| is_secret_key(k) && !v.is_empty())
    {
        return err;
    }
    match err {
        DataFusionError::Plan(m) => DataFusionError::Plan(redact(&m, options)),
        other => DataFusionError::Execution(redact(&other.to_string(), options)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> HashMap<String, String> {
        HashMap::from([
            (
                "aws_secret_access_key".to_string(),
                "s3cr3t-value".to_string(),
            ),
            ("AWS_SESSION_TOKEN".to_string(), "tok-123".to_string()),
            ("aws_region".to_string(), "eu-west-1".to_string()),
            ("password".to_string(), String::new()),
        ])
    }

    #[test]
    fn secret_keys() {
        for k in [
            "aws_secret_access_key",
            "azure_storage_account_key",
            "GOOGLE_SERVICE_ACCOUNT_KEY",
            "bearer_token",
            "Password",
            "client_credentials",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in ["aws_region", "endpoint", "allow_http", "version"] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn values_are_redacted_everywhere() {
        let text = "failed with s3cr3t-value and tok-123 in eu-west-1";
        let out = redact(text, &opts());
        assert_eq!(out, "failed with *** and *** in eu-west-1");
        let err = exec_error("loading", "bad key s3cr3t-value", &opts());
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
        let described = describe_options(&opts());
        assert!(!described.contains("s3cr3t"), "{described}");
        assert!(described.contains("aws_region=eu-west-1"), "{described}");
        let err = redact_error(DataFusionError::Plan("x tok-123".into()), &opts());
        assert!(
            matches!(err, DataFusionError::Plan(ref m) if m == "x ***"),
            "{err}"
        );
    }
}
