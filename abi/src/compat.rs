//! The one compatibility rule: can this host use this plugin?
//!
//! Checks run in a fixed order and the first failure is reported, naming what
//! the host expected and what the plugin declared.

use std::fmt;

use crate::manifest::ManifestInfo;

/// A capability the host requires, at a minimum version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredCapability {
    /// Capability name.
    pub name: String,
    /// Lowest acceptable version.
    pub min_version: u32,
}

impl std::str::FromStr for RequiredCapability {
    type Err = String;

    /// Parses `name` or `name@version`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, version) = match s.split_once('@') {
            Some((n, v)) => (
                n,
                v.parse::<u32>()
                    .map_err(|_| format!("capability version in {s:?} is not a whole number"))?,
            ),
            None => (s, 1),
        };
        if name.is_empty() {
            return Err(format!("capability {s:?} has no name"));
        }
        Ok(RequiredCapability {
            name: name.to_string(),
            min_version: version,
        })
    }
}

/// What a host needs from a plugin.
#[derive(Debug, Clone)]
pub struct HostRequirements {
    /// ABI major the host speaks; must be equal.
    pub abi_major: u32,
    /// Lowest ABI minor the host needs.
    pub min_abi_minor: u32,
    /// The host's datafusion-ffi major; must be equal.
    pub datafusion_ffi_major: u64,
    /// The host's DataFusion major; must be equal.
    pub datafusion_major: u64,
    /// The host's Arrow major; must be equal.
    pub arrow_major: u64,
    /// Optional requirement on the plugin's own version.
    pub plugin_version: Option<semver::VersionReq>,
    /// Capabilities that must be present at a sufficient version.
    pub capabilities: Vec<RequiredCapability>,
}

/// Why a plugin does not fit a host. Each variant names the expected value
/// (what the host needs) and the found value (what the plugin declares).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// ABI majors differ.
    AbiMajor { expected: u32, found: u32 },
    /// The plugin's ABI minor is older than the host needs.
    AbiMinor { required: u32, found: u32 },
    /// datafusion-ffi majors differ.
    DataFusionFfiMajor { expected: u64, found: u64 },
    /// DataFusion majors differ.
    DataFusionMajor { expected: u64, found: String },
    /// Arrow majors differ.
    ArrowMajor { expected: u64, found: String },
    /// The plugin's version does not satisfy the host's requirement.
    PluginVersion { required: String, found: String },
    /// A required capability is absent.
    MissingCapability { name: String, required: u32 },
    /// A required capability is present at too low a version.
    CapabilityVersion {
        name: String,
        required: u32,
        found: u32,
    },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::AbiMajor { expected, found } => write!(
                f,
                "plugin ABI major mismatch: host expects ABI major {expected}, plugin was built for ABI major {found}"
            ),
            Mismatch::AbiMinor { required, found } => write!(
                f,
                "plugin ABI minor too old: host requires ABI minor >= {required}, plugin provides ABI minor {found}"
            ),
            Mismatch::DataFusionFfiMajor { expected, found } => write!(
                f,
                "datafusion-ffi major mismatch: host uses datafusion-ffi {expected}, plugin was built with datafusion-ffi {found}"
            ),
            Mismatch::DataFusionMajor { expected, found } => write!(
                f,
                "DataFusion major mismatch: host uses DataFusion {expected}.x, plugin was built with DataFusion {found}"
            ),
            Mismatch::ArrowMajor { expected, found } => write!(
                f,
                "Arrow major mismatch: host uses Arrow {expected}.x, plugin was built with Arrow {found}"
            ),
            Mismatch::PluginVersion { required, found } => write!(
                f,
                "plugin version {found} does not satisfy the required version {required}"
            ),
            Mismatch::MissingCapability { name, required } => write!(
                f,
                "plugin lacks required capability {name} (required version >= {required}, found none)"
            ),
            Mismatch::CapabilityVersion {
                name,
                required,
                found,
            } => write!(
                f,
                "plugin capability {name} is too old: required version >= {required}, found version {found}"
            ),
        }
    }
}

impl std::error::Error for Mismatch {}

/// The leading number of a version string (`"55.2.0"` → 55); `None` if absent.
pub fn major_of(version: &str) -> Option<u64> {
    version.split('.').next()?.trim().parse().ok()
}

