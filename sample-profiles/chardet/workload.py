#!/usr/bin/env python3
"""Deterministic character-encoding detection workload for chardet 5.2.0.

Builds a synthetic multilingual corpus with a seeded ``random.Random`` and runs
chardet over it the way applications use it, then prints a summary.

1. Corpus: documents in 15 languages / scripts (English, German, French,
   Spanish, Russian, Bulgarian, Greek, Hebrew, Turkish, Thai, Japanese,
   simplified and traditional Chinese, Korean, Hungarian), generated from the
   embedded word lists with Zipf-like word frequencies and per-language
   sentence shapes (spaces or none, particles, sentence endings, typographic
   quotes, numbers). Each document gets a container format (plain text, HTML
   page, e-mail, SubRip subtitles, CSV export), a line-ending style and a target
   encoding (34 codecs: UTF-8/16/32 with and without BOM, ASCII, ISO-8859-x,
   Windows-125x, KOI8-R, IBM866/855, Mac, Shift_JIS, EUC-JP, ISO-2022-JP/KR,
   GB2312, HZ, Big5, EUC-KR, CP949, Johab, TIS-620). Hebrew in ISO-8859-8 is
   written in visual order. Hungarian (ISO-8859-2 / Windows-1250) is included
   on purpose although chardet 5.2 has no model for it: real inputs contain
   encodings the detector does not know.
2. Detection, in three styles picked per document: ``chardet.detect`` on the
   whole document; one reused ``UniversalDetector`` fed line by line or in
   fixed-size chunks until ``detector.done`` (like ``chardetect`` and HTTP
   clients do), then ``close()`` and ``reset()``; and ``chardet.detect_all``.
   About one call in five passes ``should_rename_legacy=True``.
3. Summary on stdout: corpus composition, accuracy per true encoding (exact
   codec match, and "decodes the same": the detected codec turns the bytes into
   the same text as the true one), what was detected, the most common
   confusions, and a digest of all results (stdout, or --output FILE). It is
   identical from run to run for the same --seed/--scale; the elapsed time goes
   to stderr.

Uses only chardet and the standard library. Run it with chardet on PYTHONPATH:

    PYTHONPATH=sample-profiles/chardet/.cache/site python3 workload.py \
        [--scale S] [--seed N] [--output FILE]
"""

from __future__ import annotations

import argparse
import bisect
import codecs
import collections
import hashlib
import random
import sys
import time

import chardet
from chardet.universaldetector import UniversalDetector

# ---------------------------------------------------------------------------
# Word lists. Function words first: the generator gives earlier words higher
# weights (Zipf-like), so they dominate the text the way they do in real prose.
# ---------------------------------------------------------------------------

EN_WORDS = """
the of and to in is that for it as was with be by on not he this are or his
from at which but have an they you were their one all we can her has there
been if more when will would who so no time people year water system program
data file function number world house report market city government company
night morning history language character encoding detection memory process
result table window letter river mountain street school teacher student
children family friend country money business question answer problem music
""".split()
EN_EXTRA = ["\u201cquoted\u201d", "it\u2019s", "don\u2019t", "\u2014", "\u2026",
            "caf\u00e9", "na\u00efve", "r\u00e9sum\u00e9", "\u00a310", "\u20ac20"]

DE_WORDS = """
der die und in den von zu das mit sich des auf für ist im dem nicht ein eine
als auch es an werden aus er hat dass sie nach wird bei einer um über noch
wie einem so zum war haben nur oder aber vor zur bis mehr durch man Straße
Größe Mädchen schön müssen können Bücher Häuser Öffnung Übersetzung grün
Frühstück Käse Brötchen Wörterbuch Zeitung Regierung Stadt Jahr Kinder Arbeit
Woche heute morgen Fußball weiß groß Schlüssel Tür Bürger Gemüse fährt läuft
Zürich München Köln Österreich Ärger Gebäude Lösung Prüfung Verhältnis
""".split()
DE_EXTRA = ["\u201eSchön\u201c", "\u201eBitte\u201c", "12,50\u00a0\u20ac", "\u2013", "\u00a7\u00a02"]

