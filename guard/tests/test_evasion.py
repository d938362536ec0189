"""Screening is hard to evade: text is folded before matching, and every hit still
names the span as it was written."""

import pytest

from guard.screening import html_text, normalise, screen_html, screen_text
from guard.services import lexicon_term_save

ZWSP, ZWNJ, ZWJ, WJ, BOM, SHY = "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"


@pytest.fixture
def latin_term(lexicon):
    return lexicon_term_save(term="Casino", kind="banned", reason="赌博类违法内容")


# (what the evader wrote, the lexicon term it must be found as, the span as written)
EVASIONS = [
    # full-width and compatibility forms
    ("欢迎光临ＣＡＳＩＮＯ娱乐城", "Casino", "ＣＡＳＩＮＯ"),
    ("本周\uf9d1合彩开奖", "六合彩", "\uf9d1合彩"),  # U+F9D1, a compatibility ideograph of 六
    ("来ｃａｓｉｎｏ玩", "Casino", "ｃａｓｉｎｏ"),
    # traditional characters
    ("代開發票,價格優惠", "代开发票", "代開發票"),
    ("參與網絡賭博者", "网络赌博", "網絡賭博"),
    # whitespace between the characters
    ("本周六 合 彩开奖", "六合彩", "六 合 彩"),
    ("本周六\u3000合\u3000彩开奖", "六合彩", "六\u3000合\u3000彩"),
    ("代\n开\t发\r\n票", "代开发票", "代\n开\t发\r\n票"),
    # punctuation and symbols between the characters
    ("本周六.合.彩开奖", "六合彩", "六.合.彩"),
    ("代-开-发-票,", "代开发票", "代-开-发-票"),
    ("六、合、彩", "六合彩", "六、合、彩"),
    ("加入网络*赌博群", "网络赌博", "网络*赌博"),
    ("六★合☆彩", "六合彩", "六★合☆彩"),
    ("代_开/发|票", "代开发票", "代_开/发|票"),
    # zero-width and other invisible characters
    (f"本周六{ZWSP}合{ZWNJ}彩", "六合彩", f"六{ZWSP}合{ZWNJ}彩"),
    (f"代{ZWJ}开{WJ}发{BOM}票", "代开发票", f"代{ZWJ}开{WJ}发{BOM}票"),
    (f"六{SHY}合彩", "六合彩", f"六{SHY}合彩"),
    # letters' case
    ("欢迎来到cAsInO", "Casino", "cAsInO"),
    ("CASINO!", "Casino", "CASINO"),
    ("the c-a-s-i-n-o is open", "Casino", "c-a-s-i-n-o"),
    # combinations
    (f"參與網 絡.賭{ZWSP}博!", "网络赌博", f"網 絡.賭{ZWSP}博"),
    (f"go to ｃ.Ａ.s{ZWSP}I.n.O now", "Casino", f"ｃ.Ａ.s{ZWSP}I.n.O"),
    ("代 開-發．票", "代开发票", "代 開-發．票"),
    ("càsínò", "Casino", "càsínò"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("text, term, written", EVASIONS)
def test_an_evasive_term_is_found_at_its_place_as_written(latin_term, text, term, written):
    hits = screen_text({"内容": text})
    assert [h.term for h in hits] == [term]
    hit = hits[0]
    assert text[hit.start:hit.end] == written
    assert hit.found == ("" if written == term else written)
    assert f"第 {text.index(written) + 1} 个字起" in hit.describe()


@pytest.mark.django_db
def test_an_evasive_term_in_rich_text_is_found_in_the_text_a_reader_sees(lexicon):
    value = "<p>通知</p><p>本周<b>六</b> <i>合</i>&#24425;开奖</p>"
    hits = screen_html({"正文": value})
    assert [h.term for h in hits] == ["六合彩"]
    text = html_text(value)
    assert text[hits[0].start:hits[0].end] == "六 合彩"


@pytest.mark.django_db
def test_every_occurrence_is_reported_in_reading_order(lexicon):
    text = "六合彩;六 合 彩;六合彩"
    hits = screen_text({"内容": text})
    assert [text[h.start:h.end] for h in hits] == ["六合彩", "六 合 彩", "六合彩"]


@pytest.mark.django_db
def test_a_traditional_term_in_the_lexicon_finds_simplified_text(lexicon):
    lexicon_term_save(term="賭球網站", kind="banned", reason="赌博类违法内容")
    text = "推荐一个赌球网站"
    hits = screen_text({"内容": text})
    assert [(h.term, text[h.start:h.end]) for h in hits] == [("賭球網站", "赌球网站")]


@pytest.mark.django_db
def test_removing_spaces_does_not_glue_latin_words_into_a_term(latin_term):
    # "music as in old" folds to "musicasinold": the letters of the hit would be
    # parts of other words, so it is not a hit.
    assert screen_text({"内容": "the music as in old times"}) == []
    assert screen_text({"内容": "occasional casinos"}) == []
    assert [h.term for h in screen_text({"内容": "a casino."})] == ["Casino"]


@pytest.mark.django_db
def test_plain_text_is_screened_as_written_angle_brackets_included(lexicon):
    for text, written in [("<六合彩>", "六合彩"), ("a<b>六合彩", "六合彩"), ("<六合彩 开奖>", "六合彩"),
                          ("代开<发票>", "代开<发票")]:
        hits = screen_text({"标题": text})
        assert [text[h.start:h.end] for h in hits] == [written], text


def test_folding_is_per_character_so_a_term_folds_alike_alone_and_in_a_text():
    # OpenCC converts some phrases differently from their characters (乾隆 stays 乾隆
    # as a phrase); folding one character at a time keeps the offsets one to one.
    assert normalise("乾隆") == normalise("乾") + normalise("隆")
    assert normalise("Ｗａｎｇ Ｌｕｏ．賭博") == "wangluo赌博"
    assert normalise(f"{ZWSP}{SHY}{BOM} 、。!") == ""