/// Applies the compatibility rule, in order: ABI major, ABI minor,
/// datafusion-ffi major, DataFusion major, Arrow major, plugin version,
/// capabilities (in the order the host lists them).
pub fn check(manifest: &ManifestInfo, req: &HostRequirements) -> Result<(), Mismatch> {
    if manifest.abi_major != req.abi_major {
        return Err(Mismatch::AbiMajor {
            expected: req.abi_major,
            found: manifest.abi_major,
        });
    }
    if manifest.abi_minor < req.min_abi_minor {
        return Err(Mismatch::AbiMinor {
            required: req.min_abi_minor,
            found: manifest.abi_minor,
        });
    }
    if manifest.datafusion_ffi_major != req.datafusion_ffi_major {
        return Err(Mismatch::DataFusionFfiMajor {
            expected: req.datafusion_ffi_major,
            found: manifest.datafusion_ffi_major,
        });
    }
    if major_of(&manifest.datafusion_version) != Some(req.datafusion_major) {
        return Err(Mismatch::DataFusionMajor {
            expected: req.datafusion_major,
            found: manifest.datafusion_version.clone(),
        });
    }
    if major_of(&manifest.arrow_version) != Some(req.arrow_major) {
        return Err(Mismatch::ArrowMajor {
            expected: req.arrow_major,
            found: manifest.arrow_version.clone(),
        });
    }
    if let Some(wanted) = &req.plugin_version {
        let satisfied = semver::Version::parse(&manifest.plugin_version)
            .map(|v| wanted.matches(&v))
            .unwrap_or(false);
        if !satisfied {
            return Err(Mismatch::PluginVersion {
                required: wanted.to_string(),
                found: manifest.plugin_version.clone(),
            });
        }
    }
    for cap in &req.capabilities {
        match manifest.capability(&cap.name) {
            None => {
                return Err(Mismatch::MissingCapability {
                    name: cap.name.clone(),
                    required: cap.min_version,
                });
            }
            Some(found) if found < cap.min_version => {
                return Err(Mismatch::CapabilityVersion {
                    name: cap.name.clone(),
                    required: cap.min_version,
                    found,
                });
            }
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::BuildInfoOwned;

    fn manifest() -> ManifestInfo {
        ManifestInfo {
            plugin_name: "codeanatomy".into(),
            plugin_version: "0.3.1".into(),
            abi_major: 1,
            abi_minor: 2,
            datafusion_ffi_major: 55,
            datafusion_version: "55.2.0".into(),
            arrow_version: "59.3.2".into(),
            build: BuildInfoOwned {
                rustc: "rustc".into(),
                target: "t".into(),
                profile: "debug".into(),
            },
            capabilities: vec![("scalar_udf".into(), 2)],
        }
    }

    fn host() -> HostRequirements {
        HostRequirements {
            abi_major: 1,
            min_abi_minor: 1,
            datafusion_ffi_major: 55,
            datafusion_major: 55,
            arrow_major: 59,
            plugin_version: None,
            capabilities: vec![],
        }
    }

    #[test]
    fn accepts_matching_plugin() {
        assert_eq!(check(&manifest(), &host()), Ok(()));
    }

    #[test]
    fn refuses_each_mismatch_in_order() {
        let mut h = host();
        h.abi_major = 2;
        h.min_abi_minor = 9;
        assert_eq!(
            check(&manifest(), &h),
            Err(Mismatch::AbiMajor {
                expected: 2,
                found: 1
            })
        );
        let mut h = host();
        h.min_abi_minor = 3;
        assert_eq!(
            check(&manifest(), &h),
            Err(Mismatch::AbiMinor {
                required: 3,
                found: 2
            })
        );
        let mut h = host();
        h.datafusion_ffi_major = 54;
        assert!(matches!(
            check(&manifest(), &h),
            Err(Mismatch::DataFusionFfiMajor { .. })
        ));
        let mut h = host();
        h.arrow_major = 58;
        assert_eq!(
            check(&manifest(), &h),
            Err(Mismatch::ArrowMajor {
                expected: 58,
                found: "59.3.2".into()
            })
        );
        let mut h = host();
        h.plugin_version = Some(semver::VersionReq::parse(">=0.4").unwrap());
        assert_eq!(
            check(&manifest(), &h),
            Err(Mismatch::PluginVersion {
                required: ">=0.4".into(),
                found: "0.3.1".into()
            })
        );
        let mut h = host();
        h.capabilities = vec!["scalar_udf@3".parse().unwrap()];
        assert_eq!(
            check(&manifest(), &h),
            Err(Mismatch::CapabilityVersion {
                name: "scalar_udf".into(),
                required: 3,
                found: 2
            })
        );
        let mut h = host();
        h.capabilities = vec!["expr_planner".parse().unwrap()];
        assert_eq!(
            check(&manifest(), &h),
            Err(Mismatch::MissingCapability {
                name: "expr_planner".into(),
                required: 1
            })
        );
    }

    #[test]
    fn parses_capability_requirements() {
        let c: RequiredCapability = "table_function@2".parse().unwrap();
        assert_eq!((c.name.as_str(), c.min_version), ("table_function", 2));
        assert!("x@y".parse::<RequiredCapability>().is_err());
        assert!("@1".parse::<RequiredCapability>().is_err());
    }
}
