"""Drives a running Rectify through a client generated from openapi/openapi.json by
openapi-python-client: if the document lies about a path, a body or a status, the generated
code cannot parse the answer and this script fails.

Usage: python client_walkthrough.py BASE_URL ADMIN_PASSWORD  (the generated package
`rectify_api_client` must be importable).
"""

import datetime
import io
import sys
import uuid

import docx

from rectify_api_client import AuthenticatedClient, Client
from rectify_api_client.types import File
from rectify_api_client.api.auth import login, me
from rectify_api_client.api.measures import create_measure
from rectify_api_client.api.problems import create_problem, get_problem, transition_problem
from rectify_api_client.api.reports import (
    ledger_xlsx,
    overdue,
    overdue_docx,
    overdue_xlsx,
    review_report,
)
from rectify_api_client.api.reviews import create_review
from rectify_api_client.api.users import create_user
from rectify_api_client.models import (
    Action,
    CreateMeasure,
    CreateProblem,
    CreateReview,
    CreateUser,
    LoginRequest,
    OverdueReport,
    Problem,
    ProblemDetails,
    ReviewKind,
    Role,
    Status,
    TransitionRequest,
)


def expect(response, status, kind):
    body = response.parsed
    if response.status_code != status or not isinstance(body, kind):
        sys.exit(
            f"expected {status} {kind.__name__}, got {response.status_code}: {response.content!r}"
        )
    return body


def main(base_url: str, admin_password: str) -> None:
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    refused = login.sync_detailed(
        client=anonymous, body=LoginRequest(username="admin", password="not-the-password")
    )
    expect(refused, 401, ProblemDetails)
    token = expect(
        login.sync_detailed(
            client=anonymous, body=LoginRequest(username="admin", password=admin_password)
        ),
        200,
        object,
    ).access_token
    client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)
    org = expect(me.sync_detailed(client=client), 200, object).organization

    suffix = uuid.uuid4().hex[:8]
    owner = expect(
        create_user.sync_detailed(
            client=client,
            body=CreateUser(
                username=f"owner.{suffix}",
                display_name="李明",
                organization_id=org.id,
                role=Role.OWNER,
                password="client-walkthrough-password",
            ),
        ),
        201,
        object,
    )
    review = expect(
        create_review.sync_detailed(
            client=client,
            body=CreateReview(
                organization_id=org.id,
                title="2026年度组织生活会",
                kind=ReviewKind.ORGANIZATIONAL_LIFE,
                held_on=datetime.date(2026, 11, 20),
                aspects=["作风建设方面"],
            ),
        ),
        201,
        object,
    )
    measure = expect(
        create_measure.sync_detailed(
            client=client,
            body=CreateMeasure(review_id=review.id, title="建立物业服务考核办法"),
        ),
        201,
        object,
    )
    problem = expect(
        create_problem.sync_detailed(
            client=client,
            body=CreateProblem(
                review_id=review.id,
                aspect="作风建设方面",
                title="对物业管理问题跟踪督促不够",
                owner_id=owner.id,
                deadline=datetime.date(2026, 12, 31),
                measure_ids=[measure.id],
            ),
        ),
        201,
        Problem,
    )
    assert problem.status == Status.DRAFT, problem.status

    confirmed = expect(
        transition_problem.sync_detailed(
            problem.id, client=client, body=TransitionRequest(action=Action.CONFIRM)
        ),
        200,
        Problem,
    )
    assert confirmed.status == Status.OPEN, confirmed.status
    # A refusal arrives as problem details the client can read.
    wrong = expect(
        transition_problem.sync_detailed(
            problem.id, client=client, body=TransitionRequest(action=Action.VERIFY)
        ),
        409,
        ProblemDetails,
    )
    assert wrong.code == "transition_not_allowed", wrong.code

    again = expect(get_problem.sync_detailed(problem.id, client=client), 200, Problem)
    assert again.status == Status.OPEN and again.key == problem.key

    # A problem ten days past its deadline, then the overdue report as a typed object.
    late = expect(
        create_problem.sync_detailed(
            client=client,
            body=CreateProblem(
                review_id=review.id,
                title="党员教育管理台账不完整",
                owner_id=owner.id,
                deadline=datetime.date.today() - datetime.timedelta(days=10),
                measure_ids=[measure.id],
            ),
        ),
        201,
        Problem,
    )
    expect(
        transition_problem.sync_detailed(
            late.id, client=client, body=TransitionRequest(action=Action.CONFIRM)
        ),
        200,
        Problem,
    )
    report = expect(overdue.sync_detailed(client=client), 200, OverdueReport)
    listed = [item for item in report.overdue if item.key == late.key]
    assert listed and listed[0].days_overdue >= 9, [item.to_dict() for item in report.overdue]
    assert sum(group.problems for group in report.groups) >= 1, report.groups

    # Files arrive as bytes, whatever they hold.
    for operation, query in ((ledger_xlsx, {"review_id": review.id}), (overdue_xlsx, {})):
        sheet = expect(operation.sync_detailed(client=client, **query), 200, File)
        data = sheet.payload.read()
        assert data.startswith(b"PK\x03\x04") and len(data) > 4000, data[:16]
    # The review's report, opened by python-docx: its title, the totals and its two parts.
    report = expect(review_report.sync_detailed(review.id, client=client), 200, File)
    document = docx.Document(io.BytesIO(report.payload.read()))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0].endswith("关于2026年度组织生活会整改落实情况的报告"), paragraphs[:3]
    assert any("查摆问题2个" in p for p in paragraphs), paragraphs
    for part in ("一、问题整改落实情况", "二、尚未完成的整改事项及下一步打算"):
        assert part in paragraphs, (part, paragraphs)
    assert document.sections[0].page_height > document.sections[0].page_width  # A4 portrait
    # The overdue list as a 督办 list: landscape, a header row and the late problem in its table.
    listing = expect(overdue_docx.sync_detailed(client=client), 200, File)
    document = docx.Document(io.BytesIO(listing.payload.read()))
    assert document.sections[0].page_width > document.sections[0].page_height
    assert document.paragraphs[0].text.endswith("逾期问题督办清单"), document.paragraphs[0].text
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][:3] == ["类型", "编号", "问题/措施"]
    assert any(row.cells[1].text == late.key for row in table.rows[1:]), late.key
    print(
        f"generated client: {problem.key} created, confirmed (draft -> open), verify refused; "
        f"overdue report read typed ({late.key} {listed[0].days_overdue} days overdue); "
        f"ledger and overdue workbooks read as bytes; the review's report opened by python-docx "
        f"({len(paragraphs)} paragraphs)"
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
