#!/usr/bin/env python3
"""Writes N short generated Arabic news articles for scaling the brief.

    bench/make_articles.py N OUT_DIR [--seed S]

Each article (`OUT_DIR/00001.txt` …) is a headline and two or three short
paragraphs built from word lists: common news words that every story
uses, a few place names from the gazetteer, a date (day, month, year
between 2019 and 2025), and its story's own rare made-up words (a
story's "names" and terms). About a third of the articles are follow-ups
of an earlier story — they reuse its rare words and places, so grouping
has real work — and the rest start stories of their own. Nothing here is
real news; the translations of the tiny test checkpoint are noise anyway.

Same N and seed ⇒ the same bytes (one `random.Random(seed)`, no clock,
no hash order). Only the standard library.
"""

import argparse
import os
import random

COMMON = (
    "الحكومة الوزير الرئيس المجلس الدولة البلاد العاصمة الشعب الجيش القوات "
    "الاقتصاد السوق الأسعار الموازنة المشروع الاتفاق القرار المفاوضات الأزمة "
    "المسؤولين المواطنين المنطقة الحدود الأمن السلام التعاون الدعم التمويل "
    "الإصلاح الانتخابات البرلمان المعارضة الشرطة المحكمة القضاء الصحة التعليم "
    "المستشفى المدارس الطلاب العمال الشركات الاستثمار الطاقة النفط الغاز الكهرباء "
    "المياه الزراعة المحاصيل الأمطار الطقس الرياح الزلزال الإغاثة المساعدات "
    "اللاجئين المنظمة الدولية الأمم المتحدة الاتحاد الأوروبي البنك المركزي "
    "الصندوق الفائدة التضخم العملة الدولار الصادرات الواردات الميناء المطار "
    "الطريق السكك القطار الرحلات السياحة الفندق المهرجان المعرض الكتاب الفريق "
    "المباراة البطولة الهدف المدرب اللاعبين الملعب الجماهير النادي الموسم "
    "التحقيق الحادث الضحايا المصابين الإنقاذ الحريق الفيضان السلطات المحلية "
    "المحافظ البلدية السكان الأحياء المنازل الإعمار المساكن الأراضي الزيارة "
    "المؤتمر البيان التصريحات المتحدث الصحفيين الوكالة التقرير الدراسة الخبراء "
    "الأرقام النسبة الزيادة التراجع النمو الخطة البرنامج المرحلة الجديدة"
).split()

LINKS = (
    "أعلن أكد قال أوضح أشار أضاف كشف نفى دعا طالب رحب انتقد وافق رفض بحث ناقش "
    "في على من إلى مع بعد قبل خلال بين حول عن أن إن التي الذي هذا هذه وقد كما"
).split()

PLACES = (
    "فرنسا روسيا سوريا العراق موسكو باريس لندن واشنطن أوكرانيا القرم الخليج "
    "الأردن قطر مصر سيناء ليبيا أوروبا حمص حلب"
).split()

MONTHS = (
    "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر"
).split()

DAYS = "الأحد الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت".split()

LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمنهوي"


def made_up_word(rng):
    """A rare word: five to seven letters no word list holds."""
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(5, 7)))


def new_story(rng):
    return {
        "rare": [made_up_word(rng) for _ in range(8)],
        "names": [made_up_word(rng) + " " + made_up_word(rng) for _ in range(2)],
        "places": rng.sample(PLACES, 2),
        "year": rng.randint(2019, 2025),
        "month": rng.randint(1, 12),
    }


def sentence(rng, story, own):
    words = [rng.choice(LINKS)]
    for _ in range(rng.randint(9, 14)):
        roll = rng.random()
        if roll < 0.55:
            words.append(rng.choice(COMMON))
        elif roll < 0.70:
            words.append(rng.choice(LINKS))
        elif roll < 0.88:
            words.append(rng.choice(story["rare"]))
        elif roll < 0.94:
            words.append(rng.choice(story["names"]))
        else:
            words.append(rng.choice(own))
    return " ".join(words) + "."


def article(rng, story):
    own = [made_up_word(rng) for _ in range(3)]
    month = (story["month"] - 1 + rng.randint(0, 2)) % 12
    date = "يوم {} {} {} {}".format(
        rng.choice(DAYS), rng.randint(1, 28), MONTHS[month], story["year"]
    )
    place = rng.choice(story["places"])
    headline = "{} {} {} {}".format(
        rng.choice(story["names"]), rng.choice(LINKS), rng.choice(COMMON), place
    )
    paragraphs = ["{} - {} {}".format(place, date, sentence(rng, story, own))]
    for _ in range(rng.randint(1, 2)):
        paragraphs.append(
            " ".join(sentence(rng, story, own) for _ in range(rng.randint(1, 2)))
        )
    return headline + "\n" + "\n".join(paragraphs) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    stories = []
    for i in range(1, args.n + 1):
        # A follow-up picks one of the last 200 stories: news returns to
        # recent stories, and that keeps each story small at any N.
        if stories and rng.random() < 0.35:
            story = rng.choice(stories[-200:])
        else:
            story = new_story(rng)
            stories.append(story)
        with open(os.path.join(args.out, "{:05d}.txt".format(i)), "w", encoding="utf-8") as f:
            f.write(article(rng, story))


if __name__ == "__main__":
    main()
