"""The attributes Suomi.fi e-Identification releases, by their OID names (SAML attribute name format uri).

pysaml2 reads this map (its `attribute_map_dir`) to turn the OIDs into the friendly names our code uses.
"""

FROM_OID = {
    "urn:oid:1.2.246.21": "nationalIdentificationNumber",  # the personal identity code (henkilötunnus)
    "urn:oid:2.5.4.3": "cn",  # surname and first names
    "urn:oid:2.16.840.1.113730.3.1.241": "displayName",  # calling name and surname
    "urn:oid:2.5.4.42": "givenName",
    "urn:oid:2.5.4.4": "sn",
    "urn:oid:1.2.246.517.2002.2.18": "municipalityCode",  # home municipality (population data system)
}
MAP = {
    "identifier": "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
    "fro": FROM_OID,
    "to": {friendly: oid for oid, friendly in FROM_OID.items()},
}
