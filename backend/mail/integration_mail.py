"""The error notice about a company's business-system integration, in the admin's language."""

from __future__ import annotations

from email.message import EmailMessage

from ..i18n import translator
from ..integration.notices import DueNotice
from .messages import paragraph_message, single_address

# A file with hundreds of findings: the first ones tell what to fix, the screen has the rest.
MAX_DETAILS = 20


def error_notice_mail(notice: DueNotice, *, sender: str) -> EmailMessage:
    t = translator(notice.language)
    subject = t(
        "Invoice Portal: problem with the business-system integration of {company}",
        company=notice.company_name,
    )
    paragraphs: list[tuple[str, str | None]] = [
        (t("Hello,"), None),
        (notice.problem.render(t), None),
    ]
    details = notice.details[:MAX_DETAILS]
    if details:
        lines = "\n".join(f"- {p.render(t)}" for p in details)
        more = len(notice.details) - len(details)
        if more > 0:
            lines += "\n" + t("… and {count} more.", count=more)
        paragraphs.append((t("What was found:"), lines))
    if notice.about_a_file:
        advice = t(
            "The file is kept in the portal. Fix the rules or the file and retry it under"
            " Company (F12) > Business system."
        )
    else:
        advice = t(
            "Check the connection settings under Company (F12) > Business system. The same"
            " problem is reported again at most once an hour."
        )
    paragraphs.append((advice, None))
    return paragraph_message(subject, single_address(notice.to), sender, paragraphs, t.locale)
