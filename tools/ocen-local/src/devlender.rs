//! The local `dev` lenders: key pairs generated on first use into `.local/dev-lenders/`
//! (never committed), a registry file naming their public keys, and signing helpers so
//! local callbacks are signed like real ones.
//!
//! - `LENDER-ABC` signs with the v3 scheme (flattened JWS body, RS512);
//! - `LENDER-V4` signs with the v4 scheme (detached `x-jws-signature`, RS256).

use anyhow::{anyhow, Context, Result};
use ocen_shared::auth::signing::SigningKey;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

pub const V3_ORG: &str = "LENDER-ABC";
pub const V4_ORG: &str = "LENDER-V4";
const V3_KID: &str = "dev-v3-key-1";
const V4_KID: &str = "dev-v4-key-1";

pub struct DevLenders {
    pub v3: SigningKey,
    pub v4: SigningKey,
    /// The registry file (`LENDER_REGISTRY_FILE`).
    pub registry_path: PathBuf,
}

fn key(dir: &Path, file: &str, kid: &str) -> Result<SigningKey> {
    let path = dir.join(file);
    if path.exists() {
        let pem = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        return SigningKey::from_pkcs8_pem(kid, &pem)
            .map_err(|e| anyhow!("{}: {e}", path.display()));
    }
    let key = SigningKey::generate(kid).map_err(|e| anyhow!(e))?;
    std::fs::write(&path, key.private_pem().map_err(|e| anyhow!(e))?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(key)
}

/// Load the dev lenders' keys from `dir`, generating them the first time, and (re)write the
/// registry file beside them.
pub fn ensure(dir: &Path) -> Result<DevLenders> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let v3 = key(dir, "dev-v3.private.pem", V3_KID)?;
    let v4 = key(dir, "dev-v4.private.pem", V4_KID)?;
    let registry = json!({"lenders": [
        {"orgId": V3_ORG, "scheme": "v3", "keys": [{"kid": V3_KID, "pem": v3.public_pem().map_err(|e| anyhow!(e))?}]},
        {"orgId": V4_ORG, "scheme": "v4", "keys": [{"kid": V4_KID, "pem": v4.public_pem().map_err(|e| anyhow!(e))?}]},
    ]});
    let registry_path = std::path::absolute(dir.join("lender-registry.json"))?;
    std::fs::write(&registry_path, serde_json::to_string_pretty(&registry)?)?;
    Ok(DevLenders {
        v3,
        v4,
        registry_path,
    })
}

/// The body with `metadata.timestamp` set to now (unchanged if it is not a JSON object).
pub fn fresh(body: &[u8]) -> Vec<u8> {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut v) if v.get("metadata").is_some_and(Value::is_object) => {
            v["metadata"]["timestamp"] = Value::String(
                ocen_shared::domain::OcenTimestamp::ack_format(time::OffsetDateTime::now_utc()),
            );
            serde_json::to_vec(&v).expect("a value serialises")
        }
        _ => body.to_vec(),
    }
}

/// Copy every API Gateway event of `src` to `out` with a fresh timestamp and a v3 signature
/// (the body becomes the flattened JWS). Events without a body are copied as they are.
pub fn sign_events(src: &Path, out: &Path, key: &SigningKey) -> Result<usize> {
    std::fs::create_dir_all(out)?;
    let mut count = 0;
    for entry in std::fs::read_dir(src).with_context(|| format!("reading {}", src.display()))? {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let mut event: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)
            .with_context(|| format!("{}", path.display()))?;
        if let Some(body) = event
            .get("body")
            .and_then(Value::as_str)
            .filter(|b| !b.is_empty())
        {
            let signed = key.sign_v3(&fresh(body.as_bytes()));
            event["body"] = Value::String(String::from_utf8(signed).expect("a JWS is ASCII"));
        }
        std::fs::write(
            out.join(path.file_name().expect("a file")),
            serde_json::to_string_pretty(&event)?,
        )?;
        count += 1;
    }
    Ok(count)
}
