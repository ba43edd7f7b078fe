import os

from tests.service.test_assistant_offline import registry_app as _catalog_app  # noqa
from tests.service.test_assistant_portfolio import ask, portfolio_app  # noqa

QS = os.environ.get("QS", "").split("|")


def test_print(portfolio_app):
    for q in QS:
        a = ask(portfolio_app, q)
        print("\n=====", q, a.intent)
        print(a.text)
        print([(c.kind, c.id, c.title) for c in a.citations][:6])
