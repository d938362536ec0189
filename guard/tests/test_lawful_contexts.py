"""A government notice that names a prohibited thing in order to combat it is not a
hit; the thing itself still is."""

import pytest
from django.urls import reverse

from guard.models import LexiconTerm
from guard.screening import screen_html, screen_text
from guard.services import lexicon_term_save
from orgs.errors import DomainError


@pytest.fixture
def gambling(lexicon):
    term = LexiconTerm.objects.get(term="网络赌博")
    return lexicon_term_save(instance=term, term=term.term, kind=term.kind, reason=term.reason,
                             lawful_contexts=["打击*", "整治*", "*违法犯罪", "专项行动"], lawful_window=15)


NOTICES = [
    "市公安局关于开展严厉打击网络赌博违法犯罪专项行动的通告",
    "严厉打击电信诈骗、网络赌博犯罪",  # 打击 before the term, with another crime between
    "我局持续整治网络赌博",
    "坚决遏制网络赌博违法犯罪蔓延",  # 违法犯罪 after the term
    "依法打击網絡賭博",  # traditional characters fold before the context is looked for
    "严 厉 打 击 网 络 赌 博",
    "网络赌博专项行动取得阶段性成效",  # a context phrase on either side
]

ADVERTS = [
    "网络赌博,日赚千元,注册即送彩金",
    "正规网络赌博平台,安全可靠",
    "網絡賭博,首充返利",
    "违法犯罪?不存在的,网络赌博稳赚",  # *违法犯罪 must come after the term, not before
]


@pytest.mark.django_db
@pytest.mark.parametrize("text", NOTICES)
def test_a_notice_combating_the_thing_is_not_a_hit(gambling, text):
    assert screen_text({"标题": text}) == []


@pytest.mark.django_db
@pytest.mark.parametrize("text", ADVERTS)
def test_the_thing_itself_is_still_a_hit(gambling, text):
    assert [h.term for h in screen_text({"内容": text})] == ["网络赌博"]


@pytest.mark.django_db
def test_a_context_excuses_only_the_nearest_occurrence(gambling):
    text = "打击网络赌博?不如来我们的网络赌博平台"
    hits = screen_text({"内容": text})
    assert [(h.term, h.start) for h in hits] == [("网络赌博", text.rindex("网络赌博"))]


@pytest.mark.django_db
def test_a_context_further_away_than_the_window_does_not_count(gambling):
    text = "为打击违法,本店今天推出全新会员服务,欢迎参与网络赌博"
    assert [h.term for h in screen_text({"内容": text})] == ["网络赌博"]
    lexicon_term_save(instance=gambling, term=gambling.term, kind=gambling.kind, reason=gambling.reason, lawful_window=40)
    assert screen_text({"内容": text}) == []


@pytest.mark.django_db
def test_contexts_belong_to_their_term_only(gambling):
    assert [h.term for h in screen_text({"内容": "严厉打击六合彩违法犯罪专项行动"})] == ["六合彩"]


@pytest.mark.django_db
def test_a_notice_in_rich_text_passes_and_an_advert_beside_it_does_not(gambling):
    body = "<p>关于开展<b>打击</b>网络赌博违法犯罪活动的通告,全市公安机关统一行动</p><p>另:网络赌博,注册送彩金</p>"
    hits = screen_html({"正文": body})
    assert len(hits) == 1 and hits[0].context.endswith("网络赌博,注册送彩金")


@pytest.mark.django_db
def test_contexts_are_data_with_history_and_take_effect_at_once(lexicon):
    text = "严厉打击网络赌博"
    assert [h.term for h in screen_text({"内容": text})] == ["网络赌博"]
    term = LexiconTerm.objects.get(term="网络赌博")
    lexicon_term_save(instance=term, term=term.term, kind=term.kind, reason=term.reason, lawful_contexts="打击*")
    assert screen_text({"内容": text}) == []
    assert term.revisions.count() == 2
    assert term.revisions.order_by("-id").first().content["lawful_contexts"] == "打击*"


@pytest.mark.django_db
@pytest.mark.parametrize("contexts, message", [
    ("打击**", "最多一个"),
    ("*", "须含有文字"),
    ("、。 ", "须含有文字"),
    ("網絡賭博", "就是词条本身"),
])
def test_a_context_that_cannot_work_is_refused(lexicon, contexts, message):
    term = LexiconTerm.objects.get(term="网络赌博")
    with pytest.raises(DomainError, match=message):
        lexicon_term_save(instance=term, term=term.term, kind=term.kind, reason=term.reason, lawful_contexts=contexts)
    term.refresh_from_db()
    assert term.lawful_contexts == "" and term.revisions.count() == 1


@pytest.mark.django_db
def test_a_term_that_folds_like_another_is_refused(lexicon):
    with pytest.raises(DomainError, match="六合彩"):
        lexicon_term_save(term="六 合 彩", kind="banned", reason="重复")
    with pytest.raises(DomainError, match="代开发票"):
        lexicon_term_save(term="代開發票", kind="banned", reason="重复")
    with pytest.raises(DomainError, match="须含有文字"):
        lexicon_term_save(term="***", kind="banned", reason="无文字")


@pytest.mark.django_db
def test_the_demo_lexicon_has_a_term_with_a_lawful_context():
    from demo import loader

    loader._load_lexicon()
    assert LexiconTerm.objects.exclude(lawful_contexts="").exists()
    notice = "市公安局关于开展打击网络赌博违法犯罪专项行动的通告"
    assert screen_text({"标题": notice}) == []
    assert [h.term for h in screen_text({"标题": "网络赌博,注册送彩金"})] == ["网络赌博"]


@pytest.mark.django_db
def test_an_editor_of_the_lexicon_sets_contexts_in_the_admin(lexicon, client, django_user_model):
    admin = django_user_model.objects.create_superuser("lexicon_admin", "lexicon@cq.gov.cn", "pw-Test-2026")
    client.force_login(admin)
    term = LexiconTerm.objects.get(term="网络赌博")
    url = reverse("lexicon:edit", args=[term.pk])
    page = client.get(url).content.decode()
    assert "合法语境" in page and "语境范围" in page
    data = {"term": term.term, "kind": term.kind, "correct_form": "", "reason": term.reason, "active": "on",
            "lawful_window": "15"}

    response = client.post(url, dict(data, lawful_contexts="打击**"))
    assert response.status_code == 200 and "最多一个" in response.content.decode()
    term.refresh_from_db()
    assert term.lawful_contexts == ""

    response = client.post(url, dict(data, lawful_contexts="打击*\r\n*违法犯罪\r\n"))
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.lawful_contexts.splitlines() == ["打击*", "*违法犯罪"]
    assert term.revisions.count() == 2
    assert screen_text({"标题": "关于严厉打击网络赌博的通告"}) == []
    assert [h.term for h in screen_text({"标题": "网络赌博,注册就送"})] == ["网络赌博"]