FR_WORDS = """
le la les de des du et à un une est en que qui dans pour pas sur au avec il
elle ne se ce plus par son sa été être où très après déjà français élève
école hôpital château forêt fenêtre garçon ça leçon naïve Noël cœur œuvre
sœur préféré deuxième première là voilà même bientôt théâtre café année
société économie réunion ministère gouvernement développement problème
système qualité sécurité santé liberté égalité maison ville pays monde temps
jour nuit eau pain fromage vin août Québec Genève
""".split()
FR_EXTRA = ["\u00ab\u00a0bonjour\u00a0\u00bb", "\u00ab\u00a0merci\u00a0\u00bb", "\u2026",
            "3,5\u00a0\u20ac", "\u2013"]

ES_WORDS = """
el la de que y en los se del las por un para con no una su al es lo como más
pero sus le ya o este sí porque esta entre cuando muy sin sobre también me
hasta hay donde quien desde todo nos durante todos uno les ni contra otros
ese eso ante ellos esto mí antes algunos qué unos yo otro otras otra él
tanto esa estos mucho quienes nada muchos cual poco ella estar niño año
mañana señor España corazón canción información educación región después
último música teléfono pequeño Perú México Bogotá jamón
""".split()
ES_EXTRA = ["\u00bfverdad?", "\u00a1hola!", "n.\u00ba\u00a03", "\u00ab\u00a0casa\u00a0\u00bb"]

RU_WORDS = """
и в не на я быть он с что а по это она этот к но они мы как из у который то
за свой весь год от так о для ты же все тот мочь вы человек такой его
сказать только или ещё бы себя один когда уже до время если сам другой вот
говорить наш мой знать стать при чтобы дело жизнь кто первый очень два день
её новый рука даже во со раз где там под можно ну какой после их работа без
самый потом надо хотеть ли слово идти большой должен место иметь ничто город
страна правительство компания система программа вопрос лицо друг глаз голова
сторона дом земля Москва России войны мира объём съезд подъезд
""".split()
RU_EXTRA = ["\u00abпривет\u00bb", "\u2014", "\u2116\u00a05", "500\u00a0руб."]

BG_WORDS = """
и на в да се с от е за не че по са към ще как това той тя те но със години
България София град държава правителство министър хора време живот работа
деца училище народ език книга дете къща път вода ден нощ година място страна
човек жена мъж голям малък нов стар български който която които където
когато много още вече само трябва може има няма беше бяха щеше ъгъл съм
всичко нещо нищо днес утре вчера защото обаче също
""".split()
BG_EXTRA = ["\u201eздравей\u201c", "\u2014"]

EL_WORDS = """
και το η της του την να σε με για που ο τα των στο από είναι θα δεν οι τον
ένα στην μια ότι αλλά στη τις στα όπως ως πιο έχει μας τους κατά ή αυτό μου
σας όταν μετά πολύ χρόνια Ελλάδα Αθήνα κυβέρνηση άνθρωποι σπίτι νερό
θάλασσα ήλιος γλώσσα ιστορία πόλη χώρα ζωή δουλειά παιδιά σχολείο βιβλίο
μέρα νύχτα καλός μεγάλος μικρός νέος παλιός ελληνικά υπουργός εκλογές
οικονομία πρόεδρος δημοκρατία φίλος αγάπη ουρανός δρόμος Θεσσαλονίκη
""".split()
EL_EXTRA = ["\u00abγεια\u00bb", "\u2014", "10\u00a0\u20ac"]

HE_WORDS = """
של את על לא הוא זה היא עם גם כל אני אם יש אבל מה או כי היה הם אין רק עוד
בית ספר ירושלים ישראל ממשלה שנה יום לילה מים עיר ארץ שלום תודה אנשים
ילדים עבודה מדינה חדש גדול קטן טוב ראש מלך שמש ים דרך שפה עברית היסטוריה
כתב אמר הלך ידע רצה מלחמה חברה משפחה אוכל לחם זמן מקום חבר אהבה שמים אדמה
ספרים מחשב תוכנה נתונים עץ ארוך
""".split()
HE_EXTRA = ["\u05f4", "\u2013", "100\u00a0\u20aa"]

