//! TLS for `wss://`: rustls with the bundled Mozilla roots (webpki-roots), certificate
//! verification always on. Built once on the cold path and shared by every connection. Extra roots
//! can be added (a private CA, or a test CA on loopback); verification is never switched off.

use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::{ClientConfig, RootCertStore};

/// A client config trusting the bundled web PKI roots plus `extra_roots` (DER).
pub fn client_config(
    extra_roots: &[CertificateDer<'static>],
) -> Result<Arc<ClientConfig>, rustls::Error> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in extra_roots {
        roots.add(cert.clone())?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_with_bundled_roots() {
        let c = client_config(&[]).unwrap();
        assert!(c.alpn_protocols.is_empty());
    }
}
