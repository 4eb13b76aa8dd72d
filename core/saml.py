"""SAML 2.0 with pysaml2: our service provider's configuration, its keys, and the simulated identification
service's metadata (for development and tests; production reads Suomi.fi's metadata file).

Suomi.fi e-Identification speaks SAML 2.0 Web Browser SSO: a signed AuthnRequest by HTTP-Redirect, a signed
and encrypted assertion back by HTTP-POST, attributes named by OID (core/saml_attributes/suomifi.py).
pysaml2 signs, verifies, encrypts and decrypts with the xmlsec1 program (Debian `xmlsec1`).
"""

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import saml2.xmldsig as ds
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import IdPConfig, SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_TRANSIENT

from core.settings import PROJECT_ROOT, Settings

ATTRIBUTE_MAPS = PROJECT_ROOT / "core" / "saml_attributes"
ACS_PATH = "/sign-in/acs"
METADATA_PATH = "/saml/metadata"
SIMULATION_SSO_PATH = "/sso"
SIMULATION_METADATA_PATH = "/metadata"


def xmlsec_binary() -> str:
    found = shutil.which("xmlsec1")
    if found is None:
        raise RuntimeError("xmlsec1 is missing: SAML needs it (Debian package xmlsec1)")
    return found


def ensure_keypair(key_file: Path, cert_file: Path, common_name: str) -> None:
    """A self-signed key and certificate for development and tests, made once. Production brings its own
    (Suomi.fi wants a certificate from a known CA)."""
    if key_file.exists() and cert_file.exists():
        return
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    key_file.write_bytes(pem)
    key_file.chmod(0o600)
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def _common(entity_id: str, key_file: Path, cert_file: Path) -> dict[str, Any]:
    return {
        "entityid": entity_id,
        "key_file": str(key_file),
        "cert_file": str(cert_file),
        "xmlsec_binary": xmlsec_binary(),
        "attribute_map_dir": str(ATTRIBUTE_MAPS),
        "signing_algorithm": ds.SIG_RSA_SHA256,
        "digest_algorithm": ds.DIGEST_SHA256,
    }


def sp_entity_id(settings: Settings) -> str:
    return settings.saml_sp_entity_id or f"{settings.public_base_url}{METADATA_PATH}"


def sp_settings(settings: Settings) -> dict[str, Any]:
    """Our service provider: signs its requests, wants signed assertions encrypted to its own key."""
    return {
        **_common(sp_entity_id(settings), settings.saml_sp_key_file, settings.saml_sp_cert_file),
        "encryption_keypairs": [
            {"key_file": str(settings.saml_sp_key_file), "cert_file": str(settings.saml_sp_cert_file)}
        ],
        "service": {
            "sp": {
                "endpoints": {
                    "assertion_consumer_service": [(f"{settings.public_base_url}{ACS_PATH}", BINDING_HTTP_POST)]
                },
                "authn_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "allow_unsolicited": False,  # an answer must be to a request of ours
                "name_id_format": NAMEID_FORMAT_TRANSIENT,
                "requested_attributes": [],
            }
        },
    }


def sp_metadata(settings: Settings) -> str:
    config = SPConfig()
    config.load(sp_settings(settings))
    return str(entity_descriptor(config))


def simulation_idp_settings(settings: Settings) -> dict[str, Any]:
    base = settings.simulation_idp_url.rstrip("/")
    return {
        **_common(
            f"{base}{SIMULATION_METADATA_PATH}", settings.simulation_idp_key_file, settings.simulation_idp_cert_file
        ),
        "service": {
            "idp": {
                "endpoints": {"single_sign_on_service": [(f"{base}{SIMULATION_SSO_PATH}", BINDING_HTTP_REDIRECT)]},
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                "want_authn_requests_signed": True,
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 5},
                        "attribute_restrictions": None,
                        "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
                    }
                },
            }
        },
    }


def simulation_idp_metadata(settings: Settings) -> str:
    config = IdPConfig()
    config.load(simulation_idp_settings(settings))
    return str(entity_descriptor(config))


def identification_service_metadata(settings: Settings) -> str:
    """The identification service's metadata: Suomi.fi's file in production, the simulation's in development."""
    if settings.identification == "simulation":
        return simulation_idp_metadata(settings)
    return Path(settings.saml_idp_metadata).read_text(encoding="utf-8")


_clients: dict[tuple[object, ...], Saml2Client] = {}


def saml_client(settings: Settings) -> Saml2Client:
    """The service provider, built once per configuration (reading metadata and keys is not free)."""
    key = (
        settings.identification, settings.public_base_url, settings.saml_sp_entity_id, settings.saml_sp_key_file,
        settings.saml_sp_cert_file, settings.saml_idp_metadata, settings.simulation_idp_url,
        settings.simulation_idp_cert_file,
    )  # fmt: skip
    if key not in _clients:
        config = SPConfig()
        config.load({**sp_settings(settings), "metadata": {"inline": [identification_service_metadata(settings)]}})
        _clients[key] = Saml2Client(config=config)
    return _clients[key]


def identification_service_entity_id(settings: Settings) -> str:
    client = saml_client(settings)
    [entity_id] = list(client.metadata.identity_providers())
    return str(entity_id)
