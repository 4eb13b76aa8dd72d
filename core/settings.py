"""One place for configuration, read from the environment (prefix-free names as in the README)."""

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.paths import PROJECT_ROOT
from models.service_requests.sla import ResponseTerms

__all__ = ["PROJECT_ROOT", "Settings", "get_settings"]
DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 (refused outside dev)
DEV_PAYLOAD_KEY = "ZGV2LW9ubHktcGF5bG9hZC1rZXktMzItYnl0ZXMhISE="  # 32 bytes, dev only
DEMO_DEBTOR_IBAN = "FI2112345600000785"  # the IBAN standard's Finnish example: refused in production


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["dev", "test", "production"] = "dev"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'grantdesk.db'}"
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    task_queue: str = "grantdesk"
    secret_key: str = DEV_SECRET
    # AES-256-GCM key (base64) for Temporal payloads: personal data never sits in history in clear text.
    payload_key: str = DEV_PAYLOAD_KEY
    programmes_dir: Path = PROJECT_ROOT / "programmes"
    # Demo programmes (open now, so a new user can try the form) are loaded only in dev.
    load_demo_programmes: bool | None = None
    public_base_url: str = "http://localhost:8000"
    max_body_bytes: int = 64 * 1024
    # Answers to information requests carry files: PDF, JPEG or PNG up to this size each.
    max_upload_bytes: int = 10 * 1024 * 1024
    max_uploads: int = 5
    mail_backend: Literal["file", "smtp"] = "file"
    mail_dir: Path = PROJECT_ROOT / "var" / "outbox"
    mail_from: str = "Business Espoo <no-reply@grantdesk.invalid>"
    smtp_host: str = "localhost"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    documents_dir: Path = PROJECT_ROOT / "var" / "documents"
    outbox_poll_seconds: float = 2.0
    # How long a one-time link to set a password works: an invitation, and a reset.
    invitation_link_hours: int = 72
    password_reset_link_hours: int = 24
    # Wrong passwords per account and client address within the window (see web/services/auth.py).
    login_max_failures: int = 5
    login_window_seconds: int = 900
    # Public form and API posts per client address ("limits" notation); empty turns the limit off.
    public_post_limit: str = "30/minute;300/hour"
    # Requests to have a status link sent again, per client address: each may send an e-mail.
    lost_link_limit: str = "5/10minutes;20/day"
    # Where the counts live: memory:// per web process, or redis://host:6379 shared by all of them.
    rate_limit_storage: str = "memory://"
    # The Temporal UI that may call /codec/decode (CORS): the only origin that can read decoded payloads.
    temporal_ui_origin: str = "http://localhost:8233"
    # Addresses (comma-separated IPs or networks) of reverse proxies whose X-Forwarded-For is believed.
    trusted_proxies: str = ""
    # The municipality's account grants are paid from (the debtor of every payment file), and the file's version.
    payment_debtor_name: str = "Espoon kaupunki"
    payment_debtor_iban: str = DEMO_DEBTOR_IBAN
    payment_debtor_bic: str = "NDEAFIHH"
    payment_file_schema: Literal["pain.001.001.09", "pain.001.001.03"] = "pain.001.001.09"
    # The daily payment run (a Temporal Schedule), Helsinki time; empty: no schedule, runs only on demand.
    payment_run_time: str = "14:00"
    # Where released payment files go for the bank connection to pick up.
    bank_outgoing_dir: Path = PROJECT_ROOT / "var" / "bank" / "outgoing"
    # The administrative court a ruling on rectification is appealed to (models/appeals/administrative_courts.toml).
    administrative_court: str = "helsinki"
    # Applicants' strong identification (SAML 2.0): Suomi.fi e-Identification in production, a simulation of
    # it (`grantdesk idp-sim`, started by `grantdesk dev`) in development and tests.
    identification: Literal["simulation", "suomifi"] = "simulation"
    saml_idp_metadata: str = ""  # Suomi.fi's metadata file (production)
    saml_sp_entity_id: str = ""  # default: <PUBLIC_BASE_URL>/saml/metadata
    saml_sp_key_file: Path = PROJECT_ROOT / "var" / "saml" / "sp.key"
    saml_sp_cert_file: Path = PROJECT_ROOT / "var" / "saml" / "sp.crt"
    simulation_idp_url: str = "http://localhost:8001"
    simulation_idp_key_file: Path = PROJECT_ROOT / "var" / "saml" / "simulation-idp.key"
    simulation_idp_cert_file: Path = PROJECT_ROOT / "var" / "saml" / "simulation-idp.crt"
    # How long a sign-in lasts on the pages, and a bearer token for the API made from it.
    applicant_session_minutes: int = 60
    api_token_minutes: int = 30
    # Trusted integrations that send applications they identified themselves: "name:sha256-of-secret" pairs,
    # comma-separated; each application records the integration's name.
    api_clients: str = ""
    # The trade register: YTJ's open data API, or the demo businesses in our own database (development).
    registry: Literal["ytj", "local"] = "local"
    ytj_url: str = "https://avoindata.prh.fi/opendata-ytj-api/v3"
    registry_timeout_seconds: float = 5.0
    # Service requests: the first response is due in working days; after its due day the organisation's
    # coordinators are alerted, and later the network's (the coordinating organisation's, which also triages
    # requests no routing rule matches).
    service_first_response_days: int = 2
    service_organisation_escalation_days: int = 1
    service_network_escalation_days: int = 2
    service_network_organisation: str = "E"
    # A request sent without sign-in waits this many days for its e-mail address to be confirmed.
    service_confirmation_days: int = 7
    # After closing, the customer's feedback link (and an answer that reopens the request) works this long.
    service_feedback_days: int = 30

    @property
    def service_terms(self) -> ResponseTerms:
        return ResponseTerms(
            first_response_days=self.service_first_response_days,
            organisation_escalation_days=self.service_organisation_escalation_days,
            network_escalation_days=self.service_network_escalation_days,
        )

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> "Settings":
        if self.environment != "dev":
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise ValueError("SECRET_KEY must be set to a long random value outside dev")
            if self.payload_key == DEV_PAYLOAD_KEY:
                raise ValueError("PAYLOAD_KEY must be set outside dev")
        if self.environment == "production" and self.payment_debtor_iban == DEMO_DEBTOR_IBAN:
            raise ValueError("PAYMENT_DEBTOR_IBAN must be the municipality's own account in production")
        if self.environment == "production" and self.identification == "simulation":
            raise ValueError("IDENTIFICATION=simulation is for development: set IDENTIFICATION=suomifi in production")
        if self.environment == "production" and self.registry == "local":
            raise ValueError("REGISTRY=local holds demo businesses: set REGISTRY=ytj in production")
        if self.identification == "suomifi" and not self.saml_idp_metadata:
            raise ValueError("SAML_IDP_METADATA must name Suomi.fi's metadata file when IDENTIFICATION=suomifi")
        if self.payment_run_time and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", self.payment_run_time):
            raise ValueError("PAYMENT_RUN_TIME must be HH:MM (Helsinki time) or empty")
        return self

    @property
    def is_dev(self) -> bool:
        return self.environment == "dev"

    @property
    def demo_programmes(self) -> bool:
        return self.is_dev if self.load_demo_programmes is None else self.load_demo_programmes

    @property
    def secure_cookies(self) -> bool:
        return self.environment == "production"

    @property
    def api_client_digests(self) -> dict[str, str]:
        """Each trusted integration's name and the SHA-256 of its secret."""
        pairs = (entry.strip().split(":", 1) for entry in self.api_clients.split(",") if ":" in entry)
        return {name.strip(): digest.strip().lower() for name, digest in pairs}

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
