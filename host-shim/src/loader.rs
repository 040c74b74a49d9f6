//! The load-time gate: an ordered walk that stops at the first failure.
//!
//! ```text
//! file exists / is a file / is readable ─► SHA-256 pin
//!   ─► image check (a truncated ELF would SIGBUS inside dlopen) ─► dlopen
//!   ─► root module symbol ─► abi_stable version + layout check ─► manifest
//!   ─► compatibility rule (ABI, datafusion-ffi, DataFusion, Arrow, semver,
//!      capabilities) ─► Plugin
//! ```
//! No datafusion-ffi object is requested before the walk has passed.

use std::io::Read;
use std::path::{Path, PathBuf};

use abi_stable::library::{
    LibraryError, ROOT_MODULE_LOADER_NAME, RawLibrary, lib_header_from_raw_library,
};
use df_plugin_abi::compat::{self, HostRequirements, RequiredCapability, major_of};
use df_plugin_abi::{ABI_MAJOR, ABI_MINOR, ManifestInfo, Mismatch, PluginModuleRef};
use sha2::{Digest, Sha256};

use crate::error::LoadError;

/// What the caller requires of a plugin beyond the host's own ABI, FFI,
/// DataFusion and Arrow versions (which are always checked).
#[derive(Debug, Clone, Default)]
pub struct Requirements {
    /// Lowest ABI minor needed (defaults to 0: everything of this major).
    pub min_abi_minor: u32,
    /// Requirement on the plugin's own version.
    pub plugin_version: Option<semver::VersionReq>,
    /// Capabilities that must be present.
    pub capabilities: Vec<RequiredCapability>,
    /// Expected SHA-256 of the file, lower-case hex.
    pub sha256: Option<String>,
}

impl Requirements {
    /// No requirements beyond the host's own versions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requires the plugin's version to match a semver requirement (`>=0.1, <2`).
    pub fn require_version(mut self, req: &str) -> Result<Self, LoadError> {
        let parsed = semver::VersionReq::parse(req).map_err(|e| LoadError::InvalidRequirement {
            given: req.to_string(),
            reason: e.to_string(),
        })?;
        self.plugin_version = Some(parsed);
        Ok(self)
    }

    /// Requires a capability, written `name` or `name@version`.
    pub fn require_capability(mut self, cap: &str) -> Result<Self, LoadError> {
        let parsed: RequiredCapability =
            cap.parse()
                .map_err(|reason| LoadError::InvalidRequirement {
                    given: cap.to_string(),
                    reason,
                })?;
        self.capabilities.push(parsed);
        Ok(self)
    }

    /// Pins the file's SHA-256 (hex, any case).
    pub fn pin_sha256(mut self, hex_digest: &str) -> Result<Self, LoadError> {
        let normalized = hex_digest.trim().to_ascii_lowercase();
        if normalized.len() != 64 || !normalized.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(LoadError::InvalidRequirement {
                given: hex_digest.to_string(),
                reason: "a SHA-256 pin must be 64 hexadecimal digits".to_string(),
            });
        }
        self.sha256 = Some(normalized);
        Ok(self)
    }

    /// Requires at least ABI minor `minor`.
    pub fn require_abi_minor(mut self, minor: u32) -> Self {
        self.min_abi_minor = minor;
        self
    }

    /// The full rule for this host: the caller's requirements plus the
    /// host's own ABI major, datafusion-ffi, DataFusion and Arrow majors.
    pub fn host_requirements(&self) -> HostRequirements {
        HostRequirements {
            abi_major: ABI_MAJOR,
            min_abi_minor: self.min_abi_minor,
            datafusion_ffi_major: datafusion_ffi::version(),
            datafusion_major: major_of(datafusion::DATAFUSION_VERSION).unwrap_or(0),
            arrow_major: major_of(datafusion::arrow::ARROW_VERSION).unwrap_or(0),
            plugin_version: self.plugin_version.clone(),
            capabilities: self.capabilities.clone(),
        }
    }
}

/// A plugin that passed the gate. The library stays loaded for the life of
/// the process: objects it created may outlive any `Plugin` value.
#[derive(Clone)]
pub struct Plugin {
    pub(crate) path: PathBuf,
    pub(crate) module: PluginModuleRef,
    pub(crate) manifest: ManifestInfo,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("path", &self.path)
            .field("manifest", &self.manifest)
            .finish_non_exhaustive()
    }
}

