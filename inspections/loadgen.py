"""Bulk inspections, violations, complaints and directive tasks for benchmarks
(`manage.py generate_load`), spread over the generated centers and years."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from centers.models import Center
from conferences.models import Directive, DirectiveRegister, Task, TaskAssignment
from conferences.services.registers import register_lock

from .choices import ComplaintSource, ComplaintStatus, InspectionStatus
from .models import Complaint, Inspection, SanctionArticle, Violation

INSPECTED_SHARE = 0.08
COMPLAINT_SHARE = 0.04
INSERT_BATCH = 2000


def compliance_load(*, province_ids: list[int], years: int, today: datetime.date | None = None,
                    seed: int = 1) -> dict[str, int]:
    today = today or timezone.localdate()
    rng = random.Random(seed)
    span = max(365, int(years * 365.25))
    article = SanctionArticle.objects.filter(version__in_force_to__isnull=True).order_by("pk").first()
    counts = {"inspections": 0, "violations": 0, "complaints": 0, "assignments": 0}

    def day_within(days: int) -> datetime.date:
        return today - datetime.timedelta(days=rng.randint(0, days))

    for province_id in province_ids:
        centers = list(Center.objects.filter(province_id=province_id).values_list("pk", "kind"))
        with transaction.atomic():
            inspections = []
            for center_id, _kind in centers:
                if rng.random() >= INSPECTED_SHARE:
                    continue
                carried = day_within(span)
                closed = carried < today - datetime.timedelta(days=120) and rng.random() < 0.8
                inspections.append(Inspection(
                    province_id=province_id, center_id=center_id, planned_on=carried - datetime.timedelta(days=7),
                    carried_out_on=carried, status=InspectionStatus.CLOSED if closed else InspectionStatus.DONE,
                    team="Đoàn kiểm tra liên ngành", scope="Điều kiện hoạt động, hồ sơ giáo viên",
                    findings="Cơ bản đáp ứng điều kiện hoạt động.",
                    remedy_deadline=carried + datetime.timedelta(days=30),
                    unpermitted_location=not closed and rng.random() < 0.1,
                    closed_on=carried + datetime.timedelta(days=60) if closed else None,
                ))
            inspections = Inspection.objects.bulk_create(inspections, batch_size=INSERT_BATCH)
            violations = [
                Violation(inspection=inspection, article=article, description="Vi phạm phát hiện khi kiểm tra",
                          remedy_deadline=inspection.remedy_deadline,
                          remedied_on=(inspection.remedy_deadline - datetime.timedelta(days=rng.randint(0, 20)))
                          if inspection.status == InspectionStatus.CLOSED or rng.random() < 0.6 else None)
                for inspection in inspections if article and rng.random() < 0.3
            ]
            Violation.objects.bulk_create(violations, batch_size=INSERT_BATCH)
            complaints = []
            for center_id, _kind in centers:
                if rng.random() >= COMPLAINT_SHARE:
                    continue
                received = day_within(span)
                done = received < today - datetime.timedelta(days=60) and rng.random() < 0.9
                complaints.append(Complaint(
                    province_id=province_id, center_id=center_id, received_on=received,
                    source=rng.choice(ComplaintSource.values), content="Phản ánh về học phí và chất lượng giảng dạy",
                    handling_deadline=received + datetime.timedelta(days=30),
                    status=ComplaintStatus.RESOLVED if done else ComplaintStatus.HANDLING,
                    upheld=rng.random() < 0.3 if done else None, about_location=rng.random() < 0.05,
                    closed_on=received + datetime.timedelta(days=rng.randint(5, 45)) if done else None,
                ))
            Complaint.objects.bulk_create(complaints, batch_size=INSERT_BATCH)
            counts["assignments"] += _directive_load(province_id, centers, today, rng)
        counts["inspections"] += len(inspections)
        counts["violations"] += len(violations)
        counts["complaints"] += len(complaints)
    return counts


def _directive_load(province_id: int, centers: list, today: datetime.date, rng: random.Random) -> int:
    """One issued công văn per province asking every language center for a review, due a
    month ago: most did it (some late), some did not (overdue)."""
    issued_on = today - datetime.timedelta(days=75)
    # The number from the register, under its lock, as directive_issue takes it: the
    # portal's next plan must not be given the same number.
    register = register_lock(province_id, issued_on.year, "ke_hoach")
    register.last_number += 1
    DirectiveRegister.objects.filter(pk=register.pk).update(last_number=register.last_number)
    directive = Directive.objects.create(
        province_id=province_id, doc_type="ke_hoach", status="issued", number=register.last_number,
        year=issued_on.year,
        symbol="KH-SGDĐT", issued_on=issued_on, subject="Rà soát điều kiện hoạt động các trung tâm ngoại ngữ",
        body="Dữ liệu sinh để đo hiệu năng.", signer_name="Nguyễn Văn An", signing_prefix="KT.",
        signer_position="PHÓ GIÁM ĐỐC",
    )
    deadline = today - datetime.timedelta(days=30)
    task = Task.objects.create(directive=directive, number=1, text="Tự rà soát điều kiện hoạt động, báo cáo Sở",
                               lead_unit="Các trung tâm", deadline=deadline)
    rows = []
    for center_id, kind in centers:
        if kind not in ("language", "language_it"):
            continue
        roll = rng.random()
        done_on = deadline + datetime.timedelta(days=rng.randint(-20, 10)) if roll < 0.85 else None
        rows.append(TaskAssignment(
            task=task, kind="center", center_id=center_id, selection="Tất cả trung tâm ngoại ngữ, toàn tỉnh",
            status="accepted" if done_on else "open", completed_on=done_on,
            completed_at=timezone.make_aware(datetime.datetime.combine(done_on, datetime.time(9))) if done_on else None,
        ))
    TaskAssignment.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    return len(rows)
