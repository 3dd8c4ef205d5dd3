//! Signed exports: `lotrace keys init|public`, `sign_export`, `lotrace verify-export`; the
//! exports that take `--sign` (`trace`, `recall export`, `export epcis`) write through
//! `write_signed`.
//!
//! One Ed25519 key pair per site. The private key lives in a file of its own (mode 0600),
//! by default next to the SQLite database (`<db>.signing-key.json`), else where
//! `--key-file` / `LOTRACE_KEY_FILE` says; it is a JWK (RFC 8037: `kty` OKP, `crv`
//! Ed25519, `x` the public key, `d` the private seed, both base64url). The public key is the
//! same JWK without `d`, with its RFC 7638 thumbprint as `kid`; the server serves it at
//! `/.well-known/lotrace/signing-key`.
//!
//! A signature is detached: a small JSON document beside the export, over the export's exact
//! bytes (plain Ed25519, so any Ed25519 implementation can check it). Its other fields
//! (`keyId`, `sha256`, `signedAt`) help a reader and are checked, but are not signed.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use lotrace_store::Location;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The `type` of a detached signature document.
pub const SIGNATURE_TYPE: &str = "lotrace-detached-signature";

#[derive(clap::Subcommand)]
pub enum KeysCommand {
    /// Make the site's Ed25519 signing key pair (refuses to overwrite one); prints the
    /// public key.
    Init {
        /// The private key file (default: next to the SQLite database).
        #[arg(long, env = "LOTRACE_KEY_FILE")]
        key_file: Option<PathBuf>,
    },
    /// Print the public key (JWK JSON, as served at /.well-known/lotrace/signing-key).
    Public {
        #[arg(long, env = "LOTRACE_KEY_FILE")]
        key_file: Option<PathBuf>,
    },
}

/// Where the private key is: `explicit`, else next to the SQLite database, else
/// `lotrace-signing-key.json` in the working directory (a PostgreSQL store has no file).
pub fn key_path(explicit: Option<&Path>, location: &Location) -> PathBuf {
    if let Some(path) = explicit {
        return path.to_owned();
    }
    match location {
        Location::SqliteFile(db) => {
            let mut name = db.as_os_str().to_owned();
            name.push(".signing-key.json");
            PathBuf::from(name)
        }
        Location::Postgres(_) => PathBuf::from("lotrace-signing-key.json"),
    }
}

pub fn run(command: KeysCommand, location: &Location) -> Result<()> {
    match command {
        KeysCommand::Init { key_file } => {
            let path = key_path(key_file.as_deref(), location);
            let key = init(&path)?;
            eprintln!(
                "wrote the private signing key to {} (mode 0600; keep it secret, back it up)",
                path.display()
            );
            println!("{}", public_jwk(&key.verifying_key()));
            Ok(())
        }
        KeysCommand::Public { key_file } => {
            let path = key_path(key_file.as_deref(), location);
            let key = load(&path)?;
            println!("{}", public_jwk(&key.verifying_key()));
            Ok(())
        }
    }
}

/// Makes a new key pair and writes it to `path`, which must not exist, readable by its
/// owner only.
pub fn init(path: &Path) -> Result<SigningKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow!("no randomness for a key: {e}"))?;
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    let mut jwk = public_jwk(&key.verifying_key());
    jwk["d"] = Value::from(B64.encode(key.to_bytes()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow!(
                "{} exists already: a signing key is not replaced (signatures made with it \
                 would no longer verify against the published key); move it away first",
                path.display()
            )
        } else {
            anyhow!("cannot create {}: {e}", path.display())
        }
    })?;
    writeln!(file, "{jwk}")
        .and_then(|()| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(key)
}

