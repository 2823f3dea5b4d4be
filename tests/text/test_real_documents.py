"""Real documents as a reader downloads them (issue 31, the works bench's tune half): a
Wikipedia page with its references, navigation boxes and footnote markers; an Aozora Bunko
text with its ruby, notes and colophon; a PDF whose metadata title is a file name, with a
running head on every page and a template's placeholder; a Chinese novel with a site's
notice and an author label. Each is built here, small, in the shape of the real one."""

from __future__ import annotations

from pathlib import Path

from longcli.text.boilerplate import without_boilerplate
from longcli.text.decode import Source
from longcli.text.documents import open_document
from longcli.text.fragments import verdict
from longcli.text.marks import Work
from longcli.text.pdf_pages import without_running_heads
from tests.support.documents import make_pdf


def read(path: Path, encoding: str | None = None) -> tuple[str, Work | None]:
    document = open_document(Source(str(path), path), encoding=encoding)
    text = "".join(document.blocks)
    return text, document.work


def summary(run, path: Path, *args: str) -> str:
    result = run("summarize", str(path), "--method", "extractive", "--words", "120", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


# -- a Wikipedia page -----------------------------------------------------------------------

_ARTICLE = [
    "Sometime between 1250 and 1300, Polynesians settled in the islands and developed a "
    'distinctive culture.<sup id="r1" class="reference"><a href="#cite_note-1">[1]</a></sup>',
    "The country covers 268,021 km<sup>2</sup> and most of its people live on the North "
    "Island, near the harbours of the coast.",
    'New Zealand fought in the Second Boer War,<sup><a href="#cite_note-2">[2]</a></sup> the '
    "Korean War<sup>[citation needed]</sup> and the Gulf War with its allies.",
    "The railways are run by a state company, which also runs the ferries between the two "
    "main islands every day of the year.",
    "The national cuisine draws on the food of the first settlers and of later immigrants "
    "from Europe, Polynesia and Asia.",
]
_CITATIONS = [
    '"The impact of new arrivals". Te Ara: The Encyclopedia of New Zealand. Archived from '
    "the original on 9 November 2011. Retrieved 8 September 2016.",
    '"English – Importance and influence". Te Ara. Archived from the original on 21 '
    "December 2011. Retrieved 8 September 2016.",
    'Bain, Carolyn (2006). "New Zealand". Lonely Planet. ISBN 978-1-74104-535-2.',
    '"Creative life – Design and fashion". Te Ara. Retrieved 8 September 2016.',
]


def _wikipedia_page() -> str:
    article = "".join(f"<p>{p}</p>" for p in _ARTICLE)
    notes = "<p>The anthem is sung on state occasions by the whole crowd, in both languages.</p>"
    refs = "".join(f"<li><cite>{c}</cite></li>" for c in _CITATIONS)
    links = "".join(
        f'<li><a href="https://example.org/{n}">{name}</a></li>'
        for n, name in enumerate(["Government portal", "Statistics New Zealand", "Tourism"])
    )
    navbox = (
        '<div role="navigation" class="navbox"><ul><li><a href="/a">History</a></li>'
        '<li><a href="/b">Geography</a></li><li><a href="/c">Politics</a></li></ul></div>'
    )
    return (
        "<!DOCTYPE html><html><head><title>New Zealand - Wikipedia</title></head><body>"
        '<nav><a href="/">Main page</a> <a href="/random">Random article</a></nav>'
        f'<div id="content"><h1>New Zealand</h1><div class="mw-parser-output">{article}'
        f"<h2>Notes</h2>{notes}"
        f'<h2>Citations</h2><div class="reflist"><ol class="references">{refs}</ol></div>'
        f"<h2>References</h2><ul>{refs}</ul>"
        f"<h2>External links</h2><ul>{links}</ul>{navbox}</div></div></body></html>"
    )


def test_a_wikipedia_page_reads_without_its_references_navigation_and_markers(run, tmp_path: Path):
    # Before: the references made 18 of 27 summary sentences ("Archived from the original
    # on ...", "Retrieved 8 September 2016.") and "<sup>\[117\]</sup>" stood in the text.
    page = tmp_path / "new-zealand.html"
    page.write_text(_wikipedia_page(), encoding="utf-8")
    text, work = read(page)
    assert work == Work("New Zealand")
    gone = ["Retrieved", "Archived", "ISBN", "[1]", "[2]", "citation needed", "<sup>", "\\["]
    gone += ["Random article", "Geography", "Government portal"]  # navigation, link lists
    for apparatus in gone:
        assert apparatus not in text, apparatus
    assert "268,021 km²" in text  # a superscript that is no footnote marker is kept
    assert "sung on state occasions" in text  # a "Notes" section of prose is the article's
    assert "Second Boer War, the Korean War and the Gulf War" in text
    out = summary(run, page)
    assert "Retrieved" not in out and "Te Ara" not in out and "[" not in out


# -- an Aozora Bunko text -----------------------------------------------------------------

_AOZORA = """三四郎
夏目漱石

-------------------------------------------------------
【テキスト中に現れる記号について】

《》：ルビ
（例）頓狂《とんきょう》

｜：ルビの付く文字列の始まりを特定する記号
（例）福岡県｜京都郡《みやこぐん》

［＃］：入力者注　主に外字の説明や、傍点の位置の指定
アクセント分解についての詳細は下記URLを参照してください
http://www.aozora.gr.jp/accent_separation.html
-------------------------------------------------------

［＃７字下げ］一［＃「一」は中見出し］

　うとうととして目がさめると女はいつのまにか、隣のじいさんと話を始めている。発車まぎわに頓狂《とんきょう》な声を出して駆け込んで来て、三四郎《さんしろう》の記憶に残っている。
　三四郎は与次郎の技倆《ぎりょう》に感服した。見ると、美禰子の結婚｜披露《ひろう》の招待状であった。この女の色はじっさい九州色《きゅうしゅういろ》であった。
　三四郎は九州から山陽線に移って、だんだん京大阪へ近づいて来るうちに、女の色が次第に白くなるのを見ていた。※［＃「言＋墟のつくり」、第4水準2-88-74］

［＃７字下げ］二［＃「二」は中見出し］

　三四郎が東京で驚いたものはたくさんある。第一電車のちんちん鳴るので驚いた。



底本：「三四郎」角川文庫クラシックス、角川書店
　　　1951（昭和26）年10月20日初版発行
入力：古村充
校正：かとうかおり
青空文庫作成ファイル：
このファイルは、インターネットの図書館、青空文庫（http://www.aozora.gr.jp/）で作られました。
"""


def test_an_aozora_text_names_its_author_and_reads_without_ruby_notes_or_colophon(
    run, tmp_path: Path
):
    # Before: the author on line 2 was not found, and "技倆《ぎりょう》" stood in the summary.
    book = tmp_path / "sanshiro.txt"
    book.write_bytes(_AOZORA.replace("\n", "\r\n").encode("shift_jis"))
    text, work = read(book, "shift_jis")
    assert work == Work("三四郎", "夏目漱石")
    for mark in ("《", "》", "｜", "［＃", "※", "底本", "青空文庫", "テキスト中に現れる記号"):
        assert mark not in text, mark
    assert "三四郎は与次郎の技倆に感服した。" in text and "美禰子の結婚披露の招待状" in text
    assert "### 二" in text  # a heading note is a heading
    out = summary(run, book, "--encoding", "shift_jis")
    assert out.startswith("三四郎 — 夏目漱石。")
    assert "《" not in out and "［" not in out


# -- a NIST PDF ---------------------------------------------------------------------------

_HEAD = "GUIDE TO HARBOUR EXERCISE PROGRAMS"
_BODY = [
    "The harbour authority plans each exercise with the teams who run the port systems.",
    "Every exercise tests one plan, and the teams record what worked and what did not.",
    "The [insert exercise name] provided information on [insert relevant information].",
    "After each exercise the coordinator writes a report with the lessons that were learned.",
]


def test_a_pdf_titled_by_its_file_name_takes_its_cover_title_and_drops_its_running_head(
    run, tmp_path: Path
):
    # Before: title and author None (the metadata title is "Microsoft Word - ..."), the
    # running head glued to the first heading opened the summary, and a template's
    # placeholder sentence was kept.
    cover: list[str | tuple[str, int]] = [
        "Special Publication 800-99",
        ("Guide to Harbour Exercise", 28),
        ("Programs and Plans", 28),
        ("Ann Reed", 16),
        ("Tom Baker", 16),
    ]
    pages: list[list[str | tuple[str, int]]] = [cover]
    for n in range(1, 6):
        pages.append([_HEAD, f"{n}. Part {n}", *_BODY[(n - 1) % 2 :: 2], f"{n}-1"])
    pages.append([_HEAD, *_BODY, "6-1"])
    guide = tmp_path / "guide.pdf"
    guide.write_bytes(make_pdf(pages, {"Title": "Microsoft Word - SP800-99.doc"}))
    text, work = read(guide)
    assert work == Work("Guide to Harbour Exercise Programs and Plans", "Ann Reed, Tom Baker")
    assert _HEAD not in text and "3-1" not in text
    out = summary(run, guide)
    assert out.startswith("Guide to Harbour Exercise Programs and Plans, by Ann Reed, Tom Baker.")
    assert "insert" not in out and _HEAD not in out


def test_a_chapter_heading_atop_each_page_is_no_running_head():
    # "Chapter 1" ... "Chapter 4" share a key once numbers are set aside; they are headings
    pages = [
        (n, f"Chapter {n}\nThe harbour was quiet on day {n} of the voyage, and we slept.\n{n}")
        for n in range(1, 5)
    ]
    kept = "\n".join(text for _, text in without_running_heads(pages))
    assert all(f"Chapter {n}" in kept for n in range(1, 5))


def test_a_placeholder_and_a_bare_list_of_names_are_no_sentences():
    assert verdict("The [insert exercise name] provided information on the plan.") == "placeholder"
    assert verdict("Fill this form in with [your name] and the date of the visit.") == (
        "placeholder"
    )
    assert verdict("She wrote that [your father] had left the farm before the war.") == ""
    assert verdict("The [Agency Name] will test its plan every year.") == "placeholder"
    assert verdict("关胜，秦明，朱仝，李应，鲁智深，武松，李逵，鲍旭，项充，李衮。") == "a list"
    assert verdict("关胜、秦明、朱仝、李应。") == "a list"
    assert verdict("Tom, Dick, Harry, and Sally went to the fair.") == ""
    assert verdict("Slowly, quietly, carefully, he walked home along the river.") == ""
    assert verdict("He read the letter [sic] twice and then burned it in the stove.") == ""
    assert verdict("宋江与吴用计议，分拨军马，攻打昭德。") == ""


# -- a Chinese novel ----------------------------------------------------------------------

_RULE = "-" * 64
_NOTICE = f"""{_RULE}
更多TXT电子书下载,请访问雨枫轩:http://www.rain8.com
版权声明：本站所有电子书本着交流学习的目的
强烈建议广大读者购买正版图书！
{_RULE}
"""
_CHAPTER = """第一回  王教头私走延安府  九纹龙大闹史家村

    话说故宋，哲宗皇帝在时，东京城里有一个浮浪破落户子弟，姓高，排行第二。
    高俅无计奈何，只得来淮西临淮州，投奔一个开赌坊的闲汉柳大郎。
    当时高俅辞了柳大郎，背上包裹，离了临淮州，回到东京投奔董将仕家过活。
    宋江与吴用计议，分拨军马，攻打昭德城下的敌军营寨。
    关胜，秦明，朱仝，李应，鲁智深，武松，李逵，鲍旭，项充，李衮。
"""


def test_a_chinese_novel_names_title_and_author_and_drops_its_site_notice_and_name_list(
    run, tmp_path: Path
):
    # Before: the title was the whole line "《水浒传》作者；施耐庵", the site's notice
    # "强烈建议广大读者购买正版图书！" was a sentence, and so was a bare list of names.
    novel = tmp_path / "shuihu.txt"
    novel.write_bytes(("《水浒传》作者；施耐庵\n" + _NOTICE + _CHAPTER + _NOTICE).encode("gb18030"))
    assert read(novel, "gb18030")[1] == Work("水浒传", "施耐庵")
    out = summary(run, novel, "--encoding", "gb18030")
    assert out.startswith("水浒传 — 施耐庵。")
    assert "正版" not in out and "rain8" not in out and "关胜，秦明" not in out


def test_a_notice_between_rules_goes_but_rules_around_prose_and_a_heading_underline_stay():
    notice = "".join(without_boilerplate([_NOTICE]))
    assert not notice.strip() and len(notice) == len(_NOTICE)
    letter = f"\n{'-' * 30}\nDear Ann, the harbour is quiet tonight.\n{'-' * 30}\n"
    assert "".join(without_boilerplate([letter])) == letter
    setext = "Usage\n" + "-" * 24 + "\nSee https://example.org for more.\n" + "-" * 24 + "\n"
    assert "".join(without_boilerplate([setext])) == setext
    # prose that mentions a download or a licence between two long rules is the text's
    prose = (
        f"\n{'-' * 40}\nThe survey found that 40% of households now download films every "
        "week rather than renting them, and the licence fee fell by half over ten years.\n"
        f"{'-' * 40}\n"
    )
    assert "".join(without_boilerplate([prose])) == prose


# -- a novel with a publisher's list after its last line -----------------------------------

_ENDING = '"Lights out" now for the faithful old Hero! The last bugle-call had sounded.\n'
_ADVERTS = """
THE END.

Selections from L.C. Page & Company's Books for Girls

A TEXAS BLUE BONNET
  BY CAROLINE E. JACOBS.

"Blue Bonnet has the very finest kind of wholesome, honest, lively girlishness."
"""


def test_a_publishers_list_after_the_end_is_not_the_book():
    # Before: "-i 'how does it end?'" ended on the advertisements after "THE END."
    book = _ENDING + _ADVERTS
    kept = "".join(without_boilerplate([book]))
    assert len(kept) == len(book) and "Lights out" in kept
    assert "Blue Bonnet" not in kept and "Selections" not in kept
    footer = "\n*** END OF THE PROJECT GUTENBERG EBOOK HERO ***\nlicence\n"
    assert "Blue Bonnet" not in "".join(without_boilerplate([book + footer]))
    # a collection: another story follows its "THE END", as text or under a chapter heading
    story = "The second story begins with a long walk by the sea, and it goes on.\n"
    collection = _ENDING + "\nTHE END\n\n" + story * 500
    assert "".join(without_boilerplate([collection])).count("second story") == 500
    chaptered = _ENDING + "\nTHE END\n\nCHAPTER I\n\n" + story
    assert "second story" in "".join(without_boilerplate([chaptered]))