TR_WORDS = """
ve bir bu da de için ile çok daha olarak gibi kadar sonra ama ne var yok
olan her şey değil ben sen o biz siz onlar İstanbul Ankara Türkiye hükümet
ülke şehir insan çocuk okul kitap ev su gün gece yıl zaman iş dünya büyük
küçük yeni eski güzel iyi kötü Türkçe dil tarih öğretmen öğrenci görüşme
ağaç dağ ışık kız oğlan göz yüz söz güneş çiçek şarkı müzik ekonomi bakanlık
başkan seçim halk İzmir
""".split()
TR_EXTRA = ["\u201cmerhaba\u201d", "\u2013"]

HU_WORDS = """
a az és hogy nem is egy meg de van volt csak már még ez ki mint vagy ha
kell lesz után előtt között nagyon ország város kormány magyar nyelv
történelem iskola tanár diák gyerek család barát munka idő év nap éjszaka
víz föld ház út élet szép jó rossz új régi nagy kicsi Budapest Győr
Pécs gyümölcs tükörfúrógép árvíztűrő őszi hosszú idő könyv ünnep
""".split()
HU_EXTRA = ["\u201ehello\u201d", "\u2013"]

TH_WORDS = """
ที่ และ ใน การ ของ เป็น มี ได้ ไม่ จะ ว่า ให้ นี้ กับ แล้ว คน ประเทศ ไทย
กรุงเทพ รัฐบาล ภาษา ประวัติศาสตร์ โรงเรียน นักเรียน ครู บ้าน น้ำ วัน คืน ปี
เวลา งาน โลก ใหญ่ เล็ก ใหม่ เก่า ดี สวย อาหาร ข้าว ตลาด เมือง ถนน รถ ความ
สุข รัก พ่อ แม่ ลูก เพื่อน หนังสือ คอมพิวเตอร์ ข้อมูล ระบบ เศรษฐกิจ
การเมือง สังคม วัฒนธรรม ศาสนา พระ วัด
""".split()

JA_WORDS = """
日本 東京 大阪 京都 政府 会社 経済 社会 文化 歴史 言語 文字 時間 今日 明日
学校 先生 学生 電車 駅 天気 雨 桜 山 川 海 友達 家族 仕事 問題 情報 技術
開発 研究 私 彼 彼女 こと もの ため これ それ あれ 子供 世界 新聞 電話
コンピュータ プログラム データ ソフトウェア インターネット ニュース テレビ
ラーメン コーヒー ホテル サービス システム メール
""".split()
JA_PARTICLES = "は が を に で と の も から まで へ".split()
JA_ENDINGS = ["です", "ます", "でした", "ました", "だ", "ません", "でしょう",
              "しています", "と思います", "を食べました", "へ行きます", "を読みました"]

ZH_HANS_WORDS = """
的 了 在 是 和 有 也 都 就 要 会 说 我们 他们 这个 那个 没有 可以 已经 因为
所以 但是 如果 非常 重要 中国 北京 上海 政府 经济 发展 社会 文化 历史 语言
文字 时间 今天 明天 学校 老师 学生 问题 信息 技术 研究 公司 市场 国家 人民
工作 生活 世界 城市 朋友 家庭 电脑 程序 数据 网络 新闻 电视 进行 提高 建设
管理 服务 质量 安全 环境 教育 科学 银行 医院 铁路 飞机 天气 下雨 山 河 海
""".split()

ZH_HANT_WORDS = """
的 了 在 是 和 有 也 都 就 要 會 說 我們 他們 這個 那個 沒有 可以 已經 因為
所以 但是 如果 非常 重要 中華 臺灣 臺北 政府 經濟 發展 社會 文化 歷史 語言
文字 時間 今天 明天 學校 老師 學生 問題 資訊 技術 研究 公司 市場 國家 人民
工作 生活 世界 城市 朋友 家庭 電腦 程式 資料 網路 新聞 電視 進行 提高 建設
管理 服務 品質 安全 環境 教育 科學 銀行 醫院 鐵路 飛機 天氣 下雨 山 河 海
""".split()