/// Reads the private key; refuses a file that others may read.
pub fn load(path: &Path) -> Result<SigningKey> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the signing key {} (make one with `lotrace keys init`)",
            path.display()
        )
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            bail!(
                "the signing key {} may be read by others (mode {:o}); chmod 600 it",
                path.display(),
                mode & 0o777
            );
        }
    }
    let jwk: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a signing key file", path.display()))?;
    let d = jwk["d"]
        .as_str()
        .and_then(|d| B64.decode(d).ok())
        .and_then(|d| <[u8; 32]>::try_from(d).ok())
        .ok_or_else(|| anyhow!("{} holds no Ed25519 private key (d)", path.display()))?;
    Ok(SigningKey::from_bytes(&d))
}

/// The public key as a JWK, with its thumbprint as `kid`.
pub fn public_jwk(key: &VerifyingKey) -> Value {
    let x = B64.encode(key.as_bytes());
    json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": "EdDSA",
        "use": "sig",
        "kid": key_id(key),
        "x": x,
    })
}

/// The RFC 7638 JWK thumbprint: base64url SHA-256 of the required members in order.
pub fn key_id(key: &VerifyingKey) -> String {
    let canonical = format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        B64.encode(key.as_bytes())
    );
    B64.encode(Sha256::digest(canonical.as_bytes()))
}

/// A detached signature of `bytes`.
pub fn sign_export(key: &SigningKey, bytes: &[u8]) -> Value {
    let signature = key.sign(bytes);
    json!({
        "type": SIGNATURE_TYPE,
        "algorithm": "Ed25519",
        "keyId": key_id(&key.verifying_key()),
        "sha256": hex::encode(Sha256::digest(bytes)),
        "bytes": bytes.len(),
        "signedAt": jiff::Timestamp::now().to_string(),
        "signature": B64.encode(signature.to_bytes()),
    })
}

/// A public key given as a JWK (as served at the well-known URL) or as bare base64url.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey> {
    let text = text.trim();
    let x = if text.starts_with('{') {
        let jwk: Value = serde_json::from_str(text).context("the public key is not JSON")?;
        if jwk["kty"] != "OKP" || jwk["crv"] != "Ed25519" {
            bail!("the public key is not an Ed25519 JWK (kty OKP, crv Ed25519)");
        }
        jwk["x"]
            .as_str()
            .ok_or_else(|| anyhow!("the public key JWK has no x"))?
            .to_owned()
    } else {
        text.to_owned()
    };
    let bytes = B64
        .decode(x.trim_end_matches('='))
        .context("the public key is not base64url")?;
    let bytes = <[u8; 32]>::try_from(bytes)
        .map_err(|b| anyhow!("an Ed25519 public key is 32 bytes, not {}", b.len()))?;
    VerifyingKey::from_bytes(&bytes).context("not a valid Ed25519 public key")
}

/// Checks a detached signature of `bytes` against `key`: Ok, or why not.
pub fn verify_export(bytes: &[u8], signature: &Value, key: &VerifyingKey) -> Result<()> {
    if signature["type"] != SIGNATURE_TYPE || signature["algorithm"] != "Ed25519" {
        bail!("not a lotrace detached Ed25519 signature");
    }
    if let Some(kid) = signature["keyId"].as_str()
        && kid != key_id(key)
    {
        bail!(
            "signed with another key (key id {kid}; this public key's id is {})",
            key_id(key)
        );
    }
    if let Some(sha256) = signature["sha256"].as_str()
        && sha256 != hex::encode(Sha256::digest(bytes))
    {
        bail!("the file is not the one that was signed: its SHA-256 differs");
    }
    let raw = signature["signature"]
        .as_str()
        .and_then(|s| B64.decode(s).ok())
        .and_then(|s| <[u8; 64]>::try_from(s).ok())
        .ok_or_else(|| anyhow!("the signature is not 64 bytes of base64url"))?;
    key.verify_strict(bytes, &Signature::from_bytes(&raw))
        .map_err(|_| anyhow!("the signature does not match the file and the public key"))
}

