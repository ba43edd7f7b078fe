"""Ids of the reference data sets (Exodus, Privado, datenanfragen) that sources cite.

The data sets themselves are not shipped; a test checks these ids against a copy of them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assessments.catalog.vendors import Source

EXODUS = "exodus"
PRIVADO = "privado"
DATENANFRAGEN = "datenanfragen"

_EXODUS_REF = re.compile(r"\bexodus\s+trackers?(?:\(s\))?\s+(\d+(?:\s*(?:,|and|&)\s*\d+)*)", re.I)
_EXODUS_URL = re.compile(r"reports\.exodus-privacy\.eu\.org/(?:[a-z]{2}/)?trackers/(\d+)", re.I)
_PRIVADO_REF = re.compile(r"\bprivado\s+sinks?\s+([^()]+)", re.I)
_DATENANFRAGEN_REF = re.compile(r"\bdatenanfragen\s+(?:companies/)?([a-z0-9-]+)\.json", re.I)
_DATENANFRAGEN_URL = re.compile(
    r"(?:datarequests\.org|datenanfragen\.de)/(?:company|firma)/([a-z0-9-]+)", re.I
)
_PRIVADO_URL = re.compile(r"github\.com/Privado-Inc/privado(?:-rules)?/blob/[^/]+/(rules/\S+)")


@dataclass(frozen=True)
class DatasetId:
    """One record of a reference data set named by a source (ref or url)."""

    dataset: str  # exodus | privado | datenanfragen
    id: str  # tracker id, sink id ("ThirdParties.SDK.Adjust") or rule file, company slug


def dataset_ids(source: Source) -> list[DatasetId]:
    """The data-set records a source cites in its `ref` or `url`, in order, each once."""
    found: list[DatasetId] = []
    ref = source.ref or ""
    url = source.url or ""
    for match in _EXODUS_REF.finditer(ref):
        found += [DatasetId(EXODUS, n) for n in re.findall(r"\d+", match.group(1))]
    found += [DatasetId(EXODUS, m.group(1)) for m in _EXODUS_URL.finditer(url)]
    for match in _PRIVADO_REF.finditer(ref):
        for sink in re.split(r"[,\s]+", match.group(1).strip()):
            if sink.startswith(("ThirdParties.", "Sinks.")):
                found.append(DatasetId(PRIVADO, sink))
    found += [DatasetId(PRIVADO, m.group(1)) for m in _PRIVADO_URL.finditer(url)]
    found += [DatasetId(DATENANFRAGEN, m.group(1)) for m in _DATENANFRAGEN_REF.finditer(ref)]
    found += [DatasetId(DATENANFRAGEN, m.group(1)) for m in _DATENANFRAGEN_URL.finditer(url)]
    return list(dict.fromkeys(found))
