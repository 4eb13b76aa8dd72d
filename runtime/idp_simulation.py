"""A simulation of Suomi.fi e-Identification for development and tests: the same protocol (SAML 2.0 Web
Browser SSO through pysaml2's identity provider), at its own address, with a page to choose a test person.

It verifies our signed AuthnRequest, and answers with a signed assertion encrypted to our key, naming the
person by the attributes Suomi.fi uses and the level of assurance of the method chosen. `grantdesk dev`
starts it (`grantdesk idp-sim`); it refuses to run in production, and the application has no way round it.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.request import AuthnRequest
from saml2.s_utils import UnknownPrincipal
from saml2.server import Server
from stdnum.fi import hetu

from core.saml import (
    SIMULATION_METADATA_PATH,
    SIMULATION_SSO_PATH,
    simulation_idp_metadata,
    simulation_idp_settings,
    sp_metadata,
)
from core.settings import PROJECT_ROOT, Settings
from runtime.seed import DEMO_BUSINESSES, DEMO_RIGHTS


@dataclass(frozen=True)
class TestPerson:
    personal_id: str  # a test code: individual number 900-999
    given_names: str
    surname: str

    @property
    def name(self) -> str:
        return f"{self.surname} {self.given_names}"


# Test people with valid test personal identity codes; any other valid code can be typed on the page.
TEST_PEOPLE = (
    TestPerson("010170-901K", "Maija", "Meikäläinen"),
    TestPerson("150585-902R", "Matti", "Virtanen"),
    TestPerson("080975-903W", "Anna", "Andersson"),
    TestPerson("231166-904W", "Pekka", "Korhonen"),
    TestPerson("120392-9053", "Laura", "Nieminen"),
)


def demo_rights_in_words() -> dict[str, str]:
    """What each test person may apply for in the demo data (the simulated Mandates service's rights), as
    a hint on the chooser: "owner: Kahvila Korvapuusti (2326287-1); mandate: Esbo Design Ab (1572860-0)"."""
    names = {business_id: name for business_id, name, *_ in DEMO_BUSINESSES}
    words: dict[str, list[str]] = {}
    for business_id, personal_id, right in DEMO_RIGHTS:
        words.setdefault(personal_id, []).append(f"{right}: {names[business_id]} ({business_id})")
    return {personal_id: "; ".join(rights) for personal_id, rights in words.items()}


@dataclass(frozen=True)
class Method:
    code: str
    label: str
    authn_context: str


METHODS = (
    Method("bank", "Online banking codes (substantial)", "http://ftn.ficora.fi/2017/loa2"),
    Method("certificate", "Certificate card (high)", "http://ftn.ficora.fi/2017/loa3"),
    Method("weak", "Weak test login (low: refused for applying)", "http://eidas.europa.eu/LoA/low"),
)

RIGHTS = demo_rights_in_words()
templates = Jinja2Templates(directory=PROJECT_ROOT / "templates" / "idp_simulation")


def create_simulation_idp(settings: Settings) -> FastAPI:
    if settings.environment == "production":
        raise RuntimeError("the simulated identification service does not run in production")
    config = IdPConfig()
    config.load({**simulation_idp_settings(settings), "metadata": {"inline": [sp_metadata(settings)]}})
    server = Server(config=config)
    app = FastAPI(title="Simulated Suomi.fi e-Identification", docs_url=None, redoc_url=None, openapi_url=None)

    def parse(saml_request: str, relay_state: str, sig_alg: str, signature: str) -> AuthnRequest:
        """Our signed request, verified against the service provider's key in its metadata."""
        return server.parse_authn_request(
            saml_request, BINDING_HTTP_REDIRECT, relay_state=relay_state, sigalg=sig_alg, signature=signature
        )

    @app.get("/", response_class=HTMLResponse)
    def front() -> str:
        return (
            "<!doctype html><title>Simulated identification</title><p>The simulated Suomi.fi e-Identification "
            "for development. Sign in from the grant site: it sends you here.</p>"
        )

    @app.get(SIMULATION_METADATA_PATH)
    def metadata() -> Response:
        return Response(simulation_idp_metadata(settings), media_type="application/samlmetadata+xml")

    @app.get(SIMULATION_SSO_PATH, response_class=HTMLResponse)
    def choose(
        request: Request,
        saml_request: str = Query(alias="SAMLRequest", max_length=20000),
        relay_state: str = Query("", alias="RelayState", max_length=200),
        sig_alg: str = Query("", alias="SigAlg", max_length=200),
        signature: str = Query("", alias="Signature", max_length=2000),
    ) -> Response:
        try:
            parse(saml_request, relay_state, sig_alg, signature)
        except Exception as exc:
            return HTMLResponse(f"Not a valid signed authentication request: {type(exc).__name__}", status_code=400)
        signed = {"SAMLRequest": saml_request, "RelayState": relay_state, "SigAlg": sig_alg, "Signature": signature}
        context = {"signed": signed, "people": TEST_PEOPLE, "methods": METHODS, "error": None, "rights": RIGHTS}
        return templates.TemplateResponse(request, "choose.html", context)

    @app.post(SIMULATION_SSO_PATH, response_class=HTMLResponse)
    def answer(
        request: Request,
        saml_request: str = Form(alias="SAMLRequest", max_length=20000),
        relay_state: str = Form("", alias="RelayState", max_length=200),
        sig_alg: str = Form("", alias="SigAlg", max_length=200),
        signature: str = Form("", alias="Signature", max_length=2000),
        person: str = Form("", max_length=20),
        personal_id: str = Form("", max_length=20),
        given_names: str = Form("", max_length=100),
        surname: str = Form("", max_length=100),
        method: str = Form("bank", max_length=20),
        cancel: str = Form("", max_length=5),
    ) -> Response:
        try:
            parsed = parse(saml_request, relay_state, sig_alg, signature)
        except Exception as exc:
            return HTMLResponse(f"Not a valid signed authentication request: {type(exc).__name__}", status_code=400)
        args = server.response_args(parsed.message)
        if cancel:
            failed = server.create_error_response(
                parsed.message.id, args["destination"], UnknownPrincipal("cancelled"), sign=True
            )
            return _post_back(request, args["destination"], str(failed), relay_state)
        chosen = next((p for p in TEST_PEOPLE if p.personal_id == person), None)
        if chosen is None:
            code = personal_id.strip().upper()
            if not (hetu.is_valid(code, allow_temporary=True) and given_names.strip() and surname.strip()):
                signed = {
                    "SAMLRequest": saml_request,
                    "RelayState": relay_state,
                    "SigAlg": sig_alg,
                    "Signature": signature,
                }
                context = {
                    "signed": signed,
                    "people": TEST_PEOPLE,
                    "rights": RIGHTS,
                    "methods": METHODS,
                    "error": "Choose a test person, or give a valid personal identity code and a name.",
                }
                return templates.TemplateResponse(request, "choose.html", context, status_code=422)
            chosen = TestPerson(code, given_names.strip(), surname.strip())
        how = next((m for m in METHODS if m.code == method), METHODS[0])
        identity = {
            "nationalIdentificationNumber": [chosen.personal_id],
            "cn": [chosen.name],
            "displayName": [f"{chosen.given_names.split()[0]} {chosen.surname}"],
            "givenName": [chosen.given_names],
            "sn": [chosen.surname],
        }
        authn = {
            "class_ref": how.authn_context,
            "authn_auth": server.config.entityid,
            "authn_instant": int(datetime.now(UTC).timestamp()),
        }
        response = server.create_authn_response(
            identity,
            userid=chosen.personal_id,
            authn=authn,
            sign_assertion=True,
            sign_response=True,
            encrypt_assertion=True,
            encrypted_advice_attributes=False,
            **args,
        )
        return _post_back(request, args["destination"], str(response), relay_state)

    return app


def _post_back(request: Request, destination: str, response: str, relay_state: str) -> HTMLResponse:
    """HTTP-POST binding: the browser carries the answer to the service provider (a button, and a script
    that presses it)."""
    import base64

    encoded = base64.b64encode(response.encode()).decode()
    context = {"destination": destination, "saml_response": encoded, "relay_state": relay_state}
    return templates.TemplateResponse(request, "post.html", context)