KO_WORDS = """
한국 서울 부산 정부 경제 사회 문화 역사 언어 문자 시간 오늘 내일 학교 선생님
학생 문제 정보 기술 연구 회사 시장 국가 국민 일 생활 세계 도시 친구 가족
컴퓨터 프로그램 데이터 인터넷 뉴스 텔레비전 우리 그들 이것 그것 사람 아이
어머니 아버지 사랑 바다 산 강 하늘 날씨 비 눈 음식 김치 밥 물 새로운
중요한 많은 좋은 큰 작은
""".split()
KO_PARTICLES = "은 는 이 가 을 를 에 에서 의 와 과 도".split()
KO_ENDINGS = ["입니다", "합니다", "했습니다", "있습니다", "없습니다", "좋아요",
              "갑니다", "먹었어요", "봤어요", "이다"]


class Language:
    def __init__(self, code, name, style, words, encodings, weight,
                 extra=(), particles=(), endings=(), sent_words=(6, 16)):
        self.code = code
        self.name = name
        self.style = style  # "spaced", "cjk", "ja", "ko", "thai"
        self.words = words
        self.extra = list(extra)
        self.particles = list(particles)
        self.endings = list(endings)
        self.encodings = encodings  # list of (codec, weight)
        self.weight = weight
        self.sent_words = sent_words


LANGUAGES = [
    Language("en", "English", "spaced", EN_WORDS,
             [("ascii", 1), ("utf-8", 2), ("windows-1252", 1), ("utf-8-sig", 0.5),
              ("utf-16", 1), ("utf-16-le", 0.5), ("utf-16-be", 0.5), ("utf-32", 0.3)],
             1.2, extra=EN_EXTRA),
    Language("de", "German", "spaced", DE_WORDS,
             [("iso-8859-1", 2), ("windows-1252", 2), ("utf-8", 2), ("mac_roman", 0.5)],
             1.0, extra=DE_EXTRA),
    Language("fr", "French", "spaced", FR_WORDS,
             [("iso-8859-1", 2), ("windows-1252", 2), ("utf-8", 2), ("mac_roman", 0.5)],
             1.0, extra=FR_EXTRA),
    Language("es", "Spanish", "spaced", ES_WORDS,
             [("iso-8859-1", 2), ("windows-1252", 1), ("utf-8", 2)],
             0.8, extra=ES_EXTRA),
    Language("ru", "Russian", "spaced", RU_WORDS,
             [("windows-1251", 3), ("koi8-r", 2), ("utf-8", 2), ("iso-8859-5", 1),
              ("cp866", 1), ("mac_cyrillic", 1), ("cp855", 0.5), ("utf-16", 0.5)],
             1.5, extra=RU_EXTRA),
    Language("bg", "Bulgarian", "spaced", BG_WORDS,
             [("windows-1251", 2), ("iso-8859-5", 1), ("utf-8", 1)],
             0.5, extra=BG_EXTRA),
    Language("el", "Greek", "spaced", EL_WORDS,
             [("iso-8859-7", 2), ("windows-1253", 1), ("utf-8", 1)],
             0.7, extra=EL_EXTRA),
    Language("he", "Hebrew", "spaced", HE_WORDS,
             [("windows-1255", 2), ("iso-8859-8", 1), ("utf-8", 1)],
             0.7, extra=HE_EXTRA),
    Language("tr", "Turkish", "spaced", TR_WORDS,
             [("iso-8859-9", 2), ("utf-8", 1)],
             0.6, extra=TR_EXTRA),
    Language("hu", "Hungarian", "spaced", HU_WORDS,
             [("iso-8859-2", 1), ("windows-1250", 0.5)],
             0.3, extra=HU_EXTRA),
    Language("th", "Thai", "thai", TH_WORDS,
             [("tis-620", 2), ("utf-8", 1)],
             0.5, sent_words=(4, 10)),
    Language("ja", "Japanese", "ja", JA_WORDS,
             [("shift_jis", 3), ("euc-jp", 2), ("iso2022_jp", 1), ("utf-8", 2),
              ("utf-16", 0.5)],
             1.5, particles=JA_PARTICLES, endings=JA_ENDINGS, sent_words=(3, 8)),
    Language("zh-hans", "Chinese (simplified)", "cjk", ZH_HANS_WORDS,
             [("gb2312", 3), ("utf-8", 2), ("hz", 0.5)],
             1.2, sent_words=(6, 18)),
    Language("zh-hant", "Chinese (traditional)", "cjk", ZH_HANT_WORDS,
             [("big5", 3), ("utf-8", 1)],
             0.8, sent_words=(6, 18)),
    Language("ko", "Korean", "ko", KO_WORDS,
             [("euc-kr", 2), ("cp949", 1), ("utf-8", 1), ("iso2022_kr", 0.5),
              ("johab", 0.5)],
             0.8, particles=KO_PARTICLES, endings=KO_ENDINGS, sent_words=(3, 8)),
]

