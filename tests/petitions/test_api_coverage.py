"""Every act the petition pages offer has an API operation.

Each URL name of the staff pages (petitions/urls.py) and of the petitioner's pages
(petitions/public_urls.py) is in one of the tables below: an act, with the operation id
of the API that takes it, or a page that takes no act, with the reason. A new page, or a
new act on a page, fails here until it is given its API (or shown to need none).
"""

from __future__ import annotations

from django.test import Client
from django.urls import URLPattern, get_resolver

PREFIX = "yingji_petitions_api_"

# Page URL name → the operation that takes the same act through the API.
ACTS: dict[str, str] = {
    "petitions:new": "create_petition",
    "petitions:reveal": "reveal_petitioner",
    "petitions:decide": "decide_petition",
    "petitions:clarify": "clarify_identity",
    "petitions:assign": "assign_petition",
    "petitions:answer": "answer_assignment",
    "petitions:extend": "extend_petition",
    "petitions:reply": "reply_petition",
    "petitions:deliver": "deliver_reply",
    "petitions:document": "open_document",
    "petitions:follow_up": "record_follow_up",
    "petitions:reopen": "reopen_petition",
    "petitions:review_decide": "decide_review",
    "petitions:review_deliver": "deliver_opinion",
    "petitions:hearing": "hold_hearing",
    "petitions:supervise": "supervise_petition",
    "petitions:link": "link_petition",
    "petitions:object": "object_to_transfer",
    "petitions:attach": "attach_files",
    "petitions:attachment": "open_attachment",
    "petitions:import": "import_ledger",
    "petitions:by_petitioner": "search_by_petitioner",
    "public:petition": "public_submit",
    "public:status": "public_status",
    "public:rate": "public_rate",
    "public:review": "public_request_review",
    "public:recheck": "public_request_recheck",
    "public:reply": "public_reply_document",
    "public:opinion": "public_opinion_document",
}

# Page URL name → why it needs no operation of its own.
NOT_ACTS: dict[str, str] = {
    "petitions:list": "the list: GET /petitions (list_petitions)",
    "petitions:detail": "the case: GET /petitions/{id} and its lists (reviews, follow-ups …)",
    "petitions:ledger": "the Excel ledger export, a download of the list (no act)",
    "petitions:similar": "similar cases while typing: a read for the intake form, sent by POST "
    "to keep the petitioner's details out of URLs; it changes nothing",
}


def _names(module: object, namespace: str) -> set[str]:
    patterns = module.urlpatterns
    return {f"{namespace}:{p.name}" for p in patterns if isinstance(p, URLPattern)}


def test_every_page_act_has_an_api_operation(client: Client) -> None:
    assert get_resolver().url_patterns  # the root URLconf registers the path converters
    from yingji.petitions import public_urls, urls

    pages = _names(urls, "petitions") | _names(public_urls, "public")
    unclassified = sorted(pages - set(ACTS) - set(NOT_ACTS))
    assert not unclassified, (
        "page URLs with no API operation in ACTS nor a reason in NOT_ACTS:\n"
        + "\n".join(unclassified)
    )
    # A page named in NOT_ACTS may come and go with the pages' own changes; an act may not.
    stale = sorted(set(ACTS) - pages)
    assert not stale, f"ACTS names page URLs that no longer exist: {stale}"
    assert not set(ACTS) & set(NOT_ACTS)

    schema = client.get("/api/v1/openapi.json").json()
    operations = {
        operation["operationId"]
        for methods in schema["paths"].values()
        for operation in methods.values()
    }
    missing = sorted(op for op in ACTS.values() if PREFIX + op not in operations)
    assert not missing, f"operations named in ACTS that the API lacks: {missing}"


def test_each_operation_has_a_summary_and_documented_refusals(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if not operation["operationId"].startswith(PREFIX):
                continue
            assert operation.get("summary"), f"{method} {path} has no summary"
            statuses = set(operation["responses"])
            takes_input = operation.get("parameters") or "requestBody" in operation
            if takes_input:  # a list with nothing to send (the categories) refuses nothing
                assert "422" in statuses or "404" in statuses, f"{method} {path}: {statuses}"
            if method == "post":
                assert "requestBody" in operation, f"{method} {path} takes no body"