/// `lotrace verify-export FILE --signature SIG --public-key KEY`.
pub fn verify_cmd(file: &Path, signature: &Path, public_key: &str) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let signature_text = std::fs::read_to_string(signature)
        .with_context(|| format!("cannot read {}", signature.display()))?;
    let signature_json: Value = serde_json::from_str(&signature_text)
        .with_context(|| format!("{} is not a signature (JSON)", signature.display()))?;
    // A file holding the key, or the key itself.
    let key_text = match std::fs::read_to_string(public_key) {
        Ok(text) => text,
        Err(_) if !Path::new(public_key).exists() => public_key.to_owned(),
        Err(e) => bail!("cannot read {public_key}: {e}"),
    };
    let key = parse_public_key(&key_text)?;
    verify_export(&bytes, &signature_json, &key)
        .with_context(|| format!("{} does NOT verify", file.display()))?;
    println!(
        "OK: {} is signed by key {} (signed at {})",
        file.display(),
        key_id(&key),
        signature_json["signedAt"]
            .as_str()
            .unwrap_or("an unstated time")
    );
    Ok(())
}

/// Writes `bytes` to `path` and its detached signature to `path` + `.sig`.
pub fn write_signed(path: &Path, bytes: &[u8], key: &SigningKey) -> Result<PathBuf> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    let mut sig_path = path.as_os_str().to_owned();
    sig_path.push(".sig");
    let sig_path = PathBuf::from(sig_path);
    let signature = sign_export(key, bytes);
    std::fs::write(&sig_path, format!("{signature:#}\n"))
        .with_context(|| format!("cannot write {}", sig_path.display()))?;
    Ok(sig_path)
}

/// The signing key when `sign` is asked for, loaded before any work so that a missing key
/// fails first; None when it is not.
pub fn key_if(
    sign: bool,
    key_file: Option<&Path>,
    location: &Location,
) -> Result<Option<SigningKey>> {
    sign.then(|| load(&key_path(key_file, location)))
        .transpose()
}

/// Writes an export to `path`, with its detached signature beside it when `key` is given;
/// the signature's path when one was written.
pub fn write_export(
    path: &Path,
    bytes: &[u8],
    key: Option<&SigningKey>,
) -> Result<Option<PathBuf>> {
    match key {
        Some(key) => write_signed(path, bytes, key).map(Some),
        None => std::fs::write(path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))
            .map(|()| None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    #[test]
    fn a_signature_verifies_and_a_flipped_byte_or_another_key_does_not() {
        let export = br#"{"origin":"urn:epc:class:lgtin:4012345.011111.L1"}"#.to_vec();
        let signature = sign_export(&key(), &export);
        let public = parse_public_key(&public_jwk(&key().verifying_key()).to_string()).unwrap();
        verify_export(&export, &signature, &public).unwrap();

        let mut flipped = export.clone();
        flipped[5] ^= 1;
        let err = verify_export(&flipped, &signature, &public).unwrap_err();
        assert!(err.to_string().contains("SHA-256"), "{err}");
        // Without the advisory digest, the signature itself catches it.
        let mut bare = signature.clone();
        bare.as_object_mut().unwrap().remove("sha256");
        let err = verify_export(&flipped, &bare, &public).unwrap_err();
        assert!(err.to_string().contains("does not match"), "{err}");

        let other = SigningKey::from_bytes(&[8; 32]).verifying_key();
        let err = verify_export(&export, &signature, &other).unwrap_err();
        assert!(err.to_string().contains("another key"), "{err}");
        bare.as_object_mut().unwrap().remove("keyId");
        assert!(verify_export(&export, &bare, &other).is_err());
    }

    #[test]
    fn a_bare_base64url_key_is_accepted() {
        let public = key().verifying_key();
        let parsed = parse_public_key(&B64.encode(public.as_bytes())).unwrap();
        assert_eq!(parsed, public);
        assert!(parse_public_key("AAAA").is_err());
    }
}