# Latin-script filler for markup and mixed content (names, product codes).
ASCII_FILLER = """
index page item user admin server release build version status total price
id name city comment note update draft final review link image logo
""".split()


def codec_name(name):
    """Canonical Python codec name, or None if Python has no such codec."""
    if name is None:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def encodable(text, codec):
    try:
        text.encode(codec)
        return True
    except UnicodeEncodeError:
        return False


class Vocabulary:
    """Words of one language that the target codec can represent, with Zipf
    weights (cumulative, for bisect)."""

    def __init__(self, words, codec):
        if codec.startswith("utf"):
            self.words = list(words)
        else:
            self.words = [w for w in words if encodable(w, codec)]
        cum = 0.0
        self.cum = []
        for rank in range(len(self.words)):
            cum += 1.0 / (rank + 1.5) ** 0.85
            self.cum.append(cum)
        self.total = cum

    def pick(self, rng):
        return self.words[bisect.bisect_left(self.cum, rng.random() * self.total)]


# ---------------------------------------------------------------------------
# Text generation
# ---------------------------------------------------------------------------

class TextGen:
    def __init__(self, lang, codec, rng):
        self.lang = lang
        self.codec = codec
        self.rng = rng
        self.vocab = Vocabulary(lang.words, codec)
        self.extra = [e for e in lang.extra if codec.startswith("utf") or encodable(e, codec)]
        self.particles = [p for p in lang.particles if codec.startswith("utf") or encodable(p, codec)]
        self.endings = [e for e in lang.endings if codec.startswith("utf") or encodable(e, codec)]

    def number(self):
        r = self.rng.random()
        if r < 0.5:
            return str(self.rng.randint(1, 100))
        if r < 0.8:
            return str(self.rng.randint(1950, 2024))
        return "%d.%02d" % (self.rng.randint(0, 9999), self.rng.randint(0, 99))

    def sentence(self):
        rng = self.rng
        lang = self.lang
        n = rng.randint(*lang.sent_words)
        style = lang.style
        if style == "spaced":
            toks = []
            for i in range(n):
                r = rng.random()
                if r < 0.04:
                    toks.append(self.number())
                elif r < 0.07 and self.extra:
                    toks.append(rng.choice(self.extra))
                else:
                    toks.append(self.vocab.pick(rng))
                if i and i < n - 1 and rng.random() < 0.08:
                    toks[-1] += ","
            first = toks[0]
            toks[0] = first[:1].upper() + first[1:]
            end = rng.choice(".....?!:")
            if lang.code == "el" and end == "?":
                end = ";"
            if lang.code == "es" and end in "?!":
                toks[0] = ("\u00bf" if end == "?" else "\u00a1") + toks[0]
                if not encodable(toks[0], self.codec):
                    toks[0] = toks[0][1:]
            return " ".join(toks) + end
        if style == "cjk":
            parts = []
            for i in range(n):
                parts.append(self.number() if rng.random() < 0.03 else self.vocab.pick(rng))
                if i and i < n - 1 and rng.random() < 0.1:
                    parts.append("\uff0c")
            return "".join(parts) + rng.choice("\u3002\u3002\u3002\uff1f\uff01")
        if style == "ja":
            parts = []
            for _ in range(n):
                parts.append(self.vocab.pick(rng))
                parts.append(rng.choice(self.particles))
                if rng.random() < 0.15:
                    parts.append("\u3001")
            parts.append(self.vocab.pick(rng))
            parts.append(rng.choice(self.endings))
            return "".join(parts) + rng.choice("\u3002\u3002\u3002\uff1f")
        if style == "ko":
            toks = [self.vocab.pick(rng) + rng.choice(self.particles) for _ in range(n)]
            toks.append(self.vocab.pick(rng) + rng.choice(self.endings))
            return " ".join(toks) + rng.choice("...?")
        if style == "thai":
            return "".join(self.vocab.pick(rng) for _ in range(n))
        raise ValueError(style)

    def paragraph(self, sentences):
        sep = " " if self.lang.style in ("spaced", "ko", "thai") else ""
        return sep.join(self.sentence() for _ in range(sentences))

    def title(self):
        rng = self.rng
        if self.lang.style in ("spaced", "ko"):
            return " ".join(self.vocab.pick(rng) for _ in range(rng.randint(2, 6)))
        return "".join(self.vocab.pick(rng) for _ in range(rng.randint(2, 5)))


