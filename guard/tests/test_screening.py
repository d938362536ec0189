import pytest

from guard.models import LexiconTerm
from guard.screening import screen_html, screen_text
from guard.services import lexicon_term_save
from orgs.errors import DomainError


@pytest.mark.django_db
def test_every_term_is_found_with_its_place_and_reason(lexicon):
    hits = screen_text({"标题": "关于六合彩的通知"}) + screen_html(
        {"正文": "<p>本周限时抢购,<b>重庆市政府办公室</b>发布。</p>"}
    )
    assert [(h.field, h.term, h.start) for h in hits] == [
        ("标题", "六合彩", 2),
        ("正文", "限时抢购", 2),
        ("正文", "重庆市政府办公室", 7),
    ]
    wrong_name = hits[2]
    assert wrong_name.kind == "wrong_name"
    assert "重庆市人民政府办公厅" in wrong_name.describe()
    assert "第 8 个字起" in wrong_name.describe()


@pytest.mark.django_db
def test_clean_text_passes(lexicon):
    assert screen_text({"正文": "市政府召开常务会议,研究部署稳就业工作。"}) == []


@pytest.mark.django_db
def test_html_entities_do_not_hide_a_term(lexicon):
    assert [h.term for h in screen_html({"正文": "六&#21512;彩"})] == ["六合彩"]


@pytest.mark.django_db
def test_lexicon_edits_take_effect_at_once(lexicon):
    assert screen_text({"正文": "这里有个新词甲乙丙"}) == []
    term = lexicon_term_save(term="甲乙丙", kind="banned", reason="测试")
    assert [h.term for h in screen_text({"正文": "这里有个新词甲乙丙"})] == ["甲乙丙"]
    lexicon_term_save(instance=term, term="甲乙丙", kind="banned", reason="测试", active=False)
    assert screen_text({"正文": "这里有个新词甲乙丙"}) == []


@pytest.mark.django_db
def test_lexicon_keeps_history(lexicon):
    term = LexiconTerm.objects.get(term="优惠券")
    lexicon_term_save(instance=term, term="优惠券", kind="commercial", reason="不得刊登商业广告(修订)")
    assert term.revisions.count() == 2


@pytest.mark.django_db
def test_wrong_name_needs_its_correct_form():
    with pytest.raises(DomainError, match="正确表述"):
        lexicon_term_save(term="某某办公室", kind="wrong_name", reason="名称错误")
    assert not LexiconTerm.objects.filter(term="某某办公室").exists()
