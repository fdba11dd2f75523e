"""Notices to a center about its reports: a version returned for correction (with the
general reason and the comment on each field), accepted, and a request for more time
granted or refused. Each goes once to the center's director accounts (the bell and
their address) and to the center's registered address, through notifications.notice_send;
the review services call these in their transaction, so a decision rolled back sends
nothing and the e-mail leaves once the decision is committed."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.selectors import center_people
from notifications.services import notice_send

from ..choices import ExtensionStatus
from ..models import ExtensionRequest, Obligation, Review


def review_notice_key(review: Review) -> str:
    """The key of the notice of a decision on a version (one per review)."""
    which = "returned" if review.decision == Review.Decision.RETURNED else "accepted"
    return f"notice:report-{which}:{review.pk}"


def extension_notice_key(request: ExtensionRequest) -> str:
    return f"notice:extension-decided:{request.pk}"


def _heading(obligation: Obligation) -> str:
    period = obligation.period
    return _("Trung tâm: %(center)s\nBáo cáo: %(report)s\nKỳ báo cáo: %(period)s") % {
        "center": obligation.center.name, "report": period.report_type.title, "period": period.label,
    }


def _send(*, key: str, obligation: Obligation, subject: str, body: str) -> bool:
    users, addresses = center_people(obligation.center)
    return notice_send(
        key=key, users=users, addresses=addresses, subject=subject, body=body,
        link=reverse("reports:obligation_detail", args=[obligation.pk]),
    )


def _obligation(pk: int) -> Obligation:
    return Obligation.objects.select_related("period__report_type", "center").get(pk=pk)


def _report_name(obligation: Obligation) -> dict:
    return {"report": obligation.period.report_type.title, "period": obligation.period.label}


def notice_report_returned(*, review: Review) -> bool:
    """The version went back to the center: why, in general and field by field."""
    version = review.version
    obligation = _obligation(version.obligation_id)
    labels = {item["code"]: item.get("label") or item["code"] for item in version.schema}
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Trả lại báo cáo] %(report)s - %(period)s") % _report_name(obligation)
        lines = [
            _heading(obligation),
            _("Sở GDĐT đã trả lại bản nộp lần %(number)d để trung tâm sửa và nộp lại.") % {"number": version.number},
        ]
        if review.reason:
            lines.append(_("Lý do: %(reason)s") % {"reason": review.reason})
        if review.field_comments:
            lines.append(_("Ý kiến theo từng trường:"))
            # In the order of the form (the service keeps only the fields it has).
            lines += [f"- {label}: {review.field_comments[code]}" for code, label in labels.items()
                      if code in review.field_comments]
        lines.append(_("Vui lòng đăng nhập cổng thông tin để sửa và nộp lại báo cáo."))
        return _send(key=review_notice_key(review), obligation=obligation, subject=subject,
                     body="\n".join(lines))


def notice_report_accepted(*, review: Review) -> bool:
    version = review.version
    obligation = _obligation(version.obligation_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Báo cáo đã được chấp nhận] %(report)s - %(period)s") % _report_name(obligation)
        body = "\n".join([
            _heading(obligation),
            _("Sở GDĐT đã chấp nhận bản nộp lần %(number)d. Trung tâm không cần làm gì thêm cho kỳ này.")
            % {"number": version.number},
        ])
        return _send(key=review_notice_key(review), obligation=obligation, subject=subject, body=body)


def notice_extension_decided(*, request: ExtensionRequest) -> bool:
    """A request for more time was granted (with the new due date) or refused (why)."""
    obligation = _obligation(request.obligation_id)
    with translation.override(settings.LANGUAGE_CODE):
        lines = [_heading(obligation)]
        if request.status == ExtensionStatus.GRANTED:
            subject = _("[Gia hạn nộp báo cáo] %(report)s - %(period)s: đã chấp thuận") % _report_name(obligation)
            lines.append(_("Sở GDĐT đồng ý gia hạn: hạn nộp mới là ngày %(until)s.")
                         % {"until": obligation.extended_until.strftime("%d/%m/%Y")})
        else:
            subject = _("[Gia hạn nộp báo cáo] %(report)s - %(period)s: không chấp thuận") % _report_name(obligation)
            lines.append(_("Sở GDĐT không chấp thuận đề nghị gia hạn đến ngày %(until)s; hạn nộp vẫn là ngày %(due)s.")
                         % {"until": request.requested_until.strftime("%d/%m/%Y"),
                            "due": obligation.effective_due_date.strftime("%d/%m/%Y")})
        if request.answer:
            lines.append(_("Trả lời của Sở: %(answer)s") % {"answer": request.answer})
        return _send(key=extension_notice_key(request), obligation=obligation, subject=subject,
                     body="\n".join(lines))