def visual_hebrew(text):
    """Logical -> visual order, line by line (how ISO-8859-8 'visual' files
    store Hebrew): right-to-left runs reversed."""
    return "\n".join(line[::-1] for line in text.split("\n"))


def build_document(gen, size, fmt, rng):
    """Text of roughly `size` characters in container format `fmt`."""
    out = []
    length = 0
    if fmt == "plain":
        while length < size:
            p = gen.paragraph(rng.randint(2, 6))
            out.append(p)
            length += len(p) + 2
        return "\n\n".join(out) + "\n"
    if fmt == "html":
        head = ("<!DOCTYPE html>\n<html>\n<head>\n<meta name=\"viewport\" "
                "content=\"width=device-width, initial-scale=1\">\n<title>%s</title>\n"
                "<link rel=\"stylesheet\" href=\"/static/site.css\">\n</head>\n<body>\n"
                "<div class=\"nav\"><a href=\"/\">home</a> | <a href=\"/%s\">%s</a></div>\n"
                % (gen.title(), rng.choice(ASCII_FILLER), rng.choice(ASCII_FILLER)))
        out.append(head)
        length = len(head)
        out.append("<h1>%s</h1>\n" % gen.title())
        while length < size:
            if rng.random() < 0.2:
                items = "".join("  <li><a href=\"/%s/%d\">%s</a></li>\n"
                                % (rng.choice(ASCII_FILLER), rng.randint(1, 9999), gen.title())
                                for _ in range(rng.randint(2, 6)))
                block = "<ul class=\"list\">\n%s</ul>\n" % items
            else:
                block = "<p class=\"text\">%s</p>\n" % gen.paragraph(rng.randint(1, 4))
            out.append(block)
            length += len(block)
        out.append("<div class=\"footer\">&copy; %d %s</div>\n</body>\n</html>\n"
                   % (rng.randint(2000, 2024), rng.choice(ASCII_FILLER)))
        return "".join(out)
    if fmt == "email":
        out.append("From: %s%d@example.org\nTo: list-%s@example.net\nSubject: %s\n"
                   "Date: Mon, %d Mar 2024 %02d:%02d:00 +0000\nMIME-Version: 1.0\n"
                   "Content-Transfer-Encoding: 8bit\n\n"
                   % (rng.choice(ASCII_FILLER), rng.randint(1, 99), rng.choice(ASCII_FILLER),
                      gen.title(), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)))
        while length < size:
            p = gen.paragraph(rng.randint(1, 4))
            if rng.random() < 0.25:
                p = "> " + p
            out.append(p + "\n\n")
            length += len(p) + 2
        out.append("-- \n%s\n" % gen.title())
        return "".join(out)
    if fmt == "srt":
        n = 1
        t = rng.randint(0, 30000)
        while length < size:
            d = rng.randint(1200, 4800)
            lines = "\n".join(gen.sentence() for _ in range(rng.randint(1, 2)))
            block = "%d\n%s --> %s\n%s\n\n" % (n, srt_time(t), srt_time(t + d), lines)
            out.append(block)
            length += len(block)
            n += 1
            t += d + rng.randint(100, 2000)
        return "".join(out)
    if fmt == "csv":
        out.append("id,name,city,amount,comment\n")
        row = 1
        while length < size:
            line = "%d,%s,%s,%s,\"%s\"\n" % (row, gen.title(), gen.vocab.pick(rng),
                                             gen.number(), gen.sentence().replace('"', "'"))
            out.append(line)
            length += len(line)
            row += 1
        return "".join(out)
    raise ValueError(fmt)