impl Plugin {
    /// Opens and validates the plugin at `path`. See the module docs for the
    /// order of checks; the first failure is returned.
    pub fn load(path: impl AsRef<Path>, requirements: &Requirements) -> Result<Plugin, LoadError> {
        let path = path.as_ref().to_path_buf();
        check_file(&path, requirements.sha256.as_deref())?;
        let module = open_root_module(&path)?;
        let manifest = ManifestInfo::from((module.manifest())());
        compat::check(&manifest, &requirements.host_requirements())?;
        Ok(Plugin {
            path,
            module,
            manifest,
        })
    }

    /// The path the plugin was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The plugin's manifest.
    pub fn manifest(&self) -> &ManifestInfo {
        &self.manifest
    }

    /// The manifest as JSON.
    pub fn manifest_json(&self) -> serde_json::Value {
        let m = &self.manifest;
        serde_json::json!({
            "plugin_name": m.plugin_name,
            "plugin_version": m.plugin_version,
            "abi_major": m.abi_major,
            "abi_minor": m.abi_minor,
            "datafusion_ffi_major": m.datafusion_ffi_major,
            "datafusion_version": m.datafusion_version,
            "arrow_version": m.arrow_version,
            "build": {
                "rustc": m.build.rustc,
                "target": m.build.target,
                "profile": m.build.profile,
            },
            "capabilities": m.capabilities.iter()
                .map(|(name, version)| serde_json::json!({"name": name, "version": version}))
                .collect::<Vec<_>>(),
        })
    }
}

/// The contract version this host was built with, as shown in errors.
pub fn host_abi_version() -> String {
    format!("{ABI_MAJOR}.{ABI_MINOR}")
}

/// SHA-256 of a file, lower-case hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

fn check_file(path: &Path, sha256_pin: Option<&str>) -> Result<(), LoadError> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::NotFound {
            path: path.to_path_buf(),
        },
        _ => LoadError::Unreadable {
            path: path.to_path_buf(),
            source: e,
        },
    })?;
    if !meta.is_file() {
        let found = if meta.is_dir() {
            "a directory"
        } else {
            "a special file"
        };
        return Err(LoadError::NotAFile {
            path: path.to_path_buf(),
            found: found.to_string(),
        });
    }
    // Opening proves readability before the dynamic loader sees the file,
    // so a permission problem is reported as such and not as a loader error.
    std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut [0u8; 1]))
        .map_err(|source| LoadError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
    if let Some(expected) = sha256_pin {
        let found = sha256_file(path).map_err(|source| LoadError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
        if found != expected {
            return Err(LoadError::Sha256Mismatch {
                path: path.to_path_buf(),
                expected: expected.to_string(),
                found,
            });
        }
    }
    Ok(())
}

fn open_root_module(path: &Path) -> Result<PluginModuleRef, LoadError> {
    crate::image_check::check_library_image(path).map_err(|reason| LoadError::NotALibrary {
        path: path.to_path_buf(),
        reason,
    })?;
    let library = RawLibrary::load_at(path).map_err(|e| LoadError::NotALibrary {
        path: path.to_path_buf(),
        reason: library_error_text(&e),
    })?;
    // SAFETY: the library is leaked below and never unloaded, so the
    // 'static references abi_stable hands out stay valid.
    let header = unsafe { lib_header_from_raw_library(&library) };
    std::mem::forget(library);
    let header = header.map_err(|e| match e {
        LibraryError::GetSymbolError { .. } => LoadError::NoRootModule {
            path: path.to_path_buf(),
            symbol: ROOT_MODULE_LOADER_NAME.to_string(),
        },
        other => LoadError::Layout {
            expected: host_abi_version(),
            reason: library_error_text(&other),
        },
    })?;
    header
        .init_root_module::<PluginModuleRef>()
        .map_err(|e| match e {
            LibraryError::IncompatibleVersionNumber { actual_version, .. } => {
                LoadError::Incompatible(Mismatch::AbiMajor {
                    expected: ABI_MAJOR,
                    found: actual_version.major,
                })
            }
            LibraryError::RootModule { err, .. } => LoadError::RootModuleInit {
                reason: err.to_string(),
            },
            other => LoadError::Layout {
                expected: host_abi_version(),
                reason: library_error_text(&other),
            },
        })
}

fn library_error_text(e: &LibraryError) -> String {
    match e {
        LibraryError::OpenError { err, .. } => err.to_string(),
        other => other.to_string(),
    }
}
