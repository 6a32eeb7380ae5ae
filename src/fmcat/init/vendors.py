"""The vendor a host belongs to, so that `api.stripe.com` and `connect.stripe.com` are one file.

A public host is named by its registrable domain's own label: the label just left of the
public suffix (`api.stripe.com` -> `stripe`, `www.bbc.co.uk` -> `bbc`). Some suffixes are
shared by many unrelated services of one provider (`s3.eu-west-1.amazonaws.com`,
`storage.googleapis.com`, `ec.europa.eu`): merging them would put S3 and SQS, or the European
Commission and the ECB, in one file, so there the service's label is kept beside the
provider's (`aws-s3`, `google-storage`, `europa-ecb`), with AWS region labels dropped.
Internal names (`redis.default.svc.cluster.local`, `db.internal`) name the service in their
leftmost label, and IP addresses and one-label names stay as they are.

The tables are short on purpose, not the whole Public Suffix List: they cover the suffixes a
service's code names in practice, and a host they miss is still grouped with its own domain.
"""

from __future__ import annotations

import ipaddress
import re

#: Public suffixes of two or more labels (the Public Suffix List's ICANN section, the common
#: ones): the registrable domain is one label more than these.
MULTI_LABEL_SUFFIXES: frozenset[str] = frozenset(
    {
        *(f"{sld}.uk" for sld in ("co", "org", "ac", "gov", "ltd", "me", "net", "nhs", "plc")),
        *(f"{sld}.au" for sld in ("com", "net", "org", "edu", "gov", "id")),
        *(f"{sld}.nz" for sld in ("co", "org", "net", "govt", "ac")),
        *(f"{sld}.jp" for sld in ("co", "ne", "or", "ac", "go")),
        *(f"{sld}.br" for sld in ("com", "net", "org", "gov")),
        *(f"{sld}.cn" for sld in ("com", "net", "org", "gov")),
        *(f"{sld}.in" for sld in ("co", "net", "org", "gov")),
        *(f"{sld}.za" for sld in ("co", "org", "gov")),
        *(f"{sld}.mx" for sld in ("com", "org", "gob")),
        *(f"{sld}.tr" for sld in ("com", "org", "gov")),
        *(f"{sld}.sg" for sld in ("com", "org", "gov")),
        *(f"{sld}.hk" for sld in ("com", "org", "gov")),
        *(f"{sld}.kr" for sld in ("co", "or", "go")),
        *(f"{sld}.il" for sld in ("co", "org", "gov")),
        "com.ar",
        "com.co",
        "com.pl",
        "com.ua",
        "co.id",
        "co.th",
    }
)

#: Suffixes under which each name is a different service of one provider: the provider's
#: name, written before the service's label.
SHARED_SUFFIXES: dict[str, str] = {
    "amazonaws.com": "aws",
    "googleapis.com": "google",
    "cloudfunctions.net": "google-functions",
    "run.app": "google-run",
    "appspot.com": "appspot",
    "blob.core.windows.net": "azure-blob",
    "queue.core.windows.net": "azure-queue",
    "table.core.windows.net": "azure-table",
    "database.windows.net": "azure-sql",
    "azurewebsites.net": "azure",
    "cloudfront.net": "cloudfront",
    "herokuapp.com": "heroku",
    "github.io": "github-pages",
    "europa.eu": "europa",
    "gov.uk": "gov-uk",
}

#: Domains that belong to a vendor whose main domain is another (`raw.githubusercontent.com`
#: is GitHub's): registrable domain -> the vendor's name.
VENDOR_ALIASES: dict[str, str] = {
    "githubusercontent.com": "github",
    "githubassets.com": "github",
    "stripe.network": "stripe",
    "slack-edge.com": "slack",
    "sentry.io": "sentry",
    "paypalobjects.com": "paypal",
}

#: Names that only resolve inside a network: the leftmost label is the service.
INTERNAL_SUFFIXES: tuple[str, ...] = (
    "svc.cluster.local",
    "cluster.local",
    "local",
    "localdomain",
    "internal",
    "lan",
    "home.arpa",
    "consul",
)

# us-east-1, eu-west-3, us-gov-west-1, ap-southeast-2, dualstack labels.
_AWS_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d+$|^dualstack$")


def vendor_of(host: str) -> str:
    """The name that all the hosts of one vendor share (see the module's docstring)."""
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return host
    labels = host.split(".")
    if len(labels) == 1:
        return host
    for suffix in INTERNAL_SUFFIXES:
        if host.endswith(f".{suffix}"):
            return labels[0]
    for suffix, provider in SHARED_SUFFIXES.items():
        if host == suffix:
            return provider
        if host.endswith(f".{suffix}"):
            inner = [
                label
                for label in labels[: -len(suffix.split("."))]
                if not (provider == "aws" and _AWS_REGION.match(label))
            ]
            service = inner[-1] if inner else ""
            return provider if service in ("", "www", "api") else f"{provider}-{service}"
    size = 2 if ".".join(labels[-2:]) in MULTI_LABEL_SUFFIXES else 1
    if len(labels) <= size:
        return host  # the suffix itself (`co.uk`): nothing to merge it with
    registrable = ".".join(labels[-size - 1 :])
    return VENDOR_ALIASES.get(registrable, labels[-size - 1])