def srt_time(ms):
    return "%02d:%02d:%02d,%03d" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, ms % 1000)


FORMATS = [("plain", 4), ("html", 3), ("email", 2), ("srt", 1), ("csv", 1)]


def weighted(rng, pairs):
    items, weights = zip(*pairs)
    return rng.choices(items, weights=weights)[0]


def doc_size(rng):
    """Document length in characters: mostly short, a long tail of big files."""
    r = rng.random()
    if r < 0.35:
        return rng.randint(120, 600)
    if r < 0.80:
        return rng.randint(600, 3000)
    if r < 0.97:
        return rng.randint(3000, 9000)
    return rng.randint(9000, 24000)


class Doc:
    __slots__ = ("idx", "lang", "codec", "fmt", "text", "data")

    def __init__(self, idx, lang, codec, fmt, text, data):
        self.idx = idx
        self.lang = lang
        self.codec = codec
        self.fmt = fmt
        self.text = text
        self.data = data


def build_corpus(rng, count):
    docs = []
    lang_pairs = [(lang, lang.weight) for lang in LANGUAGES]
    gens = {}
    for idx in range(count):
        lang = weighted(rng, lang_pairs)
        codec = weighted(rng, lang.encodings)
        fmt = weighted(rng, FORMATS)
        key = (lang.code, codec)
        gen = gens.get(key)
        if gen is None:
            gen = gens[key] = TextGen(lang, codec, rng)
        text = build_document(gen, doc_size(rng), fmt, rng)
        if codec == "ascii":
            text = text.encode("ascii", "ignore").decode("ascii")
        if lang.code == "he" and codec == "iso-8859-8":
            text = visual_hebrew(text)
        if rng.random() < 0.3:
            text = text.replace("\n", "\r\n")
        data = text.encode(codec)
        docs.append(Doc(idx, lang, codec, fmt, text, data))
    return docs


# ---------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------

def detect_incremental(detector, data, how, chunk):
    detector.reset()
    if how == "lines":
        pieces = data.splitlines(keepends=True)
    else:
        pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)]
    fed = 0
    for piece in pieces:
        detector.feed(piece)
        fed += 1
        if detector.done:
            break
    return detector.close(), fed < len(pieces)


def run_detection(docs, rng):
    detectors = {
        False: UniversalDetector(should_rename_legacy=False),
        True: UniversalDetector(should_rename_legacy=True),
    }
    results = []
    mode_counts = collections.Counter()
    early_stops = 0
    for doc in docs:
        rename = rng.random() < 0.2
        r = rng.random()
        if r < 0.55:
            mode = "detect"
            res = chardet.detect(doc.data, should_rename_legacy=rename)
        elif r < 0.9:
            how = "lines" if rng.random() < 0.5 else "chunks"
            mode = "universal-" + how
            det = detectors[rename]
            res, stopped_early = detect_incremental(det, doc.data, how, rng.choice((512, 1024, 4096)))
            early_stops += stopped_early
        else:
            mode = "detect_all"
            ignore_threshold = rng.random() < 0.3
            res = chardet.detect_all(doc.data, ignore_threshold=ignore_threshold,
                                     should_rename_legacy=rename)[0]
        mode_counts[mode] += 1
        results.append((doc, mode, res["encoding"], res["confidence"] or 0.0))
    return results, mode_counts, early_stops


def decodes_same(doc, detected):
    name = codec_name(detected)
    if name is None:
        return False
    try:
        return doc.data.decode(name) == doc.text
    except (UnicodeDecodeError, LookupError):
        return False


