"""Demo conferences and directives for `manage.py seed_demo`.

The five conferences are the five source articles in the design's domain/seeds/, each
recorded under the Department of its own province (the portal hosts several), as the
article tells it: title, date, chair, attendance, number of speeches, assessment, topics,
difficulties and conclusions. A value an article does not give stays empty (a date is
never invented); the passages are quoted as published, the sources' own typing slips
included, and "(...)" marks where a long passage was shortened. The articles only say
that proposals were answered, never what was asked: each such sentence is one
ConferenceQuestion quoting it, nothing more.

Provinces are those of today (the 2025 two-level structure, codes of the National
Statistics Office); how each was found, and the name the province had when the article
was written, are in the conference's `source` (the model has no other place for them):

- 000 Bắc Ninh: the article says "trên địa bàn tỉnh Bắc Ninh" (Báo Bắc Ninh). The demo
  province, with its accounts, centers and live directives.
- 001 Hà Nội: the article names no province. It speaks of "Thành phố", "Công An Thành
  phố" and "Ban Kiểm tra liên ngành quận, huyện, thị xã": a centrally-run city with
  urban and rural districts and a town (thị xã). Of the five centrally-run cities before
  2025 only Hà Nội had a thị xã (Sơn Tây), and "hơn 600" center directors fits its size.
  This is an inference, not a fact of the text, and `source` says so ("chưa xác minh").
- 002 Điện Biên: published on dienbien.edu.vn; the former director went to Tủa Chùa
  district. Unchanged by the 2025 rearrangement.
- 003 Ninh Bình: "VNPT Ninh Bình" presented at it; province Ninh Bình then, before Hà
  Nam and Nam Định were joined to it in 2025 (same name).
- 004 Huế: delegates of "thành phố Huế" and "thị xã Hương Trà": province Thừa Thiên Huế
  in 2014, today Thành phố Huế.

The other four Departments get an account without a usable password and without an
invented name (the author of their conference); none has centers, divisions or directives.

The directives are drawn from the conclusions they cite, never rewriting what the chair
said, and dated after their conference:

- Bắc Ninh, 000: the notice of the conclusions, issued days after the conference (2022),
  which quotes them as the article gives them (phòng GDĐT of the districts included: they
  existed then) and sets no task or deadline the chair did not set; then, on dates
  relative to today, the Department's own công văn and inspection plan that follow them
  up in the 2025 structure (the districts' tasks now asked of the communes, in the
  Department's words, not the chair's), and one draft. Their assignments have a story:
  done on time, done late, reported done and waiting for the Department, open, overdue;
  the demo director (giamdoc) and the ward officer (canboxa) have work of their own. They
  are signed by an invented deputy director: no real person signs a document the demo
  makes up for today. Each register is taken up as staff do when adopting the portal
  (numbers given on paper until the day before), so a number reads like one of its date.
- None for the other conferences: a directive prints its Department's header as of
  today (Directive has no issuer-as-then), so a 2014 plan of Huế would be headed "Thành
  phố Huế" eleven years early. Their conclusions stay on the conference records.

Running it again changes nothing: conferences are found by title, directives by
subject, divisions by code and accounts by username.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Division, User
from centers.choices import CenterKind, CenterStatus
from centers.models import Center, Staff
from geo.models import AdministrativeUnit
from notifications.demo import notices_backdate
from geo.services import units_load
from geo.text import vi_sort_key
from reports.demo import director_account, one_off_type

from .choices import ConferenceKind, DirectiveStatus, DirectiveType, ParticipantRole, SigningPrefix
from .models import (
    Conference,
    ConferenceQuestion,
    Directive,
    DirectiveRegister,
    ParticipantGroup,
    Task,
    TaskAssignment,
    TaskProgress,
)
from .selectors import follow_up_summary
from .services import (
    CenterSelection,
    assignment_accept,
    assignment_reopen,
    conference_save,
    directive_issue,
    directive_save,
    progress_report,
    task_assign,
    task_save,
)
from .services.conferences import conference_refresh_search
from .services.notices import assigned_notice_key, reopened_notice_key
from .services.registers import register_set_next
from .services.tasks import ACTIVE_STATUSES

CHAIR = ParticipantRole.CHAIR
DIRECTING = ParticipantRole.DIRECTING
GUEST = ParticipantRole.GUEST
DELEGATE = ParticipantRole.DELEGATE


def _lines(*items: str) -> str:
    return "\n".join(items)


# The five source articles (domain/seeds/*.txt), one dict each. Participants are
# (unit as the article writes it, role, count only where the article gives a number).
CONFERENCES: list[dict] = [
    # 000_5d0b4c3b8daa7457.txt - Báo Bắc Ninh, the demo province's own conference.
    {
        "key": "000",
        "province": "24",
        "title": "Hội nghị triển khai nhiệm vụ các trung tâm ngoại ngữ, tin học và trung tâm hỗ trợ phát triển "
                 "giáo dục hòa nhập",
        "kind": ConferenceKind.LAUNCH,
        "held_on": datetime.date(2022, 10, 26),  # "Ngày 26/10/2022"
        "place": "",  # not given ("trên địa bàn tỉnh Bắc Ninh" is where the centers are)
        "host_unit": "Sở Giáo dục và Đào tạo",
        # "Dự và chỉ đạo hội nghị có đồng chí Nguyễn Hữu Bình, Phó Giám đốc Sở GDĐT"; he
        # also gave the concluding speech, so he is the one who presided.
        "chair_name": "Nguyễn Hữu Bình",
        "chair_position": "Phó Giám đốc Sở GDĐT",
        "participants": [
            ("Đồng chí Nguyễn Hữu Bình, Phó Giám đốc Sở GDĐT", DIRECTING, None),
            ("Đại diện lãnh đạo Thanh tra, Phòng Tổ chức - Hành chính và lãnh đạo, chuyên viên phòng Giáo dục "
             "Tiểu học Sở GDĐT", DELEGATE, None),
            ("Lãnh đạo và chuyên viên phụ trách lĩnh vực các trung tâm của phòng GDĐT các huyện, thành phố",
             DELEGATE, None),
            ("Đại diện chủ đầu tư và lãnh đạo các trung tâm", DELEGATE, None),
        ],
        "speeches_count": 19,  # "có 19 ý kiến phát biểu thảo luận"
        "assessment": (
            "Trong thời gian qua, dịch bệnh Covid-19 đã ảnh hưởng không nhỏ tới hoạt động của các trung tâm, nhưng "
            "đa số các trung tâm đã nỗ lực khắc phục khó khăn tổ chức triển khai các hình thức dạy học thích ứng, "
            "linh hoạt để duy trì hoạt động, đảm bảo cam kết chất lượng đầu ra và đảm bảo công tác phòng, chống "
            "dịch bệnh góp phần nâng cao chất lượng giáo dục và đào tạo chung của tỉnh."
        ),
        "topics": _lines(
            "Giải pháp tháo gỡ khó khăn, nâng cao chất lượng, hiệu quả hoạt động tại các trung tâm",
            "Công tác cải cách thủ tục hành chính",
            "Chế độ chính sách cho cán bộ giáo viên, học sinh",
            "Công tác thi đua khen thưởng",
            "Việc dạy Tiếng Anh tăng cường có yếu tố giáo viên người nước ngoài trong các nhà trường",
            "Việc dạy ngoại ngữ khác trong nhà trường",
            "Việc quản lý chỉ đạo các trung tâm trên địa bàn hoạt động...",
        ),
        "questions": [{
            "raised_by": "Các trung tâm và phòng GDĐT",
            "question": "Các ý kiến hỏi đáp và đề xuất, kiến nghị của các trung tâm và phòng GDĐT.",
            "answered_by": "Lãnh đạo Sở GDĐT và các phòng chuyên môn thuộc Sở",
            "answer": "Trả lời và hướng dẫn, giải đáp cụ thể (bài viết không ghi nội dung từng ý kiến).",
        }],
        "difficulties": _lines(
            "Việc bổ sung hồ sơ giáo viên người nước ngoài (đối với trung tâm ngoại ngữ);",
            "việc lưu trữ hồ sơ các trung tâm còn chưa khoa học;",
            "việc mua sắm, bổ sung trang thiết bị, cơ sở vật chất phục vụ cho dạy và học chưa thường xuyên;",
            "giám đốc trung tâm chưa phát huy hết vai trò của mình trong công tác quản lý, chỉ đạo dạy học;",
            "chế độ thông tin báo cáo một số trung tâm còn chậm, chưa kịp thời;",
            "có 16 trung tâm ngoại ngữ và 04 trung tâm ngoại ngữ - tin học không tuyển sinh được nên đã dừng "
            "hoạt động.",
        ),
        # The Department's tasks for the coming period, which the delegates agreed on, then
        # the concluding speech.
        "conclusions": _lines(
            "Thời gian tới, Sở GDĐT tập trung chỉ đạo và triển khai các nhiệm vụ như sau: Thực hiện nghiêm túc các "
            "văn bản hướng dẫn chỉ, đạo của các cấp quản lý; xây dựng kế hoạch đào tạo, bồi dưỡng, tập huấn nâng "
            "cao năng lực chuyên môn, nghiệp vụ cho đội ngũ cán bộ quản lý, giáo viên; tăng cường đầu tư cơ sở vật "
            "chất, trang thiết bị phục vụ dạy và học; ứng dụng công nghệ thông tin và chuyển đổi số trong công tác "
            "quản lý và dạy học; duy trì hiệu quả email của ngành tên miền bacninh.edu.vn đã được cấp để gửi nhận "
            "văn bản và trao đổi công việc trên môi trường mạng; tăng cường công tác quản lý, chỉ đạo, công tác "
            "thanh tra, kiểm tra; phối hợp chặt chẽ với các sở, ngành của tỉnh có liên quan để quản lý và chỉ đạo "
            "các trung tâm hoạt động hiệu quả, đúng quy định; hướng dẫn, triển khai công tác thi đua, khen thưởng "
            "để động viên kịp thời các tập thể và cá nhân có thành tích trong công tác quản lý chỉ đạo, công tác "
            "dạy và học tại các trung tâm; chỉ đạo các phòng GDĐT tăng cường công tác quản lý, kiểm tra việc tổ "
            "chức hoạt động của các trung tâm trên cùng địa bàn; thực hiện nghiêm túc báo cáo cơ quan quản lý "
            "theo quy định. Các đại biểu đều thống nhất với việc đánh giá tình hình hoạt động của các trung tâm "
            "trong thời gian qua và triển khai nhiệm vụ thời gian tới và các ý kiến chỉ đạo của lãnh đạo Sở GDĐT.",
            "Phát biểu kết luận Hội nghị, đồng chí Nguyễn Hữu Bình, Phó Giám đốc Sở GDĐT đã ghi nhận và biểu dương "
            "những nỗ lực của các trung tâm trong thời gian qua, đồng thời yêu cầu Thanh tra Sở và các phòng "
            "chuyên môn thuộc Sở, theo chức năng, nhiệm vụ, tăng cường công tác quản lý chỉ đạo, thanh tra, kiểm "
            "tra, đảm bảo các trung tâm hoạt động hiệu quả, đúng quy định, không vi phạm pháp luật; giao Phòng "
            "Giáo dục Tiểu học phối hợp với các Phòng liên quan xây dựng văn bản chỉ đạo tăng cường công tác quản "
            "lý, công tác dạy và học đối với các trung tâm, văn bản tăng cường phối hợp chỉ đạo các trung tâm gửi "
            "UBND các huyện, thành phố; phòng GDĐT các huyện, thành phố rà soát và tăng cường công tác quản lý các "
            "trung tâm trên địa bàn, đặc biệt là những trung tâm chưa được cấp phép nhưng đã hoạt động, báo cáo Sở "
            "GDĐT xử lý theo quy định; tạo mọi điều kiện tốt nhất để các trung tâm hoạt động, không gây phiền hà "
            "đối với các trung tâm, doanh nghiệp. Đối với chủ đầu tư (doanh nghiệp), các trung tâm cần quan tâm "
            "tới công tác tuyển chọn đội ngũ cán bộ giáo viên, đầu tư cơ sở vật chất, thiết bị hiện đại phục vụ "
            "cho việc dạy và học tốt nhất, tăng cường ứng dụng công nghệ thông tin và chuyển đổi số trong công tác "
            "quản lý và dạy học; đặc biệt quan tâm tới công tác an ninh, an toàn, phòng chống cháy nổ và phòng, "
            "chống dịch bệnh Covid-19; rà soát lại các loại hồ sơ, văn bản theo quy định như: Quyết định cho phép "
            "thành lập, cấp phép hoạt động và công nhận chức danh Giám đốc trung tâm, hồ sơ nhân sự, học sinh...; "
            "tăng cường việc tự học nâng cao trình độ chuyên môn, nghiệp vụ, nghiên cứu kỹ các văn bản quy phạm "
            "pháp luật phục vụ cho công tác quản lý và dạy học; hoạt động của trung tâm phải theo đúng đề án đã "
            "được các cơ quan có thẩm quyền phê duyệt, chương trình, giáo trình hoạt động không được trái với "
            "thuần phong, mỹ tục của Việt Nam; thực hiện báo cáo về Sở GDĐT và phòng GDĐT theo đúng quy định./.",
        ),
        "source": "Tác giả: Phòng Giáo dục tiểu học; Nguồn: Báo Bắc Ninh",
    },
    # 001_95c6b31aa434d111.txt - no headline, no date, no author or source line. The
    # title is made of the article's own words (the attendance sentence) and says so in
    # `source`; the host is not named either: the Department's deputy director concluded
    # the conference and its divisions attended, so it is recorded as the host. The
    # province is inferred (see the module's docstring) and `source` says so.
    {
        "key": "001",
        "province": "01",
        "title": "Hội nghị các trung tâm thực hiện nhiệm vụ giáo dục thường xuyên trên địa bàn Thành phố",
        "kind": ConferenceKind.THEMATIC,
        "held_on": None,  # the article gives no date
        "place": "",
        "host_unit": "Sở Giáo dục và Đào tạo",
        # Two officials "tham dự và chỉ đạo"; the Department's deputy director concluded it.
        "chair_name": "Nguyễn Quang Tuấn",
        "chair_position": "Phó Giám đốc Sở Giáo dục và Đào tạo",
        "participants": [
            ("PGS.TS Vũ Thị Tú Anh, Phó Vụ trưởng Vụ Giáo dục thường xuyên, Bộ Giáo dục và Đào tạo", DIRECTING, None),
            ("Đồng chí Nguyễn Quang Tuấn, Phó Giám đốc Sở Giáo dục và Đào tạo", DIRECTING, None),
            ("Đại diện lãnh đạo Công An Thành phố, Ban Kiểm tra liên ngành quận, huyện, thị xã", GUEST, None),
            ("Đại diện lãnh đạo, chuyên viên các phòng của Sở Giáo dục và Đào tạo", DELEGATE, None),
            # "hơn 600" is no count: the words stay as printed, the count empty (a number
            # would print beside them as if exact).
            ("Hơn 600 Giám đốc Trung tâm, Giám đốc Công ty, đại điện pháp luật của các trung tâm thực hiện nhiệm "
             "vụ giáo dục thường xuyên trên địa bàn Thành phố", DELEGATE, None),
        ],
        "speeches_count": 15,  # "Hội nghị ghi nhận 15 ý kiến phát biểu"
        "assessment": _lines(
            "Trong thời gian qua, dịch bệnh Covid-19 đã ảnh hưởng không nhỏ tới hoạt động của các trung tâm, nhưng "
            "đa số các trung tâm đã nỗ lực khắc phục khó khăn tổ chức triển khai các hình thức dạy học thích ứng, "
            "linh hoạt để duy trì hoạt động, đảm bảo cam kết chất lượng đầu ra và đảm bảo công tác phòng, chống "
            "dịch bệnh góp phần nâng cao chất lượng giáo dục và đào tạo chung của Thành phố.",
            "Cơ sở vật chất, trang thiết bị được giữ gìn, bảo quản tốt; nhiều trung tâm đầu tư, tái đầu tư thiết "
            "bị hiện đại, đáp ứng yêu cầu học tập trực tuyến kết hợp trực tiếp, từng bước triển khai chuyển đổi số "
            "theo định hướng đổi mới quản lý giáo dục (nhiều phần mềm quản lý, dạy và học được thiết kế được phụ "
            "huynh và học sinh đón nhận); các trung tâm đã quan tâm đến đào tạo, bồi dưỡng giáo viên; rà soát, cập "
            "nhật chương trình, tài liệu dạy học; tổ chức các phương án, hình thức dạy học linh hoạt, phù hợp nhu "
            "cầu học tập; có xu hướng nhóm lớp nhỏ; cung ứng lộ trình gói học trực tuyến toàn phần; kết hợp dạy "
            "học trải nghiệm, câu lạc bộ … rất đa dạng.",
        ),
        "topics": _lines(
            "Giải pháp tháo gỡ khó khăn, nâng cao chất lượng, hiệu quả hoạt động tại các trung tâm",
            "Công tác cải cách thủ tục hành chính",
            "Chế độ chính sách cho cán bộ giáo viên, học viên",
            "Công tác thi đua khen thưởng",
            "Việc dạy Tiếng Anh tăng cường có yếu tố giáo viên người nước ngoài trong và ngoài nhà trường",
            "Khó khăn trong thủ tục cấp giấy phép lao động cho giáo viên nước ngoài",
            "Việc quản lý chỉ đạo các trung tâm trên địa bàn hoạt động...",
        ),
        "questions": [{
            "raised_by": "Các đơn vị",
            "question": "Các ý kiến, câu hỏi, đề xuất, kiến nghị của các đơn vị.",
            "answered_by": "Lãnh đạo Sở Giáo dục và Đào tạo, các cơ quản quản lý chuyên môn",
            "answer": "Trả lời và hướng dẫn, giải đáp cụ thể (bài viết không ghi nội dung từng ý kiến).",
        }],
        "difficulties": (
            "Bên cạnh đó, vẫn còn số ít trung tâm chưa chấp hành đúng quy định pháp luật liên quan trong lĩnh vực "
            "hoạt động: không chấp hành báo cáo đúng hạn; thay đổi nội dung hoạt động (chuyển địa điểm, dừng hoạt "
            "động…) không tiến hành báo cáo và đăng ký thay đổi Giấy chứng nhận hoạt động với Sở Giáo dục và Đào "
            "tạo; một số vấn đề nổi cộm, cá biệt như tranh chấp trong vi phạm thu phí; không đảm bảo quyền lợi của "
            "học sinh, giáo viên…chưa giải quyết triệt để, không tạo được sự đồng thuận giữa với phụ huynh dẫn đến "
            "đơn thư, khiếu kiện kéo dài, ảnh hưởng đến môi trường kinh doanh, uy tín, chất lượng trong lĩnh vực "
            "đào tạo, bồi dưỡng ngắn hạn nói chung của các trung tâm ngoại ngữ nói riêng."
        ),
        "conclusions": (
            "Phát biểu kết luận Hội nghị, đồng chí Nguyễn Quang Tuấn, Phó Giám đốc Sở Giáo dục và Đào tạo đã ghi "
            "nhận và biểu dương những nỗ lực của các trung tâm trong thời gian qua, đồng thời yêu cầu Thanh tra Sở, "
            "các phòng chuyên môn thuộc Sở, Ban Kiểm tra liên ngành quận, huyện, thị xã, theo chức năng, nhiệm vụ, "
            "tăng cường công tác quản lý chỉ đạo, thanh tra, kiểm tra, đảm bảo các trung tâm hoạt động hiệu quả, "
            "đúng quy định, không vi phạm pháp luật; hướng dẫn, hỗ trợ thủ tục hành chính, tạo mọi điều kiện tốt "
            "nhất để các trung tâm hoạt động. Đối với doanh nghiệp, trung tâm cần quan tâm tới công tác tuyển chọn "
            "đội ngũ cán bộ giáo viên, đầu tư cơ sở vật chất, thiết bị hiện đại phục vụ cho việc dạy và học tốt "
            "nhất, tăng cường ứng dụng công nghệ thông tin và chuyển đổi số trong công tác quản lý và dạy học; đặc "
            "biệt quan tâm tới công tác an ninh, an toàn, phòng chống cháy nổ và phòng, chống dịch bệnh; thực hiện "
            "công khai theo đúng quy định; tăng cường việc tự học nâng cao trình độ chuyên môn, nghiệp vụ, nghiên "
            "cứu kỹ các văn bản quy phạm pháp luật phục vụ cho công tác quản lý và dạy học; thực hiện báo cáo về Sở "
            "Giáo dục và Đào tạo và phòng Giáo dục và Đào tạo theo đúng quy định./."
        ),
        "source": "Bài viết không có tiêu đề (tên hội nghị đặt theo nội dung bài), không ghi ngày, tác giả, "
                  "nguồn, tên tỉnh, thành phố; xếp vào Sở GDĐT Hà Nội theo suy luận (thành phố có quận, huyện, "
                  "thị xã; hơn 600 trung tâm), chưa xác minh",
    },
    # 002_ef8e3732cc4becd5.txt - dienbien.edu.vn. "Ngày 26/1" gives no year; the year is
    # derived from the article itself: the review of semester I of school year 2017-2018,
    # a predecessor transferred "từ ngày 1/1/2018" and new-year wishes for 2018.
    {
        "key": "002",
        "province": "11",
        "title": "Hội nghị Sơ kết học kỳ I và triển khai nhiệm vụ học kỳ II năm học 2017 - 2018",
        "kind": ConferenceKind.SEMESTER_REVIEW,
        "held_on": datetime.date(2018, 1, 26),  # "Ngày 26/1", year 2018 derived (see above)
        "place": "",
        "host_unit": "Sở Giáo dục và Đào tạo",
        # He gave the concluding speech: "đồng chí Nguyễn Văn Kiên - Phó Giám đốc phụ trách Sở".
        "chair_name": "Nguyễn Văn Kiên",
        "chair_position": "Phó Giám đốc phụ trách Sở Giáo dục và Đào tạo",
        "participants": [
            ("Lãnh đạo Sở", DIRECTING, None),
            ("Lãnh đạo, chuyên viên các phòng chuyên môn, nghiệp vụ Sở Giáo dục và Đào tạo", DELEGATE, None),
            ("Trưởng phòng Giáo dục và Đào tạo các huyện, thị xã, thành phố", DELEGATE, None),
            ("Thủ trưởng các đơn vị trực thuộc Sở và Công ty Cổ phần Sách - Thiết bị dạy học", DELEGATE, None),
        ],
        "speeches_count": 21,  # "Sau 21 ý kiến phát biểu"
        "assessment": _lines(
            "Hội nghị nhất trí đánh giá: Học kỳ I năm học 2017-2018, toàn ngành triển khai thực hiện 09 nhóm nhiệm "
            "vụ trọng tâm và 05 nhóm giải pháp chủ yếu một cách toàn diện, sâu sắc, cụ thể phù hợp yêu cầu đổi mới "
            "căn bản, toàn diện giáo dục đào tạo và thực tế của tỉnh. Cụ thể: Thực hiện tốt công tác rà soát, sắp "
            "xếp lại mạng lưới trường, lớp học; trình UBND tỉnh ban hành Quy hoạch phát triển giáo dục và đào tạo "
            "tỉnh giai đoạn 2016-2025, định hướng đến năm 2030. Tỷ lệ huy động dân số trong độ tuổi đến trường "
            "tiếp tục tăng, đa số chỉ tiêu đều sát, đạt và vượt chỉ tiêu kế hoạch giao. Thực hiện rà soát, đánh "
            "giá thực trạng chất lượng đội ngũ, triển khai kế hoạch đào tạo, bồi dưỡng nhà giáo và cán bộ quản lý "
            "giáo dục. (...) Đẩy mạnh ứng dụng công nghệ thông tin trong quản lý và dạy học, nâng cao hiệu quả "
            "quản lý và chất lượng dạy học. (...) Cơ sở vật chất tiếp tục được đầu tư, nâng cấp, thiết bị, đồ dùng "
            "dạy học được bổ sung, cơ bản đáp ứng nhu cầu dạy và học. (...)",
            "Việc thực hiện 05 nhóm giải pháp có chuyển biển tốt, trong đó công tác quản lý Nhà nước về giáo dục "
            "và đào tạo không ngừng được tăng cường thông qua việc tham mưu UBND tỉnh ban hành quy hoạch, chính "
            "sách phát triển giáo dục; ban hành các quy định, văn bản hướng dẫn thực hiện nhiệm vụ năm học; chỉ "
            "đạo tổ chức thực hiện các nhiệm vụ, chỉ tiêu; đổi mới công tác thanh tra, kiểm tra; đẩy mạnh cải cách "
            "thủ tục hành chính về giáo dục và đào tạo. (...) Công tác kiểm định chất lượng giáo dục được quan "
            "tâm, số lượng trường mầm non, phổ thông đạt chuẩn quốc gia tiếp tục tăng. Công tác truyền thông từng "
            "bước được đổi mới, thực hiện bài bản hơn.",
        ),
        "topics": "",  # the article lists no discussion topics
        "questions": [{
            "raised_by": "Các đơn vị, cơ sở giáo dục",
            "question": "Những kiến nghị, đề xuất của các đơn vị, cơ sở giáo dục.",
            "answered_by": "Lãnh đạo Sở, lãnh đạo các phòng chuyên môn, nghiệp vụ Sở",
            "answer": "Giải đáp cụ thể (bài viết không ghi nội dung từng ý kiến).",
        }],
        "difficulties": (
            "Những khó khăn, vướng mắc, hạn chế và nguyên nhân hạn chế chung của ngành cũng như của từng đơn vị, "
            "địa phương cũng được thẳng thắn nhìn nhận, phân tích kỹ để tìm giải pháp khắc phục."
        ),
        "conclusions": (
            "Học kỳ II, toàn ngành tiếp tục thực hiện toàn diện, sâu sắc 09 nhiệm vụ trọng tâm và 05 nhóm giải pháp "
            "cơ bản theo chỉ chị nhiệm vụ trọng tâm năm học; phấn đấu đạt và vượt chỉ tiêu kế hoạch năm 2017 được "
            "UBND tỉnh giao tại Quyết định số 1527/QĐ-UBND ngày 10/12/2016; đồng thời chuẩn bị các điều kiện thực "
            "hiện các chỉ tiêu kế hoạch giao năm 2018 (năm học 2018-2019) được UBND tỉnh giao tại Quyết định số "
            "1220/QĐ-UBND ngày 09/12/2017; đề nghị các đơn vị nghiên cứu thực hiện 09 nhóm nhiệm vụ, giải pháp đã "
            "được thống nhất tại Hội nghị."
        ),
        "source": "Theo dienbien.edu.vn (năm suy ra từ năm học 2017-2018); tỉnh Điện Biên",
    },
    # 003_d81585a789234248.txt - written by the Department's office ("Văn phòng Sở thực hiện").
    {
        "key": "003",
        "province": "37",
        "title": "Hội nghị thường kỳ trưởng phòng GD&ĐT, giám đốc trung tâm GDNN-GDTX, thủ trưởng đơn vị trực "
                 "thuộc Sở lần thứ ba, năm học 2020-2021",
        "kind": ConferenceKind.BRIEFING,
        "held_on": datetime.date(2021, 3, 12),  # "Ngày 12/3/2021"
        "place": "",
        "host_unit": "Sở Giáo dục và Đào tạo",
        # "Đồng chí Giám đốc Sở chủ trì hội nghị": the article names the position only.
        "chair_name": "",
        "chair_position": "Giám đốc Sở Giáo dục và Đào tạo",
        "participants": [
            ("Đồng chí Giám đốc Sở", CHAIR, None),
            ("Các đồng chí lãnh đạo Sở", DELEGATE, None),
            ("Lãnh đạo Công đoàn ngành", DELEGATE, None),
            ("Trưởng phòng GD&ĐT, giám đốc trung tâm GDNN-GDTX các huyện, thành phố", DELEGATE, None),
            ("Giám đốc trung tâm GDTX Tin học và Ngoại ngữ tỉnh", DELEGATE, None),
            ("Hiệu trưởng Trường phổ thông thực hành sư phạm Tràng An và hiệu trưởng các trường THPT", DELEGATE, None),
            # They presented VNEDU 4.0 at the conference.
            ("Đại diện VNPT Ninh Bình", GUEST, None),
        ],
        "speeches_count": None,  # not given
        "assessment": (
            "Từ đầu học kỳ II đến nay, Sở Giáo dục và Đào tạo đã chủ động, tập trung chỉ đạo toàn ngành tích cực "
            "triển khai thực hiện nhiệm vụ công tác giáo dục và đào tạo, điểu chỉnh hợp lý một số nội dung kế "
            "hoạch công tác theo diễn biến tình hình dịch bệnh COVID-19 nhưng không làm ảnh hưởng đến công tác "
            "chung của toàn ngành. Chỉ đạo nghỉ Tết Nguyên đán Tân Sửu lành mạnh, an toàn, tiết kiệm; thực hiện "
            "nghiêm túc các biện pháp phòng, chống dịch Covid-19. Các đơn vị trong toàn ngành đã tích cực thực "
            "hiện đầy đủ các nhiệm vụ trọng tâm có hiệu quả tốt, phong trào thi đua “Dạy tốt - Học tốt” tiếp tục "
            "được đẩy mạnh. Tiếp tục thực hiện tốt chương trình giáo dục phổ thông theo định hướng phát triển năng "
            "lực và phẩm chất học sinh theo đúng hướng dẫn của Bộ GD&ĐT. Chú trọng việc bồi dưỡng cán bộ, giáo "
            "viên về chương trình giáo dục phổ thông mới, việc lực chọn sách giáo khoa đối với lớp 1, lớp 2, lớp 6 "
            "và việc biên soạn tài liệu Giáo dục địa phương lớp 2 và lớp 6 cho năm học 2021-2022. Tổ chức các hoạt "
            "động khảo sát, đánh giá chất lượng giáo dục về văn hóa; thi thử học sinh lớp 9, lớp 12; thi chọn học "
            "sinh giỏi lớp 9 THCS cấp tỉnh; giao lưu An toàn giao thông tiểu học cấp tỉnh có hiệu quả, đánh giá "
            "khách quan, sát thực năng lực học sinh."
        ),
        "topics": _lines(
            "Đánh giá tình hình công tác từ đầu học kỳ II năm học 2020-2021 đến nay",
            "Triển khai nhiệm vụ trọng tâm từ nay đến cuối năm học",
            "Hệ sinh thái giáo dục thông minh VNEDU 4.0 phục vụ công tác chuyển đổi số trong ngành giáo dục "
            "(đại diện VNPT Ninh Bình giới thiệu)",
        ),
        "questions": [{
            "raised_by": "Cơ sở",
            "question": "Các kiến nghị của cơ sở về giáo án điện tử, nội dung liên quan đến chấm thi tuyển sinh lớp "
                        "10, thi tốt nghiệp THPT, tình trạng thiếu cơ sở vật chất, việc phân luồng học sinh, khảo sát "
                        "nhu cầu sử dụng nguồn nhân lực giáo viên các cấp học trên địa bàn tỉnh trong những năm tới "
                        "và một số nội dung khác.",
            "answered_by": "Các đồng chí lãnh đạo Sở và trưởng một số phòng ban chức năng của Sở",
            "answer": "Trực tiếp giải đáp (bài viết không ghi nội dung từng ý kiến).",
        }],
        "difficulties": (
            "Tuy nhiên, việc triển khai kế hoạch dạy trực tuyến trong thời gian học sinh ngừng đến trường ở một số "
            "trường THPT chưa thật sự tích cực; một số đơn vị có kết quả thi thử lớp 9 và lớp 12 đạt thấp; việc "
            "thực hiện phòng, chống COVID-19 ở một số trường học chưa cụ thể, chưa trang bị đủ, kịp thời về cơ sở "
            "vật chất, việc khai báo y tế còn chậm; an toàn trường học còn tiềm ẩn nguy cơ, diễn biến phức tạp..."
        ),
        "conclusions": _lines(
            "Để hoàn thành tốt các nhiệm vụ năm học 2020-2021, Giám đốc Sở yêu cầu các đơn vị cần tích cực, nghiêm "
            "túc thực hiện có hiệu quả một số nhiệm vụ trọng tâm sau:",
            "- Đẩy mạnh phong trào thi đua “Dạy tốt, học tốt, thực hiện nghiêm túc quy chế chuyên môn, chương trình "
            "giáo dục theo đúng hướng dẫn của Bộ GD&ĐT, không cắt xén chương trình.",
            "- Tiếp tục thực hiện nghiêm túc các biện pháp phòng, chống dịch Covid-19, khai báo y tế trung thực, "
            "kịp thời; tuyệt đối không được chủ quan, thiếu cảnh giác trong việc phòng, chống dịch.",
            "- Tổ chức ôn thi tốt nghiệp THPT năm 2021 và thi tuyển sinh lớp 10 năm học 2021-2022 nghiêm túc, chất "
            "lượng, hiệu quả. Rà soát, đánh giá lại chất lượng giờ lên lớp, đánh giá tính hiệu quả các môn học, tổ "
            "chức các chuyên đề ôn thi tốt nghiệp THPT, xây dựng kế hoạch chi tiết triển khai việc ôn tập cho học "
            "sinh đảm bảo tính hiệu quả cao. Thực hiện tốt chủ trương phân luồng học sinh sau THCS và THPT trên cơ "
            "sở đáp ứng nhu cầu xã hội.",
            "- Tích cực chuẩn bị các điều kiện cho kỳ thi tốt nghiệp THPT và kỳ thi tuyển sinh lớp 10 THPT đảm bảo "
            "nghiêm túc, khách quan, đúng quy chế.",
            "- Thực hiện tốt công tác bồi dưỡng cán bộ, giáo viên các cấp học đặc biệt là chú trọng bồi dưỡng đại "
            "trà modul 3 theo Chương trình ETEP; tổ chức lựa chọn sách giáo khoa lớp 1, lớp 2 và lớp 6 theo đúng "
            "quy định; hoàn thành việc biên soạn các cuốn tài liệu giáo dục địa phương lớp 2 và lớp 6.",
            "- Về công tác quản trị trường học: thủ trưởng các đơn vị thực hiện kỷ cương trường lớp nghiêm minh, "
            "quan tâm đến chất lượng soạn, giảng bài của giáo viên; quan tâm đến an toàn học đường, cảnh quan "
            "trường lớp, nước sạch, nhà vệ sinh hợp chuẩn, việc quy hoạch không gian trường học phải đảm bảo khoa "
            "học; thực hiện tốt công tác truyền thông, tuân thủ kỷ luật phát ngôn tại cơ quan, đơn vị theo quy "
            "định; thực hiện các khoản thu, chi trong trường học đúng quy định.",
        ),
        "source": "Văn phòng Sở thực hiện; tỉnh Ninh Bình (trước sắp xếp năm 2025), suy ra từ bài: đại diện VNPT "
                  "Ninh Bình dự hội nghị",
    },
    # 004_c7239d31039c01f1.txt - "Cập nhật lúc 12:00 24/04/2014"; held "sáng ngày 23/4/2014".
    {
        "key": "004",
        "province": "46",
        "title": "Hội nghị đánh giá và xây dựng kế hoạch nhiệm vụ của trung tâm học tập cộng đồng",
        "kind": ConferenceKind.THEMATIC,
        "held_on": datetime.date(2014, 4, 23),
        "place": "",  # not given ("thành phố Huế" is where some delegates came from)
        "host_unit": "Sở GD&ĐT",
        # "dưới sự chủ trì của Tiến sĩ Phạm Văn Hùng, Tỉnh ủy viên, Giám đốc Sở GD&ĐT": the
        # academic degree is not part of a name (state format), nor a position: the name
        # field has the name, the position the positions, and the participant group keeps
        # the words as printed, degree included.
        "chair_name": "Phạm Văn Hùng",
        "chair_position": "Tỉnh ủy viên, Giám đốc Sở GD&ĐT",
        "participants": [
            ("Tiến sĩ Phạm Văn Hùng, Tỉnh ủy viên, Giám đốc Sở GD&ĐT", CHAIR, None),
            ("Đại diện lãnh đạo Sở Nội vụ, Sở Kế hoạch và Đầu tư, Hội Khuyến học tỉnh", GUEST, None),
            ("Đại diện lãnh đạo UBND, Hội khuyến học, TTGDTX các huyện, thị xã và thành phố Huế", DELEGATE, None),
            ("Đại diện lãnh đạo và chuyên viên phụ trách GDTX của của các Phòng GD&ĐT", DELEGATE, None),
            ("Đại diện lãnh đạo một số TTHTCĐ", DELEGATE, None),
        ],
        "speeches_count": None,  # "nhiều ý kiến", no number
        "assessment": "",  # the report heard is not summarised in the article
        "topics": _lines(
            "Báo cáo đánh giá tình hình hoạt động của TTHTCĐ",
            "Đánh giá thực trạng, nguyên nhân tồn tại, yếu kém",
            "Đề xuất những giải pháp nhằm nâng cao chất lượng hoạt động của TTHTCĐ trong thời gian tới",
        ),
        "questions": [],  # the article records no proposal answered at the conference
        "difficulties": "",  # named ("thực trạng, nguyên nhân tồn tại, yếu kém") but not listed
        "conclusions": _lines(
            "1. Nâng cao nhận thức, trách nhiệm của cấp ủy, chính quyền cơ sở, của các cấp quản lý giáo dục, cơ sở "
            "giáo dục đối với hoạt động của TTHTCĐ.",
            "2. Tăng cường sự lãnh đạo, chỉ đạo của cấp ủy, chính quyền địa phương; huy động sự vào cuộc của cả hệ "
            "thống chính trị nhất là ở cấp cơ sở.",
            "3. Tăng cường kiểm tra, giám sát hoạt động của cácTTHTCĐ.",
            "4. Kiện toàn, củng cố tổ chức, bộ máy quản lý TTHTCĐ; phân công trách nhiệm cho từng thành viên trong "
            "Ban giám đốc trung tâm. Sở GD&ĐT phối hợp Sở Nội vụ tham mưu mưu UBND tỉnh về việc tăng cường giáo "
            "viên cho TTHTCĐ theo Thông tư 40/2010/TT-BGDĐT ngày 30/12/2010 của Bộ GD&ĐT.",
            "5. Hàng năm phải có sơ kết và tổ chức đánh giá định kỳ.",
            "6. Xây dựng quy chế phối hợp giữa TTHTCĐ với các tổ chức, cơ quan, đoàn thể.",
            "7. Các TTHTCĐ phải xây dựng kế hoạch hoạt đông (năm, tháng), trình Chủ tịch UBND cấp xã phê duyệt.",
            "8. Trong đánh giá hoạt động của trung tâm cần gắn với tiêu chí đánh giá nông thôn mới, đánh giá cán "
            "bộ. Gắn chỉ đạo TTHTCĐ với việc xây dựng xã hội học tập.",
            "9. Mỗi huyện, thị xã, thành phố cần chọn và chỉ đạo điểm từ 1-2 trung tâm để tiếp tục nhân rộng.",
            "10. Có kế hoạch tổ chức tập huấn nâng cao năng lực quản lý TTHTCĐ, nắm vững Quy chế và các văn bản "
            "liên quan đến việc tổ chức và hoạt động của TTHTCĐ.",
        ),
        "source": "Nguyễn Văn Huế - P.GDTX&CN; tỉnh Thừa Thiên Huế (nay là Thành phố Huế), suy ra từ bài: đại "
                  "biểu thành phố Huế, thị xã Hương Trà",
    },
]

CONFERENCE_FIELDS = ("title", "kind", "held_on", "place", "host_unit", "chair_name", "chair_position",
                     "speeches_count", "assessment", "topics", "difficulties", "conclusions", "source")

# The demo province: its Department has the demo accounts, the centers and the directives.
MAIN_PROVINCE = "24"

DIVISIONS = [
    ("GDTX", "Phòng Giáo dục thường xuyên", True),
    ("GDTH", "Phòng Giáo dục Tiểu học", True),
    # Named by the 2022 conclusions. Department inspectorates ended on 01/7/2025 (Luật
    # Thanh tra số 84/2025/QH15, domain/regulations.md): kept for what it was given then,
    # closed to new work.
    ("TTr", "Thanh tra Sở", False),
    ("VP", "Văn phòng Sở", True),
]
# Staff who report for a division: invented people, accounts without a usable password.
DIVISION_STAFF = {"GDTX": "Vũ Đức Long", "GDTH": "Phạm Thị Minh Trang"}

# The notice of the 2022 conclusions is signed, on behalf of the Director, by the deputy
# director who chaired the conference and spoke them (as the article names him). The
# documents the demo makes up for today are signed by an invented deputy director: a real
# official's name never stands under words he did not sign.
CHAIR_2022 = {"signing_prefix": SigningPrefix.KT, "signing_authority": "GIÁM ĐỐC", "signer_position": "PHÓ GIÁM ĐỐC",
              "signer_name": "Nguyễn Hữu Bình"}
SIGNER = {"signing_prefix": SigningPrefix.KT, "signing_authority": "GIÁM ĐỐC", "signer_position": "PHÓ GIÁM ĐỐC",
          "signer_name": "Đinh Quang Khải"}
IDEMPOTENCY_NAMESPACE = uuid.UUID("3b0f5a52-5e0c-4f7e-9d61-0c5e2d1a2026")

# Outcomes of an assignment (what the assignee and the Department did):
#   "none" nothing reported (open, or overdue once the deadline is past);
#   "progress" a progress note, not done; "on_time"/"late" reported done before/after the
#   deadline and accepted; "waiting"/"waiting_late" reported done, not yet accepted.


def _draw(key: str, weights: list[tuple[str, int]]) -> str:
    """A stable weighted choice: the same key always draws the same outcome."""
    point = int(hashlib.sha256(key.encode()).hexdigest(), 16) % sum(w for _o, w in weights)
    for outcome, weight in weights:
        if point < weight:
            return outcome
        point -= weight
    return weights[-1][0]


# Public holidays on a fixed date (Tết and the Hùng Kings' day follow the lunar calendar
# and are not avoided).
_FIXED_HOLIDAYS = {(1, 1), (30, 4), (1, 5), (2, 9)}


def _workday(day: datetime.date) -> datetime.date:
    """Documents are signed and deadlines fall on working days: a weekend or a fixed
    holiday moves to the working day before."""
    while day.weekday() > 4 or (day.day, day.month) in _FIXED_HOLIDAYS:
        day -= datetime.timedelta(days=1)
    return day


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@dataclass
class TaskPlan:
    text: str
    lead_unit: str
    deadline: datetime.date
    coordinating_units: str = ""
    divisions: list[Division] = field(default_factory=list)
    communes: list[AdministrativeUnit] = field(default_factory=list)
    centers: list[Center] = field(default_factory=list)
    selection: CenterSelection | None = None
    report_type: object = None
    outcome: Callable[[TaskAssignment], str] = lambda assignment: "none"
    done_note: str = ""
    progress_note: str = ""
    reopen_note: str = ""
    group: str = ""


@dataclass
class DemoContext:
    province: AdministrativeUnit
    staff: User
    today: datetime.date
    divisions: dict[str, Division]
    conferences: dict[str, Conference]
    giamdoc_center_id: int | None
    canboxa_commune_id: int | None
    directives: int = 0
    issued: int = 0
    assignments: int = 0


# Departments and conferences

def _source_provinces(codes: set[str]) -> dict[str, AdministrativeUnit]:
    """The provinces of the source articles, loaded from the 2025 list where missing."""
    found = {unit.code: unit for unit in AdministrativeUnit.objects.filter(
        level=AdministrativeUnit.Level.PROVINCE, code__in=codes)}
    missing = codes - set(found)
    if missing:
        units_load(province_codes=[int(code) for code in missing])
        found = {unit.code: unit for unit in AdministrativeUnit.objects.filter(
            level=AdministrativeUnit.Level.PROVINCE, code__in=codes)}
    return found


def department_account(province: AdministrativeUnit) -> User:
    """The account that records another Department's conference: no name is invented for
    it and it cannot log in (the demo accounts are Bắc Ninh's)."""
    username = f"sogd.{province.code}"
    account = User.objects.filter(username=username).first()
    if account is None:
        # Like every demo account, an address at a reserved domain (RFC 2606).
        account = _unusable(User(username=username, role=User.Role.DEPARTMENT, province=province,
                                 email=f"{username}@demo.example.org"))
    return account


def conferences_record(*, departments: dict[str, tuple[AdministrativeUnit, User]]) -> int:
    """Record the source conferences that are missing (by province and title), each under
    the Department of its province; returns how many."""
    created = 0
    for spec in CONFERENCES:
        province, user = departments[spec["province"]]
        if Conference.objects.filter(province=province, title=spec["title"]).exists():
            continue
        conference = conference_save(
            conference=Conference(province=province, **{name: spec[name] for name in CONFERENCE_FIELDS}), user=user,
        )
        for order, (unit, role, count) in enumerate(spec["participants"], start=1):
            group = ParticipantGroup(conference=conference, unit=unit, role=role, count=count, order=order)
            group.full_clean()
            group.save()
        for order, values in enumerate(spec["questions"], start=1):
            question = ConferenceQuestion(conference=conference, order=order, **values)
            question.full_clean()
            question.save()
        conference_refresh_search(conference)  # now with its groups and questions
        created += 1
    return created


def divisions_seed(province: AdministrativeUnit) -> dict[str, Division]:
    return {
        code: Division.objects.get_or_create(province=province, code=code,
                                             defaults={"name": name, "is_active": active})[0]
        for code, name, active in DIVISIONS
    }


def _demo_staff_divisions(province: AdministrativeUnit, divisions: dict[str, Division]) -> None:
    """sogd and thanhtra work in the GDTX division (when they have none yet): the
    Department's inspection team is drawn from it since Thanh tra Sở ended on 01/7/2025,
    and the tasks given to the division reach both bells and reminders."""
    for username, code in (("sogd", "GDTX"), ("thanhtra", "GDTX")):
        for user in User.objects.filter(username=username, province=province, division__isnull=True):
            user.division = divisions[code]
            user.save(update_fields=["division"])  # with its history row, like any change of an account


# Who reports for an assignee

def _unusable(user: User) -> User:
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


def _reporter(assignment: TaskAssignment) -> User:
    """The assignee's account: the center's director, the commune's officer (canboxa for
    its ward), a staff member of the division; created without a password if missing."""
    if assignment.center_id:
        return director_account(assignment.center)
    if assignment.commune_id:
        commune = assignment.commune
        officer = User.objects.filter(role=User.Role.LOCAL_OFFICER, commune=commune).order_by("pk").first()
        return officer or _unusable(User(
            username=f"cb.{commune.code}", role=User.Role.LOCAL_OFFICER, commune=commune,
            province_id=commune.parent_id, email=f"cb.{commune.code}@bacninh.example.org",
        ))
    division = assignment.division
    member = User.objects.filter(role=User.Role.DEPARTMENT, division=division).order_by("pk").first()
    return member or _unusable(User(
        username=f"cv.{division.code.lower()}", role=User.Role.DEPARTMENT, province_id=division.province_id,
        division=division, full_name=DIVISION_STAFF.get(division.code, ""),
        email=f"cv.{division.code.lower()}@bacninh.example.org",
    ))


def _play(ctx: DemoContext, assignment: TaskAssignment, outcome: str, plan: TaskPlan) -> None:
    """Leave behind what `outcome` says, through the services, then date it: the services
    stamp the real time, the demo moves it to the planned day (demo data only)."""
    if outcome == "none":
        return
    task = assignment.task
    directive = task.directive
    rng = random.Random(f"{directive.subject}|{task.number}|{assignment.assignee_name}")
    yesterday = ctx.today - datetime.timedelta(days=1)
    key = uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{directive.subject}|{task.number}|{assignment.pk}")
    user = _reporter(assignment)
    if outcome == "progress":
        day = min(max(directive.issued_on, ctx.today - datetime.timedelta(days=rng.randint(2, 8))), yesterday)
        progress = progress_report(assignment=assignment, user=user, note=plan.progress_note, idempotency_key=key)
        TaskProgress.objects.filter(pk=progress.pk).update(created_at=_at(day, rng.randint(8, 16), rng.randint(0, 59)))
        return
    if outcome in ("late", "waiting_late"):
        day = min(task.deadline + datetime.timedelta(days=rng.randint(1, 8)), yesterday)
    else:
        day = min(max(task.deadline - datetime.timedelta(days=rng.randint(0, 6)), directive.issued_on), yesterday)
    done_at = _at(day, rng.randint(8, 11), rng.randint(0, 59))
    progress = progress_report(assignment=assignment, user=user, note=plan.done_note, marks_done=True,
                               idempotency_key=key)
    TaskProgress.objects.filter(pk=progress.pk).update(created_at=done_at)
    TaskAssignment.objects.filter(pk=assignment.pk).update(completed_at=done_at, completed_on=day)
    if outcome == "reopened":
        # Reported done, sent back by the Department the next day: open (and overdue) again.
        assignment_reopen(assignment=assignment, user=ctx.staff, note=plan.reopen_note)
        occasion = progress.pk
        reopened_on = min(day + datetime.timedelta(days=1), yesterday)
        notices_backdate([reopened_notice_key(assignment.pk, occasion)], _at(reopened_on, 15, 10))
        return
    if outcome in ("on_time", "late"):
        assignment_accept(assignment=assignment, user=ctx.staff)
        accepted_on = min(day + datetime.timedelta(days=rng.randint(0, 3)), yesterday)
        TaskAssignment.objects.filter(pk=assignment.pk).update(
            accepted_at=_at(accepted_on, rng.randint(14, 16), rng.randint(0, 59)),
        )


# About how many documents of each type a Department numbers in a year: the register a
# demo directive is issued from was kept on paper until the day before (the portal was
# adopted then), so its number reads like one of its date, not "01" in October.
NUMBERS_PER_YEAR = {DirectiveType.CONCLUSION_NOTICE: 220, DirectiveType.OFFICIAL_LETTER: 2400,
                    DirectiveType.PLAN: 180}


def _adopt_register(ctx: DemoContext, doc_type: str, issued_on: datetime.date) -> None:
    """Set where the portal starts the register of `issued_on`'s year, as staff do when
    adopting it (conferences.services.registers), unless the portal already gave one of
    its numbers."""
    day_of_year = issued_on.timetuple().tm_yday
    next_number = 1 + day_of_year * NUMBERS_PER_YEAR.get(doc_type, 100) // 366
    last_on = _workday(issued_on - datetime.timedelta(days=1))
    register = DirectiveRegister.objects.filter(province=ctx.province, year=issued_on.year, doc_type=doc_type).first()
    if next_number < 2 or last_on.year != issued_on.year or (register is not None and register.last_number):
        return
    register_set_next(
        province_id=ctx.province.pk, year=issued_on.year, doc_type=doc_type, next_number=next_number,
        last_on=last_on, user=ctx.staff,
        reason=_("Dữ liệu mẫu: các số trước đã cấp trên sổ đăng ký giấy trước khi dùng cổng."),
    )


def _directive(ctx: DemoContext, *, doc_type: str, subject: str, body: str, plans: list[TaskPlan],
               issued_on: datetime.date | None, conference: Conference | None, drafting: Division | None = None,
               addressees: str = "", recipients: str = "", closing: str = "",
               signer: dict | None = None) -> Directive | None:
    """Draft the directive with its tasks and assignees, then issue it on `issued_on` (or
    leave it a draft) and play each assignment's outcome. None if it exists already."""
    if Directive.objects.filter(province=ctx.province, subject=subject).exists():
        return None
    if conference is not None and conference.held_on and issued_on is not None:
        assert issued_on > conference.held_on, "a directive follows its conference"
    directive = directive_save(directive=Directive(
        province=ctx.province, doc_type=doc_type, drafting_division=drafting, subject=subject, body=body,
        closing=closing, addressees=addressees, recipients=recipients, conference=conference,
        # The planned date on the draft, so that the tasks' deadlines are checked against
        # it rather than today (some deadlines are past: the demo shows overdue work).
        issued_on=issued_on, **(signer or SIGNER),
    ), user=ctx.staff)
    tasks = []
    for plan in plans:
        task = task_save(task=Task(
            directive=directive, group=plan.group, text=plan.text, lead_unit=plan.lead_unit,
            coordinating_units=plan.coordinating_units, deadline=plan.deadline, report_type=plan.report_type,
        ), user=ctx.staff)
        ctx.assignments += task_assign(task=task, user=ctx.staff, divisions=plan.divisions, communes=plan.communes,
                                       centers=plan.centers, selection=plan.selection)
        tasks.append(task)
    ctx.directives += 1
    if issued_on is None:
        return directive
    _adopt_register(ctx, doc_type, issued_on)
    directive = directive_issue(directive=directive, user=ctx.staff, issued_on=issued_on)
    ctx.issued += 1
    # Issuing told every assignee (the bells' "Nhiệm vụ mới"): dated the day it was issued.
    notices_backdate([assigned_notice_key(pk) for pk in TaskAssignment.objects.filter(task__directive=directive)
                      .values_list("pk", flat=True)], _at(issued_on, 8, 30))
    for plan, task in zip(plans, tasks, strict=True):
        assignments = task.assignments.select_related("task__directive", "center", "commune", "division")
        for assignment in assignments.order_by("pk"):
            _play(ctx, assignment, plan.outcome(assignment), plan)
    return directive


def _days(ctx: DemoContext, offset: int) -> datetime.date:
    return _workday(ctx.today + datetime.timedelta(days=offset))


# The directives of the Bắc Ninh Department

CONCLUSION_SUBJECT = ("Kết luận của Phó Giám đốc Sở Nguyễn Hữu Bình tại Hội nghị triển khai nhiệm vụ các trung tâm "
                      "ngoại ngữ, tin học và trung tâm hỗ trợ phát triển giáo dục hòa nhập")
# Monday after the conference of Wednesday 26/10/2022.
CONCLUSION_ISSUED_ON = datetime.date(2022, 10, 31)
LETTER_SUBJECT = "V/v tăng cường công tác quản lý các trung tâm ngoại ngữ, tin học"
PLAN_SUBJECT = "Kiểm tra hoạt động của các trung tâm ngoại ngữ, tin học trên địa bàn tỉnh"
DRAFT_SUBJECT = ("V/v tăng cường ứng dụng công nghệ thông tin và chuyển đổi số trong quản lý và dạy học tại các "
                 "trung tâm ngoại ngữ, tin học")


def _conclusion_notice(ctx: DemoContext) -> None:
    """Thông báo kết luận of conference 000, issued the Monday after it. It carries the
    conclusions as the article reports them, in the chair's words (the district education
    offices he named existed then), and no task: he set no deadline, and the follow-up is
    the Department's later documents. Every paragraph is the article's sentence, cut at its
    own semicolons."""
    conference = ctx.conferences["000"]
    body = _lines(
        "Ngày 26/10/2022, Sở Giáo dục và Đào tạo (GDĐT) tổ chức Hội nghị triển khai nhiệm vụ hoạt động của các "
        "trung tâm: ngoại ngữ, ngoại ngữ - tin học và trung tâm hỗ trợ phát triển giáo dục hòa nhập (gọi chung là "
        "các trung tâm) trên địa bàn tỉnh Bắc Ninh. Dự và chỉ đạo Hội nghị có đồng chí Nguyễn Hữu Bình, Phó Giám "
        "đốc Sở GDĐT; đại biểu tham dự Hội nghị có đại diện lãnh đạo Thanh tra, Phòng Tổ chức - Hành chính và lãnh "
        "đạo, chuyên viên phòng Giáo dục Tiểu học Sở GDĐT; lãnh đạo và chuyên viên phụ trách lĩnh vực các trung tâm "
        "của phòng GDĐT các huyện, thành phố; đại diện chủ đầu tư và lãnh đạo các trung tâm.",
        "Tại Hội nghị, có 19 ý kiến phát biểu thảo luận; các ý kiến hỏi đáp và đề xuất, kiến nghị của các trung tâm "
        "và phòng GDĐT đều được lãnh đạo Sở GDĐT và các phòng chuyên môn thuộc Sở trả lời và hướng dẫn, giải đáp cụ "
        "thể. Các đại biểu đều thống nhất với việc đánh giá tình hình hoạt động của các trung tâm trong thời gian "
        "qua và triển khai nhiệm vụ thời gian tới và các ý kiến chỉ đạo của lãnh đạo Sở GDĐT.",
        "Phát biểu kết luận Hội nghị, đồng chí Nguyễn Hữu Bình, Phó Giám đốc Sở GDĐT đã ghi nhận và biểu dương "
        "những nỗ lực của các trung tâm trong thời gian qua, đồng thời kết luận như sau:",
        "1. Yêu cầu Thanh tra Sở và các phòng chuyên môn thuộc Sở, theo chức năng, nhiệm vụ, tăng cường công tác "
        "quản lý chỉ đạo, thanh tra, kiểm tra, đảm bảo các trung tâm hoạt động hiệu quả, đúng quy định, không vi "
        "phạm pháp luật.",
        "2. Giao Phòng Giáo dục Tiểu học phối hợp với các Phòng liên quan xây dựng văn bản chỉ đạo tăng cường công "
        "tác quản lý, công tác dạy và học đối với các trung tâm, văn bản tăng cường phối hợp chỉ đạo các trung tâm "
        "gửi UBND các huyện, thành phố.",
        "3. Phòng GDĐT các huyện, thành phố rà soát và tăng cường công tác quản lý các trung tâm trên địa bàn, đặc "
        "biệt là những trung tâm chưa được cấp phép nhưng đã hoạt động, báo cáo Sở GDĐT xử lý theo quy định; tạo "
        "mọi điều kiện tốt nhất để các trung tâm hoạt động, không gây phiền hà đối với các trung tâm, doanh nghiệp.",
        "4. Đối với chủ đầu tư (doanh nghiệp), các trung tâm cần quan tâm tới công tác tuyển chọn đội ngũ cán bộ "
        "giáo viên, đầu tư cơ sở vật chất, thiết bị hiện đại phục vụ cho việc dạy và học tốt nhất, tăng cường ứng "
        "dụng công nghệ thông tin và chuyển đổi số trong công tác quản lý và dạy học; đặc biệt quan tâm tới công "
        "tác an ninh, an toàn, phòng chống cháy nổ và phòng, chống dịch bệnh Covid-19; rà soát lại các loại hồ sơ, "
        "văn bản theo quy định như: Quyết định cho phép thành lập, cấp phép hoạt động và công nhận chức danh Giám "
        "đốc trung tâm, hồ sơ nhân sự, học sinh...; tăng cường việc tự học nâng cao trình độ chuyên môn, nghiệp vụ, "
        "nghiên cứu kỹ các văn bản quy phạm pháp luật phục vụ cho công tác quản lý và dạy học; hoạt động của trung "
        "tâm phải theo đúng đề án đã được các cơ quan có thẩm quyền phê duyệt, chương trình, giáo trình hoạt động "
        "không được trái với thuần phong, mỹ tục của Việt Nam; thực hiện báo cáo về Sở GDĐT và phòng GDĐT theo "
        "đúng quy định.",
    )
    _directive(
        ctx, doc_type=DirectiveType.CONCLUSION_NOTICE, subject=CONCLUSION_SUBJECT, body=body, plans=[],
        issued_on=CONCLUSION_ISSUED_ON, conference=conference, drafting=ctx.divisions["GDTH"], signer=CHAIR_2022,
        closing="Sở Giáo dục và Đào tạo thông báo để các đơn vị, cá nhân liên quan biết, thực hiện.",
        # The recipients of 2022: the district offices and People's Committees existed.
        recipients=_lines("Giám đốc, các Phó Giám đốc Sở", "Thanh tra Sở, các phòng thuộc Sở",
                          "UBND, phòng GDĐT các huyện, thành phố", "Các trung tâm ngoại ngữ, tin học, hỗ trợ phát "
                          "triển giáo dục hòa nhập", "Lưu: VT, GDTH"),
    )


def _notice_reference(ctx: DemoContext) -> str:
    notice = Directive.objects.filter(province=ctx.province, subject=CONCLUSION_SUBJECT,
                                      status=DirectiveStatus.ISSUED).first()
    if notice is None:
        return "kết luận của Phó Giám đốc Sở"
    return (f"Thông báo số {notice.number_text} ngày {notice.issued_on:%d/%m/%Y} của Sở Giáo dục và Đào tạo về kết "
            "luận của Phó Giám đốc Sở")


def _language_centers_communes(ctx: DemoContext) -> list[AdministrativeUnit]:
    """The communes with a center operating without a licence, and the demo ward."""
    unlicensed_communes = AdministrativeUnit.objects.filter(
        pk__in=Center.objects.filter(province=ctx.province, status=CenterStatus.UNLICENSED).values("commune_id"),
    )
    return list((unlicensed_communes | AdministrativeUnit.objects.filter(pk=ctx.canboxa_commune_id))
                .distinct().order_by("code"))


def _letter(ctx: DemoContext) -> None:
    """Công văn of the GDTX division, 60 days ago, following up the 2022 conclusions in
    the two-level structure: what the chair asked of the district education offices is
    asked, in the Department's own words, of the communes; communes, a selection of
    centers that expands and the centers with foreign teachers (a one-off report)."""
    d = ctx.divisions
    issued_on = _days(ctx, -60)
    province = ctx.province
    communes = _language_centers_communes(ctx)
    language_kinds = [CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT]
    foreign_teachers = Staff.objects.filter(center=OuterRef("pk"), is_foreign=True, is_active=True)
    with_foreigners = list(Center.objects.filter(
        Exists(foreign_teachers), province=province, kind__in=language_kinds, status__in=ACTIVE_STATUSES,
    ).order_by("code"))
    report_deadline = _days(ctx, 20)

    def commune_review(assignment):
        if assignment.commune_id == ctx.canboxa_commune_id:
            return "late"
        return _draw(f"letter|1|{assignment.commune.code}", [("on_time", 40), ("late", 20), ("none", 40)])

    def centers_reporting(assignment):
        if assignment.center_id == ctx.giamdoc_center_id:
            # Reported done, sent back with a reason: the demo director has something to
            # catch up on (overdue), and the notice saying why.
            return "reopened"
        return _draw(f"letter|2|{assignment.center.code}",
                     [("on_time", 35), ("late", 20), ("waiting", 10), ("waiting_late", 5), ("none", 30)])

    def foreign_teachers_review(assignment):
        if assignment.center_id == ctx.giamdoc_center_id:
            return "progress"
        return _draw(f"letter|3|{assignment.center.code}", [("progress", 30), ("none", 70)])

    def commune_safety(assignment):
        if assignment.commune_id == ctx.canboxa_commune_id:
            return "waiting"  # reported done, the Department has not confirmed it yet
        return _draw(f"letter|4|{assignment.commune.code}", [("waiting", 30), ("none", 70)])

    plans = [
        TaskPlan(
            text="Rà soát và tăng cường công tác quản lý các trung tâm trên địa bàn, đặc biệt là những trung tâm "
                 "chưa được cấp phép nhưng đã hoạt động; báo cáo Sở GDĐT xử lý theo quy định.",
            lead_unit="UBND các xã, phường", coordinating_units="Phòng Giáo dục thường xuyên",
            deadline=_days(ctx, -30), communes=communes, outcome=commune_review,
            done_note="Đã rà soát các trung tâm trên địa bàn, lập danh sách trung tâm hoạt động chưa được cấp phép "
                      "và báo cáo Sở GDĐT xử lý theo quy định.",
        ),
        TaskPlan(
            text="Rà soát lại các loại hồ sơ, văn bản theo quy định (quyết định cho phép thành lập, cấp phép hoạt "
                 "động, công nhận chức danh Giám đốc trung tâm, hồ sơ nhân sự, học viên); cập nhật trên Cổng quản lý "
                 "trung tâm và báo cáo Sở GDĐT.",
            lead_unit="Các trung tâm ngoại ngữ, ngoại ngữ - tin học", deadline=_days(ctx, -15),
            selection=CenterSelection(kinds=language_kinds), outcome=centers_reporting,
            done_note="Trung tâm đã rà soát hồ sơ, cập nhật thông tin trên Cổng và gửi báo cáo về Sở GDĐT theo quy "
                      "định.",
            reopen_note="Trên Cổng chưa cập nhật quyết định công nhận giám đốc và danh sách giáo viên hiện tại; "
                        "đề nghị trung tâm bổ sung rồi báo cáo lại.",
        ),
        TaskPlan(
            text="Rà soát, bổ sung hồ sơ giáo viên người nước ngoài (văn bằng, chứng chỉ, giấy phép lao động) và "
                 "nộp Báo cáo nhanh tình hình giáo viên người nước ngoài trên Cổng quản lý trung tâm.",
            lead_unit="Các trung tâm có giáo viên người nước ngoài", coordinating_units="Phòng Giáo dục thường xuyên",
            deadline=report_deadline, centers=with_foreigners, report_type=one_off_type(province),
            outcome=foreign_teachers_review,
            progress_note="Trung tâm đang rà soát hồ sơ giáo viên người nước ngoài (văn bằng, chứng chỉ, giấy phép "
                          "lao động); sẽ nộp báo cáo nhanh trên Cổng trước hạn.",
        ),
        TaskPlan(
            text="Phối hợp kiểm tra công tác an ninh, an toàn, phòng chống cháy nổ tại các trung tâm trên địa bàn; "
                 "thông báo kết quả về Sở GDĐT.",
            lead_unit="UBND các xã, phường", deadline=_days(ctx, 25), communes=communes, outcome=commune_safety,
            done_note="Đã phối hợp kiểm tra công tác an ninh, an toàn, phòng chống cháy nổ tại các trung tâm trên "
                      "địa bàn; biên bản kiểm tra gửi kèm.",
        ),
    ]
    body = _lines(
        f"Thực hiện {_notice_reference(ctx)} tại Hội nghị triển khai nhiệm vụ các trung tâm ngoại ngữ, tin học và "
        "trung tâm hỗ trợ phát triển giáo dục hòa nhập ngày 26/10/2022;",
        # domain/regulations.md §5.1: districts and their education offices ended on 1/7/2025.
        "Từ ngày 01/7/2025, phòng Giáo dục và Đào tạo các huyện, thành phố kết thúc hoạt động; để tiếp tục thực hiện "
        "kết luận nêu trên, Sở Giáo dục và Đào tạo đề nghị các đơn vị thực hiện các nhiệm vụ sau:",
    )
    _directive(
        ctx, doc_type=DirectiveType.OFFICIAL_LETTER, subject=LETTER_SUBJECT, body=body, plans=plans,
        issued_on=issued_on, conference=ctx.conferences["000"], drafting=d["GDTX"],
        closing="Trong quá trình thực hiện, nếu có vướng mắc, đề nghị các đơn vị phản ánh về Sở Giáo dục và Đào tạo "
                "(qua Phòng Giáo dục thường xuyên) để được hướng dẫn.",
        addressees=_lines("UBND các xã, phường", "Các trung tâm ngoại ngữ, ngoại ngữ - tin học trên địa bàn tỉnh"),
        recipients=_lines("Như trên", "Giám đốc, các Phó Giám đốc Sở (để b/c)", "Phòng GDTH", "Lưu: VT, GDTX"),
    )


def _inspection_plan(ctx: DemoContext) -> None:
    """Kế hoạch kiểm tra, 40 days ago, for the "kiểm tra" the 2022 conclusions asked to
    strengthen: since 01/7/2025 the Department checks (kiểm tra) through an inspection
    team of its own; there is no Department inspectorate any more (domain/regulations.md).
    A division's task (in progress) and a selection of centers."""
    d = ctx.divisions
    issued_on = _days(ctx, -40)

    def self_check(assignment):
        if assignment.center_id == ctx.giamdoc_center_id:
            return "on_time"
        return _draw(f"plan|2|{assignment.center.code}",
                     [("on_time", 40), ("late", 15), ("waiting", 10), ("none", 35)])

    plans = [
        TaskPlan(
            text="Tham mưu Giám đốc Sở quyết định thành lập đoàn kiểm tra; tổ chức kiểm tra tại các trung tâm theo "
                 "nội dung của Kế hoạch và báo cáo kết quả.",
            lead_unit="Phòng Giáo dục thường xuyên", coordinating_units="Văn phòng Sở", deadline=_days(ctx, 45),
            divisions=[d["GDTX"]], outcome=lambda a: "progress", group="Tổ chức thực hiện",
            progress_note="Đã trình Giám đốc Sở dự thảo quyết định thành lập đoàn kiểm tra và lịch kiểm tra.",
        ),
        TaskPlan(
            text="Tự kiểm tra việc thực hiện quy định về tổ chức và hoạt động của trung tâm (quyết định cho phép "
                 "hoạt động, giám đốc, đội ngũ giáo viên, chương trình, công khai, chế độ báo cáo); gửi báo cáo tự "
                 "kiểm tra về Sở GDĐT.",
            lead_unit="Các trung tâm ngoại ngữ, ngoại ngữ - tin học", deadline=_days(ctx, -10),
            selection=CenterSelection(kinds=[CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT]), outcome=self_check,
            group="Tổ chức thực hiện",
            done_note="Trung tâm đã tự kiểm tra theo nội dung Kế hoạch và gửi báo cáo tự kiểm tra về Sở GDĐT.",
        ),
    ]
    body = _lines(
        "Tiếp tục thực hiện kết luận tại Hội nghị triển khai nhiệm vụ các trung tâm ngoại ngữ, tin học và trung tâm "
        "hỗ trợ phát triển giáo dục hòa nhập ngày 26/10/2022 về tăng cường công tác quản lý, kiểm tra, đảm bảo các "
        "trung tâm hoạt động hiệu quả, đúng quy định, Sở Giáo dục và Đào tạo xây dựng Kế hoạch kiểm tra hoạt động "
        "của các trung tâm ngoại ngữ, tin học trên địa bàn tỉnh như sau:",
        "Mục đích, yêu cầu: nắm tình hình tổ chức và hoạt động của các trung tâm; kịp thời hướng dẫn, chấn chỉnh những "
        "tồn tại, hạn chế; việc kiểm tra đúng quy định, không gây phiền hà đối với các trung tâm, doanh nghiệp.",
    )
    _directive(
        ctx, doc_type=DirectiveType.PLAN, subject=PLAN_SUBJECT, body=body, plans=plans, issued_on=issued_on,
        conference=ctx.conferences["000"], drafting=d["GDTX"],
        closing="Sở Giáo dục và Đào tạo đề nghị các đơn vị triển khai thực hiện nghiêm túc Kế hoạch này.",
        recipients=_lines("Các trung tâm ngoại ngữ, ngoại ngữ - tin học", "UBND các xã, phường (để phối hợp)",
                          "Giám đốc, các Phó Giám đốc Sở", "Lưu: VT, GDTX"),
    )


def _draft_letter(ctx: DemoContext) -> None:
    """A công văn still in draft: only the Department's staff see it."""
    plans = [TaskPlan(
        text="Tăng cường ứng dụng công nghệ thông tin và chuyển đổi số trong công tác quản lý và dạy học; báo cáo "
             "kết quả thực hiện về Sở GDĐT.",
        lead_unit="Các trung tâm ngoại ngữ, ngoại ngữ - tin học", coordinating_units="Phòng Giáo dục thường xuyên",
        deadline=_days(ctx, 90), selection=CenterSelection(kinds=[CenterKind.LANGUAGE, CenterKind.LANGUAGE_IT]),
    )]
    body = _lines(
        "Thực hiện kết luận tại Hội nghị triển khai nhiệm vụ các trung tâm ngoại ngữ, tin học và trung tâm hỗ trợ "
        "phát triển giáo dục hòa nhập ngày 26/10/2022 về tăng cường ứng dụng công nghệ thông tin và chuyển đổi số "
        "trong công tác quản lý và dạy học, Sở Giáo dục và Đào tạo đề nghị các trung tâm:",
    )
    _directive(
        ctx, doc_type=DirectiveType.OFFICIAL_LETTER, subject=DRAFT_SUBJECT, body=body, plans=plans, issued_on=None,
        conference=ctx.conferences["000"], drafting=ctx.divisions["GDTX"],
        closing="Sở Giáo dục và Đào tạo đề nghị các trung tâm quan tâm, thực hiện.",
        addressees=_lines("Các trung tâm ngoại ngữ, ngoại ngữ - tin học trên địa bàn tỉnh"),
        recipients=_lines("Như trên", "Lưu: VT, GDTX"),
    )


@transaction.atomic
def conferences_seed(*, province: AdministrativeUnit, today: datetime.date | None = None) -> dict:
    """The Departments of the source provinces with their conferences, the demo
    Department's divisions and its directives with their follow-up; idempotent. `province`
    is the demo Department's (Bắc Ninh). `today` may not be later than the real date (a
    directive is never issued in the future)."""
    today = today or timezone.localdate()
    staff = User.objects.filter(username="sogd", role=User.Role.DEPARTMENT, province=province).first() or \
        User.objects.filter(role=User.Role.DEPARTMENT, province=province).order_by("pk").first()
    users_before = User.objects.count()
    if staff is None:
        return {"conferences": 0, "departments": 0, "divisions": 0, "directives": 0, "issued": 0, "assignments": 0,
                "users": 0}
    provinces = _source_provinces({spec["province"] for spec in CONFERENCES} - {MAIN_PROVINCE})
    departments = {MAIN_PROVINCE: (province, staff)} | {
        code: (unit, department_account(unit)) for code, unit in provinces.items()
    }
    conferences = conferences_record(departments=departments)
    divisions_before = Division.objects.filter(province=province).count()
    divisions = divisions_seed(province)
    _demo_staff_divisions(province, divisions)
    giamdoc = User.objects.filter(username="giamdoc", role=User.Role.DIRECTOR).first()
    canboxa = User.objects.filter(username="canboxa", role=User.Role.LOCAL_OFFICER).first()
    ctx = DemoContext(
        province=province, staff=staff, today=today, divisions=divisions,
        conferences={spec["key"]: Conference.objects.get(province=province, title=spec["title"])
                     for spec in CONFERENCES if spec["province"] == MAIN_PROVINCE},
        giamdoc_center_id=giamdoc.center_id if giamdoc else None,
        canboxa_commune_id=canboxa.commune_id if canboxa else None,
    )
    _conclusion_notice(ctx)
    _letter(ctx)
    _inspection_plan(ctx)
    _draft_letter(ctx)
    return {
        "conferences": conferences, "departments": len(departments),
        "divisions": Division.objects.filter(province=province).count() - divisions_before,
        "directives": ctx.directives, "issued": ctx.issued, "assignments": ctx.assignments,
        "users": User.objects.count() - users_before,
    }


def _bare(province: AdministrativeUnit) -> str:
    """"Hà Nội" for the unit "Thành phố Hà Nội", as a Department is called ("Sở GDĐT Hà Nội")."""
    return province.name.removeprefix("Thành phố ").removeprefix("Tỉnh ")


def conferences_summary(province: AdministrativeUnit, today: datetime.date | None = None) -> list[str]:
    """The lines `seed_demo` prints: each Department's conferences and directives, then
    the follow-up of the demo Department's tasks."""
    codes = {spec["province"] for spec in CONFERENCES} - {MAIN_PROVINCE}
    others = AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.PROVINCE, code__in=codes)
    lines = []
    for unit in sorted([province, *others], key=lambda u: (u.pk != province.pk, vi_sort_key(_bare(u)))):
        directives = Directive.objects.filter(province=unit)
        lines.append(_("Sở GDĐT %(province)s: %(conferences)d hội nghị; văn bản chỉ đạo: %(issued)d đã ban hành, "
                       "%(drafts)d dự thảo.") % {
            "province": _bare(unit),
            "conferences": Conference.objects.filter(province=unit).count(),
            "issued": directives.filter(status=DirectiveStatus.ISSUED).count(),
            "drafts": directives.filter(status=DirectiveStatus.DRAFT).count(),
        })
    summary = follow_up_summary(TaskAssignment.objects.filter(task__directive__province=province,
                                                              task__directive__status=DirectiveStatus.ISSUED), today)
    lines.append(
        _("Theo dõi nhiệm vụ: %(total)d lượt giao; hoàn thành đúng hạn %(on_time)d, hoàn thành quá hạn %(late)d, "
          "trong đó %(waiting)d lượt chờ Sở xác nhận; đang thực hiện %(open)d; quá hạn chưa hoàn thành "
          "%(overdue)d.") % {
            "total": summary.total, "on_time": summary.done_on_time, "late": summary.done_late,
            "waiting": summary.waiting, "open": summary.open, "overdue": summary.overdue,
        },
    )
    return lines