def summarize(docs, results, mode_counts, early_stops, out):
    w = out.write
    total_bytes = sum(len(d.data) for d in docs)
    w("chardet %s workload: %d documents, %d bytes\n\n" % (chardet.__version__, len(docs), total_bytes))

    w("languages:\n")
    by_lang = collections.Counter(d.lang.code for d in docs)
    bytes_lang = collections.Counter()
    for d in docs:
        bytes_lang[d.lang.code] += len(d.data)
    for lang in LANGUAGES:
        w("  %-8s %-22s %5d docs %9d bytes\n" % (lang.code, lang.name, by_lang[lang.code], bytes_lang[lang.code]))
    w("formats: %s\n" % ", ".join("%s=%d" % kv for kv in sorted(collections.Counter(d.fmt for d in docs).items())))
    w("modes:   %s (incremental runs that stopped early: %d)\n\n"
      % (", ".join("%s=%d" % kv for kv in sorted(mode_counts.items())), early_stops))

    per_truth = collections.defaultdict(lambda: [0, 0, 0, collections.Counter()])
    detected_counts = collections.Counter()
    confusions = collections.Counter()
    conf_sum = 0.0
    exact_all = same_all = 0
    digest = hashlib.sha256()
    for doc, mode, enc, conf in results:
        truth = codec_name(doc.codec)
        got = codec_name(enc)
        exact = got == truth
        same = exact or decodes_same(doc, enc)
        row = per_truth[doc.codec]
        row[0] += 1
        row[1] += exact
        row[2] += same
        if not exact:
            row[3][str(enc)] += 1
        if not same:
            confusions[(doc.codec, str(enc))] += 1
        detected_counts[str(enc)] += 1
        conf_sum += conf
        exact_all += exact
        same_all += same
        digest.update(("%d|%s|%s|%.4f\n" % (doc.idx, mode, enc, conf)).encode())

    w("accuracy per true encoding (exact codec / decodes to the same text):\n")
    w("  %-14s %5s %7s %7s  %s\n" % ("encoding", "docs", "exact", "same", "most common other answer"))
    for codec in sorted(per_truth, key=lambda c: (-per_truth[c][0], c)):
        n, exact, same, other = per_truth[codec]
        top = "%s (%d)" % other.most_common(1)[0] if other else "-"
        w("  %-14s %5d %6.1f%% %6.1f%%  %s\n" % (codec, n, 100.0 * exact / n, 100.0 * same / n, top))
    n = len(results)
    w("\noverall: exact %d/%d (%.1f%%), decodes the same %d/%d (%.1f%%), mean confidence %.3f\n\n"
      % (exact_all, n, 100.0 * exact_all / n, same_all, n, 100.0 * same_all / n, conf_sum / n))

    w("detected encodings:\n")
    for enc, c in sorted(detected_counts.items(), key=lambda kv: (-kv[1], kv[0])):
        w("  %-14s %5d\n" % (enc, c))
    w("\nmost common wrong answers (true -> detected, text differs):\n")
    for (truth, enc), c in sorted(confusions.items(), key=lambda kv: (-kv[1], kv[0]))[:12]:
        w("  %-14s -> %-14s %4d\n" % (truth, enc, c))
    w("\nresults digest: %s\n" % digest.hexdigest()[:16])


BASE_DOCS = 2500


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=20240801)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="corpus size multiplier: 1.0 = %d documents" % BASE_DOCS)
    ap.add_argument("--output", metavar="FILE",
                    help="write the summary to FILE instead of stdout")
    args = ap.parse_args(argv)
    count = max(1, int(round(BASE_DOCS * args.scale)))

    t0 = time.perf_counter()
    rng = random.Random(args.seed)
    docs = build_corpus(rng, count)
    t1 = time.perf_counter()
    results, mode_counts, early_stops = run_detection(docs, random.Random(args.seed + 1))
    t2 = time.perf_counter()
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            summarize(docs, results, mode_counts, early_stops, out)
    else:
        summarize(docs, results, mode_counts, early_stops, sys.stdout)
        sys.stdout.flush()
    t3 = time.perf_counter()
    sys.stderr.write("elapsed: corpus %.2f s, detection %.2f s, summary %.2f s, total %.2f s\n"
                     % (t1 - t0, t2 - t1, t3 - t2, t3 - t0))


if __name__ == "__main__":
    main()
